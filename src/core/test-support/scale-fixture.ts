/**
 * A generated organisation at planner scale, for the planner benchmark and quick local checks:
 * `groups` Okta groups named `aws#<ps>#<account>` (one per permission set × account), each with
 * `membersPerGroup` users, so desired assignments = groups × membersPerGroup. `presentShare` of
 * them already exist in AWS, and `extraAssignments` stale ones (members who left) exist too.
 */
import type { AccountAssignment, IdcUser, PermissionSet } from '../domain/identity-center.js';
import type { OktaGroup, OktaMembership, OktaUser } from '../domain/okta.js';
import type { ActualState } from '../plan/actual-state.js';
import type { SyncPolicy } from '../rules/compiled-rule.js';
import {
  accountIdOf,
  actualState,
  idcUserFor,
  INSTANCE_ARN,
  oktaGroupIdOf,
  oktaUser,
  organizationTree,
  permissionSet,
  psTemplate,
  READ_ONLY_POLICY,
  rule,
  selectIds,
  syncPolicy,
} from './fixtures.js';

export interface ScaleSpec {
  readonly users: number;
  readonly accounts: number;
  readonly permissionSets: number;
  readonly membersPerGroup: number;
  /** Share (0..1) of desired assignments already in AWS. */
  readonly presentShare: number;
  readonly extraAssignments: number;
}

/** 100,000 users, 1,000 accounts × 10 permission sets = 10,000 groups, 1,000,000 assignments. */
export const ISSUE_SCALE: ScaleSpec = {
  users: 100_000,
  accounts: 1_000,
  permissionSets: 10,
  membersPerGroup: 100,
  presentShare: 0.9,
  extraAssignments: 50_000,
};

export function scaleFixture(spec: ScaleSpec): {
  readonly policy: SyncPolicy;
  readonly okta: { users: OktaUser[]; groups: OktaGroup[]; memberships: OktaMembership[] };
  readonly actual: ActualState;
  readonly desiredAssignments: number;
} {
  const users = Array.from({ length: spec.users }, (_, i) => oktaUser(i + 1));
  const idcUsers: IdcUser[] = users.map((u, i) => idcUserFor(u, i + 1));
  const psNames = Array.from({ length: spec.permissionSets }, (_, i) => `Role${i}`);
  const groups: OktaGroup[] = [];
  const memberships: OktaMembership[] = [];
  const template = psTemplate({ managedPolicies: [READ_ONLY_POLICY] });
  const permissionSets: PermissionSet[] = psNames.map((name, i) =>
    permissionSet(i + 1, name, template, {
      provisionedTo: Array.from({ length: spec.accounts }, (_, a) => a + 1),
    }),
  );
  const assignments: AccountAssignment[] = [];
  let counter = 0;
  let g = 0;
  for (let a = 1; a <= spec.accounts; a += 1) {
    for (let p = 0; p < spec.permissionSets; p += 1) {
      g += 1;
      const group: OktaGroup = {
        id: oktaGroupIdOf(g),
        name: `aws#${psNames[p] ?? ''}#${accountIdOf(a)}`,
        type: 'OKTA_GROUP',
      };
      groups.push(group);
      for (let m = 0; m < spec.membersPerGroup; m += 1) {
        const u = (g * 7 + m * 997) % spec.users;
        const user = users[u];
        const idc = idcUsers[u];
        if (!user || !idc) continue;
        memberships.push({ groupId: group.id, userId: user.id });
        counter += 1;
        if ((counter % 1000) / 1000 < spec.presentShare) {
          assignments.push({
            instanceArn: INSTANCE_ARN,
            accountId: accountIdOf(a),
            permissionSetArn:
              permissionSets[p]?.permissionSetArn ?? permissionSets[0]!.permissionSetArn,
            principalType: 'USER',
            principalId: idc.userId,
          });
        }
      }
    }
  }
  for (let e = 0; e < spec.extraAssignments; e += 1) {
    const idc = idcUsers[(e * 31 + 5) % spec.users];
    const ps = permissionSets[e % spec.permissionSets];
    if (!idc || !ps) continue;
    assignments.push({
      instanceArn: INSTANCE_ARN,
      accountId: accountIdOf((e % spec.accounts) + 1),
      permissionSetArn: ps.permissionSetArn,
      principalType: 'USER',
      principalId: idc.userId,
    });
  }
  const policy = syncPolicy({
    rules: [
      rule('per-account', {
        groups: /^aws#(?<ps>[A-Za-z0-9]+)#(?<account>\d{12})$/,
        permissionSet: '{ps}',
        template: 'ReadOnly',
        accounts: [selectIds('{account}')],
      }),
    ],
    templates: { ReadOnly: template },
    safety: { maxDeletes: 100_000 },
  });
  const organization = organizationTree({
    accounts: Array.from({ length: spec.accounts + 1 }, (_, n) => ({ n })),
  });
  return {
    policy,
    okta: { users, groups, memberships },
    actual: actualState({ organization, users: idcUsers, permissionSets, assignments }),
    desiredAssignments: memberships.length,
  };
}
