import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  accountIdOf,
  actualState,
  assignment,
  idcUser,
  idcUserFor,
  oktaDirectory,
  oktaGroup,
  oktaUser,
  organizationTree,
  permissionSet,
  planOf,
  psTemplate,
  READ_ONLY_POLICY,
  rule,
  selectIds,
  syncPolicy,
} from '../test-support/fixtures.js';
import { parsePlan, PLAN_VERSION } from './plan.js';

const org = organizationTree({ accounts: [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }] });
const alice = oktaUser(1);
const bob = oktaUser(2, { status: 'SUSPENDED' });
const carol = oktaUser(3); // pending: not in Identity Center
const team = oktaGroup(1, { name: 'team' });
const okta = oktaDirectory({
  users: [alice, bob, carol],
  groups: [team],
  members: [[team, [alice, bob, carol]]],
});
const template = psTemplate({
  managedPolicies: [READ_ONLY_POLICY],
  sessionDuration: 'PT2H',
  customerManagedPolicies: [{ path: '/x/', name: 'extra' }],
  permissionsBoundary: { kind: 'customer-managed', reference: { path: '/', name: 'limit' } },
});
const users = [idcUserFor(alice, 1), idcUserFor(bob, 2), idcUser(9)];
const drifted = permissionSet(1, 'ReadOnly', psTemplate(), { provisionedTo: [1] });
const old = permissionSet(2, 'Old', psTemplate(), { provisionedTo: [2] });
const legacy = permissionSet(3, 'Legacy', psTemplate(), { owned: false });
const { plan } = planOf(
  syncPolicy({
    rules: [
      rule('team', { groups: ['team'], permissionSet: 'ReadOnly', accounts: [selectIds(1, 2, 3)] }),
    ],
    templates: { ReadOnly: template },
    safety: { protected: { accounts: [accountIdOf(3)] } },
  }),
  okta,
  actualState({
    organization: org,
    users,
    permissionSets: [drifted, old, legacy],
    assignments: [
      assignment(1, drifted, users[1]!),
      assignment(2, old, users[0]!),
      assignment(1, legacy, users[2]!),
      assignment(3, drifted, users[2]!),
    ],
  }),
  { previousMemberCounts: { [team.id]: 3 } },
);

describe('plan JSON', () => {
  it('covers every wave in this fixture', () => {
    expect(new Set(plan.operations.map((o) => o.kind))).toEqual(
      new Set([
        'update-permission-set',
        'provision-permission-set',
        'create-assignment',
        'delete-assignment',
        'delete-permission-set',
      ]),
    );
    expect(plan.version).toBe(PLAN_VERSION);
    expect(plan.pending).toHaveLength(1);
    expect(plan.unmanaged.length).toBeGreaterThan(0);
    expect(plan.protected.length).toBeGreaterThan(0);
  });

  it('round-trips through JSON text unchanged', () => {
    const text = JSON.stringify(plan);
    const parsed = parsePlan(text);
    expect(JSON.stringify(parsed)).toBe(text);
    expect(parsePlan(JSON.parse(text))).toEqual(parsed);
  });

  it('rejects another version with a clear message', () => {
    const other = { ...JSON.parse(JSON.stringify(plan)), version: PLAN_VERSION + 1 };
    expect(() => parsePlan(other)).toThrow(UsageError);
    expect(() => parsePlan(other)).toThrow(
      `plan version ${PLAN_VERSION + 1} is not supported: this okta-aws-sync reads plan version ${PLAN_VERSION}`,
    );
    const { version: _version, ...unversioned } = JSON.parse(JSON.stringify(plan));
    expect(() => parsePlan(unversioned)).toThrow('plan version missing is not supported');
  });

  it('rejects malformed plans, naming what is wrong', () => {
    expect(() => parsePlan('{not json')).toThrow('plan is not valid JSON');
    expect(() => parsePlan('[]')).toThrow('plan must be a JSON object');
    const tampered = JSON.parse(JSON.stringify(plan));
    tampered.operations[0].kind = 'replace-everything';
    expect(() => parsePlan(tampered)).toThrow(/plan is malformed[\s\S]*operations/);
    const badAccount = JSON.parse(JSON.stringify(plan));
    const create = badAccount.operations.find(
      (o: { kind: string }) => o.kind === 'create-assignment',
    );
    create.accountId = '12';
    expect(() => parsePlan(badAccount)).toThrow(/twelve digits/);
  });
});
