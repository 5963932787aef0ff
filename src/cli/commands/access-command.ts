import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { inventoryFromSnapshot } from '../../app/discovery/discovery-service.js';
import { buildAdapters } from '../../app/wiring.js';
import { accessReportCsv } from '../../core/access/access-csv.js';
import type { AccessFilter, AccessReport } from '../../core/access/access-query.js';
import { describePath, queryAccess } from '../../core/access/access-query.js';
import { UsageError } from '../../core/errors.js';
import type { Inventory } from '../../core/inventory/inventory.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { renderTable } from './render-table.js';
import type { RegisterCommand } from './index.js';

export const AccessFormats = ['table', 'json', 'csv'] as const;
export type AccessFormat = (typeof AccessFormats)[number];

interface FilterOptions {
  user?: string;
  group?: string;
  account?: string;
  permissionSet?: string;
  out?: string;
}

/** Adds the shared filters of `access` and `graph`. */
export function addAccessFilters(command: Command): Command {
  return command
    .option('--user <user>', 'Okta login, email or id; or Identity Center userName or id')
    .option('--group <group>', 'Okta group name or id; or Identity Center group name or id')
    .option('--account <account>', 'account id, name or alias')
    .option('--permission-set <name>', 'permission set name or ARN, or federated role name')
    .option('--out <file>', 'write to a file instead of stdout');
}

export function filterOf(options: FilterOptions): AccessFilter {
  return {
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.group !== undefined ? { group: options.group } : {}),
    ...(options.account !== undefined ? { account: options.account } : {}),
    ...(options.permissionSet !== undefined ? { permissionSet: options.permissionSet } : {}),
  };
}

/** The inventory of the latest complete snapshot; UsageError when discover has not run yet. */
export async function latestInventory(context: CliContext): Promise<Inventory> {
  const loaded = await loadConfig(context.configPath, { env: context.env });
  const adapters = buildAdapters(loaded, { env: context.env });
  try {
    const store = await adapters.store();
    // Access questions need both sides; an aws- or okta-only snapshot is used only when no
    // complete one exists.
    const snapshot = (await store.latestSnapshot('all')) ?? (await store.latestSnapshot());
    if (!snapshot) throw new UsageError('no snapshot in the store yet; run `discover` first');
    return inventoryFromSnapshot(snapshot);
  } finally {
    await adapters.close();
  }
}

export async function emit(
  context: CliContext,
  text: string,
  out: string | undefined,
): Promise<void> {
  if (out) {
    await writeFile(out, text);
    context.stderr.write(`wrote ${out}\n`);
  } else {
    context.stdout.write(text);
  }
}

/**
 * `access [--user U] [--group G] [--account A] [--permission-set P] [--format table|json|csv]`:
 * who has access to what and through which path, from the latest snapshot, with the effective
 * policies of each permission set. CSV is the access-review export (one row per grant).
 */
export const registerAccessCommand: RegisterCommand = (program, run) => {
  addAccessFilters(
    program
      .command('access')
      .description('Who has access to what, and why, from the latest snapshot.')
      .addOption(new Option('--format <format>', 'output format').choices([...AccessFormats])),
  ).action((options: FilterOptions & { format?: AccessFormat }) =>
    run(async (context) => {
      const inventory = await latestInventory(context);
      const report = queryAccess(inventory, filterOf(options));
      const format = options.format ?? (context.json ? 'json' : 'table');
      const text =
        format === 'json'
          ? `${JSON.stringify({ snapshotStartedAt: inventory.startedAt, ...report }, null, 2)}\n`
          : format === 'csv'
            ? accessReportCsv(report)
            : accessTable(report);
      await emit(context, text, options.out);
      return ExitCode.ok;
    }),
  );
};

/** Grants with their paths, then the effective policies of what they grant. */
export function accessTable(report: AccessReport): string {
  const grants = renderTable(
    ['user', 'account', 'access', 'via'],
    report.grants.map((grant) => [
      grant.user.oktaLogin ?? grant.user.idcUserName ?? grant.user.idcUserId ?? '?',
      grant.account.name ? `${grant.account.name} (${grant.account.id})` : grant.account.id,
      grant.permissionSet
        ? `permission set ${grant.permissionSet.name}`
        : `role ${grant.role?.name ?? '?'}`,
      describePath(grant.path),
    ]),
  );
  const policies = renderTable(
    ['permission set / role', 'session', 'managed', 'customer managed', 'inline', 'boundary'],
    report.policies.map((policy) => [
      policy.name,
      policy.sessionDuration ?? '',
      policy.managedPolicies.join(', '),
      policy.customerManagedPolicies.join(', '),
      policy.inlinePolicy ? 'yes' : (policy.inlinePolicyNames ?? []).join(', '),
      policy.permissionsBoundary ?? '',
    ]),
  );
  return `${grants}\n\nEffective policies:\n${policies}\n`;
}
