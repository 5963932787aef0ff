import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { lazyOktaClient, lazyOktaHttp } from '../../adapters/okta/okta-client.js';
import { OktaLogReader } from '../../adapters/okta/okta-log-reader.js';
import { OktaRequestGate } from '../../adapters/okta/okta-request-gate.js';
import { openStore } from '../../adapters/store/open-store.js';
import type { Store } from '../../ports/store.js';
import type { OktaSimulator } from '../../sim/okta/okta-simulator.js';
import { startOktaSimulator } from '../../sim/okta/okta-simulator.js';
import { ingestEvents } from './event-intake.js';
import { OktaLogPoller, SYSTEM_LOG_CURSOR } from './okta-log-poller.js';

const logger = pino({ level: 'silent' });

describe('OktaLogPoller against the Okta simulator (real SDK over HTTP)', () => {
  let okta: OktaSimulator;
  let store: Store;
  let reader: OktaLogReader;

  beforeAll(async () => {
    okta = await startOktaSimulator({ token: 'poller-test-token', seed: 7 });
    store = await openStore('sqlite::memory:');
    // One attempt per request: the poller, not the gate, owns the 429 backoff.
    const client = lazyOktaClient({
      orgUrl: okta.orgUrl,
      auth: { kind: 'ssws', token: okta.token },
      gate: new OktaRequestGate({ maxRateLimitedAttempts: 1, maxTransientAttempts: 1 }),
    });
    reader = new OktaLogReader(lazyOktaHttp(client), okta.orgUrl);
  });
  afterAll(async () => {
    await store.close();
    await okta.close();
  });

  const poller = () =>
    new OktaLogPoller({ store, source: reader, logger, pageLimit: 2, initialLookbackMs: 60_000 });

  it('journals relevant events from the log, follows pages and persists the cursor', async () => {
    const alice = okta.control.admin({ action: 'createUser', login: 'alice@example.com' }) as {
      id: string;
    };
    const group = okta.control.admin({ action: 'createGroup', name: 'aws-readonly' }) as {
      id: string;
    };
    okta.control.admin({ action: 'addMember', group: group.id, user: alice.id });
    okta.control.admin({ action: 'suspendUser', user: alice.id });
    await okta.control.settle();

    const result = await poller().pollOnce();
    expect(result.pages).toBeGreaterThanOrEqual(2);
    const events = await store.listEvents({ limit: 100 });
    const types = events.map((e) => e.eventType).sort();
    // user.lifecycle.create is not a sync event type: it is not journaled at all.
    expect(types).toEqual([
      'group.lifecycle.create',
      'group.user_membership.add',
      'user.lifecycle.activate',
      'user.lifecycle.suspend',
    ]);
    expect(events.every((e) => e.channel === 'systemLog' && e.state === 'processed')).toBe(true);
    const membership = events.find((e) => e.eventType === 'group.user_membership.add');
    expect(membership?.keys).toEqual([`user:${alice.id}`, `group:${group.id}`]);
    expect((await store.queueStats()).waiting).toBe(2); // user:alice and group:aws-readonly
    expect(await store.getCursor(SYSTEM_LOG_CURSOR)).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs\?/,
    );
  });

  it('handles an empty page and resumes from the saved cursor after a restart', async () => {
    const empty = await poller().pollOnce();
    expect(empty).toMatchObject({ pages: 1, events: 0, added: 0 });

    const bob = okta.control.admin({ action: 'createUser', login: 'bob@example.com' }) as {
      id: string;
    };
    okta.control.admin({ action: 'deactivateUser', user: bob.id });
    await okta.control.settle();
    // A new poller instance, as after a restart: only the new events are read.
    const restarted = await poller().pollOnce();
    expect(restarted.added).toBe(2);
    expect((await store.listEvents({ limit: 100 })).map((e) => e.eventType)).toContain(
      'user.lifecycle.deactivate',
    );
  });

  it('deduplicates against events a hook already delivered', async () => {
    const carol = okta.control.admin({ action: 'createUser', login: 'carol@example.com' }) as {
      id: string;
    };
    okta.control.admin({ action: 'suspendUser', user: carol.id });
    await okta.control.settle();
    const suspended = okta.control
      .logEvents()
      .filter((e) => e.eventType === 'user.lifecycle.suspend')
      .at(-1)!;
    const hook = await ingestEvents(store, [suspended as never], 'hook');
    expect(hook.events[0]?.outcome).toBe('queued');
    const result = await poller().pollOnce();
    // Only carol's activation is new; the suspension came through the hook first.
    expect(result.added).toBe(1);
    expect((await store.getEvent(suspended.uuid))?.channel).toBe('hook');
  });

  it('backs off on 429 until X-Rate-Limit-Reset and keeps the cursor', async () => {
    const before = await store.getCursor(SYSTEM_LOG_CURSOR);
    okta.control.setRateLimits({ forceNext: 1 });
    const started = Date.now();
    const result = await poller().pollOnce();
    expect(result.rateLimitedUntil).toBeInstanceOf(Date);
    // Reset is a whole second in the future at most a minute away, plus the 1 s margin.
    expect(result.rateLimitedUntil!.getTime()).toBeGreaterThan(started);
    expect(result.pages).toBe(0);
    expect(await store.getCursor(SYSTEM_LOG_CURSOR)).toBe(before);
    expect((await poller().pollOnce()).rateLimitedUntil).toBeUndefined();
  });
});
