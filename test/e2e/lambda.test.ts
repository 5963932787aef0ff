import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeWarmAdapters,
  createHandler,
  LambdaActionError,
  type LambdaResponse,
} from '../../src/lambda/handler.js';
import { generateIamPolicy } from '../../src/core/iam-policy/generate-iam-policy.js';
import {
  DEV,
  MANAGEMENT,
  startEntitlementsWorld,
  TOOL_ROLE,
  type EntitlementsWorld,
} from './entitlements-world.js';

let env: EntitlementsWorld;
let handler: (event: unknown) => Promise<LambdaResponse>;
const logged: string[] = [];

beforeAll(async () => {
  // The role exists with a policy lacking DeleteAccountAssignment; events may assume it.
  env = await startEntitlementsWorld({
    policy: generateIamPolicy({
      features: ['entitlements'],
      omitActions: ['sso:DeleteAccountAssignment'],
    }),
    assumeInConfig: false,
  });
  handler = createHandler({
    env: {
      ...env.world.env,
      OKTA_AWS_SYNC_CONFIG: env.world.configPath,
      // The test store is SQLite; stateful actions otherwise demand PostgreSQL.
      OKTA_AWS_SYNC_ALLOW_EPHEMERAL_STORE: '1',
    },
    log: (line) => logged.push(line),
  });
});
afterAll(async () => {
  await closeWarmAdapters();
  await env.world.close();
});

function data(response: LambdaResponse): Record<string, unknown> {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response.data as Record<string, unknown>;
}

const alice = { principalType: 'USER', principalId: 'alice@example.com' };

describe('Lambda handler, in process against the simulators', () => {
  it('runs the five entitlement actions with the envelope and logs audit entries', async () => {
    const instances = data(await handler({ action: 'ListInstances' }));
    expect(instances.instances).toEqual([
      { instanceArn: env.world.aws.instanceArn, identityStoreId: env.world.aws.identityStoreId },
    ]);
    const added = data(
      await handler({
        action: 'AddEntitlements',
        input: { ...alice, accountId: DEV, permissionSets: ['ReadOnly', 'Developer'] },
      }),
    );
    expect((added.items as { status: string }[]).map((i) => i.status)).toEqual([
      'created',
      'created',
    ]);
    const listed = data(await handler({ action: 'ListEntitlements', input: alice }));
    expect(
      (listed.entitlements as { permissionSetName: string }[]).map((e) => e.permissionSetName),
    ).toEqual(['Developer', 'ReadOnly']);
    const removed = data(
      await handler({
        action: 'RemoveEntitlements',
        input: { ...alice, accountId: DEV, permissionSets: ['ReadOnly'] },
      }),
    );
    expect((removed.items as { status: string }[]).map((i) => i.status)).toEqual(['deleted']);
    const all = data(await handler({ action: 'RemoveAllEntitlements', input: alice }));
    expect(
      (all.items as { permissionSetName: string; status: string }[]).map((i) => [
        i.permissionSetName,
        i.status,
      ]),
    ).toEqual([['Developer', 'deleted']]);
    expect(logged.some((l) => l.includes('entitlements.AddEntitlements'))).toBe(true);
  });

  it('runs Discover, Plan, Apply, Reconcile and ProcessOktaEvents', async () => {
    const discovered = data(await handler({ action: 'Discover', input: { source: 'aws' } }));
    expect(discovered.snapshotId).toEqual(expect.any(String));
    const planned = data(await handler({ action: 'Plan' }));
    expect(planned.plan).toMatchObject({ operations: [] });
    expect(data(await handler({ action: 'Apply', input: {} }))).toMatchObject({
      status: expect.any(String),
    });
    expect(data(await handler({ action: 'Reconcile' }))).toMatchObject({
      status: expect.any(String),
    });
    const bob = env.world.okta.control.state().users.find((u) => u.login === 'bob@example.com');
    const processed = data(
      await handler({
        action: 'ProcessOktaEvents',
        input: {
          eventType: 'com.okta.event_hook',
          eventId: 'evt-1',
          data: {
            events: [
              {
                uuid: 'u-1',
                published: new Date().toISOString(),
                eventType: 'user.lifecycle.suspend',
                target: [{ id: bob!.id, type: 'User', alternateId: 'bob@example.com' }],
              },
            ],
          },
        },
      }),
    );
    expect(processed.events).toEqual([expect.objectContaining({ uuid: 'u-1' })]);
  });

  it('answers validation errors, unknown principals, AWS errors and async FAILED as error envelopes', async () => {
    const invalid = await handler({
      action: 'AddEntitlements',
      input: { ...alice, accountId: 'x' },
    });
    expect(invalid).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_ERROR', retryable: false },
    });
    if (!invalid.ok) expect(invalid.error.message).toMatch(/accountId|permissionSets/);

    expect(
      await handler({
        action: 'ListEntitlements',
        input: { principalType: 'GROUP', principalId: 'no-such-group' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'PRINCIPAL_NOT_FOUND', retryable: false } });

    // Under the role whose policy lacks sso:DeleteAccountAssignment, a removal is denied by AWS.
    const roleArn = `arn:aws:iam::${MANAGEMENT}:role/${TOOL_ROLE}`;
    await handler({
      action: 'AddEntitlements',
      input: { ...alice, accountId: DEV, permissionSets: ['ReadOnly'] },
      assumeRoleArn: roleArn,
    });
    const denied = await handler({
      action: 'RemoveEntitlements',
      input: { ...alice, accountId: DEV, permissionSets: ['ReadOnly'] },
      assumeRoleArn: roleArn,
    });
    expect(denied).toMatchObject({
      ok: false,
      error: { code: 'AccessDeniedException', retryable: false },
    });
    if (!denied.ok) expect(denied.error.message).toContain('sso:DeleteAccountAssignment');

    env.world.aws.control.setFaults({ CreateAccountAssignment: { asyncFailureProbability: 1 } });
    try {
      const failed = await handler({
        action: 'AddEntitlements',
        input: { ...alice, accountId: DEV, permissionSets: ['Developer'] },
      });
      expect(failed).toMatchObject({
        ok: false,
        error: { code: 'ASYNC_FAILED', retryable: false },
      });
    } finally {
      env.world.aws.control.setFaults({});
    }
  });

  it('throws with failOnError instead of answering an error envelope', async () => {
    const error = await handler({
      action: 'ListEntitlements',
      input: { principalType: 'USER', principalId: 'nobody@example.com' },
      failOnError: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaActionError);
    expect((error as LambdaActionError).name).toBe('PRINCIPAL_NOT_FOUND');
    expect(
      data(await handler({ action: 'ListInstances', failOnError: true })).instances,
    ).toHaveLength(1);
  });

  it('rejects a payload that carries credentials, by key or by value, without echoing them', async () => {
    const byKey = await handler({
      action: 'ListInstances',
      input: {},
      credentials: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    expect(byKey).toMatchObject({
      ok: false,
      error: { code: 'CREDENTIALS_IN_PAYLOAD', retryable: false },
    });
    if (!byKey.ok) {
      expect(byKey.error.message).toContain('$.credentials.AWS_SECRET_ACCESS_KEY');
      expect(byKey.error.message).not.toContain('wJalr');
    }
    const byValue = await handler({
      action: 'ListEntitlements',
      input: { principalType: 'USER', principalId: 'AKIAIOSFODNN7EXAMPLE' },
    });
    expect(byValue).toMatchObject({ ok: false, error: { code: 'CREDENTIALS_IN_PAYLOAD' } });
    const sessionToken = await handler({ action: 'ListInstances', sessionToken: 'x' });
    expect(sessionToken).toMatchObject({ ok: false, error: { code: 'CREDENTIALS_IN_PAYLOAD' } });
  });
});
