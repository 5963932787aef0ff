/**
 * Fuzzes POST /hooks/okta (the real Fastify server, real event intake, real SQLite journal) with
 * hostile bodies and headers: no input may produce a 5xx, a rejected request journals nothing,
 * and non-JSON or unauthenticated input is always rejected.
 */
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore } from '../../src/adapters/store/open-store.js';
import { ingestEvents } from '../../src/app/sync/event-intake.js';
import type { SyncApi } from '../../src/app/sync/sync-api.js';
import { Secret } from '../../src/core/secret.js';
import type { HttpServer } from '../../src/http/http-server.js';
import { buildHttpServer } from '../../src/http/http-server.js';
import type { Store } from '../../src/ports/store.js';

const HOOK_SECRET = 'fuzz-hook-secret-0123456789';
const SEED = 20_261_130;

let store: Store;
let server: HttpServer;

beforeAll(async () => {
  store = await openStore('sqlite::memory:');
  const unused = () => Promise.reject(new Error('not used by the hook endpoint'));
  const api: SyncApi = {
    ingestHookEvents: (events) => ingestEvents(store, events, 'hook'),
    hookVerified: () => undefined,
    readiness: () => Promise.resolve({ ready: true, checks: [] }),
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
    status: unused,
    listEvents: (query) => store.listEvents(query),
    getEvent: (uuid) => store.getEvent(uuid),
    listRuns: (limit) => store.listRuns(limit),
    getRun: () => Promise.resolve(null),
    requestReconcile: (key) => store.enqueue(key),
    inventory: () => Promise.resolve(null),
    access: () => Promise.resolve(null),
  };
  server = buildHttpServer({
    api,
    logger: pino({ level: 'silent' }),
    hookSecret: new Secret(HOOK_SECRET, 'env:HOOK'),
    apiToken: new Secret('fuzz-api-token-0123456789', 'env:API'),
    hookBodyLimit: 16 * 1024,
  });
  await server.ready();
});
afterAll(async () => {
  await server.close();
  await store.close();
});

async function journalSize(): Promise<number> {
  const counts = await store.countEventsByState();
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

async function post(headers: Record<string, string>, body: string) {
  const before = await journalSize();
  const response = await server.inject({
    method: 'POST',
    url: '/hooks/okta',
    headers,
    payload: body,
  });
  return { status: response.statusCode, journaled: (await journalSize()) - before };
}

const okHeaders = { authorization: HOOK_SECRET, 'content-type': 'application/json' };

/** Event-shaped values with every field possibly wrong. */
const hostileEvent = fc.record(
  {
    uuid: fc.oneof(fc.uuid(), fc.string(), fc.integer(), fc.constant(null)),
    published: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    eventType: fc.oneof(
      fc.constantFrom(
        'group.user_membership.add',
        'group.user_membership.remove',
        'user.lifecycle.deactivate',
        'group.lifecycle.delete',
      ),
      fc.string(),
    ),
    target: fc.oneof(
      fc.array(fc.record({ id: fc.string(), type: fc.constantFrom('User', 'UserGroup', 'x') })),
      fc.anything(),
    ),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

const hostileDelivery = fc.oneof(
  fc.anything(),
  fc.record(
    {
      eventType: fc.oneof(fc.constant('com.okta.event_hook'), fc.string()),
      eventId: fc.oneof(fc.string(), fc.integer()),
      data: fc.oneof(
        fc.record({ events: fc.array(hostileEvent, { maxLength: 5 }) }),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  ),
);

describe('fuzz: POST /hooks/okta', () => {
  it('never answers 5xx to hostile JSON, and a rejected delivery journals nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileDelivery, async (delivery) => {
        const body = JSON.stringify(delivery) ?? 'null';
        const { status, journaled } = await post(okHeaders, body);
        expect(status).toBeLessThan(500);
        if (status >= 400) expect(journaled).toBe(0);
      }),
      { numRuns: 150, seed: SEED },
    );
  });

  it('rejects non-JSON bodies with a 4xx and journals nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' })).filter((text) => {
          try {
            JSON.parse(text);
            return false;
          } catch {
            return true;
          }
        }),
        async (text) => {
          const { status, journaled } = await post(okHeaders, text);
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          expect(journaled).toBe(0);
        },
      ),
      { numRuns: 100, seed: SEED },
    );
  });

  it('rejects hostile headers (wrong secret or content type) with a 4xx and journals nothing', async () => {
    const validDelivery = JSON.stringify({
      eventType: 'com.okta.event_hook',
      eventId: 'fuzz',
      data: {
        events: [
          {
            uuid: 'fuzz-header-event',
            published: '2026-03-02T14:05:11.812Z',
            eventType: 'group.user_membership.add',
            target: [
              { id: '00u1jdoe2AbCdEfG0h7x', type: 'User' },
              { id: '00g1awsAdm2XyZwV0h7x', type: 'UserGroup' },
            ],
          },
        ],
      },
    });
    const headerValue = fc.string({ maxLength: 200 }).filter((v) => /^[\t\x20-\x7e]*$/.test(v));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          authorization: fc.oneof(
            headerValue.filter((v) => v.trim() !== HOOK_SECRET),
            fc.constant(`Bearer ${HOOK_SECRET}`),
            fc.constant(HOOK_SECRET.slice(0, -1)),
          ),
          'content-type': fc.oneof(fc.constant('application/json'), headerValue),
          'x-okta-request-id': headerValue,
        }),
        async (headers) => {
          const { status, journaled } = await post(headers, validDelivery);
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          expect(journaled).toBe(0);
        },
      ),
      { numRuns: 100, seed: SEED },
    );
    expect(await store.getEvent('fuzz-header-event')).toBeNull();
  });
});
