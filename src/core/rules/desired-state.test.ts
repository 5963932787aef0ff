import { describe, expect, it } from 'vitest';
import { linkPrincipals } from '../linking/link-principals.js';
import {
  accountIdOf,
  idcGroupFor,
  idcUserFor,
  oktaDirectory,
  oktaGroup,
  oktaUser,
  organizationTree,
  OWNED_TAGS,
  psTemplate,
  READ_ONLY_POLICY,
  rule,
  selectAll,
  selectIds,
  selectOu,
  selectTags,
  syncPolicy,
} from '../test-support/fixtures.js';
import type { CompiledRule, SyncPolicy } from './compiled-rule.js';
import { computeDesiredState, desiredAssignmentKey, splitAssignmentKey } from './desired-state.js';

/**
 * root ── account 0 (management), account 6 (CLOSED)
 *  └ ou 1 ── account 4
 *     ├ ou 2 ── accounts 1 (env=prod), 2 (env=prod, team=a), 5 (SUSPENDED, env=prod)
 *     └ ou 3 ── account 3 (env=dev)
 */
const org = organizationTree({
  ous: [{ n: 1 }, { n: 2, parent: 1 }, { n: 3, parent: 1 }],
  accounts: [
    { n: 0 },
    { n: 1, ou: 2, tags: { env: 'prod' } },
    { n: 2, ou: 2, tags: { env: 'prod', team: 'a' } },
    { n: 3, ou: 3, tags: { env: 'dev' } },
    { n: 4, ou: 1 },
    { n: 5, ou: 2, status: 'SUSPENDED', tags: { env: 'prod' } },
    { n: 6, status: 'CLOSED' },
  ],
});

const alice = oktaUser(1);
const bob = oktaUser(2);
const carol = oktaUser(3, { status: 'SUSPENDED' });
const dave = oktaUser(4, { status: 'DEPROVISIONED' });
const erin = oktaUser(5, { status: 'LOCKED_OUT' });
const frank = oktaUser(6); // not pushed to Identity Center yet
const admins = oktaGroup(1, { name: 'aws-admins' });
const readers = oktaGroup(2, { name: 'aws-readers' });
const unpushed = oktaGroup(3, { name: 'aws-new' });
const okta = oktaDirectory({
  users: [alice, bob, carol, dave, erin, frank],
  groups: [admins, readers, unpushed],
  members: [
    [admins, [alice, carol, dave, erin, frank]],
    [readers, [bob]],
    [unpushed, [alice]],
  ],
});
const idcUsers = [alice, bob, carol, dave, erin].map((u, i) => idcUserFor(u, i + 1));
const idcGroups = [idcGroupFor(admins, 1), idcGroupFor(readers, 2)];
const links = linkPrincipals(okta, { users: idcUsers, groups: idcGroups });
const templates = { ReadOnly: psTemplate({ managedPolicies: [READ_ONLY_POLICY] }) };

function desiredFor(
  rules: readonly CompiledRule[],
  extra: Partial<Parameters<typeof syncPolicy>[0]> = {},
) {
  const policy: SyncPolicy = syncPolicy({ rules, templates, ...extra });
  return computeDesiredState(policy, okta, org, links);
}

/** Account numbers a permission set is assigned in for one principal, from the desired keys. */
function accountsOf(keys: Iterable<string>, psName: string, principalId: string): string[] {
  const found: string[] = [];
  for (const key of keys) {
    const parts = splitAssignmentKey(key);
    if (parts.permissionSetName === psName && parts.principalId === principalId) {
      found.push(parts.accountId);
    }
  }
  return found.sort();
}

const acct = (...ns: number[]): string[] => ns.map((n) => accountIdOf(n));

describe('computeDesiredState: account selectors', () => {
  const readersRule = (accounts: Parameters<typeof rule>[1]['accounts']) =>
    rule('r', { groups: ['aws-readers'], permissionSet: 'ReadOnly', accounts });
  const bobIdc = idcUsers[1]!;

  it('ou is recursive by default and excludes suspended accounts, reporting them', () => {
    const desired = desiredFor([readersRule([selectOu(1)])]);
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(
      acct(1, 2, 3, 4),
    );
    expect(desired.excludedAccounts).toEqual([
      { accountId: accountIdOf(5), reason: 'suspended', rules: ['r'] },
    ]);
  });

  it('ou with recursive: false takes only direct children', () => {
    const desired = desiredFor([readersRule([selectOu(1, false)])]);
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(acct(4));
  });

  it('tags match on key and value', () => {
    const desired = desiredFor([readersRule([selectTags({ env: 'prod', team: 'a' })])]);
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(acct(2));
    const prod = desiredFor([readersRule([selectTags({ env: 'prod' })])]);
    expect(accountsOf(prod.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(acct(1, 2));
  });

  it('all means every active account except the management account', () => {
    const desired = desiredFor([readersRule([selectAll])]);
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(
      acct(1, 2, 3, 4),
    );
    expect(desired.excludedAccounts.map((e) => [e.accountId, e.reason])).toEqual([
      [accountIdOf(0), 'management-account'],
      [accountIdOf(5), 'suspended'],
      [accountIdOf(6), 'closed'],
    ]);
  });

  it('the management account is included when safety allows it', () => {
    const desired = desiredFor([readersRule([selectIds(0)])], {
      safety: { allowManagementAccount: true },
    });
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(acct(0));
  });

  it('ids select literal accounts; unknown ids are reported as not in the organisation', () => {
    const desired = desiredFor([readersRule([selectIds(3, '999999999999')])]);
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(acct(3));
    expect(desired.excludedAccounts).toEqual([
      { accountId: '999999999999', reason: 'not-in-organization', rules: ['r'] },
    ]);
  });

  it('protected accounts are excluded and reported as protected', () => {
    const desired = desiredFor([readersRule([selectOu(2)])], {
      safety: { protected: { accounts: [accountIdOf(2)] } },
    });
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(acct(1));
    expect(desired.excludedAccounts.map((e) => [e.accountId, e.reason])).toEqual([
      [accountIdOf(2), 'protected'],
      [accountIdOf(5), 'suspended'],
    ]);
  });

  it('several selectors are united', () => {
    const desired = desiredFor([readersRule([selectIds(1), selectOu(3), selectIds(1)])]);
    expect(accountsOf(desired.assignments.keys(), 'ReadOnly', bobIdc.userId)).toEqual(acct(1, 3));
    expect(desired.scope.accounts).toEqual(new Set(acct(1, 3)));
  });
});

describe('computeDesiredState: assignment modes and principals', () => {
  it('USER mode grants each direct member with access; deactivated and suspended get nothing', () => {
    const desired = desiredFor([
      rule('admins', {
        groups: ['aws-admins'],
        permissionSet: 'ReadOnly',
        accounts: [selectIds(1)],
      }),
    ]);
    const principals = [...desired.assignments.keys()].map(
      (k) => splitAssignmentKey(k).principalId,
    );
    // alice (ACTIVE) and erin (LOCKED_OUT keeps access); carol SUSPENDED, dave DEPROVISIONED.
    expect(principals.sort()).toEqual([idcUsers[0]!.userId, idcUsers[4]!.userId].sort());
    const reason = desired.assignments.get(
      desiredAssignmentKey(accountIdOf(1), 'ReadOnly', 'USER', idcUsers[0]!.userId),
    );
    expect(reason).toEqual({
      rule: 'admins',
      oktaGroupId: admins.id,
      oktaGroupName: 'aws-admins',
      oktaUserId: alice.id,
      oktaLogin: alice.login,
    });
    expect(desired.scope.userMode).toBe(true);
    expect(desired.scope.groupMode).toBe(false);
  });

  it('keeps one assignment, with the first reason, when several rules and groups grant it', () => {
    const desired = desiredFor([
      rule('second-group', {
        groups: ['aws-new'],
        permissionSet: 'ReadOnly',
        accounts: [selectIds(1, 2)],
      }),
      rule('first-group', {
        groups: ['aws-admins', 'aws-new'],
        permissionSet: 'ReadOnly',
        accounts: [selectIds(1)],
      }),
    ]);
    const aliceKeys = [...desired.assignments].filter(
      ([key]) => splitAssignmentKey(key).principalId === idcUsers[0]!.userId,
    );
    expect(
      aliceKeys.map(([key, reason]) => [
        splitAssignmentKey(key).accountId,
        reason.rule,
        reason.oktaGroupName,
      ]),
    ).toEqual([
      [accountIdOf(1), 'second-group', 'aws-new'],
      [accountIdOf(2), 'second-group', 'aws-new'],
    ]);
    // erin gets it only through aws-admins.
    expect(
      desired.assignments.get(
        desiredAssignmentKey(accountIdOf(1), 'ReadOnly', 'USER', idcUsers[4]!.userId),
      )?.rule,
    ).toBe('first-group');
    expect(desired.assignments.size).toBe(3);
  });

  it('members not yet in Identity Center are pending, not errors', () => {
    const desired = desiredFor([
      rule('admins', {
        groups: ['aws-admins'],
        permissionSet: 'ReadOnly',
        accounts: [selectIds(1, 2)],
      }),
    ]);
    expect(desired.pending).toEqual([
      { kind: 'user', oktaId: frank.id, name: frank.login, rules: ['admins'], assignments: 2 },
    ]);
    expect(desired.problems).toEqual([]);
  });

  it('GROUP mode assigns the pushed group; an unpushed group is pending', () => {
    const desired = desiredFor([
      rule('groups', {
        groups: ['aws-admins', 'aws-new'],
        permissionSet: 'ReadOnly',
        accounts: [selectIds(1)],
        assign: 'GROUP',
      }),
    ]);
    expect([...desired.assignments.keys()]).toEqual([
      desiredAssignmentKey(accountIdOf(1), 'ReadOnly', 'GROUP', idcGroups[0]!.groupId),
    ]);
    expect(desired.assignments.get([...desired.assignments.keys()][0]!)).toEqual({
      rule: 'groups',
      oktaGroupId: admins.id,
      oktaGroupName: 'aws-admins',
    });
    expect(desired.pending).toEqual([
      { kind: 'group', oktaId: unpushed.id, name: 'aws-new', rules: ['groups'], assignments: 1 },
    ]);
    expect(desired.scope.groupIds).toEqual(new Set([idcGroups[0]!.groupId]));
  });

  it('protected principals are skipped and reported', () => {
    const desired = desiredFor(
      [
        rule('admins', {
          groups: ['aws-admins'],
          permissionSet: 'ReadOnly',
          accounts: [selectIds(1)],
        }),
      ],
      { safety: { protected: { principals: [alice.login.toUpperCase()] } } },
    );
    expect([...desired.assignments.keys()].map((k) => splitAssignmentKey(k).principalId)).toEqual([
      idcUsers[4]!.userId,
    ]);
    expect(desired.protectedGrants).toEqual([
      {
        rule: 'admins',
        permissionSetName: 'ReadOnly',
        principalType: 'USER',
        principalId: idcUsers[0]!.userId,
        protectedBy: alice.login.toUpperCase(),
        accounts: 1,
      },
    ]);
  });
});

describe('computeDesiredState: permission sets', () => {
  const pattern = /^aws#(?<permissionSet>[^#]+)#(?<account>\d+)$/;
  const federated = (names: readonly string[]) => {
    const groups = names.map((name, i) => oktaGroup(10 + i, { name }));
    const directory = oktaDirectory({
      users: [alice],
      groups,
      members: groups.map((g) => [g, [alice]]),
    });
    const policy = syncPolicy({
      rules: [
        rule('per-account', {
          groups: pattern,
          permissionSet: '{permissionSet}',
          template: 'ReadOnly',
          accounts: [selectIds('{account}')],
        }),
      ],
      templates,
    });
    return computeDesiredState(
      policy,
      directory,
      org,
      linkPrincipals(directory, { users: [idcUsers[0]!], groups: [] }),
    );
  };

  it('names permission sets from captures, built from the template with the ownership tag', () => {
    const desired = federated([`aws#Auditor#${accountIdOf(1)}`, `aws#Auditor#${accountIdOf(2)}`]);
    expect([...desired.permissionSets.keys()]).toEqual(['Auditor']);
    expect(desired.permissionSets.get('Auditor')).toEqual({
      name: 'Auditor',
      template: 'ReadOnly',
      rules: ['per-account'],
      definition: {
        name: 'Auditor',
        managedPolicies: [READ_ONLY_POLICY],
        customerManagedPolicies: [],
        tags: OWNED_TAGS,
      },
    });
    expect(accountsOf(desired.assignments.keys(), 'Auditor', idcUsers[0]!.userId)).toEqual(
      acct(1, 2),
    );
  });

  it('reports a name that ends up invalid, and an account capture that is no account id', () => {
    const desired = federated([
      `aws#${'x'.repeat(33)}#${accountIdOf(1)}`,
      'aws#Bad Name#100000000001',
      'aws#Fine#12345',
    ]);
    expect(desired.permissionSets.has('Fine')).toBe(true);
    expect(desired.problems.map((p) => [p.kind, p.oktaGroupName])).toEqual([
      ['invalid-permission-set-name', `aws#${'x'.repeat(33)}#${accountIdOf(1)}`],
      ['invalid-permission-set-name', 'aws#Bad Name#100000000001'],
      ['invalid-account-id', 'aws#Fine#12345'],
    ]);
    expect(desired.assignments.size).toBe(0);
  });

  it('a rule without template uses the permission set name as template key, or reports it missing', () => {
    const desired = desiredFor([
      rule('a', { groups: ['aws-readers'], permissionSet: 'ReadOnly', accounts: [selectIds(1)] }),
      rule('b', { groups: ['aws-readers'], permissionSet: 'Elsewhere', accounts: [selectIds(1)] }),
    ]);
    expect(desired.permissionSets.get('ReadOnly')?.template).toBe('ReadOnly');
    expect(desired.permissionSets.get('Elsewhere')).toMatchObject({
      template: undefined,
      definition: undefined,
    });
    expect(desired.problems.map((p) => p.kind)).toEqual(['missing-template']);
    expect(desired.scope.permissionSetNames).toEqual(new Set(['ReadOnly', 'Elsewhere']));
  });
});
