import { writeFile } from 'node:fs/promises';
import type { DiscoveryProgress } from '../../app/discovery/discovery-service.js';
import { runDiscovery } from '../../app/discovery/discovery-service.js';
import { buildAdapters, discoveryDependencies } from '../../app/wiring.js';
import { toCsv } from '../../core/access/access-csv.js';
import { describeTrust } from '../../core/access/describe-trust.js';
import { totalCalls } from '../../core/inventory/call-stats.js';
import type { Inventory } from '../../core/inventory/inventory.js';
import { inventoryCounts } from '../../core/inventory/inventory.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { renderTable } from './render-table.js';
import type { DiscoverOptions } from './discover-command.js';

/** The `discover` handler, loaded when the command runs (see discover-command.ts). */
export async function discoverAction(
  context: CliContext,
  options: DiscoverOptions,
): Promise<number> {
  const loaded = await loadConfig(context.configPath, { env: context.env });
  const adapters = buildAdapters(loaded, { env: context.env });
  try {
    const progress = progressPrinter(context);
    const { inventory, snapshot } = await runDiscovery(await discoveryDependencies(adapters), {
      source: options.source,
      onProgress: progress.update,
    });
    progress.done();
    const format = options.format ?? (context.json ? 'json' : 'table');
    const text =
      format === 'json'
        ? `${JSON.stringify({ snapshotId: snapshot?.id, inventory }, null, 2)}\n`
        : format === 'csv'
          ? inventoryCsv(inventory)
          : inventoryTable(inventory, snapshot?.id);
    if (options.out) {
      await writeFile(options.out, text);
      context.stderr.write(`wrote ${options.out}\n`);
    } else {
      context.stdout.write(text);
    }
    return ExitCode.ok;
  } finally {
    await adapters.close();
  }
}

/** Progress on stderr: one redrawn line on a TTY; otherwise a line per phase start and end. */
function progressPrinter(context: CliContext): {
  update: (progress: DiscoveryProgress) => void;
  done: () => void;
} {
  const tty = context.stderr.isTTY === true;
  const lastLine = new Map<string, string>();
  let drawn = false;
  return {
    update(progress) {
      const eta =
        progress.etaMs !== undefined && progress.done < progress.total
          ? ` ETA ${formatDuration(progress.etaMs)}`
          : '';
      const line = `${progress.phase}: ${progress.done}/${progress.total} ${progress.unit}${eta}`;
      if (tty) {
        context.stderr.write(`\r\u001b[2K${line}`);
        drawn = true;
        return;
      }
      // Plain mode: the start and the end of each phase/unit, so logs stay short.
      const key = `${progress.phase}/${progress.unit}`;
      const state = progress.done === 0 ? 'start' : progress.done >= progress.total ? 'end' : '';
      if (state === '' || lastLine.get(key) === state) return;
      lastLine.set(key, state);
      context.stderr.write(`${line}\n`);
    },
    done() {
      if (tty && drawn) context.stderr.write('\r\u001b[2K');
    },
  };
}

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** The human report: counts, problems found, calls per operation. */
export function inventoryTable(inventory: Inventory, snapshotId?: string): string {
  const parts: string[] = [];
  const totals = totalCalls(inventory.calls);
  parts.push(
    `Snapshot ${snapshotId ?? '(not stored)'} · source ${inventory.source} · ${inventory.startedAt} · ${(inventory.durationMs / 1000).toFixed(1)}s · ${totals.calls} calls, ${totals.throttled} throttles absorbed`,
  );
  parts.push(
    renderTable(
      ['object', 'count'],
      Object.entries(inventoryCounts(inventory)).map(([kind, count]) => [kind, String(count)]),
    ),
  );
  if (inventory.notInspected.length > 0) {
    parts.push('Not inspected:');
    parts.push(
      renderTable(
        ['kind', 'id', 'reason'],
        inventory.notInspected.map((item) => [item.kind, item.id, item.reason]),
      ),
    );
  }
  const problems = (inventory.federation ?? []).filter((mapping) => mapping.status !== 'ok');
  if (problems.length > 0) {
    parts.push('Federation groups whose role or account does not exist:');
    parts.push(
      renderTable(
        ['okta group', 'account', 'role', 'problem'],
        problems.map((m) => [m.oktaGroupName, m.accountId, m.roleName, m.status]),
      ),
    );
  }
  if (inventory.links) {
    const okta = inventory.okta;
    const aws = inventory.aws?.identityCenter;
    const userName = new Map((okta?.users ?? []).map((u) => [u.id as string, u.login]));
    const groupName = new Map((okta?.groups ?? []).map((g) => [g.id as string, g.name]));
    const idcUserName = new Map((aws?.users ?? []).map((u) => [u.userId as string, u.userName]));
    const idcGroupName = new Map(
      (aws?.groups ?? []).map((g) => [g.groupId as string, g.displayName]),
    );
    const rows = [
      ...inventory.links.unpushedUsers.map((id) => [
        'Okta user not in IdC',
        userName.get(id) ?? id,
      ]),
      ...inventory.links.unpushedGroups.map((id) => [
        'Okta group not in IdC',
        groupName.get(id) ?? id,
      ]),
      ...inventory.links.orphanUsers.map((id) => [
        'IdC user not in Okta',
        idcUserName.get(id) ?? id,
      ]),
      ...inventory.links.orphanGroups.map((id) => [
        'IdC group not in Okta',
        idcGroupName.get(id) ?? id,
      ]),
    ];
    if (rows.length > 0) {
      parts.push('Unlinked principals:');
      parts.push(renderTable(['link', 'principal'], rows));
    }
  }
  parts.push('Calls per operation:');
  parts.push(
    renderTable(
      ['service', 'operation', 'calls', 'requests', 'throttled', '5xx/network', 'failed'],
      inventory.calls.map((stat) => [
        stat.service,
        stat.operation,
        String(stat.calls),
        String(stat.requests),
        String(stat.throttled),
        String(stat.transientErrors),
        String(stat.failed),
      ]),
    ),
  );
  return `${parts.join('\n')}\n`;
}

/** One row per discovered object: kind, id, name, parent, status, details. */
export function inventoryCsv(inventory: Inventory): string {
  const rows: string[][] = [['kind', 'id', 'name', 'parent', 'status', 'details']];
  const aws = inventory.aws;
  if (aws) {
    for (const ou of aws.organization.organizationalUnits) {
      rows.push(['organizational-unit', ou.id, ou.name, ou.parentId, '', '']);
    }
    for (const account of aws.organization.accounts) {
      rows.push([
        'account',
        account.id,
        account.name,
        account.parentPath.join('/'),
        account.status,
        Object.entries(account.tags)
          .map(([key, value]) => `${key}=${value}`)
          .join('; '),
      ]);
    }
    const ic = aws.identityCenter;
    for (const user of ic.users) rows.push(['idc-user', user.userId, user.userName, '', '', '']);
    for (const group of ic.groups) {
      rows.push(['idc-group', group.groupId, group.displayName, '', '', '']);
    }
    for (const m of ic.memberships) rows.push(['idc-membership', m.userId, '', m.groupId, '', '']);
    for (const ps of ic.permissionSets) {
      rows.push([
        'permission-set',
        ps.permissionSetArn,
        ps.name,
        '',
        '',
        [
          ...ps.managedPolicies,
          ...ps.customerManagedPolicies.map((c) => `${c.path}${c.name}`),
        ].join('; '),
      ]);
      for (const target of ps.provisionedTo) {
        rows.push([
          'provisioned',
          ps.permissionSetArn,
          ps.name,
          target.accountId,
          target.status,
          '',
        ]);
      }
    }
    for (const a of ic.assignments) {
      rows.push([
        'assignment',
        a.principalId,
        a.principalType,
        a.accountId,
        '',
        a.permissionSetArn,
      ]);
    }
    for (const account of aws.accounts) {
      if (!account.inspected) {
        rows.push(['account-iam', account.accountId, '', '', 'not-inspected', account.reason]);
        continue;
      }
      for (const role of account.roles) {
        rows.push([
          'iam-role',
          role.arn,
          role.roleName,
          account.accountId,
          role.trust.kind,
          describeTrust(role.trust),
        ]);
      }
      for (const provider of account.samlProviders) {
        rows.push(['saml-provider', provider.arn, provider.name, account.accountId, '', '']);
      }
      for (const user of account.users) {
        rows.push([
          'iam-user',
          user.arn,
          user.userName,
          account.accountId,
          '',
          user.groups.join('; '),
        ]);
      }
      for (const group of account.groups) {
        rows.push(['iam-group', group.arn, group.groupName, account.accountId, '', '']);
      }
    }
  }
  for (const user of inventory.okta?.users ?? []) {
    rows.push(['okta-user', user.id, user.login, '', user.status, user.email ?? '']);
  }
  for (const group of inventory.okta?.groups ?? []) {
    rows.push(['okta-group', group.id, group.name, '', group.type, '']);
  }
  for (const m of inventory.okta?.memberships ?? []) {
    rows.push(['okta-membership', m.userId, '', m.groupId, '', '']);
  }
  for (const mapping of inventory.federation ?? []) {
    rows.push([
      'federation-group',
      mapping.oktaGroupId,
      mapping.oktaGroupName,
      mapping.accountId,
      mapping.status,
      mapping.roleArn ?? mapping.roleName,
    ]);
  }
  return toCsv(rows);
}
