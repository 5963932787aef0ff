import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntitlementService } from '../../src/app/entitlements/entitlement-service.js';
import { entitlementServiceFrom } from '../../src/app/entitlements/entitlements-from-adapters.js';
import { PrincipalNotFoundError } from '../../src/app/entitlements/principal-resolver.js';
import { SafetyRefusal } from '../../src/core/errors.js';
import { generateIamPolicy } from '../../src/core/iam-policy/generate-iam-policy.js';
import {
  DEV,
  MANAGEMENT,
  PROD,
  startEntitlementsWorld,
  type EntitlementsWorld,
} from './entitlements-world.js';

const poll = { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 10_000 };
const retry = { baseDelayMs: 5, maxDelayMs: 20 };

/**
 * The five actions in process against both simulators. The suite runs twice: with the
 * simulator's management credentials, and under a role whose only policy is the one
 * `iam-policy --mode full` generates (the simulator enforces it).
 */
describe.each([
  { label: 'management credentials', underPolicy: false },
  { label: 'the generated least-privilege policy', underPolicy: true },
])('entitlement actions with $label', ({ underPolicy }) => {
  let env: EntitlementsWorld;
  let service: EntitlementService;

  beforeAll(async () => {
    env = await startEntitlementsWorld(
      underPolicy ? { policy: generateIamPolicy({ mode: 'full' }) } : {},
    );
    service = entitlementServiceFrom(env.adapters, { actor: 'test:e2e', poll, retry });
  });
  afterAll(async () => {
    await env.world.close();
  });

  function psArn(name: string): string {
    const arn = env.world.aws.control.dumpState().permissionSets.find((p) => p.name === name)?.arn;
    if (!arn) throw new Error(`no permission set ${name}`);
    return arn;
  }

  it('ListInstances returns the instance and its identity store', async () => {
    expect(await service.listInstances()).toEqual([
      { instanceArn: env.world.aws.instanceArn, identityStoreId: env.world.aws.identityStoreId },
    ]);
  });

  it('adds by Okta login with names and ARNs, waits, reports per item, and is idempotent', async () => {
    const input = {
      principalType: 'USER' as const,
      principalId: 'alice@example.com',
      accountId: DEV,
      permissionSets: ['Developer', psArn('ReadOnly')],
    };
    const first = await service.addEntitlements(input);
    expect(first.succeeded).toBe(true);
    expect(first.principal.resolvedBy).toBe('user-name');
    expect(first.items.map((i) => [i.permissionSetName, i.status])).toEqual([
      ['Developer', 'created'],
      ['ReadOnly', 'created'],
    ]);
    const again = await service.addEntitlements(input);
    expect(again.items.map((i) => i.status)).toEqual(['unchanged', 'unchanged']);

    const listed = await service.listEntitlements({
      principalType: 'USER',
      principalId: 'alice@example.com',
    });
    expect(listed.entitlements).toEqual([
      { accountId: DEV, permissionSetArn: psArn('Developer'), permissionSetName: 'Developer' },
      { accountId: DEV, permissionSetArn: psArn('ReadOnly'), permissionSetName: 'ReadOnly' },
    ]);

    const removed = await service.removeEntitlements({ ...input, permissionSets: ['ReadOnly'] });
    expect(removed.items.map((i) => [i.permissionSetName, i.status])).toEqual([
      ['ReadOnly', 'deleted'],
    ]);
    const removedAgain = await service.removeEntitlements({
      ...input,
      permissionSets: ['ReadOnly'],
    });
    expect(removedAgain.items.map((i) => i.status)).toEqual(['unchanged']);

    const audit = await (await env.adapters.store()).listAudit({ limit: 100 });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'entitlements.AddEntitlements',
        'entitlements.ListEntitlements',
        'entitlements.RemoveEntitlements',
      ]),
    );
  });

  it('resolves groups by name and by Okta group id, and users by IdC id; RemoveAll clears them', async () => {
    const engOktaId = env.world.okta.control.state().groups.find((g) => g.name === 'eng')?.id;
    expect(engOktaId).toMatch(/^00g/);
    const byName = await service.addEntitlements({
      principalType: 'GROUP',
      principalId: 'eng',
      accountId: DEV,
      permissionSets: ['ReadOnly'],
    });
    const byOktaId = await service.addEntitlements({
      principalType: 'GROUP',
      principalId: engOktaId!,
      accountId: PROD,
      permissionSets: ['ReadOnly'],
    });
    expect(byOktaId.principal.resolvedBy).toBe('external-id');
    expect(byOktaId.principal.principalId).toBe(byName.principal.principalId);
    const byIdcId = await service.listEntitlements({
      principalType: 'GROUP',
      principalId: byName.principal.principalId,
    });
    expect(byIdcId.principal.resolvedBy).toBe('id');
    expect(byIdcId.entitlements.map((e) => e.accountId)).toEqual([DEV, PROD]);

    const onlyProd = await service.removeAllEntitlements({
      principalType: 'GROUP',
      principalId: 'eng',
      accountId: PROD,
    });
    expect(onlyProd.items.map((i) => [i.accountId, i.status])).toEqual([[PROD, 'deleted']]);
    const rest = await service.removeAllEntitlements({
      principalType: 'GROUP',
      principalId: 'eng',
    });
    expect(rest.items.map((i) => [i.accountId, i.status])).toEqual([[DEV, 'deleted']]);
    const none = await service.listEntitlements({ principalType: 'GROUP', principalId: 'eng' });
    expect(none.entitlements).toEqual([]);
  });

  it('refuses the management account, protected principals and protected permission sets', async () => {
    await expect(
      service.addEntitlements({
        principalType: 'USER',
        principalId: 'bob@example.com',
        accountId: MANAGEMENT,
        permissionSets: ['ReadOnly'],
      }),
    ).rejects.toThrow(SafetyRefusal);
    await expect(
      service.removeAllEntitlements({ principalType: 'USER', principalId: 'breakglass' }),
    ).rejects.toThrow(SafetyRefusal);
    const locked = await service.addEntitlements({
      principalType: 'USER',
      principalId: 'bob@example.com',
      accountId: DEV,
      permissionSets: ['Locked', 'ReadOnly'],
    });
    expect(locked.succeeded).toBe(false);
    expect(locked.items.map((i) => [i.permissionSetName, i.status])).toEqual([
      ['Locked', 'refused'],
      ['ReadOnly', 'created'],
    ]);
    const state = env.world.aws.control.dumpState();
    const breakglassId = state.identityStore.users.find((u) => u.UserName === 'breakglass')?.UserId;
    const breakglass = state.assignments.filter((a) => a.principalId === breakglassId);
    expect(breakglass).toHaveLength(1);
  });

  it('reports an unknown principal as PRINCIPAL_NOT_FOUND', async () => {
    const error = await service
      .listEntitlements({ principalType: 'USER', principalId: 'nobody@example.com' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrincipalNotFoundError);
    expect((error as PrincipalNotFoundError).code).toBe('PRINCIPAL_NOT_FOUND');
  });

  it('reports an async FAILED result per item with its reason', async () => {
    env.world.aws.control.setFaults({ CreateAccountAssignment: { asyncFailureProbability: 1 } });
    try {
      const result = await service.addEntitlements({
        principalType: 'USER',
        principalId: 'bob@example.com',
        accountId: PROD,
        permissionSets: ['Developer'],
      });
      expect(result.succeeded).toBe(false);
      expect(result.items[0]).toMatchObject({ status: 'failed', code: 'ASYNC_FAILED' });
      expect(result.items[0]?.reason).toBeTruthy();
    } finally {
      env.world.aws.control.setFaults({});
    }
  });
});
