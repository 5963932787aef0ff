import { Option } from 'commander';
import type { PrincipalType } from '../../core/domain/identity-center.js';
import type { RegisterCommand } from './index.js';

/** The options of every `entitlements` subcommand, as commander parses them. */
export interface PrincipalOptions {
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
      run(async (context) => {
        const { listEntitlementsAction } = await import('./entitlements-action.js');
        return listEntitlementsAction(context, options);
      }),
    );

  for (const [name, description] of [
    ['add', 'Assign the principal in an account with permission sets.'],
    ['remove', 'Remove the principal’s assignments with permission sets in an account.'],
  ] as const) {
    principalOptions(group.command(name).description(description), true).action(
      (options: PrincipalOptions) =>
        run(async (context) => {
          const { changeEntitlementsAction } = await import('./entitlements-action.js');
          return changeEntitlementsAction(context, options, name);
        }),
    );
  }

  principalOptions(
    group.command('remove-all').description('Remove every assignment of the principal.'),
    false,
  )
    .option('--account <id>', 'only this account')
    .action((options: PrincipalOptions) =>
      run(async (context) => {
        const { removeAllEntitlementsAction } = await import('./entitlements-action.js');
        return removeAllEntitlementsAction(context, options);
      }),
    );
};
