import { describe, expect, it } from 'vitest';
import type {
  AccountAssignment,
  IdcGroup,
  IdcUser,
  PermissionSet,
} from '../domain/identity-center.js';
import { ManagedPolicyArn } from '../domain/ids.js';
import type { OktaDirectory } from '../domain/okta.js';
import type { PermissionSetTemplate, SyncPolicy } from '../rules/compiled-rule.js';
import {
  accountIdOf,
  actualState,
  ADMIN_POLICY,
  assignment,
  idcGroup,
  idcGroupFor,
  idcUser,
  idcUserFor,
  oktaDirectory,
  oktaGroup,
  oktaUser,
  organizationTree,
  OWNED_TAGS,
  permissionSet,
  planOf,
  psTemplate,
  READ_ONLY_POLICY,
  rule,
  selectIds,
  selectOu,
  syncPolicy,
} from '../test-support/fixtures.js';
import { checkGuards } from './check-guards.js';
import type { PlanOptions } from './compute-plan.js';
import { PLAN_WAVES, WAVE_OF_KIND, type DeleteAssignmentOperation, type Plan } from './plan.js';

// Organisation: account 0 is the management account; accounts 1-3 sit in OU 1.
const org = organizationTree({
  ous: [{ n: 1 }],
  accounts: [{ n: 0 }, { n: 1, ou: 1 }, { n: 2, ou: 1 }, { n: 3, ou: 1 }],
});

const alice = oktaUser(1);
const bob = oktaUser(2);
const dave = oktaUser(4, { status: 'DEPROVISIONED' });
const admins = oktaGroup(1, { name: 'aws-admins' });
const readers = oktaGroup(2, { name: 'aws-readers' });

const aliceIdc = idcUserFor(alice, 1);
const bobIdc = idcUserFor(bob, 2);
const daveIdc = idcUserFor(dave, 4);
const breakGlass = idcUser(90, 'break-glass@example.com');
const adminsIdc = idcGroupFor(admins, 1);
const readersIdc = idcGroupFor(readers, 2);
const localGroup = idcGroup(91, 'AWSControlTowerAdmins');

const adminTemplate = psTemplate({
  description: 'Administrators',
  sessionDuration: 'PT4H',
  managedPolicies: [ADMIN_POLICY],
});
const readOnlyTemplate = psTemplate({ managedPolicies: [READ_ONLY_POLICY] });

function policy(overrides: Partial<Parameters<typeof syncPolicy>[0]> = {}): SyncPolicy {
  return syncPolicy({
    rules: [
      rule('admins', {
        groups: ['aws-admins'],
        permissionSet: 'Admin',
        accounts: [selectOu(1)],
      }),
      rule('readers', {
        groups: ['aws-readers'],
        permissionSet: 'ReadOnly',
        accounts: [selectIds(1)],
        assign: 'GROUP',
      }),
    ],
    templates: { Admin: adminTemplate, ReadOnly: readOnlyTemplate },
    ...overrides,
  });
}

function directory(adminMembers = [alice, dave]): OktaDirectory {
  return oktaDirectory({
    users: [alice, bob, dave],
    groups: [admins, readers],
    members: [
      [admins, adminMembers],
      [readers, [bob]],
    ],
  });
}

const users: IdcUser[] = [aliceIdc, bobIdc, daveIdc, breakGlass];
const groups: IdcGroup[] = [adminsIdc, readersIdc, localGroup];
const adminPs = permissionSet(1, 'Admin', adminTemplate, { provisionedTo: [1, 2, 3] });
const readOnlyPs = permissionSet(2, 'ReadOnly', readOnlyTemplate, { provisionedTo: [1] });

/** AWS exactly as the rules want it. */
function converged(
  extra: {
    permissionSets?: PermissionSet[];
    assignments?: AccountAssignment[];
    replace?: Record<string, PermissionSet>;
  } = {},
) {
  const admin = extra.replace?.Admin ?? adminPs;
  const readOnly = extra.replace?.ReadOnly ?? readOnlyPs;
  return actualState({
    organization: org,
    users,
    groups,
    permissionSets: [admin, readOnly, ...(extra.permissionSets ?? [])],
    assignments: [
      assignment(1, admin, aliceIdc),
      assignment(2, admin, aliceIdc),
      assignment(3, admin, aliceIdc),
      assignment(1, readOnly, readersIdc),
      ...(extra.assignments ?? []),
    ],
  });
}

const kinds = (plan: Plan) => plan.operations.map((o) => o.kind);
const deletesOf = (plan: Plan) =>
  plan.operations.filter((o): o is DeleteAssignmentOperation => o.kind === 'delete-assignment');

describe('computePlan', () => {
  it('plans everything from empty AWS in wave order, creates referring to new sets by name', () => {
    const { plan } = planOf(
      policy(),
      directory(),
      actualState({ organization: org, users, groups }),
    );
    expect(kinds(plan)).toEqual([
      'create-permission-set',
      'create-permission-set',
      'create-assignment',
      'create-assignment',
      'create-assignment',
      'create-assignment',
    ]);
    const [admin] = plan.operations;
    expect(admin).toEqual({
      kind: 'create-permission-set',
      key: 'permission-set:Admin',
      name: 'Admin',
      rules: ['admins'],
      definition: {
        name: 'Admin',
        description: 'Administrators',
        sessionDuration: 'PT4H',
        managedPolicies: [ADMIN_POLICY],
        customerManagedPolicies: [],
        tags: OWNED_TAGS,
      },
    });
    const creates = plan.operations.filter((o) => o.kind === 'create-assignment');
    expect(creates.map((o) => [o.accountId, o.permissionSetName, o.principalName])).toEqual([
      [accountIdOf(1), 'Admin', alice.login],
      [accountIdOf(1), 'ReadOnly', 'aws-readers'],
      [accountIdOf(2), 'Admin', alice.login],
      [accountIdOf(3), 'Admin', alice.login],
    ]);
    expect(creates.every((o) => o.permissionSetArn === undefined)).toBe(true);
    expect(creates[0]).toMatchObject({
      principalType: 'USER',
      principalId: aliceIdc.userId,
      reason: { rule: 'admins', oktaGroupName: 'aws-admins', oktaLogin: alice.login },
    });
    expect(plan.summary).toEqual({ add: 6, change: 0, destroy: 0, provision: 0 });
  });

  it('is empty when AWS matches the rules', () => {
    const { plan } = planOf(policy(), directory(), converged());
    expect(plan.operations).toEqual([]);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0, provision: 0 });
    expect(plan.guards).toMatchObject({ deletes: 0, exceedsMaxDeletes: false });
  });

  it('removes a deactivated user’s assignments, saying why, with a delete risk', () => {
    const { plan } = planOf(
      policy(),
      directory(),
      converged({ assignments: [assignment(2, adminPs, daveIdc)] }),
    );
    expect(deletesOf(plan)).toEqual([
      expect.objectContaining({
        key: `assignment:${accountIdOf(2)}|Admin|USER|${daveIdc.userId}`,
        permissionSetArn: adminPs.permissionSetArn,
        principalName: dave.login,
        reason: {
          oktaUserId: dave.id,
          oktaLogin: dave.login,
          detail: `Okta user ${dave.login} is DEPROVISIONED`,
        },
      }),
    ]);
    // alice keeps Admin in account 2, so this is not the last assignment there.
    expect(deletesOf(plan)[0]!.risks.map((r) => r.kind)).toEqual(['delete']);
  });

  it('flags the last assignment of a permission set in an account, and retires the owned set', () => {
    const old = permissionSet(3, 'Old', readOnlyTemplate, { provisionedTo: [1] });
    const { plan } = planOf(
      policy(),
      directory(),
      converged({ permissionSets: [old], assignments: [assignment(1, old, aliceIdc)] }),
    );
    expect(kinds(plan)).toEqual(['delete-assignment', 'delete-permission-set']);
    const [del, retire] = plan.operations;
    expect(del).toMatchObject({ reason: { detail: 'no rule wants permission set Old any more' } });
    expect((del as DeleteAssignmentOperation).risks.map((r) => r.kind)).toEqual([
      'delete',
      'last-assignment',
    ]);
    expect((del as DeleteAssignmentOperation).risks[1]!.message).toContain('AWSReservedSSO_Old_');
    expect(retire).toMatchObject({
      kind: 'delete-permission-set',
      name: 'Old',
      permissionSetArn: old.permissionSetArn,
      provisionedTo: [accountIdOf(1)],
      risks: [{ kind: 'delete' }],
    });
  });

  it('a last-assignment delete is not flagged when the plan also creates one in that pair', () => {
    // Bob replaces Dave in aws-admins: bob's create in account 1 keeps the Admin role there.
    const { plan } = planOf(
      policy(),
      directory([bob]),
      actualState({
        organization: org,
        users,
        groups,
        permissionSets: [adminPs, readOnlyPs],
        assignments: [assignment(1, adminPs, daveIdc), assignment(1, readOnlyPs, readersIdc)],
      }),
    );
    const deletes = deletesOf(plan);
    expect(deletes.map((d) => d.principalId)).toEqual([daveIdc.userId]);
    expect(deletes[0]!.risks.map((r) => r.kind)).toEqual(['delete']);
    // Create before delete: every create precedes every delete.
    const lastCreate = kinds(plan).lastIndexOf('create-assignment');
    expect(lastCreate).toBeLessThan(kinds(plan).indexOf('delete-assignment'));
  });

  it('never touches unowned permission sets or assignments outside rule scope', () => {
    const legacy = permissionSet(4, 'Legacy', readOnlyTemplate, { owned: false });
    const driftedUnowned = permissionSet(2, 'ReadOnly', psTemplate({ description: 'hand made' }), {
      owned: false,
      provisionedTo: [1],
    });
    const { plan } = planOf(
      policy(),
      directory(),
      converged({
        permissionSets: [legacy],
        replace: { ReadOnly: driftedUnowned },
        assignments: [
          assignment(1, legacy, aliceIdc), // set neither owned nor named by a rule
          assignment(0, adminPs, aliceIdc), // management account
          assignment(1, adminPs, breakGlass), // local user
          assignment(1, driftedUnowned, localGroup), // local group
          assignment(1, driftedUnowned, adminsIdc), // group not matched by a GROUP-mode rule
        ],
      }),
    );
    expect(plan.operations).toEqual([]);
    expect(
      plan.unmanaged.map((u) =>
        u.kind === 'assignment'
          ? `${u.permissionSetName}@${u.accountId.slice(-1)}:${u.principalName}: ${u.because}`
          : `${u.kind} ${u.kind === 'permission-set' ? u.name : ''}: ${u.because}`,
      ),
    ).toEqual([
      'permission-set Legacy: not owned (no managed-by=okta-aws-sync tag)',
      'permission-set ReadOnly: exists without the ownership tag managed-by=okta-aws-sync: its definition is left alone; its assignments are managed because rule readers names it',
      'Admin@0:user1@example.com: account is out of scope (management-account)',
      'Admin@1:break-glass@example.com: user is local to Identity Center (no Okta link, no ExternalId)',
      'Legacy@1:user1@example.com: permission set is neither owned nor named by a rule',
      'ReadOnly@1:aws-admins: Okta group aws-admins is not matched by a GROUP-mode rule',
      'ReadOnly@1:AWSControlTowerAdmins: group is local to Identity Center (no Okta link, no ExternalId)',
    ]);
  });

  it('manages assignments of an unowned permission set a rule names, without changing the set', () => {
    const unowned = permissionSet(2, 'ReadOnly', psTemplate({ description: 'hand made' }), {
      owned: false,
    });
    const { plan } = planOf(
      policy(),
      directory(),
      actualState({
        organization: org,
        users,
        groups,
        permissionSets: [adminPs, unowned],
        assignments: [
          assignment(1, adminPs, aliceIdc),
          assignment(2, adminPs, aliceIdc),
          assignment(3, adminPs, aliceIdc),
        ],
      }),
    );
    expect(plan.operations).toEqual([
      expect.objectContaining({
        kind: 'create-assignment',
        permissionSetName: 'ReadOnly',
        permissionSetArn: unowned.permissionSetArn,
        principalId: readersIdc.groupId,
      }),
    ]);
  });

  it('never touches protected accounts, permission sets or principals, and lists them', () => {
    const old = permissionSet(3, 'Old', readOnlyTemplate, { provisionedTo: [2] });
    const { plan } = planOf(
      policy({
        safety: {
          protected: {
            accounts: [accountIdOf(3)],
            permissionSets: ['Old'],
            principals: [daveIdc.userId],
          },
        },
      }),
      directory(),
      converged({
        permissionSets: [old],
        assignments: [
          assignment(2, adminPs, daveIdc), // protected principal
          assignment(2, old, aliceIdc), // protected permission set
        ],
      }),
    );
    // Account 3 is protected, so alice's Admin there is neither deleted nor re-created.
    expect(plan.operations).toEqual([]);
    expect(plan.protected.map((p) => `${p.kind}:${'because' in p ? p.because : ''}`)).toEqual([
      'account:protected by safety.protected.accounts (selected by admins)',
      'permission-set:owned and no longer wanted, but protected by safety.protected.permissionSets',
      `assignment:principal is protected by "${daveIdc.userId}"`,
      'assignment:permission set is protected',
      'assignment:account is protected',
    ]);
  });

  it('updates a drifted owned permission set field by field, then re-provisions every account', () => {
    const drifted = permissionSet(
      1,
      'Admin',
      psTemplate({
        description: 'Old text',
        relayState: 'https://console.aws.amazon.com/',
        managedPolicies: [READ_ONLY_POLICY],
        customerManagedPolicies: [{ name: 'gone', path: '/' }],
        inlinePolicy: '{"Version":"2012-10-17","Statement":[]}',
        permissionsBoundary: {
          kind: 'managed',
          managedPolicyArn: ManagedPolicyArn.parse('arn:aws:iam::aws:policy/PowerUserAccess'),
        },
        tags: { stale: 'yes' },
      }),
      {
        provisionedTo: [
          [1, 'LATEST_PERMISSION_SET_PROVISIONED'],
          [2, 'LATEST_PERMISSION_SET_NOT_PROVISIONED'],
        ],
      },
    );
    const desiredTemplate: PermissionSetTemplate = {
      ...adminTemplate,
      customerManagedPolicies: [{ name: 'boundary-helper', path: '/team/' }],
      tags: { team: 'platform' },
    };
    const { plan } = planOf(
      policy({ templates: { Admin: desiredTemplate, ReadOnly: readOnlyTemplate } }),
      directory(),
      converged({ replace: { Admin: drifted } }),
    );
    expect(kinds(plan)).toEqual([
      'update-permission-set',
      'provision-permission-set',
      'provision-permission-set',
    ]);
    expect(plan.operations[0]).toMatchObject({
      name: 'Admin',
      permissionSetArn: drifted.permissionSetArn,
      changes: [
        { field: 'description', from: 'Old text', to: 'Administrators' },
        { field: 'sessionDuration', from: 'PT1H', to: 'PT4H' },
        { field: 'relayState', from: 'https://console.aws.amazon.com/', to: undefined },
        { field: 'managedPolicy', action: 'attach', arn: ADMIN_POLICY },
        { field: 'managedPolicy', action: 'detach', arn: READ_ONLY_POLICY },
        {
          field: 'customerManagedPolicy',
          action: 'attach',
          reference: { name: 'boundary-helper', path: '/team/' },
        },
        {
          field: 'customerManagedPolicy',
          action: 'detach',
          reference: { name: 'gone', path: '/' },
        },
        { field: 'inlinePolicy', action: 'delete' },
        { field: 'permissionsBoundary', action: 'delete' },
        { field: 'tag', action: 'remove', key: 'stale', from: 'yes' },
        { field: 'tag', action: 'set', key: 'team', to: 'platform' },
      ],
    });
    expect(
      plan.operations
        .slice(1)
        .map((o) => o.kind === 'provision-permission-set' && [o.accountId, o.because]),
    ).toEqual([
      [accountIdOf(1), 'updated'],
      [accountIdOf(2), 'updated'],
    ]);
    expect(plan.summary).toMatchObject({ change: 1, provision: 2 });
  });

  it('inline policies compare as JSON; a tag-only change needs no provision; a stale account does', () => {
    const inline =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';
    const template = { ...adminTemplate, inlinePolicy: inline };
    const actualPs = permissionSet(
      1,
      'Admin',
      {
        ...adminTemplate,
        inlinePolicy: JSON.stringify(JSON.parse(inline), null, 2),
        tags: { extra: '1' },
      },
      {
        provisionedTo: [
          [1, 'LATEST_PERMISSION_SET_PROVISIONED'],
          [3, 'LATEST_PERMISSION_SET_NOT_PROVISIONED'],
        ],
      },
    );
    const { plan } = planOf(
      policy({ templates: { Admin: template, ReadOnly: readOnlyTemplate } }),
      directory(),
      converged({ replace: { Admin: actualPs } }),
    );
    expect(plan.operations).toEqual([
      expect.objectContaining({
        kind: 'update-permission-set',
        changes: [{ field: 'tag', action: 'remove', key: 'extra', from: '1' }],
      }),
      expect.objectContaining({
        kind: 'provision-permission-set',
        accountId: accountIdOf(3),
        because: 'not-latest',
      }),
    ]);
  });

  it('carries pending principals and never turns them into operations', () => {
    const frank = oktaUser(6);
    const okta = oktaDirectory({
      users: [alice, frank],
      groups: [admins, readers],
      members: [[admins, [alice, frank]]],
    });
    const { plan } = planOf(policy(), okta, converged());
    expect(plan.pending).toEqual([
      { kind: 'user', oktaId: frank.id, name: frank.login, rules: ['admins'], assignments: 3 },
    ]);
    expect(plan.operations).toEqual([]);
  });

  it('deletes assignments of a group deleted in Okta and then its owned, unreferenced set', () => {
    // The per-team rule no longer matches anything: aws-team-x was deleted in Okta, and its IdC
    // group (pushed, so it has an ExternalId) is now an orphan.
    const teamGroupIdc = idcGroupFor(oktaGroup(7, { name: 'aws-team-x' }), 7);
    const teamPs = permissionSet(5, 'team-x', readOnlyTemplate, { provisionedTo: [2] });
    const withTeams = policy();
    const teamRule = rule('teams', {
      groups: /^aws-team-(?<team>[a-z]+)$/,
      permissionSet: 'team-{team}',
      template: 'ReadOnly',
      accounts: [selectIds(2)],
      assign: 'GROUP',
    });
    const { plan } = planOf(
      { ...withTeams, rules: [...withTeams.rules, teamRule] },
      directory(),
      actualState({
        ...converged({
          permissionSets: [teamPs],
          assignments: [assignment(2, teamPs, teamGroupIdc)],
        }),
        groups: [...groups, teamGroupIdc],
      }),
    );
    expect(kinds(plan)).toEqual(['delete-assignment', 'delete-permission-set']);
    expect(plan.operations[0]).toMatchObject({
      principalId: teamGroupIdc.groupId,
      reason: { detail: 'no rule wants permission set team-x any more' },
    });
  });

  it('keeps an owned, unwanted permission set while unmanaged assignments still use it', () => {
    const old = permissionSet(3, 'Old', readOnlyTemplate);
    const { plan } = planOf(
      policy(),
      directory(),
      converged({ permissionSets: [old], assignments: [assignment(1, old, breakGlass)] }),
    );
    expect(plan.operations).toEqual([]);
    expect(plan.unmanaged).toContainEqual({
      kind: 'permission-set',
      name: 'Old',
      permissionSetArn: old.permissionSetArn,
      because:
        'owned and no longer wanted, but kept: 1 assignment(s) this plan may not remove still use it',
    });
  });

  it('removes assignments of a user deleted in Okta whose IdC user (with ExternalId) remains', () => {
    const gone = oktaUser(8);
    const goneIdc = idcUserFor(gone, 8);
    const { plan } = planOf(
      policy(),
      directory(),
      actualState({
        ...converged({ assignments: [assignment(1, adminPs, goneIdc)] }),
        users: [...users, goneIdc],
      }),
    );
    expect(deletesOf(plan)).toEqual([
      expect.objectContaining({
        principalId: goneIdc.userId,
        reason: { detail: 'the Identity Center user is linked to no Okta user (deleted in Okta?)' },
      }),
    ]);
  });

  it('leaves alone assignments whose principal is not in the identity store inventory', () => {
    const ghostUser = idcUserFor(oktaUser(9), 9);
    const ghostGroup = idcGroupFor(oktaGroup(9), 9);
    const { plan } = planOf(
      policy(),
      directory(),
      converged({
        assignments: [assignment(1, adminPs, ghostUser), assignment(1, readOnlyPs, ghostGroup)],
      }),
    );
    expect(plan.operations).toEqual([]);
    expect(plan.unmanaged.map((u) => u.kind === 'assignment' && u.because)).toEqual([
      expect.stringContaining('principal is not in the identity store inventory'),
      expect.stringContaining('principal is not in the identity store inventory'),
    ]);
  });

  it('lists assignments of a permission set missing from the inventory as unmanaged', () => {
    const ghost = permissionSet(9, 'Ghost');
    const { plan } = planOf(
      policy(),
      directory(),
      converged({ assignments: [assignment(1, ghost, aliceIdc)] }),
    );
    expect(plan.operations).toEqual([]);
    expect(plan.unmanaged).toContainEqual(
      expect.objectContaining({
        kind: 'assignment',
        because: 'its permission set is not in the inventory',
      }),
    );
  });

  it('gives byte-equal plans for equal inputs in any order', () => {
    const extra = {
      permissionSets: [permissionSet(3, 'Old', readOnlyTemplate, { provisionedTo: [1] })],
      assignments: [assignment(2, adminPs, daveIdc), assignment(3, adminPs, daveIdc)],
    };
    const a = converged(extra);
    const b = {
      ...a,
      permissionSets: [...a.permissionSets].reverse(),
      assignments: [...a.assignments].reverse(),
      users: [...a.users].reverse(),
      groups: [...a.groups].reverse(),
    };
    const okta = directory();
    const shuffled = {
      ...okta,
      users: [...okta.users].reverse(),
      groups: [...okta.groups].reverse(),
    };
    const first = JSON.stringify(planOf(policy(), okta, a).plan);
    const second = JSON.stringify(planOf(policy(), shuffled, b).plan);
    expect(second).toBe(first);
    expect(JSON.parse(first)).toMatchObject({ summary: { destroy: 3 } });
  });

  it('orders a mixed plan strictly by wave', () => {
    const drifted = permissionSet(
      1,
      'Admin',
      { ...adminTemplate, description: 'x' },
      { provisionedTo: [1] },
    );
    const old = permissionSet(3, 'Old', readOnlyTemplate, { provisionedTo: [1] });
    const { plan } = planOf(
      policy(),
      directory([alice, bob]),
      actualState({
        organization: org,
        users,
        groups,
        permissionSets: [drifted, old],
        assignments: [assignment(1, drifted, aliceIdc), assignment(1, old, aliceIdc)],
      }),
    );
    const waves = plan.operations.map((o) => PLAN_WAVES.indexOf(WAVE_OF_KIND[o.kind]));
    expect(waves).toEqual([...waves].sort((x, y) => x - y));
    expect(new Set(kinds(plan))).toEqual(
      new Set([
        'create-permission-set',
        'update-permission-set',
        'provision-permission-set',
        'create-assignment',
        'delete-assignment',
        'delete-permission-set',
      ]),
    );
  });
});

describe('guards', () => {
  it('maxDeletes: the plan records the count, and apply refuses unless allowed', () => {
    const { plan } = planOf(
      policy({ safety: { maxDeletes: 1 } }),
      directory(),
      converged({
        assignments: [assignment(2, adminPs, daveIdc), assignment(3, adminPs, daveIdc)],
      }),
    );
    expect(plan.guards).toMatchObject({ maxDeletes: 1, deletes: 2, exceedsMaxDeletes: true });
    const refused = checkGuards(plan);
    expect(refused.ok).toBe(false);
    expect(refused.refusals[0]).toContain('--allow-deletes 2');
    expect(checkGuards(plan, { allowDeletes: 1 }).ok).toBe(false);
    expect(checkGuards(plan, { allowDeletes: 2 })).toEqual({ ok: true, refusals: [], notes: [] });
  });

  describe('empty source', () => {
    // aws-admins reads empty now, but had 2 members at the last run.
    const run = (options: PlanOptions) =>
      planOf(
        policy(),
        directory([]),
        converged({ assignments: [assignment(2, adminPs, daveIdc)] }),
        options,
      ).plan;

    it('withholds the deletes of a group that had members and reads empty', () => {
      const plan = run({ previousMemberCounts: { [admins.id]: 2 } });
      expect(plan.operations).toEqual([]);
      expect(
        plan.blockedDeletes.map((b) => [
          b.operation.accountId,
          b.operation.principalId,
          b.oktaGroupName,
        ]),
      ).toEqual([
        [accountIdOf(1), aliceIdc.userId, 'aws-admins'],
        [accountIdOf(2), aliceIdc.userId, 'aws-admins'],
        [accountIdOf(2), daveIdc.userId, 'aws-admins'],
        [accountIdOf(3), aliceIdc.userId, 'aws-admins'],
      ]);
      expect(plan.guards.emptySourceGroups).toEqual([
        { oktaGroupId: admins.id, name: 'aws-admins', previousMemberCount: 2, confirmed: false },
      ]);
      const guard = checkGuards(plan);
      expect(guard.ok).toBe(true);
      expect(guard.notes).toEqual([
        'Okta group aws-admins had 2 member(s) and now reads empty: 4 delete(s) withheld until it is confirmed',
      ]);
    });

    it('lets the deletes through once the group is confirmed, by name or id', () => {
      for (const confirm of [true, ['aws-admins'], [admins.id]] as const) {
        const plan = run({
          previousMemberCounts: new Map([[admins.id, 2]]),
          confirmEmptyGroups: confirm,
        });
        expect(plan.blockedDeletes).toEqual([]);
        expect(deletesOf(plan)).toHaveLength(4);
        expect(plan.guards.emptySourceGroups[0]?.confirmed).toBe(true);
      }
    });

    it('does not guard a group with no known history', () => {
      expect(deletesOf(run({}))).toHaveLength(4);
      expect(deletesOf(run({ previousMemberCounts: { [admins.id]: 0 } }))).toHaveLength(4);
    });
  });
});
