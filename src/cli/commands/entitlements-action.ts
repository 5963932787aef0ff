// The `entitlements` handlers, loaded when a subcommand runs (see entitlements-command.ts).
import type { ChangeResult } from '../../app/entitlements/entitlement-service.js';
import { entitlementServiceFrom } from '../../app/entitlements/entitlements-from-adapters.js';
import { buildAdapters } from '../../app/wiring.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import type { PrincipalOptions } from './entitlements-command.js';
import { renderTable } from './render-table.js';

/** `entitlements list`. */
export function listEntitlementsAction(
  context: CliContext,
  options: PrincipalOptions,
): Promise<number> {
  return withService(context, options, async (service) => {
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
          result.entitlements.map((e) => [e.accountId, e.permissionSetName, e.permissionSetArn]),
        ),
      );
    return ExitCode.ok;
  });
}

/** `entitlements add` and `entitlements remove`. */
export function changeEntitlementsAction(
  context: CliContext,
  options: PrincipalOptions,
  change: 'add' | 'remove',
): Promise<number> {
  return withService(context, options, async (service) => {
    const input = {
      principalType: options.principalType,
      principalId: options.principal,
      accountId: options.account ?? '',
      permissionSets: options.permissionSet ?? [],
    };
    const result =
      change === 'add'
        ? await service.addEntitlements(input)
        : await service.removeEntitlements(input);
    return printChange(context, result);
  });
}

/** `entitlements remove-all`. */
export function removeAllEntitlementsAction(
  context: CliContext,
  options: PrincipalOptions,
): Promise<number> {
  return withService(context, options, async (service) =>
    printChange(
      context,
      await service.removeAllEntitlements({
        principalType: options.principalType,
        principalId: options.principal,
        ...(options.account ? { accountId: options.account } : {}),
      }),
    ),
  );
}

async function withService(
  context: CliContext,
  options: PrincipalOptions,
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
