import { describe, expect, it } from 'vitest';

import { parseReconcileKey } from '../../core/events/reconcile-key.js';
import type { ActualState } from '../../core/plan/actual-state.js';
import type { Plan, PlanOperation } from '../../core/plan/plan.js';
import type { DesiredState } from '../../core/rules/desired-state.js';
import { scopePlan } from './scope-plan.js';

const ACCOUNT = '111111111111';
const ARN = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111';

function assignment(
  kind: 'create-assignment' | 'delete-assignment',
  permissionSetName: string,
  principalType: 'USER' | 'GROUP',
  principalId: string,
  reason: Record<string, string> = {},
): PlanOperation {
  return {
    kind,
    key: `${kind}:${ACCOUNT}|${permissionSetName}|${principalType}|${principalId}`,
    accountId: ACCOUNT,
    permissionSetName,
    permissionSetArn: ARN,
    principalType,
    principalId,
    principalName: principalId,
    reason,
    ...(kind === 'delete-assignment' ? { risks: [] } : {}),
  } as unknown as PlanOperation;
}

const createOps = {
  kind: 'create-permission-set',
  key: 'ps:Ops',
  name: 'Ops',
  definition: {},
  rules: ['r'],
} as unknown as PlanOperation;
const deleteOld = {
  kind: 'delete-permission-set',
  key: 'ps:Old',
  name: 'Old',
  permissionSetArn: ARN,
  provisionedTo: [],
  reason: {},
  risks: [],
} as unknown as PlanOperation;

const operations: PlanOperation[] = [
  createOps,
  {
    ...assignment('create-assignment', 'Ops', 'USER', 'idc-alice'),
    permissionSetArn: undefined,
  } as PlanOperation,
  assignment('create-assignment', 'Dev', 'USER', 'idc-bob', { oktaUserId: '00ubob' }),
  assignment('delete-assignment', 'Dev', 'USER', 'idc-alice'),
  assignment('delete-assignment', 'Old', 'USER', 'idc-carol'),
  assignment('delete-assignment', 'Dev', 'USER', 'idc-gone'),
  assignment('create-assignment', 'Dev', 'GROUP', 'idc-admins', { oktaGroupId: '00gadmins' }),
  deleteOld,
];

const plan = {
  operations,
  pending: [
    { kind: 'user', oktaId: '00ualice', name: 'alice', rules: [], assignments: 1 },
    { kind: 'user', oktaId: '00udave', name: 'dave', rules: [], assignments: 1 },
  ],
  guards: { maxDeletes: 1, deletes: 4, exceedsMaxDeletes: true, emptySourceGroups: [] },
  summary: { add: 4, change: 0, destroy: 4, provision: 0 },
} as unknown as Plan;

const context = {
  desired: {
    links: {
      idcUserOf: (id: string) => (id === '00ualice' ? { userId: 'idc-alice' } : undefined),
      idcGroupOf: (id: string) => (id === '00gadmins' ? { groupId: 'idc-admins' } : undefined),
    },
    groupTargets: [{ oktaGroupId: '00gops', permissionSetName: 'Ops' }],
  } as unknown as DesiredState,
  actual: {
    users: [
      { userId: 'idc-alice', externalIds: [] },
      { userId: 'idc-bob', externalIds: [] },
      // carol's Okta user is gone; SCIM's ExternalId still ties her IdC user to it.
      { userId: 'idc-carol', externalIds: [{ issuer: 'scim.okta.com', id: '00ucarol' }] },
    ],
    groups: [{ groupId: 'idc-admins', externalIds: [] }],
  } as unknown as ActualState,
};

const keysOf = (p: Plan) => p.operations.map((op) => op.key);

describe('scopePlan', () => {
  it('keeps the whole plan for full', () => {
    expect(scopePlan(plan, parseReconcileKey('full')!, context)).toBe(plan);
  });

  it('keeps a user its own assignments and the permission set a create needs', () => {
    const scoped = scopePlan(plan, parseReconcileKey('user:00ualice')!, context);
    expect(keysOf(scoped)).toEqual([
      'ps:Ops',
      `create-assignment:${ACCOUNT}|Ops|USER|idc-alice`,
      `delete-assignment:${ACCOUNT}|Dev|USER|idc-alice`,
    ]);
    expect(scoped.pending.map((p) => p.oktaId)).toEqual(['00ualice']);
    expect(scoped.summary).toEqual({ add: 2, change: 0, destroy: 1, provision: 0 });
    expect(scoped.guards).toMatchObject({ deletes: 1, exceedsMaxDeletes: false });
  });

  it('finds a deleted Okta user by SCIM ExternalId, or by the reason naming it', () => {
    expect(keysOf(scopePlan(plan, parseReconcileKey('user:00ucarol')!, context))).toEqual([
      `delete-assignment:${ACCOUNT}|Old|USER|idc-carol`,
    ]);
    expect(keysOf(scopePlan(plan, parseReconcileKey('user:00ubob')!, context))).toEqual([
      `create-assignment:${ACCOUNT}|Dev|USER|idc-bob`,
    ]);
  });

  it('keeps a group its assignments and every operation on its permission sets, now and before', () => {
    const scoped = scopePlan(plan, parseReconcileKey('group:00gops')!, {
      ...context,
      previousPermissionSets: ['Old'],
    });
    expect(keysOf(scoped)).toEqual([
      'ps:Ops',
      `create-assignment:${ACCOUNT}|Ops|USER|idc-alice`,
      `delete-assignment:${ACCOUNT}|Old|USER|idc-carol`,
      'ps:Old',
    ]);
    expect(scoped.guards).toMatchObject({ deletes: 2, exceedsMaxDeletes: true });
    expect(keysOf(scopePlan(plan, parseReconcileKey('group:00gadmins')!, context))).toEqual([
      `create-assignment:${ACCOUNT}|Dev|GROUP|idc-admins`,
    ]);
  });

  it('never keeps deletes of principals that no longer exist, which AWS cannot do', () => {
    for (const key of ['user:00ugone', 'group:00gops', 'permission-set:Dev']) {
      const scoped = scopePlan(plan, parseReconcileKey(key)!, context);
      expect(keysOf(scoped)).not.toContain(`delete-assignment:${ACCOUNT}|Dev|USER|idc-gone`);
    }
    expect(keysOf(scopePlan(plan, parseReconcileKey('permission-set:Dev')!, context))).toEqual([
      `create-assignment:${ACCOUNT}|Dev|USER|idc-bob`,
      `delete-assignment:${ACCOUNT}|Dev|USER|idc-alice`,
      `create-assignment:${ACCOUNT}|Dev|GROUP|idc-admins`,
    ]);
  });
});
