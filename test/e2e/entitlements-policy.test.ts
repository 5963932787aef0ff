import { afterEach, describe, expect, it } from 'vitest';
import { entitlementServiceFrom } from '../../src/app/entitlements/entitlements-from-adapters.js';
import { runDiscovery } from '../../src/app/discovery/discovery-service.js';
import type { InstanceArn } from '../../src/core/domain/ids.js';
import { OperationalError } from '../../src/core/errors.js';
import { generateIamPolicy, iamActionsFor } from '../../src/core/iam-policy/generate-iam-policy.js';
import { DEV, startEntitlementsWorld, type EntitlementsWorld } from './entitlements-world.js';

const poll = { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 10_000 };
const retry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 };

let env: EntitlementsWorld | undefined;
afterEach(async () => {
  await env?.world.close();
  env = undefined;
});

/** Runs every entitlement action once; returns the AWS error codes that stopped any of them. */
async function exerciseEntitlements(world: EntitlementsWorld): Promise<string[]> {
  const service = entitlementServiceFrom(world.adapters, { actor: 'test:policy', poll, retry });
  const codes: string[] = [];
  const run = async (step: () => Promise<unknown>): Promise<void> => {
    try {
      const result = (await step()) as { items?: { code?: string }[] } | undefined;
      for (const item of result?.items ?? []) if (item.code) codes.push(item.code);
    } catch (error) {
      codes.push(error instanceof OperationalError ? error.code : String(error));
    }
  };
  const user = { principalType: 'USER' as const, principalId: 'alice@example.com' };
  await run(() => service.listInstances());
  await run(() =>
    service.addEntitlements({ ...user, accountId: DEV, permissionSets: ['ReadOnly'] }),
  );
  await run(() => service.listEntitlements({ principalType: 'GROUP', principalId: 'eng' }));
  await run(() =>
    service.removeEntitlements({ ...user, accountId: DEV, permissionSets: ['ReadOnly'] }),
  );
  await run(() =>
    service.addEntitlements({ ...user, accountId: DEV, permissionSets: ['Developer'] }),
  );
  await run(() => service.removeAllEntitlements({ ...user, accountId: DEV }));
  const okta = world.world.okta.control.state().users.find((u) => u.login === 'bob@example.com');
  await run(() => service.listEntitlements({ principalType: 'USER', principalId: okta!.id }));
  const state = world.world.aws.control.dumpState();
  const aliceId = state.identityStore.users.find((u) => u.UserName === 'alice@example.com')?.UserId;
  const engId = state.identityStore.groups.find((g) => g.DisplayName === 'eng')?.GroupId;
  await run(() =>
    service.listEntitlements({ principalType: 'USER', principalId: String(aliceId) }),
  );
  await run(() => service.listEntitlements({ principalType: 'GROUP', principalId: String(engId) }));
  return codes;
}

describe('the generated read-only policy', () => {
  it('runs a full discovery (AWS side) with no call denied', async () => {
    env = await startEntitlementsWorld({ policy: generateIamPolicy({ mode: 'read-only' }) });
    const { inventory } = await runDiscovery(
      {
        aws: env.adapters.awsReaders,
        callStats: () => env!.adapters.counters.snapshot(),
        instanceArn: env.world.aws.instanceArn as InstanceArn,
        inspectIam: true,
      },
      { source: 'aws' },
    );
    const denied = env.world.aws.control
      .calls()
      .entries.filter((c) => c.errorCode?.startsWith('AccessDenied'))
      .map((c) => `${c.service}:${c.operation}`);
    expect(denied).toEqual([]);
    expect(inventory.aws?.identityCenter.permissionSets.map((p) => p.name).sort()).toEqual([
      'Developer',
      'Locked',
      'ReadOnly',
    ]);
    // Every account's IAM was read: the management account directly, members via the role.
    expect(inventory.aws?.accounts.map((a) => [a.accountId, a.inspected])).toEqual([
      ['111111111111', true],
      ['222222222222', true],
      ['999999999999', true],
    ]);
  });
});

describe('the generated policy for the entitlements feature', () => {
  it('is complete: every action succeeds under it alone', async () => {
    env = await startEntitlementsWorld({
      policy: generateIamPolicy({ features: ['entitlements'] }),
    });
    expect(await exerciseEntitlements(env)).toEqual([]);
  });

  it('is minimal: dropping any one action denies exactly that action', async () => {
    for (const action of iamActionsFor(['entitlements'])) {
      env = await startEntitlementsWorld({
        policy: generateIamPolicy({ features: ['entitlements'], omitActions: [action] }),
      });
      const codes = await exerciseEntitlements(env);
      expect(codes, `without ${action}`).toContain('AccessDeniedException');
      const denied = env.world.aws.control
        .calls()
        .entries.filter((c) => c.errorCode === 'AccessDeniedException')
        .map((c) => `${c.service === 'sso-admin' ? 'sso' : c.service}:${c.operation}`);
      expect(new Set(denied), `without ${action}`).toEqual(new Set([action]));
      await env.world.close();
      env = undefined;
    }
  });
});
