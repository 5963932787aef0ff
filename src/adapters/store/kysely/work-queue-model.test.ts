/**
 * Model-based test of the durable work queue: random sequences of enqueue, claim, complete,
 * retry, terminal failure and clock moves run against a real (in-memory SQLite) store and a
 * plain in-memory model of the documented semantics; after every step both must agree.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { expect } from 'vitest';

import type { Store } from '../../../ports/store.js';
import { openStore } from '../open-store.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(T0 + ms).toISOString();

interface Entry {
  state: 'waiting' | 'processing' | 'failed';
  notBefore: number;
  attempts: number;
  dirty: boolean;
  dirtyNotBefore: number | null;
  worker: string | null;
  lease: number;
  lastError: string | null;
  enqueuedAt: number;
}

interface Model {
  now: number;
  keys: Map<string, Entry>;
}

interface Real {
  store: Store;
}

type Command = fc.AsyncCommand<Model, Real>;

const held = (m: Model, key: string, worker: string): Entry | undefined => {
  const e = m.keys.get(key);
  return e?.state === 'processing' && e.worker === worker ? e : undefined;
};

async function checkStats(m: Model, r: Real): Promise<void> {
  const entries = [...m.keys.values()];
  const pending = entries.filter((e) => e.state !== 'failed').map((e) => e.enqueuedAt);
  expect(await r.store.queueStats()).toEqual({
    waiting: entries.filter((e) => e.state === 'waiting').length,
    processing: entries.filter((e) => e.state === 'processing').length,
    failed: entries.filter((e) => e.state === 'failed').length,
    oldest: pending.length === 0 ? null : iso(Math.min(...pending)),
  });
}

class Enqueue implements Command {
  constructor(
    readonly key: string,
    readonly delay: number,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const notBefore = m.now + this.delay;
    await r.store.enqueue(this.key, {
      now: new Date(T0 + m.now),
      notBefore: new Date(T0 + notBefore),
    });
    const e = m.keys.get(this.key);
    if (!e || e.state === 'failed') {
      m.keys.set(this.key, {
        state: 'waiting',
        notBefore,
        attempts: 0,
        dirty: false,
        dirtyNotBefore: null,
        worker: null,
        lease: 0,
        lastError: e?.lastError ?? null,
        enqueuedAt: m.now,
      });
    } else if (e.state === 'waiting') {
      e.notBefore = Math.min(e.notBefore, notBefore);
    } else {
      e.dirty = true;
      e.dirtyNotBefore = Math.min(e.dirtyNotBefore ?? Infinity, notBefore);
    }
    await checkStats(m, r);
  }
  toString = (): string => `enqueue(${this.key}, +${this.delay})`;
}

/** `claim` with a limit, or (limit null) `claimNext`. */
class Claim implements Command {
  constructor(
    readonly worker: string,
    readonly limit: number | null,
    readonly leaseMs: number,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const now = new Date(T0 + m.now);
    const next =
      this.limit === null
        ? await r.store.claimNext(this.worker, { leaseMs: this.leaseMs, now })
        : null;
    const claimed =
      next === null
        ? await r.store.claim(this.worker, { leaseMs: this.leaseMs, limit: this.limit!, now })
        : next.claimed === null
          ? []
          : [next.claimed];
    const allRunnable = [...m.keys.entries()]
      .filter(
        ([, e]) =>
          (e.state === 'waiting' && e.notBefore <= m.now) ||
          (e.state === 'processing' && e.lease <= m.now),
      )
      .sort(([ka, a], [kb, b]) => a.notBefore - b.notBefore || (ka < kb ? -1 : 1));
    const runnable = allRunnable.slice(0, this.limit ?? 1);
    if (next !== null) expect(next.moreRunnable).toBe(allRunnable.length > 1);
    const expected = runnable.map(([key, e]) => {
      e.state = 'processing';
      e.worker = this.worker;
      e.lease = m.now + this.leaseMs;
      e.attempts += 1;
      return {
        key,
        attempts: e.attempts,
        enqueuedAt: iso(e.enqueuedAt),
        leaseExpiresAt: iso(e.lease),
        lastError: e.lastError,
      };
    });
    expect(claimed).toEqual(expected);
    await checkStats(m, r);
  }
  toString = (): string =>
    this.limit === null
      ? `claimNext(${this.worker}, ${this.leaseMs}ms)`
      : `claim(${this.worker}, ${this.limit}, ${this.leaseMs}ms)`;
}

/**
 * Releases a key. With `pick` it releases the pick-th key currently held (so most releases hit a
 * real holder); otherwise the given key and worker, which are often wrong or stale.
 */
class Release implements Command {
  key = '';
  worker = '';
  constructor(
    readonly how: 'complete' | 'retry' | 'fail',
    readonly target: { pick: number } | { key: string; worker: string },
    readonly delay: number,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    if ('pick' in this.target) {
      const holding = [...m.keys.entries()].filter(([, e]) => e.state === 'processing').sort();
      const chosen = holding[this.target.pick % Math.max(holding.length, 1)];
      this.key = chosen?.[0] ?? 'a';
      this.worker = chosen?.[1].worker ?? 'w1';
    } else {
      ({ key: this.key, worker: this.worker } = this.target);
    }
    const now = new Date(T0 + m.now);
    const error = `${this.how}-error@${m.now}`;
    const ok =
      this.how === 'complete'
        ? await r.store.complete(this.key, this.worker, { now })
        : this.how === 'retry'
          ? await r.store.retryLater(this.key, this.worker, {
              now,
              error,
              notBefore: new Date(T0 + m.now + this.delay),
            })
          : await r.store.failTerminal(this.key, this.worker, error, { now });
    const e = held(m, this.key, this.worker);
    expect(ok).toBe(e !== undefined);
    if (e) {
      e.worker = null;
      if (this.how === 'retry') {
        Object.assign(e, {
          state: 'waiting',
          notBefore: m.now + this.delay,
          dirty: false,
          dirtyNotBefore: null,
          lastError: error,
        });
      } else if (e.dirty) {
        Object.assign(e, {
          state: 'waiting',
          notBefore: e.dirtyNotBefore,
          attempts: 0,
          dirty: false,
          dirtyNotBefore: null,
          enqueuedAt: m.now,
          lastError: this.how === 'fail' ? error : null,
        });
      } else if (this.how === 'complete') {
        m.keys.delete(this.key);
      } else {
        Object.assign(e, { state: 'failed', lastError: error });
      }
    }
    await checkStats(m, r);
  }
  toString = (): string => `${this.how}(${this.key}, ${this.worker}, +${this.delay})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  run(m: Model): Promise<void> {
    m.now += this.ms;
    return Promise.resolve();
  }
  toString = (): string => `advance(${this.ms})`;
}

const key = fc.constantFrom('a', 'b', 'c', 'd');
const worker = fc.constantFrom('w1', 'w2', 'w3');
const commands = [
  fc.tuple(key, fc.integer({ min: 0, max: 50 })).map(([k, d]) => new Enqueue(k, d)),
  fc
    .tuple(
      worker,
      fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      fc.integer({ min: 1, max: 40 }),
    )
    .map(([w, l, ms]) => new Claim(w, l, ms)),
  fc
    .tuple(
      fc.constantFrom('complete' as const, 'retry' as const, 'fail' as const),
      fc.oneof(
        { weight: 4, arbitrary: fc.nat(5).map((pick) => ({ pick })) },
        { weight: 1, arbitrary: fc.record({ key, worker }) },
      ),
      fc.integer({ min: 0, max: 50 }),
    )
    .map(([how, target, d]) => new Release(how, target, d)),
  fc.integer({ min: 1, max: 30 }).map((ms) => new Advance(ms)),
];

describe('work queue model', () => {
  it('agrees with the documented semantics on every random sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 50, size: 'max' }), async (cmds) => {
        const store = await openStore('sqlite::memory:', { clock: () => new Date(T0) });
        try {
          await fc.asyncModelRun(
            () => ({ model: { now: 0, keys: new Map() }, real: { store } }),
            cmds,
          );
        } finally {
          await store.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});
