import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { OperationalError, SafetyRefusal } from '../../core/errors.js';
import { openStore } from '../../adapters/store/open-store.js';
import type { Store } from '../../ports/store.js';
import { ManualClock } from './test-support/manual-clock.js';
import { TokenBucket } from './token-bucket.js';
import type { KeyReconciler, ReconcileOutcome } from './work-queue-runner.js';
import { backoffDelayMs, WorkQueueRunner } from './work-queue-runner.js';

const logger = pino({ level: 'silent' });

describe('WorkQueueRunner (injected clock, real SQLite store)', () => {
  let store: Store;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    store = await openStore('sqlite::memory:', { clock: () => clock.now() });
  });
  afterEach(async () => {
    await store.close();
  });

  function runner(
    reconcile: KeyReconciler,
    extra: Partial<ConstructorParameters<typeof WorkQueueRunner>[0]> = {},
  ) {
    return new WorkQueueRunner({
      store,
      reconcile,
      logger,
      clock,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      pendingBaseDelayMs: 500,
      pendingMaxDelayMs: 2000,
      maxAttempts: 3,
      leaseMs: 30_000,
      ...extra,
    });
  }

  it('completes a key that reconciles, and it leaves the queue', async () => {
    const seen: string[] = [];
    const r = runner((key) => {
      seen.push(key);
      return Promise.resolve({ status: 'done' });
    });
    await store.enqueue('user:00u1', { now: clock.now() });
    await store.enqueue('user:00u1', { now: clock.now() });
    expect((await r.processOne('w1'))?.outcome).toBe('done');
    expect(await r.processOne('w1')).toBeNull();
    expect(seen).toEqual(['user:00u1']);
    expect(await store.queueStats()).toMatchObject({ waiting: 0, processing: 0, failed: 0 });
  });

  it('retries a retryable failure with exponential backoff, then fails terminally', async () => {
    let calls = 0;
    const r = runner(() => {
      calls += 1;
      return Promise.reject(new OperationalError('sso-admin throttled', 'THROTTLED', true));
    });
    await store.enqueue('group:00g1', { now: clock.now() });

    const first = await r.processOne('w1');
    expect(first).toMatchObject({ outcome: 'retry', attempts: 1 });
    expect(first?.nextAt?.getTime()).toBe(clock.now().getTime() + 1000);
    expect(await r.processOne('w1')).toBeNull();
    clock.advance(999);
    expect(await r.processOne('w1')).toBeNull();
    clock.advance(1);
    const second = await r.processOne('w1');
    expect(second).toMatchObject({ outcome: 'retry', attempts: 2 });
    expect(second?.nextAt?.getTime()).toBe(clock.now().getTime() + 2000);
    clock.advance(2000);
    expect(await r.processOne('w1')).toMatchObject({ outcome: 'failed', attempts: 3 });
    clock.advance(60_000);
    expect(await r.processOne('w1')).toBeNull();
    expect(calls).toBe(3);
    const failed = await store.listFailedKeys(10);
    expect(failed.map((f) => f.key)).toEqual(['group:00g1']);
    expect(failed[0]?.error).toContain('throttled');
  });

  it('records a safety refusal as terminal at once', async () => {
    const r = runner(() => {
      return Promise.reject(new SafetyRefusal('would delete 40 assignments, maxDeletes is 25'));
    });
    await store.enqueue('full', { now: clock.now() });
    expect(await r.processOne('w1')).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect((await store.listFailedKeys(10))[0]?.error).toContain('maxDeletes');
    // Enqueued again, the key starts afresh.
    await store.enqueue('full', { now: clock.now() });
    expect((await store.queueStats()).waiting).toBe(1);
  });

  it('requeues pending keys with bounded backoff and shows them until they converge', async () => {
    let principalExists = false;
    const r = runner((): Promise<ReconcileOutcome> =>
      Promise.resolve(
        principalExists
          ? { status: 'done' }
          : { status: 'pending', reason: 'user not in identity store' },
      ),
    );
    await store.enqueue('user:00u9', { now: clock.now() });
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = await r.processOne('w1');
      expect(result?.outcome).toBe('pending');
      const delay = result!.nextAt!.getTime() - clock.now().getTime();
      delays.push(delay);
      clock.advance(delay);
    }
    expect(delays).toEqual([500, 1000, 2000, 2000, 2000]);
    expect(r.pendingKeys()).toEqual([
      expect.objectContaining({ key: 'user:00u9', reason: 'user not in identity store' }),
    ]);
    // Pending is never terminal, however many attempts.
    expect(await store.listFailedKeys(10)).toEqual([]);
    principalExists = true;
    expect((await r.processOne('w1'))?.outcome).toBe('done');
    expect(r.pendingKeys()).toEqual([]);
  });

  it('runs a key re-added while processing once more afterwards', async () => {
    let calls = 0;
    const r = runner(async (key) => {
      calls += 1;
      if (calls === 1) await store.enqueue(key, { now: clock.now() });
      return { status: 'done' };
    });
    await store.enqueue('group:00g2', { now: clock.now() });
    expect((await r.processOne('w1'))?.outcome).toBe('done');
    expect((await r.processOne('w1'))?.outcome).toBe('done');
    expect(await r.processOne('w1')).toBeNull();
    expect(calls).toBe(2);
  });

  it('reconciles different keys at once, one per worker', async () => {
    const release: (() => void)[] = [];
    let running = 0;
    let most = 0;
    const r = runner(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
      return { status: 'done' };
    });
    for (const key of ['user:00u1', 'user:00u2', 'group:00g1']) {
      await store.enqueue(key, { now: clock.now() });
    }
    const attempts = [r.processOne('w1'), r.processOne('w2'), r.processOne('w3')];
    while (release.length < 3) await new Promise((resolve) => setImmediate(resolve));
    expect(most).toBe(3);
    expect(r.inFlightKeys().sort()).toEqual(['group:00g1', 'user:00u1', 'user:00u2']);
    for (const done of release) done();
    expect((await Promise.all(attempts)).map((a) => a?.outcome)).toEqual(['done', 'done', 'done']);
  });

  it('never lets two workers hold one key, and re-runs a key whose lease expired', async () => {
    await store.enqueue('user:00u3', { now: clock.now() });
    // A worker that claimed the key and then died without settling it.
    const [crashed] = await store.claim('dead-worker', { leaseMs: 30_000, now: clock.now() });
    expect(crashed?.key).toBe('user:00u3');
    const reconciled: number[] = [];
    const r = runner((_key, context) => {
      reconciled.push(context.attempts);
      return Promise.resolve({ status: 'done' });
    });
    expect(await r.processOne('w2')).toBeNull();
    clock.advance(30_001);
    expect(await r.processOne('w2')).toMatchObject({ outcome: 'done', attempts: 2 });
    expect(reconciled).toEqual([2]);
    // The dead worker's late completion is refused: it no longer holds the key.
    expect(await store.complete('user:00u3', 'dead-worker', { now: clock.now() })).toBe(false);
  });

  it('makes a second worker wait while the first holds the key', async () => {
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = new Promise<void>((resolve) => (started = resolve));
    const r = runner(async () => {
      started();
      await gate;
      return { status: 'done' };
    });
    await store.enqueue('group:00g4', { now: clock.now() });
    const first = r.processOne('w1');
    await running;
    expect(r.inFlightKeys()).toEqual(['group:00g4']);
    expect(await r.processOne('w2')).toBeNull();
    release();
    expect((await first)?.outcome).toBe('done');
  });
  /**
   * A pool with the keys it ran and its claims counted. Keys reconcile at once, or, after
   * `hold()`, only once the returned release is called.
   */
  function countingPool(extra: Partial<ConstructorParameters<typeof WorkQueueRunner>[0]>) {
    const claims = vi.spyOn(store, 'claimNext');
    const seen: string[] = [];
    let held: Promise<void> = Promise.resolve();
    const r = runner(async (key) => {
      seen.push(key);
      await held;
      return { status: 'done' };
    }, extra);
    const hold = (): (() => void) => {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return release;
    };
    return { r, claims, seen, hold };
  }

  it('wakes one idle worker per key enqueued, not every idle worker', async () => {
    const { r, claims, seen } = countingPool({ workers: 4 });
    const settle = async (claimCount: number) => {
      while (claims.mock.calls.length < claimCount) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Room for any further claims to show up before the count is checked.
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    r.start();
    await settle(4);
    expect(claims).toHaveBeenCalledTimes(4);
    await store.enqueue('user:00u6', { now: clock.now() });
    r.wake(1);
    // The woken worker claims the key, which was the only one runnable, so it wakes nobody;
    // after the key it finds nothing more. The other three sleep on.
    await settle(6);
    expect(seen).toEqual(['user:00u6']);
    expect(claims).toHaveBeenCalledTimes(6);
    const stopping = r.stop(1000);
    clock.advance(1000);
    await stopping;
  });

  it('polls with one idle worker, which hands polling on when keys come due by time', async () => {
    const { r, claims, seen, hold } = countingPool({
      workers: 4,
      idlePollMs: 500,
      keysPerSecond: 1000,
    });
    const quiet = async () => {
      for (let i = 0; i < 100; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    r.start();
    await quiet();
    expect(claims).toHaveBeenCalledTimes(4);
    // Idle: three poll intervals cost three claims, not three per worker.
    for (let i = 0; i < 3; i++) {
      clock.advance(500);
      await quiet();
    }
    expect(claims).toHaveBeenCalledTimes(7);
    // Three keys come due with no wake (retries, or queued by another process): the poller
    // takes one and, seeing more, wakes another worker, and so on, so all three run at once
    // within one poll interval. The last claim sees no more and wakes nobody.
    const release = hold();
    const dueAt = new Date(clock.now().getTime() + 200);
    await store.enqueueAll(['user:00ua', 'user:00ub', 'user:00uc'], {
      notBefore: dueAt,
      now: clock.now(),
    });
    clock.advance(500);
    await quiet();
    expect(r.inFlightKeys().sort()).toEqual(['user:00ua', 'user:00ub', 'user:00uc']);
    expect(claims).toHaveBeenCalledTimes(10);
    release();
    await quiet();
    expect(seen.sort()).toEqual(['user:00ua', 'user:00ub', 'user:00uc']);
    expect(await store.queueStats()).toMatchObject({ waiting: 0, processing: 0 });
    const stopping = r.stop(1000);
    clock.advance(1000);
    await stopping;
  });

  it('releases a key still running at shutdown so that the next process takes it at once', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const r = runner(
      () => {
        started();
        return new Promise<never>(() => undefined);
      },
      { workers: 1 },
    );
    await store.enqueue('group:00g5', { now: clock.now() });
    r.start();
    await running;
    const stopping = r.stop(5000);
    clock.advance(5000);
    await stopping;
    // Well inside the 30 s lease, another process can claim it: the lease was released.
    const [next] = await store.claim('next-process', { leaseMs: 1000, now: clock.now() });
    expect(next).toMatchObject({ key: 'group:00g5' });
    expect(await store.listFailedKeys(10)).toEqual([]);
  });
});

describe('backoff and token bucket', () => {
  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 100].map((a) => backoffDelayMs(a, 100, 1000))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });

  it('lets a burst through, then one token per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.waitMs()).toBe(100);
    now += 50;
    expect(bucket.tryTake()).toBe(false);
    now += 50;
    expect(bucket.tryTake()).toBe(true);
    now += 10_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
