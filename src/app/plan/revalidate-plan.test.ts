import { describe, expect, it } from 'vitest';
import type { Plan, PlanOperation } from '../../core/plan/plan.js';
import { planOfOperations } from '../../core/test-support/fixtures.js';
import { revalidatePlan } from './revalidate-plan.js';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-0123456789abcdef';
const PS_ARN = 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef';
const USER = '9067639464-11111111-2222-4333-8444-555555555555';
const OTHER = '9067639464-11111111-2222-4333-8444-666666666666';

function plan(operations: PlanOperation[], maxDeletes = 25): Plan {
  return planOfOperations(INSTANCE, operations, maxDeletes);
}

const create = (principalId: string, permissionSetArn?: string): PlanOperation => ({
  kind: 'create-assignment',
  key: `assignment:111111111111|Dev|USER|${principalId}`,
  accountId: '111111111111',
  permissionSetName: 'Dev',
  ...(permissionSetArn ? { permissionSetArn } : {}),
  principalType: 'USER',
  principalId,
  principalName: principalId.slice(-4),
  reason: { rule: 'r' },
});

const remove = (principalId: string): PlanOperation => ({
  kind: 'delete-assignment',
  key: `assignment:111111111111|Dev|USER|${principalId}`,
  accountId: '111111111111',
  permissionSetName: 'Dev',
  permissionSetArn: PS_ARN,
  principalType: 'USER',
  principalId,
  principalName: principalId.slice(-4),
  reason: { rule: 'r' },
  risks: [{ kind: 'delete', message: 'removes access' }],
});

const createDev: PlanOperation = {
  kind: 'create-permission-set',
  key: 'permission-set:Dev',
  name: 'Dev',
  definition: { name: 'Dev', managedPolicies: [], customerManagedPolicies: [], tags: {} },
  rules: ['r'],
};

describe('revalidatePlan', () => {
  it('keeps what is still needed, unchanged, with no notes', () => {
    const saved = plan([createDev, create(USER)]);
    const result = revalidatePlan(JSON.parse(JSON.stringify(saved)) as Plan, saved);
    expect(result.plan.operations).toEqual(saved.operations);
    expect(result.notes).toEqual([]);
  });

  it('drops what is done, re-plans what changed and never adds what was not reviewed', () => {
    const saved = plan([createDev, create(USER), remove(OTHER)]);
    // Since then: the permission set was created (its ARN is known), the delete happened, and
    // a new delete became necessary.
    const fresh = plan([create(USER, PS_ARN), remove(USER.replace('5555', '7777'))]);
    const result = revalidatePlan(saved, fresh);

    expect(result.plan.operations).toEqual([create(USER, PS_ARN)]);
    expect(result.notes.map((note) => [note.change, note.key])).toEqual([
      ['dropped', 'permission-set:Dev'],
      ['replanned', create(USER).key],
      ['dropped', remove(OTHER).key],
      ['new', remove(USER.replace('5555', '7777')).key],
    ]);
    expect(result.notes[0]?.explanation).toMatch(/create permission set Dev: no longer needed/);
    expect(result.notes[3]?.explanation).toMatch(/not in the saved plan; not applied/);
    expect(result.plan.summary).toEqual({ add: 1, change: 0, destroy: 0, provision: 0 });
    expect(result.plan.guards).toMatchObject({ deletes: 0, exceedsMaxDeletes: false });
  });

  it('recounts deletes against maxDeletes for what remains', () => {
    const saved = plan([remove(USER), remove(OTHER)], 1);
    expect(saved.guards.exceedsMaxDeletes).toBe(true);
    const fresh = plan([remove(USER), remove(OTHER)], 1);
    const stillBoth = revalidatePlan(saved, fresh);
    expect(stillBoth.plan.guards).toMatchObject({ deletes: 2, exceedsMaxDeletes: true });
    const oneDone = revalidatePlan(saved, plan([remove(OTHER)], 1));
    expect(oneDone.plan.guards).toMatchObject({ deletes: 1, exceedsMaxDeletes: false });
    expect(oneDone.plan.operations).toEqual([remove(OTHER)]);
  });
});
