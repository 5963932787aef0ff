import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entitlementServiceFrom } from '../../src/app/entitlements/entitlements-from-adapters.js';
import type { SyncApi } from '../../src/app/sync/sync-api.js';
import { Secret } from '../../src/core/secret.js';
import { buildHttpServer, type HttpServer } from '../../src/http/http-server.js';
import {
  DEV,
  MANAGEMENT,
  startEntitlementsWorld,
  type EntitlementsWorld,
} from './entitlements-world.js';

const TOKEN = 'test-api-token-0123456789';
let env: EntitlementsWorld;
let server: HttpServer;

beforeAll(async () => {
  env = await startEntitlementsWorld();
  server = buildHttpServer({
    // The sync routes are not exercised here; the entitlement routes use their own service.
    api: {} as SyncApi,
    logger: pino({ level: 'silent' }),
    apiToken: new Secret(TOKEN, 'env:API'),
    entitlements: entitlementServiceFrom(env.adapters, {
      actor: 'api',
      poll: { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 10_000 },
    }),
  });
  await server.ready();
});
afterAll(async () => {
  await server.close();
  await env.world.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('/api/v1 entitlement routes', () => {
  it('requires the bearer token', async () => {
    const res = await server.inject({ method: 'GET', url: '/api/v1/instances' });
    expect(res.statusCode).toBe(401);
  });

  it('lists instances, adds, lists and removes all', async () => {
    const instances = await server.inject({
      method: 'GET',
      url: '/api/v1/instances',
      headers: auth,
    });
    expect(instances.json()).toEqual({
      instances: [
        { instanceArn: env.world.aws.instanceArn, identityStoreId: env.world.aws.identityStoreId },
      ],
    });
    const body = {
      principalType: 'USER',
      principalId: 'bob@example.com',
      accountId: DEV,
      permissionSets: ['ReadOnly'],
    };
    const add = await server.inject({
      method: 'POST',
      url: '/api/v1/entitlements/add',
      headers: auth,
      payload: body,
    });
    expect(add.statusCode).toBe(200);
    expect(add.json<{ items: { status: string }[] }>().items.map((i) => i.status)).toEqual([
      'created',
    ]);
    const list = await server.inject({
      method: 'GET',
      url: '/api/v1/entitlements?principalType=USER&principalId=bob@example.com',
      headers: auth,
    });
    expect(
      list
        .json<{ entitlements: { permissionSetName: string }[] }>()
        .entitlements.map((e) => e.permissionSetName),
    ).toEqual(['ReadOnly']);
    const partial = await server.inject({
      method: 'POST',
      url: '/api/v1/entitlements/add',
      headers: auth,
      payload: { ...body, permissionSets: ['Locked'] },
    });
    expect(partial.statusCode).toBe(207);
    const all = await server.inject({
      method: 'POST',
      url: '/api/v1/entitlements/remove-all',
      headers: auth,
      payload: { principalType: 'USER', principalId: 'bob@example.com' },
    });
    expect(all.json<{ items: { status: string }[] }>().items.map((i) => i.status)).toEqual([
      'deleted',
    ]);
  });

  it('answers 400 for bad input, 409 for the management account, 404 for an unknown principal', async () => {
    const bad = await server.inject({
      method: 'POST',
      url: '/api/v1/entitlements/add',
      headers: auth,
      payload: { principalType: 'USER' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    const mgmt = await server.inject({
      method: 'POST',
      url: '/api/v1/entitlements/add',
      headers: auth,
      payload: {
        principalType: 'USER',
        principalId: 'bob@example.com',
        accountId: MANAGEMENT,
        permissionSets: ['ReadOnly'],
      },
    });
    expect(mgmt.statusCode).toBe(409);
    const unknown = await server.inject({
      method: 'GET',
      url: '/api/v1/entitlements?principalType=GROUP&principalId=nope',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'PRINCIPAL_NOT_FOUND' } });
  });
});
