import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openStore } from '../adapters/store/open-store.js';
import { ingestEvents } from '../app/sync/event-intake.js';
import type { SyncApi } from '../app/sync/sync-api.js';
import { Secret } from '../core/secret.js';
import type { Store } from '../ports/store.js';
import type { HttpServer } from './http-server.js';
import { buildHttpServer } from './http-server.js';

const HOOK_SECRET = 'hook-secret-value-1234';
const API_TOKEN = 'api-token-value-5678';

function logEvent(uuid: string, eventType = 'group.user_membership.add') {
  return {
    uuid,
    published: '2026-03-02T14:05:11.812Z',
    eventType,
    version: '0',
    insertionTimestamp: null,
    target: [
      { id: '00u1jdoe2AbCdEfG0h7x', type: 'User' },
      { id: '00g1awsAdm2XyZwV0h7x', type: 'UserGroup' },
    ],
  };
}

function delivery(events: unknown[]) {
  return {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    source: 'https://example.okta.com/api/v1/eventHooks/who1',
    eventId: crypto.randomUUID(),
    eventTime: '2026-03-02T14:05:13.094Z',
    contentType: 'application/json',
    data: { events },
  };
}

describe('HTTP server', () => {
  let store: Store;
  let server: HttpServer;
  let base: string;
  const requested: string[] = [];
  const logLines: Record<string, unknown>[] = [];
  let verified = 0;

  beforeAll(async () => {
    store = await openStore('sqlite::memory:');
    const api: SyncApi = {
      ingestHookEvents: (events) => ingestEvents(store, events, 'hook'),
      hookVerified: () => {
        verified += 1;
      },
      readiness: () => Promise.resolve({ ready: true, checks: [{ name: 'store', ok: true }] }),
      metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'x 1\n' }),
      status: () => Promise.reject(new Error('not used')),
      listEvents: (query) => store.listEvents(query),
      getEvent: (uuid) => store.getEvent(uuid),
      listRuns: (limit) => store.listRuns(limit),
      getRun: () => Promise.resolve(null),
      requestReconcile: (key) => {
        requested.push(key);
        return store.enqueue(key);
      },
      inventory: () => Promise.resolve(null),
      access: () => Promise.resolve(null),
    };
    server = buildHttpServer({
      api,
      logger: pino(
        { level: 'info' },
        { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
      ),
      hookSecret: new Secret(HOOK_SECRET, 'env:HOOK'),
      apiToken: new Secret(API_TOKEN, 'env:API'),
      hookBodyLimit: 16 * 1024,
    });
    base = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });
  beforeEach(() => {
    requested.length = 0;
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/hooks/okta`, { method: 'POST', body, headers });
  const good = { authorization: HOOK_SECRET, 'content-type': 'application/json' };

  it('answers the verification challenge only with the right Authorization', async () => {
    const ok = await fetch(`${base}/hooks/okta`, {
      headers: { authorization: HOOK_SECRET, 'x-okta-verification-challenge': 'abc123' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ verification: 'abc123' });
    expect(verified).toBe(1);

    const noChallenge = await fetch(`${base}/hooks/okta`, {
      headers: { authorization: HOOK_SECRET },
    });
    expect(noChallenge.status).toBe(400);
    expect(await noChallenge.json()).toMatchObject({ error: { code: 'MISSING_CHALLENGE' } });

    const wrong = await fetch(`${base}/hooks/okta`, {
      headers: { authorization: 'nope', 'x-okta-verification-challenge': 'abc123' },
    });
    expect(wrong.status).toBe(401);
    expect(verified).toBe(1);
  });

  it('journals a delivery, enqueues its keys and acknowledges with an empty 204', async () => {
    const events = [logEvent('e-1'), logEvent('e-2', 'user.session.start')];
    const response = await post(JSON.stringify(delivery(events)), good);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(await store.getEvent('e-1')).toMatchObject({
      state: 'processed',
      channel: 'hook',
      keys: ['user:00u1jdoe2AbCdEfG0h7x', 'group:00g1awsAdm2XyZwV0h7x'],
    });
    expect(await store.getEvent('e-2')).toMatchObject({ state: 'dropped' });
    expect((await store.queueStats()).waiting).toBe(2);

    // A redelivery (Okta's retry) is acknowledged and changes nothing.
    const again = await post(JSON.stringify(delivery(events)), good);
    expect(again.status).toBe(204);
    expect(await store.countEventsByState()).toMatchObject({ processed: 1, dropped: 1 });
  });

  it('rejects bad input with a 4xx and journals nothing', async () => {
    const before = await store.countEventsByState();
    const valid = JSON.stringify(delivery([logEvent('bad-1')]));
    const cases: [string, Promise<Response>, number][] = [
      ['missing Authorization', post(valid, { 'content-type': 'application/json' }), 401],
      ['wrong Authorization', post(valid, { ...good, authorization: `${HOOK_SECRET}x` }), 401],
      ['empty Authorization', post(valid, { ...good, authorization: '' }), 401],
      ['malformed JSON', post('{"eventType": "com.okta.event_hook", ', good), 400],
      ['wrong content type', post(valid, { ...good, 'content-type': 'text/plain' }), 415],
      [
        'oversized body',
        post(
          JSON.stringify(delivery([{ ...logEvent('bad-2'), padding: 'x'.repeat(20 * 1024) }])),
          good,
        ),
        413,
      ],
      ['missing events', post(JSON.stringify({ ...delivery([]), data: {} }), good), 400],
      [
        'event without uuid',
        post(JSON.stringify(delivery([{ ...logEvent('x'), uuid: undefined }])), good),
        400,
      ],
      [
        'not a hook envelope',
        post(JSON.stringify({ ...delivery([logEvent('bad-3')]), eventType: 'x' }), good),
        400,
      ],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      expect({ name, status: response.status }).toEqual({ name, status });
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      expect(typeof body.error?.code, name).toBe('string');
    }
    expect(await store.countEventsByState()).toEqual(before);
    for (const uuid of ['bad-1', 'bad-2', 'bad-3']) expect(await store.getEvent(uuid)).toBeNull();
  });

  it('serves health, readiness and metrics without a token', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toBe('x 1\n');
  });

  it('guards /api/v1 with the bearer token and answers errors in one shape', async () => {
    const unauthorised = await fetch(`${base}/api/v1/events`);
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' },
    });
    const wrong = await fetch(`${base}/api/v1/events`, {
      headers: { authorization: `Bearer ${API_TOKEN}0` },
    });
    expect(wrong.status).toBe(401);

    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const events = await fetch(`${base}/api/v1/events?state=processed&limit=10`, {
      headers: auth,
    });
    expect(events.status).toBe(200);
    const body = (await events.json()) as { events: { uuid: string; state: string }[] };
    expect(body.events.every((e) => e.state === 'processed')).toBe(true);

    const badQuery = await fetch(`${base}/api/v1/events?state=nonsense`, { headers: auth });
    expect(badQuery.status).toBe(400);
    expect(await badQuery.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });

    const missing = await fetch(`${base}/api/v1/runs/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const json = { ...auth, 'content-type': 'application/json' };
    const queued = await fetch(`${base}/api/v1/reconcile`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ key: 'group:00gABC' }),
    });
    expect(queued.status).toBe(202);
    const full = await fetch(`${base}/api/v1/reconcile`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ full: true }),
    });
    expect(await full.json()).toEqual({ key: 'full', state: 'queued' });
    const bad = await fetch(`${base}/api/v1/reconcile`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ key: 'group:a b' }),
    });
    expect(bad.status).toBe(400);
    expect(requested).toEqual(['group:00gABC', 'full']);
  });

  it('logs one access line per request, tied to the Okta request id, without the secret', async () => {
    logLines.length = 0;
    const response = await post(JSON.stringify(delivery([logEvent('access-log-1')])), {
      ...good,
      'x-okta-request-id': 'okta-req-42',
    });
    expect(response.status).toBe(204);
    const access = logLines.filter((line) => line.reqId === 'okta-req-42');
    expect(access.filter((line) => line.msg === 'request completed')).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/hooks/okta',
        statusCode: 204,
        responseTimeMs: expect.any(Number) as number,
      }),
    ]);
    expect(access.filter((line) => line.msg === 'incoming request')).toEqual([]);
    expect(JSON.stringify(logLines)).not.toContain(HOOK_SECRET);
  });
});
