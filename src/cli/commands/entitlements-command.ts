import { Option } from 'commander';
import type { ChangeResult } from '../../app/entitlements/entitlement-service.js';
import { entitlementServiceFrom } from '../../app/entitlements/entitlements-from-adapters.js';
import { buildAdapters } from '../../app/wiring.js';
import type { PrincipalType } from '../../core/domain/identity-center.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { renderTable } from './render-table.js';
import type { RegisterCommand } from './index.js';

interface PrincipalOptions {
  readonly principalType: PrincipalType;
  readonly principal: string;
  readonly account?: string;
  readonly permissionSet?: string[];
  readonly timeout?: string;
}

/**
 * `entitlements list|add|remove|remove-all`: the connector's actions. The principal is an
 * Identity Center id, an Okta user id or login, or an Okta group id or name. Writes wait for
 * the async result (`--timeout` seconds, default 60) and print one line per item; the exit code
 * is 1 when any item failed or timed out, 4 when a safety rule refused it.
 */
export const registerEntitlementsCommand: RegisterCommand = (program, run) => {
  const group = program
    .command('entitlements')
    .description('The Okta Workflows "AWS Multi-Account Access" actions on one principal.');
  const principalOptions = (command: ReturnType<typeof group.command>, permissionSets: boolean) => {
    command
      .addOption(
        new Option('--principal-type <type>', 'USER or GROUP')
          .choices(['USER', 'GROUP'])
          .makeOptionMandatory(),
      )
      .requiredOption('--principal <ref>', 'IdC id, Okta user id or login, Okta group id or name')
      .option('--timeout <seconds>', 'how long to wait for async results', '60');
    if (permissionSets)
      command
        .requiredOption('--account <id>', 'AWS account id')
        .requiredOption(
          '--permission-set <arnOrName...>',
          'permission set ARNs or names (repeatable)',
        );
    return command;
  };

  principalOptions(group.command('list').description('List the principal’s entitlements.'), false)
    .option('--account <id>', 'only this account')
    .action((options: PrincipalOptions) =>
      run(async (context) =>
        withService(context, options, 'list', async (service) => {
          const result = await service.listEntitlements({
            principalType: options.principalType,
            principalId: options.principal,
            ...(options.account ? { accountId: options.account } : {}),
          });
          if (context.json) context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          else
            context.stdout.write(
              renderTable(
                ['account', 'permission set', 'arn'],
                result.entitlements.map((e) => [
                  e.accountId,
                  e.permissionSetName,
                  e.permissionSetArn,
                ]),
              ),
            );
          return ExitCode.ok;
        }),
      ),
    );

  for (const [name, description] of [
    ['add', 'Assign the principal in an account with permission sets.'],
    ['remove', 'Remove the principal’s assignments with permission sets in an account.'],
  ] as const) {
    principalOptions(group.command(name).description(description), true).action(
      (options: PrincipalOptions) =>
        run(async (context) =>
          withService(context, options, name, async (service) => {
            const input = {
              principalType: options.principalType,
              principalId: options.principal,
              accountId: options.account ?? '',
              permissionSets: options.permissionSet ?? [],
            };
            const result =
              name === 'add'
                ? await service.addEntitlements(input)
                : await service.removeEntitlements(input);
            return printChange(context, result);
          }),
        ),
    );
  }

  principalOptions(
    group.command('remove-all').description('Remove every assignment of the principal.'),
    false,
  )
    .option('--account <id>', 'only this account')
    .action((options: PrincipalOptions) =>
      run(async (context) =>
        withService(context, options, 'remove-all', async (service) =>
          printChange(
            context,
            await service.removeAllEntitlements({
              principalType: options.principalType,
              principalId: options.principal,
              ...(options.account ? { accountId: options.account } : {}),
            }),
          ),
        ),
      ),
    );
};

async function withService(
  context: CliContext,
  options: PrincipalOptions,
  _name: string,
  body: (service: ReturnType<typeof entitlementServiceFrom>) => Promise<number>,
): Promise<number> {
  const loaded = await loadConfig(context.configPath, { env: context.env });
  const adapters = buildAdapters(loaded, { env: context.env });
  try {
    const seconds = Number(options.timeout ?? '60');
    const service = entitlementServiceFrom(adapters, {
      actor: `cli:${context.env.USER ?? 'unknown'}`,
      poll: { timeoutMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000 },
    });
    return await body(service);
  } finally {
    await adapters.close();
  }
}

function printChange(context: CliContext, result: ChangeResult): number {
  if (context.json) context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    context.stdout.write(
      renderTable(
        ['account', 'permission set', 'status', 'reason'],
        result.items.map((i) => [i.accountId, i.permissionSetName, i.status, i.reason ?? '']),
      ),
    );
  return result.succeeded ? ExitCode.ok : ExitCode.error;
}
