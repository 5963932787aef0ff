import type { FederationMapping } from '../../core/access/federation-convention.js';
import {
  compileFederationGroupFilter,
  DEFAULT_FEDERATION_GROUP_FILTER,
  mapFederationGroups,
} from '../../core/access/federation-convention.js';
import type { AccountIam } from '../../core/domain/iam.js';
import type {
  AccountAssignment,
  IdcInstance,
  PermissionSet,
} from '../../core/domain/identity-center.js';
import type { InstanceArn } from '../../core/domain/ids.js';
import type { OktaDirectory } from '../../core/domain/okta.js';
import { OperationalError } from '../../core/errors.js';
import type { OperationCallStats } from '../../core/inventory/call-stats.js';
import { diffCallStats, totalCalls } from '../../core/inventory/call-stats.js';
import type {
  AwsInventory,
  Inventory,
  InventoryLinks,
  InventorySource,
  NotInspected,
} from '../../core/inventory/inventory.js';
import { INVENTORY_VERSION, inventoryCounts } from '../../core/inventory/inventory.js';
import { linkPrincipals } from '../../core/linking/link-principals.js';
import type {
  AssignmentStrategy,
  AwsReaders,
  IdentityStoreContents,
  ReadProgress,
} from '../../ports/aws-readers.js';
import type { OktaDirectoryReader } from '../../ports/okta-directory.js';
import type { Snapshot, Store } from '../../ports/store.js';

/** The phases of a discovery run, in the order they usually start. */
export const DiscoveryPhases = [
  'identity-center',
  'organizations',
  'identity-store',
  'permission-sets',
  'assignments',
  'account-iam',
  'okta',
  'linking',
  'snapshot',
] as const;
export type DiscoveryPhase = (typeof DiscoveryPhases)[number];

/** A progress report; `etaMs` is the phase's remaining time estimated from its pace so far. */
export interface DiscoveryProgress {
  readonly phase: DiscoveryPhase;
  readonly unit: string;
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly etaMs?: number;
}

export interface DiscoveryDependencies {
  readonly aws?: AwsReaders;
  readonly okta?: OktaDirectoryReader;
  /** Where the snapshot goes; without it nothing is stored. */
  readonly store?: Store;
  /** Cumulative per-operation counters (AWS and Okta); the run reports its own difference. */
  readonly callStats: () => readonly OperationCallStats[];
  readonly instanceArn?: InstanceArn;
  /** Read per-account IAM (default true). */
  readonly inspectIam?: boolean;
  /** Okta group filter of the AWS Account Federation app, in Okta syntax. Default: the app's. */
  readonly federationGroupFilter?: string;
  /** Accounts whose IAM is read at once. Default 4. */
  readonly accountConcurrency?: number;
  /**
   * How assignments are enumerated (docs/discovery-call-model.md). `permission-set` (default):
   * every provisioned pair, complete. `principal`: ListAccountAssignmentsForPrincipal for every
   * user and group in the identity store; misses assignments of principals deleted from the store.
   * `auto`: `principal` when the store has fewer principals than there are provisioned pairs.
   */
  readonly assignmentStrategy?: AssignmentStrategy | 'auto';
  readonly now?: () => number;
  readonly wallClock?: () => Date;
}

export interface DiscoveryOptions {
  readonly source: InventorySource;
  readonly onProgress?: (progress: DiscoveryProgress) => void;
}

export interface DiscoveryResult {
  readonly inventory: Inventory;
  /** The stored snapshot, when a store was given. */
  readonly snapshot?: Snapshot;
}

/**
 * Runs discovery: reads AWS and/or Okta (in parallel), links principals, maps federation-named
 * groups, and stores a timestamped snapshot with counts, duration, calls and what could not be
 * inspected. An account whose IAM cannot be read is recorded, never fatal; any other read error
 * fails the run (and nothing is stored).
 */
export async function runDiscovery(
  deps: DiscoveryDependencies,
  options: DiscoveryOptions,
): Promise<DiscoveryResult> {
  const now = deps.now ?? (() => performance.now());
  const startedAt = (deps.wallClock ?? (() => new Date()))();
  const start = now();
  const before = deps.callStats();
  const wantAws = options.source !== 'okta';
  const wantOkta = options.source !== 'aws';
  if (wantAws && !deps.aws)
    throw new OperationalError('AWS readers not configured', 'NO_AWS', false);
  if (wantOkta && !deps.okta)
    throw new OperationalError('Okta reader not configured', 'NO_OKTA', false);

  const phaseStarts = new Map<DiscoveryPhase, number>();
  const progress =
    (phase: DiscoveryPhase) =>
    (read: ReadProgress): void => {
      if (!options.onProgress) return;
      const t = now();
      if (!phaseStarts.has(phase)) phaseStarts.set(phase, t);
      const elapsed = t - (phaseStarts.get(phase) ?? t);
      const remaining = read.total - read.done;
      options.onProgress({
        phase,
        unit: read.unit,
        done: read.done,
        total: read.total,
        elapsedMs: elapsed,
        ...(read.done > 0 && remaining >= 0 ? { etaMs: (elapsed / read.done) * remaining } : {}),
      });
    };
  const mark = (phase: DiscoveryPhase, done: number, total: number, unit: string = phase): void =>
    progress(phase)({ unit, done, total });

  const [aws, okta] = await Promise.all([
    wantAws && deps.aws ? readAws(deps, deps.aws, progress, mark) : Promise.resolve(undefined),
    wantOkta && deps.okta ? readOkta(deps.okta, progress, mark) : Promise.resolve(undefined),
  ]);

  mark('linking', 0, 1);
  let links: InventoryLinks | undefined;
  let federation: FederationMapping[] | undefined;
  if (aws && okta) {
    links = toInventoryLinks(okta, aws);
    const filter = compileFederationGroupFilter(
      deps.federationGroupFilter ?? DEFAULT_FEDERATION_GROUP_FILTER,
    );
    federation = mapFederationGroups(okta.groups, aws.organization, aws.accounts, filter);
  }
  mark('linking', 1, 1);

  const notInspected: NotInspected[] = (aws?.accounts ?? []).flatMap((account) =>
    account.inspected
      ? []
      : [{ kind: 'account-iam', id: account.accountId, reason: account.reason }],
  );
  const calls = diffCallStats(before, deps.callStats());
  const inventory: Inventory = {
    version: INVENTORY_VERSION,
    source: options.source,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(now() - start),
    ...(aws ? { aws } : {}),
    ...(okta ? { okta } : {}),
    ...(links ? { links } : {}),
    ...(federation ? { federation } : {}),
    notInspected,
    calls,
  };
  if (!deps.store) return { inventory };
  mark('snapshot', 0, 1);
  const snapshot = await deps.store.saveSnapshot({
    source: options.source,
    summary: inventoryCounts(inventory),
    durationMs: inventory.durationMs,
    calls: totalCalls(calls).calls,
    notInspected,
    body: inventory,
  });
  mark('snapshot', 1, 1);
  return { inventory, snapshot };
}

type ProgressFor = (phase: DiscoveryPhase) => (read: ReadProgress) => void;
type Mark = (phase: DiscoveryPhase, done: number, total: number, unit?: string) => void;

async function readAws(
  deps: DiscoveryDependencies,
  readers: AwsReaders,
  progress: ProgressFor,
  mark: Mark,
): Promise<AwsInventory> {
  mark('identity-center', 0, 1, 'instance');
  const instance = await readers.identityCenter.readInstance(deps.instanceArn);
  mark('identity-center', 1, 1, 'instance');
  // Each read starts as soon as what it needs is in: assignments (permission-set-major) need only
  // the permission sets, per-account IAM only the organisation. Waiting for all three first would
  // leave the sso-admin budget idle whenever the identity store or Organizations takes longer
  // than the permission sets (a large directory), and the sso-admin budget is the long pole.
  const organizationRead = readers.organizations.readOrganization(progress('organizations'));
  const directoryRead = readers.identityCenter.readIdentityStore(
    instance,
    progress('identity-store'),
  );
  const permissionSetsRead = readers.identityCenter.readPermissionSets(
    instance,
    progress('permission-sets'),
  );
  const assignmentsRead = readAssignments(
    deps,
    readers,
    instance,
    permissionSetsRead,
    directoryRead,
    progress('assignments'),
  );
  const accountsRead =
    deps.inspectIam === false
      ? Promise.resolve<AccountIam[]>([])
      : organizationRead.then((organization) =>
          readAccounts(deps, readers, organization, progress('account-iam')),
        );
  const [organization, directory, permissionSets, assignments, accounts] = await Promise.all([
    organizationRead,
    directoryRead,
    permissionSetsRead,
    assignmentsRead,
    accountsRead,
  ]);
  return {
    organization,
    identityCenter: { instance, ...directory, permissionSets, assignments },
    accounts,
  };
}

/**
 * Every assignment, by the configured strategy. Permission-set-major waits only for the
 * permission sets; principal-major (and `auto`, which compares the two sizes) also needs the
 * identity store's principals.
 */
async function readAssignments(
  deps: DiscoveryDependencies,
  readers: AwsReaders,
  instance: IdcInstance,
  permissionSetsRead: Promise<readonly PermissionSet[]>,
  directoryRead: Promise<IdentityStoreContents>,
  onProgress: (read: ReadProgress) => void,
): Promise<readonly AccountAssignment[]> {
  const configured = deps.assignmentStrategy ?? 'permission-set';
  const permissionSets = await permissionSetsRead;
  if (configured === 'permission-set')
    return readers.identityCenter.readAssignments(instance, permissionSets, onProgress);
  const directory = await directoryRead;
  const pairs = permissionSets.reduce((sum, ps) => sum + ps.provisionedTo.length, 0);
  const principals = directory.users.length + directory.groups.length;
  if (configured === 'auto' && principals >= pairs)
    return readers.identityCenter.readAssignments(instance, permissionSets, onProgress);
  return readers.identityCenter.readAssignmentsForPrincipals(
    instance,
    [
      ...directory.groups.map((g) => ({ principalType: 'GROUP' as const, principalId: g.groupId })),
      ...directory.users.map((u) => ({ principalType: 'USER' as const, principalId: u.userId })),
    ],
    onProgress,
  );
}

async function readAccounts(
  deps: DiscoveryDependencies,
  readers: AwsReaders,
  organization: AwsInventory['organization'],
  onProgress: (read: ReadProgress) => void,
): Promise<AccountIam[]> {
  const managementId = organization.organization.managementAccountId;
  const accounts = organization.accounts;
  const results: AccountIam[] = new Array<AccountIam>(accounts.length);
  let next = 0;
  let done = 0;
  onProgress({ unit: 'accounts', done, total: accounts.length });
  const worker = async (): Promise<void> => {
    while (next < accounts.length) {
      const index = next;
      next += 1;
      const account = accounts[index];
      if (!account) continue;
      // A suspended or closing account refuses AssumeRole; asking would only cost a call.
      results[index] =
        account.status !== 'ACTIVE'
          ? { accountId: account.id, inspected: false, reason: `account is ${account.status}` }
          : await readers.accountIam.readAccount(account.id, {
              isManagement: account.id === managementId,
            });
      done += 1;
      onProgress({ unit: 'accounts', done, total: accounts.length });
    }
  };
  const concurrency = Math.max(1, Math.min(deps.accountConcurrency ?? 4, accounts.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

async function readOkta(
  reader: OktaDirectoryReader,
  progress: ProgressFor,
  mark: Mark,
): Promise<OktaDirectory> {
  mark('okta', 0, 1, 'directory');
  return reader.readDirectory(progress('okta'));
}

function toInventoryLinks(okta: OktaDirectory, aws: AwsInventory): InventoryLinks {
  const links = linkPrincipals(okta, {
    users: aws.identityCenter.users,
    groups: aws.identityCenter.groups,
  });
  return {
    users: links.userLinks.map((link) => ({
      oktaUserId: link.okta.id,
      idcUserId: link.idc.userId,
      by: link.by,
    })),
    groups: links.groupLinks.map((link) => ({
      oktaGroupId: link.okta.id,
      idcGroupId: link.idc.groupId,
      by: link.by,
    })),
    unpushedUsers: links.pendingUsers.map((user) => user.id),
    unpushedGroups: links.pendingGroups.map((group) => group.id),
    orphanUsers: links.orphanUsers.map((user) => user.userId),
    orphanGroups: links.orphanGroups.map((group) => group.groupId),
    ambiguousNames: links.ambiguousNames.map((name) => ({ kind: name.kind, name: name.name })),
  };
}

/**
 * Reads an inventory back from a stored snapshot body; throws OperationalError for a body of
 * another inventory version (made by a different build), so callers never misread it.
 */
export function inventoryFromSnapshot(snapshot: Snapshot): Inventory {
  const body = snapshot.body as Partial<Inventory> | null;
  if (!body || typeof body !== 'object' || body.version !== INVENTORY_VERSION) {
    throw new OperationalError(
      `snapshot ${snapshot.id} has inventory version ${String(body?.version)}; this build reads version ${INVENTORY_VERSION}. Run discover again.`,
      'SNAPSHOT_VERSION',
      false,
    );
  }
  return body as Inventory;
}
