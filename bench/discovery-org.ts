/**
 * The organisation of the `discovery` benchmark, its ground truth, and the lower bound of calls:
 * the fewest calls any implementation could make to read the same inventory with the documented
 * operations at their largest page sizes (docs/discovery-call-model.md, ref §8).
 */
import { createHash } from 'node:crypto';

import type { AwsScenarioSize, AwsStateDump } from '../src/sim/aws/index.js';

/** Issue 5's organisation: about 10 % of account × permission-set pairs provisioned. */
export function benchmarkOrgSize(seed: number): AwsScenarioSize {
  return {
    accounts: 300,
    permissionSets: 200,
    users: 5_000,
    groups: 500,
    assignments: 20_000,
    provisionedShare: 0.1,
    seed,
  };
}

/** The assignment set as a digest, so two runs (and the simulator's truth) can be compared. */
export function assignmentDigest(
  assignments: readonly {
    readonly accountId: string;
    readonly permissionSetArn: string;
    readonly principalType: string;
    readonly principalId: string;
  }[],
): string {
  const keys = assignments
    .map((a) => `${a.accountId}|${a.permissionSetArn}|${a.principalType}|${a.principalId}`)
    .sort();
  return createHash('sha256').update(keys.join('\n')).digest('hex');
}

/** Calls per operation, keyed `service:Operation`. */
export type CallsByOperation = Record<string, number>;

/** Pages needed for `items` at `pageSize`; a list always costs one call, even when empty. */
function pages(items: number, pageSize: number): number {
  return Math.max(1, Math.ceil(items / pageSize));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function add(calls: CallsByOperation, operation: string, n: number): void {
  if (n > 0) calls[operation] = (calls[operation] ?? 0) + n;
}

/**
 * The lower bound of calls to read the organisation's Identity Center, identity-store and
 * Organizations inventory (what `discover --source aws` reads without per-account IAM):
 *
 * - Every provisioned pair must be listed with ListAccountAssignments: it may hold assignments of
 *   principals deleted from the identity store (ref §9), which no per-principal call returns.
 * - Which pairs are provisioned, and their provisioning status, takes one unfiltered and one
 *   `LATEST_PERMISSION_SET_NOT_PROVISIONED` listing per permission set (the second only when the
 *   first is not empty), or the same per account, whichever direction is cheaper.
 * - Each permission-set attribute has one read operation; group members are listed per group or
 *   per user, whichever is cheaper.
 *
 * Page sizes: 100 for sso-admin and identity-store lists, 20 for Organizations.
 */
export function lowerBoundCalls(dump: AwsStateDump): CallsByOperation {
  const calls: CallsByOperation = {};
  const ps = dump.permissionSets;
  add(calls, 'sso-admin:ListInstances', 1);
  add(calls, 'sso-admin:ListPermissionSets', pages(ps.length, 100));
  for (const permissionSet of ps) {
    add(calls, 'sso-admin:DescribePermissionSet', 1);
    add(
      calls,
      'sso-admin:ListManagedPoliciesInPermissionSet',
      pages(permissionSet.managedPolicies.length, 100),
    );
    add(
      calls,
      'sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet',
      pages(permissionSet.customerManagedPolicies.length, 100),
    );
    add(calls, 'sso-admin:GetInlinePolicyForPermissionSet', 1);
    add(calls, 'sso-admin:GetPermissionsBoundaryForPermissionSet', 1);
    // At most 50 tags per resource: one page.
    add(calls, 'sso-admin:ListTagsForResource', 1);
  }

  // Provisioned pairs and their status, permission-set-major or account-major.
  const outdated = dump.provisioned.filter((p) => p.status !== 'LATEST_PERMISSION_SET_PROVISIONED');
  const directionCost = (
    owners: readonly string[],
    ownerOf: (p: AwsStateDump['provisioned'][number]) => string,
  ): number => {
    const all = countBy(dump.provisioned, ownerOf);
    const stale = countBy(outdated, ownerOf);
    return owners.reduce((sum, owner) => {
      const n = all.get(owner) ?? 0;
      return sum + pages(n, 100) + (n > 0 ? pages(stale.get(owner) ?? 0, 100) : 0);
    }, 0);
  };
  const accountIds = dump.organization.accounts.map((a) => a.id);
  const byPermissionSet = directionCost(
    ps.map((p) => p.arn),
    (p) => p.permissionSetArn,
  );
  const byAccount = directionCost(accountIds, (p) => p.accountId);
  if (byPermissionSet <= byAccount)
    add(calls, 'sso-admin:ListAccountsForProvisionedPermissionSet', byPermissionSet);
  else add(calls, 'sso-admin:ListPermissionSetsProvisionedToAccount', byAccount);

  const perPair = countBy(dump.assignments, (a) => `${a.accountId}|${a.permissionSetArn}`);
  for (const pair of dump.provisioned)
    add(
      calls,
      'sso-admin:ListAccountAssignments',
      pages(perPair.get(`${pair.accountId}|${pair.permissionSetArn}`) ?? 0, 100),
    );

  // Identity store.
  const store = dump.identityStore;
  add(calls, 'identitystore:ListUsers', pages(store.users.length, 100));
  add(calls, 'identitystore:ListGroups', pages(store.groups.length, 100));
  const membersOf = countBy(store.memberships, (m) => m.groupId);
  const groupsOf = countBy(store.memberships, (m) => m.userId);
  const perGroup = store.groups.reduce(
    (sum, g) => sum + pages(membersOf.get(String(g.GroupId)) ?? 0, 100),
    0,
  );
  const perUser = store.users.reduce(
    (sum, u) => sum + pages(groupsOf.get(String(u.UserId)) ?? 0, 100),
    0,
  );
  if (perGroup <= perUser) add(calls, 'identitystore:ListGroupMemberships', perGroup);
  else add(calls, 'identitystore:ListGroupMembershipsForMember', perUser);

  // Organizations: walking the tree from the root yields every account's parent path.
  const org = dump.organization;
  add(calls, 'organizations:DescribeOrganization', 1);
  add(calls, 'organizations:ListRoots', 1);
  const parents = [org.rootId, ...org.organizationalUnits.map((ou) => ou.id)];
  const childOus = countBy(org.organizationalUnits, (ou) => ou.parentId);
  const childAccounts = countBy(org.accounts, (a) => a.parentId);
  for (const parent of parents) {
    add(
      calls,
      'organizations:ListOrganizationalUnitsForParent',
      pages(childOus.get(parent) ?? 0, 20),
    );
    add(calls, 'organizations:ListAccountsForParent', pages(childAccounts.get(parent) ?? 0, 20));
  }
  add(calls, 'organizations:ListTagsForResource', org.accounts.length);
  return calls;
}

/** Sums calls per service (`sso-admin`, `identitystore`, `organizations`). */
export function callsPerService(calls: CallsByOperation): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, n] of Object.entries(calls)) {
    const service = key.slice(0, key.indexOf(':'));
    result[service] = (result[service] ?? 0) + n;
  }
  return result;
}
