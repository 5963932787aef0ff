import { describe, expect, it } from 'vitest';

import { linkPrincipals } from '../linking/link-principals.js';
import { computeDesiredState } from '../rules/desired-state.js';
import {
  accountIdOf,
  actualState,
  assignment,
  idcGroupFor,
  idcUserFor,
  oktaDirectory,
  oktaGroup,
  oktaUser,
  organizationTree,
  permissionSet,
  psTemplate,
  rule,
  selectIds,
  syncPolicy,
} from '../test-support/fixtures.js';
import { computePlan } from './compute-plan.js';
import { groupScopes, scopeGroupPlan, widenDesired } from './key-scope.js';

const org = organizationTree({ accounts: [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }] });
const policy = syncPolicy({
  rules: [
    rule('dev', { groups: ['dev'], permissionSet: 'Developer', accounts: [selectIds(1)] }),
    rule('prod', { groups: ['prod'], permissionSet: 'Developer', accounts: [selectIds(2)] }),
    rule('ops', { groups: ['ops'], permissionSet: 'Operator', accounts: [selectIds(3)] }),
    rule('teams', {
      groups: ['teams'],
      permissionSet: 'Team',
      accounts: [selectIds(1)],
      assign: 'GROUP',
    }),
  ],
  templates: { Developer: psTemplate(), Operator: psTemplate(), Team: psTemplate() },
});
const alice = oktaUser(1);
const dev = oktaGroup(1, { name: 'dev' });
const prod = oktaGroup(2, { name: 'prod' });
const ops = oktaGroup(3, { name: 'ops' });
const teams = oktaGroup(4, { name: 'teams' });
const unmatched = oktaGroup(5, { name: 'marketing' });
const developer = permissionSet(1, 'Developer', psTemplate(), { provisionedTo: [1, 2] });
const operator = permissionSet(2, 'Operator', psTemplate(), { provisionedTo: [3] });
const aliceIdc = idcUserFor(alice, 1);

describe('groupScopes', () => {
  it('gives each matched group its permission sets, accounts and modes, whoever its members', () => {
    const scopes = groupScopes(policy, [dev, prod, ops, teams, unmatched], org);
    expect([...scopes.keys()].sort()).toEqual([dev.id, prod.id, ops.id, teams.id].sort());
    expect(scopes.get(prod.id)).toMatchObject({
      name: 'prod',
      permissionSetNames: ['Developer'],
      accounts: [accountIdOf(2)],
      userMode: true,
      groupMode: false,
    });
    expect(scopes.get(teams.id)).toMatchObject({ userMode: false, groupMode: true });
  });
});

describe('widenDesired', () => {
  // alice left prod; her user key reads only her groups (dev), so prod's account is not in the
  // narrowed rule scope and her Developer assignment there would read as unmanaged.
  const directory = oktaDirectory({ users: [alice], groups: [dev], members: [[dev, [alice]]] });
  const links = linkPrincipals(directory, { users: [aliceIdc], groups: [] });
  const narrow = computeDesiredState(policy, directory, org, links);
  const actual = actualState({
    organization: org,
    permissionSets: [developer, operator],
    users: [aliceIdc],
    assignments: [
      assignment(1, developer, aliceIdc),
      assignment(2, developer, aliceIdc),
      assignment(3, operator, aliceIdc),
    ],
  });
  const others = [...groupScopes(policy, [prod, ops, teams], org).values()];

  it('restores the rule scope of the groups the key did not read, so the narrow plan deletes what a full plan deletes', () => {
    const unwidened = computePlan(narrow, actual);
    expect(
      unwidened.operations.filter((op) => op.kind === 'delete-assignment').map((op) => op.key),
    ).toEqual([`assignment:${accountIdOf(3)}|Operator|USER|${aliceIdc.userId}`]);
    const widened = computePlan(widenDesired(narrow, others), actual);
    expect(
      widened.operations.filter((op) => op.kind === 'delete-assignment').map((op) => op.key),
    ).toEqual([
      `assignment:${accountIdOf(2)}|Developer|USER|${aliceIdc.userId}`,
      `assignment:${accountIdOf(3)}|Operator|USER|${aliceIdc.userId}`,
    ]);
    // The full plan agrees.
    const full = oktaDirectory({
      users: [alice],
      groups: [dev, prod, ops, teams],
      members: [[dev, [alice]]],
    });
    const fullDesired = computeDesiredState(
      policy,
      full,
      org,
      linkPrincipals(full, { users: [aliceIdc], groups: [] }),
    );
    expect(
      computePlan(fullDesired, actual)
        .operations.filter((op) => op.kind === 'delete-assignment')
        .map((op) => op.key),
    ).toEqual(
      widened.operations.filter((op) => op.kind === 'delete-assignment').map((op) => op.key),
    );
  });

  it('keeps permission sets other groups still yield: not created, updated or retired by the key', () => {
    const widened = widenDesired(narrow, others);
    expect(widened.permissionSets.get('Operator')).toMatchObject({ definition: undefined });
    const plan = computePlan(widened, {
      ...actual,
      assignments: [],
      permissionSets: [developer, { ...operator, description: 'drifted' }],
    });
    // Only alice's own grant; nothing done to Operator, drifted as it is.
    expect(plan.operations.map((op) => op.kind)).toEqual(['create-assignment']);
    // Without the other groups' scope, Operator (owned, yielded by ops) would be retired.
    expect(
      computePlan(narrow, { ...actual, assignments: [] }).operations.map((op) => op.kind),
    ).toEqual(['create-assignment', 'delete-permission-set']);
  });
});

describe('scopeGroupPlan', () => {
  it("keeps the group's permission set work and its own GROUP assignments, not members' USER ones", () => {
    const teamsIdc = idcGroupFor(teams, 1);
    const bob = oktaUser(2);
    const directory = oktaDirectory({
      users: [alice, bob],
      groups: [teams, dev],
      members: [
        [teams, [alice]],
        [dev, [bob]],
      ],
    });
    const links = linkPrincipals(directory, {
      users: [aliceIdc, idcUserFor(bob, 2)],
      groups: [teamsIdc],
    });
    const desired = computeDesiredState(policy, directory, org, links);
    const plan = computePlan(desired, actualState({ organization: org, groups: [teamsIdc] }));
    const scoped = scopeGroupPlan(plan, teams.id, {
      permissionSetNames: new Set(['Team']),
      idcGroupIds: new Set([teamsIdc.groupId]),
      liveIdcGroupIds: new Set([teamsIdc.groupId]),
    });
    expect(scoped.operations.map((op) => `${op.kind} ${op.key}`)).toEqual([
      'create-permission-set permission-set:Team',
      `create-assignment assignment:${accountIdOf(1)}|Team|GROUP|${teamsIdc.groupId}`,
    ]);
    expect(scoped.summary).toEqual({ add: 2, change: 0, destroy: 0, provision: 0 });
  });
});
