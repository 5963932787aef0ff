import { writeFile } from 'node:fs/promises';
import { inventoryFromSnapshot } from '../../app/discovery/discovery-service.js';
import { buildAdapters } from '../../app/wiring.js';
import { accessReportCsv } from '../../core/access/access-csv.js';
import type { AccessReport } from '../../core/access/access-query.js';
import { describePath, queryAccess } from '../../core/access/access-query.js';
import { UsageError } from '../../core/errors.js';
import type { Inventory } from '../../core/inventory/inventory.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { filterOf, type AccessOptions } from './access-command.js';
import { renderTable } from './render-table.js';

/** The `access` handler (loaded when the command runs; see access-command.ts). */
export async function accessAction(context: CliContext, options: AccessOptions): Promise<number> {
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
