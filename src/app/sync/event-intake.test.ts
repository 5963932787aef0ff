import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openStore } from '../../adapters/store/open-store.js';
import type { LogEvent } from '../../core/events/okta-event-schema.js';
import type { Store } from '../../ports/store.js';
import { ingestEvents } from './event-intake.js';
import { ManualClock } from './test-support/manual-clock.js';

const USER = { id: '00u1jdoe2AbCdEfG0h7x', type: 'User' };
const GROUP = { id: '00g1awsAdm2XyZwV0h7x', type: 'UserGroup' };

function event(uuid: string, eventType: string, target: object[]): LogEvent {
  return { uuid, eventType, published: '2026-01-01T00:00:00.000Z', target } as LogEvent;
}

describe('ingestEvents (real SQLite store, injected clock)', () => {
  let store: Store;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    store = await openStore('sqlite::memory:', { clock: () => clock.now() });
  });
  afterEach(async () => {
    await store.close();
  });

  const claimable = async (): Promise<string[]> => {
    const claimed = await store.claim('probe', { leaseMs: 1000, limit: 10, now: clock.now() });
    for (const key of claimed)
      await store.retryLater(key.key, 'probe', {
        error: 'probe',
        notBefore: clock.now(),
        now: clock.now(),
      });
    return claimed.map((c) => c.key).sort();
  };

  it('runs the user key of a membership event at once and its group key after the settle window', async () => {
    const result = await ingestEvents(
      store,
      [event('e1', 'group.user_membership.add', [USER, GROUP])],
      'hook',
      { settleMs: 2000, now: () => clock.now() },
    );
    expect(result.keys).toEqual([`user:${USER.id}`, `group:${GROUP.id}`]);
    expect(result.settling).toEqual([`group:${GROUP.id}`]);
    expect(await store.getEvent('e1')).toMatchObject({
      state: 'processed',
      keys: [`user:${USER.id}`, `group:${GROUP.id}`],
    });
    expect(await claimable()).toEqual([`user:${USER.id}`]);
    clock.advance(1999);
    expect(await claimable()).toEqual([`user:${USER.id}`]);
    clock.advance(1);
    expect(await claimable()).toEqual([`group:${GROUP.id}`, `user:${USER.id}`]);
  });

  it('runs the group key at once when the same batch also has an event of the group itself', async () => {
    const result = await ingestEvents(
      store,
      [
        event('e1', 'group.user_membership.remove', [USER, GROUP]),
        event('e2', 'group.profile.update', [GROUP]),
      ],
      'hook',
      { settleMs: 2000, now: () => clock.now() },
    );
    expect(result.settling).toEqual([]);
    expect(await claimable()).toEqual([`group:${GROUP.id}`, `user:${USER.id}`]);
  });

  it('keeps the earlier run time of a group key already waiting, and settles nothing at 0', async () => {
    await store.enqueue(`group:${GROUP.id}`, { now: clock.now() });
    await ingestEvents(store, [event('e1', 'group.user_membership.add', [USER, GROUP])], 'hook', {
      settleMs: 2000,
      now: () => clock.now(),
    });
    expect(await claimable()).toEqual([`group:${GROUP.id}`, `user:${USER.id}`]);

    const other = { id: '00g2other0000000000x', type: 'UserGroup' };
    const result = await ingestEvents(
      store,
      [event('e2', 'group.user_membership.add', [USER, other])],
      'hook',
    );
    expect(result.settling).toEqual([]);
    expect(await claimable()).toContain(`group:${other.id}`);
  });

  it('journals dropped and duplicate events without queueing anything for them', async () => {
    const first = await ingestEvents(
      store,
      [event('e1', 'user.session.start', [USER]), event('e1', 'user.session.start', [USER])],
      'hook',
      { settleMs: 2000 },
    );
    expect(first.events.map((e) => e.outcome)).toEqual(['dropped', 'duplicate']);
    expect(await store.getEvent('e1')).toMatchObject({
      state: 'dropped',
      keys: [],
      error: 'irrelevant-type',
    });
    expect(await claimable()).toEqual([]);
  });
});
