import { Client, DefaultRequestExecutor } from '@okta/okta-sdk-nodejs';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOktaSimulator } from './okta-simulator.js';
import type { OktaSimulator } from './okta-simulator.js';

let sim: OktaSimulator;
let privateKey: KeyObject;
let privateJwk: JsonWebKey;
let otherKey: KeyObject;
const kid = 'sim-key-1';

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  privateJwk = { ...pair.privateKey.export({ format: 'jwk' }), kid };
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  sim = await startOktaSimulator({
    scenario: {
      users: [{ login: 'ann.lee@example.com' }],
      groups: [{ name: 'aws#prod#AdministratorAccess#123456789012' }],
    },
  });
  const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid };
  sim.control.registerServiceApp({
    clientId: '0oasyncreader0000001',
    name: 'aws-sync-reader',
    publicJwks: [publicJwk],
    scopes: ['okta.users.read', 'okta.groups.read'],
  });
  const res = await fetch(`${sim.orgUrl}/_sim/oauth-apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      clientId: '0oasyncwriter0000001',
      name: 'aws-sync-writer',
      publicJwk,
      scopes: ['okta.groups.manage', 'okta.users.read', 'okta.logs.read'],
    }),
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await sim.close();
});

function oauthClient(
  clientId: string,
  scopes: string[],
  key: unknown = privateJwk,
  extra: Record<string, unknown> = {},
): Client {
  return new Client({
    orgUrl: sim.orgUrl,
    authorizationMode: 'PrivateKey',
    clientId,
    scopes,
    privateKey: key as string,
    keyId: kid,
    cacheMiddleware: null,
    ...extra,
  });
}

function assertion(claims: Record<string, unknown>, key: KeyObject = privateKey): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'RS256', kid })}.${enc(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

async function tokenRequest(
  claims: Record<string, unknown>,
  scope = 'okta.users.read',
  key?: KeyObject,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion(claims, key),
  });
  const res = await fetch(`${sim.orgUrl}/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: '0oasyncreader0000001',
    sub: '0oasyncreader0000001',
    aud: `${sim.orgUrl}/oauth2/v1/token`,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...overrides,
  };
}

describe('OAuth service apps through the SDK', () => {
  it('gets a token with a JWK private key and reads users and groups', async () => {
    const client = oauthClient('0oasyncreader0000001', ['okta.users.read', 'okta.groups.read']);
    const user = await client.userApi.getUser({ userId: 'ann.lee@example.com' });
    expect(user.profile?.login).toBe('ann.lee@example.com');
    const names: string[] = [];
    await (
      await client.groupApi.listGroups({})
    ).each((g) => {
      names.push(g.profile?.name ?? '');
    });
    expect(names).toContain('aws#prod#AdministratorAccess#123456789012');
  });

  it('works with a PEM private key', async () => {
    const pem = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    const client = oauthClient('0oasyncreader0000001', ['okta.users.read'], pem);
    expect((await client.userApi.getUser({ userId: 'ann.lee@example.com' })).status).toBe('ACTIVE');
  });

  it('answers 403 E0000006 when the token lacks the endpoint scope', async () => {
    const client = oauthClient('0oasyncreader0000001', ['okta.users.read', 'okta.groups.read']);
    await expect(
      client.systemLogApi.listLogEvents({ limit: 1 }).then((c) => c.next()),
    ).rejects.toMatchObject({ status: 403, errorCode: 'E0000006' });
    const group = (await (await client.groupApi.listGroups({ q: 'aws' })).next()).value;
    await expect(
      client.groupApi.assignUserToGroup({ groupId: group?.id ?? '', userId: 'x' }),
    ).rejects.toMatchObject({ status: 403, errorCode: 'E0000006' });
  });

  it('audits OAuth changes with a PublicClientAppEntity actor', async () => {
    const client = oauthClient('0oasyncwriter0000001', ['okta.groups.manage', 'okta.users.read']);
    const user = await client.userApi.getUser({ userId: 'ann.lee@example.com' });
    const group = sim.control.state().groups.find((g) => g.name.startsWith('aws#'));
    await client.groupApi.assignUserToGroup({ groupId: group?.id ?? '', userId: user.id ?? '' });
    const event = sim.control.logEvents().at(-1) as unknown as {
      eventType: string;
      actor: Record<string, unknown>;
    };
    expect(event.eventType).toBe('group.user_membership.add');
    expect(event.actor).toMatchObject({
      id: '0oasyncwriter0000001',
      type: 'PublicClientAppEntity',
      displayName: 'aws-sync-writer',
    });
  });

  it('leaves an unknown client with "Bearer undefined", which is answered 401 E0000011', async () => {
    const client = oauthClient('0oaunknown0000000001', ['okta.users.read']);
    await expect(client.userApi.getUser({ userId: 'ann.lee@example.com' })).rejects.toMatchObject({
      status: 401,
      errorCode: 'E0000011',
    });
  });
});

describe('token endpoint checks', () => {
  it('issues an expiring bearer token for a valid assertion', async () => {
    const ok = await tokenRequest(claims());
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'okta.users.read',
    });
  });

  it('rejects a wrong audience, an expired or far-future exp, a foreign signature, a replayed jti and an ungranted scope', async () => {
    expect(
      (await tokenRequest(claims({ aud: 'https://elsewhere.example/oauth2/v1/token' }))).body.error,
    ).toBe('invalid_client');
    expect(
      (await tokenRequest(claims({ exp: Math.floor(Date.now() / 1000) - 10 }))).body.error,
    ).toBe('invalid_client');
    expect(
      (await tokenRequest(claims({ exp: Math.floor(Date.now() / 1000) + 7200 }))).body.error,
    ).toBe('invalid_client');
    expect((await tokenRequest(claims(), 'okta.users.read', otherKey)).status).toBe(401);
    const c = claims();
    expect((await tokenRequest(c)).status).toBe(200);
    expect((await tokenRequest(c)).body.error).toBe('invalid_client');
    const scope = await tokenRequest(claims(), 'okta.users.manage');
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe('invalid_scope');
  });

  it('expires tokens: a stale bearer gets 401 and the SDK fetches a new one', async () => {
    const short = await startOktaSimulator({
      oauthTokenTtlSeconds: 1,
      scenario: { users: [{ login: 'ann.lee@example.com' }] },
    });
    try {
      short.control.registerServiceApp({
        clientId: '0oashort000000000001',
        publicJwks: [
          {
            ...privateJwk,
            d: undefined,
            p: undefined,
            q: undefined,
            dp: undefined,
            dq: undefined,
            qi: undefined,
          },
        ],
        scopes: ['okta.users.read'],
      });
      const client = new Client({
        orgUrl: short.orgUrl,
        authorizationMode: 'PrivateKey',
        clientId: '0oashort000000000001',
        scopes: ['okta.users.read'],
        privateKey: privateJwk as unknown as string,
        keyId: kid,
        cacheMiddleware: null,
      });
      await client.userApi.getUser({ userId: 'ann.lee@example.com' });
      await new Promise((r) => setTimeout(r, 1100));
      await client.userApi.getUser({ userId: 'ann.lee@example.com' });
      const calls = short.control.calls();
      expect(calls.byEndpoint['POST /oauth2/v1/token']).toBe(2);
      expect(calls.byStatus['401']).toBe(1);
    } finally {
      await short.close();
    }
  });
});

describe('rate limits', () => {
  it('lets the SDK retry a 429 using Date and X-Rate-Limit-Reset', async () => {
    const client = new Client({ orgUrl: sim.orgUrl, token: sim.token, cacheMiddleware: null });
    sim.control.resetCalls();
    sim.control.setRateLimits({ forceNext: 1 });
    const user = await client.userApi.getUser({ userId: 'ann.lee@example.com' });
    expect(user.profile?.login).toBe('ann.lee@example.com');
    expect(sim.control.calls().byStatus).toEqual({ '200': 1, '429': 1 });
  });

  it('surfaces E0000047 once the SDK runs out of retries', async () => {
    const client = new Client({
      orgUrl: sim.orgUrl,
      token: sim.token,
      cacheMiddleware: null,
      requestExecutor: new DefaultRequestExecutor({ maxRetries: 0, requestTimeout: 0 }),
    });
    sim.control.setRateLimits({ forceNext: 1 });
    await expect(client.userApi.getUser({ userId: 'ann.lee@example.com' })).rejects.toMatchObject({
      status: 429,
      errorCode: 'E0000047',
    });
  });

  it('enforces per-endpoint per-minute buckets and the concurrency limit', async () => {
    sim.control.setRateLimits({ perMinute: { users: 2 } });
    const get = (): Promise<Response> =>
      fetch(`${sim.orgUrl}/api/v1/users`, { headers: { authorization: `SSWS ${sim.token}` } });
    const first = await get();
    expect(first.headers.get('x-rate-limit-limit')).toBe('2');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('1');
    expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ errorCode: 'E0000047' });
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    const dateSec = Math.floor(Date.parse(limited.headers.get('date') ?? '') / 1000);
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(dateSec);
    // Other buckets are unaffected.
    expect(
      (
        await fetch(`${sim.orgUrl}/api/v1/groups`, {
          headers: { authorization: `SSWS ${sim.token}` },
        })
      ).status,
    ).toBe(200);

    sim.control.setRateLimits({ perMinute: { users: 600 }, concurrency: 0 });
    const busy = await get();
    expect(busy.status).toBe(429);
    expect(busy.headers.get('x-rate-limit-limit')).toBe('0');
    sim.control.setRateLimits({ concurrency: 75, enabled: false, perMinute: { users: 1 } });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    sim.control.setRateLimits({ enabled: true, perMinute: { users: 600 } });
  });
});
