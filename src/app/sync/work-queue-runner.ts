/**
 * The worker pool over the durable work queue in the store. Each worker claims one key at a
 * time under a lease, runs the key's reconciler and settles the key:
 * - done → `complete` (the store re-runs it once more if it was re-added meanwhile);
 * - pending (a principal SCIM has not created yet) → `retryLater` with bounded backoff, forever;
 * - a retryable failure → `retryLater` with per-key exponential backoff, up to `maxAttempts`;
 * - a non-retryable failure (safety refusal, bad config, non-retryable AWS error) or too many
 *   attempts → `failTerminal`, recorded and not retried until the key is enqueued again.
 * A global token bucket bounds how many keys start per second, whatever their backoff.
 */
import { randomUUID } from 'node:crypto';

import type { Logger } from 'pino';

import { ConfigError, OperationalError, SafetyRefusal, UsageError } from '../../core/errors.js';
import type { ClaimedKey, Store } from '../../ports/store.js';
import type { SyncClock } from './sync-clock.js';
import { systemClock } from './sync-clock.js';
import { TokenBucket } from './token-bucket.js';

/** What a reconciler reports for one key. */
export type ReconcileOutcome =
  | { readonly status: 'done'; readonly runId?: string | null; readonly changes?: number }
  /** Waiting on something outside our control that will appear (SCIM lag); retried, bounded. */
  | { readonly status: 'pending'; readonly reason: string; readonly runId?: string | null };

/** What a reconciler gets besides the key. */
export interface ReconcileContext {
  /** Ties the log lines of this attempt together (and to the AWS request ids it logs). */
  readonly correlationId: string;
  /** Claims of this key so far, this one included. */
  readonly attempts: number;
  readonly logger: Logger;
  /** Aborted when the service shuts down and the grace period is over. */
  readonly signal: AbortSignal;
}

/** Reconciles one key; throws to report a failure (see the module comment for the policy). */
export type KeyReconciler = (key: string, context: ReconcileContext) => Promise<ReconcileOutcome>;

/** How one attempt ended, for metrics and tests. */
export interface KeyAttemptResult {
  readonly key: string;
  readonly attempts: number;
  readonly outcome: 'done' | 'pending' | 'retry' | 'failed' | 'lost-lease' | 'released';
  readonly durationMs: number;
  readonly error?: string;
  /** When a retry or pending key runs next. */
  readonly nextAt?: Date;
}

export interface WorkQueueRunnerOptions {
  readonly store: Store;
  readonly reconcile: KeyReconciler;
  readonly logger: Logger;
  readonly clock?: SyncClock;
  /** Concurrent workers; default 4. */
  readonly workers?: number;
  /** Lease per claim (ms); renewed at a third of it while the key runs. Default 60 000. */
  readonly leaseMs?: number;
  /** First retry delay (ms), doubled per attempt. Default 1000. */
  readonly baseDelayMs?: number;
  /** Longest retry delay (ms). Default 300 000. */
  readonly maxDelayMs?: number;
  /** First and longest delay for pending keys (ms). Default 2000 and 60 000. */
  readonly pendingBaseDelayMs?: number;
  readonly pendingMaxDelayMs?: number;
  /** Attempts before a retryable failure becomes terminal. Default 8. */
  readonly maxAttempts?: number;
  /** Global token bucket: keys started per second, and burst. Default 20/s, burst 20. */
  readonly keysPerSecond?: number;
  readonly burst?: number;
  /** How long an idle worker sleeps before looking for work again (ms). Default 500. */
  readonly idlePollMs?: number;
  /** Called after every attempt. */
  readonly onAttempt?: (result: KeyAttemptResult) => void;
}

/** Exponential backoff: `base × 2^(attempts−1)`, capped at `max`. */
export function backoffDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^31 already exceeds any sensible cap; avoid Infinity arithmetic.
  return Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 31));
}

/** True when trying again later can help. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SafetyRefusal || error instanceof UsageError) return false;
  if (error instanceof ConfigError) return false;
  if (error instanceof OperationalError) return error.retryable;
  // An unclassified error (network reset, a bug) gets the bounded retries, not an instant verdict.
  return true;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** A pending key as status and metrics show it. */
export interface PendingKey {
  readonly key: string;
  readonly reason: string;
  readonly since: string;
  readonly attempts: number;
}

/** How many poll intervals an idle worker that is not the poller sleeps at most. */
const IDLE_BACKSTOP_POLLS = 60;

export class WorkQueueRunner {
  readonly #options: WorkQueueRunnerOptions;
  readonly #clock: SyncClock;
  readonly #bucket: TokenBucket;
  readonly #instance = randomUUID().slice(0, 8);
  readonly #pending = new Map<string, PendingKey>();
  /** Keys being reconciled, with the worker holding each. */
  readonly #inFlight = new Map<string, string>();
  #loops: Promise<void>[] = [];
  #stopping = new AbortController();
  #hardStop = new AbortController();
  /** One per idle worker, aborted to wake it. */
  readonly #idle = new Set<AbortController>();
  /**
   * The idle worker that looks for work every `idlePollMs` (keys that came due, keys another
   * process queued); the other idle workers sleep until woken. Null while no worker polls.
   */
  #poller: string | null = null;
  #running = false;

  constructor(options: WorkQueueRunnerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#bucket = new TokenBucket(
      options.keysPerSecond ?? 20,
      options.burst ?? options.keysPerSecond ?? 20,
      () => this.#clock.now().getTime(),
    );
  }

  /** Keys waiting on a principal that does not exist yet, with why and since when. */
  pendingKeys(): PendingKey[] {
    return [...this.#pending.values()];
  }

  /** Keys being reconciled by this process right now. */
  inFlightKeys(): string[] {
    return [...this.#inFlight.keys()];
  }

  /**
   * Wakes up to `count` idle workers now (after enqueueing that many keys), instead of at their
   * next poll; default all. A worker that finds nothing goes back to sleep, so waking one per key
   * spares the store a claim per idle worker on every enqueue.
   */
  wake(count = Number.POSITIVE_INFINITY): void {
    let left = count;
    for (const waiter of this.#idle) {
      if (left-- <= 0) break;
      this.#idle.delete(waiter);
      waiter.abort();
    }
  }

  /** Starts the worker loops. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = new AbortController();
    this.#hardStop = new AbortController();
    const count = this.#options.workers ?? 4;
    this.#loops = Array.from({ length: count }, (_, index) =>
      this.#loop(`${this.#instance}-w${index}`),
    );
  }

  /**
   * Stops claiming and waits up to `graceMs` for keys in flight. Keys still running then are
   * released (runnable at once, attempt not counted as a failure) so that the next process or
   * another replica takes them without waiting for the lease to expire; their reconciles are
   * signalled to abort and are not awaited.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.#running) return;
    this.#stopping.abort();
    this.wake();
    const settled = Promise.allSettled(this.#loops);
    const timer = new AbortController();
    const finished = await Promise.race([
      settled.then(() => true),
      this.#clock.sleep(graceMs, timer.signal).then(() => false),
    ]);
    timer.abort();
    if (!finished) {
      this.#hardStop.abort();
      const now = this.#clock.now();
      for (const [key, workerId] of this.#inFlight) {
        const released = await this.#options.store
          .retryLater(key, workerId, { error: 'released at shutdown', notBefore: now, now })
          .catch(() => false);
        this.#options.logger.warn({ key, released }, 'key still running at shutdown; released');
      }
    }
    this.#running = false;
  }

  async #loop(workerId: string): Promise<void> {
    const idle = this.#options.idlePollMs ?? 500;
    while (!this.#stopping.signal.aborted) {
      let result: KeyAttemptResult | null;
      try {
        const wait = this.#bucket.waitMs();
        if (wait > 0) {
          await this.#clock.sleep(wait, this.#stopping.signal);
          continue;
        }
        result = await this.processOne(workerId);
      } catch (error) {
        // The store is unreachable or similar: keep the loop alive, it is the only worker.
        this.#options.logger.error({ err: describe(error), workerId }, 'worker loop error');
        await this.#clock.sleep(idle, this.#stopping.signal);
        continue;
      }
      if (result === null) {
        // One idle worker polls; the rest wait to be woken (by an enqueue in this process, or by
        // a worker that claimed a key), so an idle pool costs the store one claim per
        // `idlePollMs`, not one per worker. The long backstop only bounds a missed wake.
        this.#poller ??= workerId;
        const polling = this.#poller === workerId;
        const waiter = new AbortController();
        this.#idle.add(waiter);
        await this.#clock.sleep(
          polling ? idle : idle * IDLE_BACKSTOP_POLLS,
          AbortSignal.any([waiter.signal, this.#stopping.signal]),
        );
        this.#idle.delete(waiter);
      }
    }
  }

  /**
   * Claims one runnable key as `workerId` and processes it; null when nothing is runnable. Takes
   * a token from the global bucket for the key it claims. Tests drive the queue with this and an
   * injected clock.
   */
  async processOne(workerId: string): Promise<KeyAttemptResult | null> {
    const store = this.#options.store;
    const leaseMs = this.#options.leaseMs ?? 60_000;
    const { claimed, moreRunnable } = await store.claimNext(workerId, {
      leaseMs,
      now: this.#clock.now(),
    });
    if (!claimed) return null;
    if (this.#poller === workerId) this.#poller = null;
    // Not every runnable key comes with a wake: keys that came due, keys re-queued because they
    // changed while they ran, keys another process queued. A claim that saw more wakes one idle
    // worker, which fills the pool from such a backlog one claim at a time; one that saw none
    // wakes nobody, so a pool fed by wakes spends no claim that finds nothing.
    if (moreRunnable) this.wake(1);
    this.#bucket.tryTake();
    const run = this.#process(workerId, claimed, leaseMs);
    this.#inFlight.set(claimed.key, workerId);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(claimed.key);
    }
  }

  async #process(
    workerId: string,
    claimed: ClaimedKey,
    leaseMs: number,
  ): Promise<KeyAttemptResult> {
    const { store } = this.#options;
    const { key, attempts } = claimed;
    const correlationId = `${key}#${randomUUID().slice(0, 8)}`;
    const logger = this.#options.logger.child({ key, correlationId, attempts });
    const startedAt = this.#clock.now().getTime();
    const renewer = new AbortController();
    let leaseLost = false;
    const renewing = (async () => {
      while (!renewer.signal.aborted) {
        await this.#clock.sleep(leaseMs / 3, renewer.signal);
        if (renewer.signal.aborted) return;
        const held = await store
          .renewLease(key, workerId, { leaseMs, now: this.#clock.now() })
          .catch(() => true);
        if (!held) {
          leaseLost = true;
          logger.warn('lease lost while reconciling; another worker may run the key');
          return;
        }
      }
    })();

    let outcome: ReconcileOutcome | null = null;
    let failure: unknown = null;
    try {
      outcome = await this.#options.reconcile(key, {
        correlationId,
        attempts,
        logger,
        signal: this.#hardStop.signal,
      });
    } catch (error) {
      failure = error;
    } finally {
      renewer.abort();
      await renewing;
    }
    const now = this.#clock.now();
    const durationMs = now.getTime() - startedAt;
    const base = { key, attempts, durationMs };
    let result: KeyAttemptResult;

    if (this.#hardStop.signal.aborted && failure !== null) {
      // Shutting down mid-key: hand the key back runnable at once, without counting a failure.
      await store.retryLater(key, workerId, { error: 'released at shutdown', notBefore: now, now });
      result = { ...base, outcome: 'released', error: describe(failure) };
    } else if (outcome?.status === 'done') {
      this.#pending.delete(key);
      const held = await store.complete(key, workerId, { now });
      result = { ...base, outcome: held ? 'done' : 'lost-lease' };
    } else if (outcome?.status === 'pending') {
      const delay = backoffDelayMs(
        attempts,
        this.#options.pendingBaseDelayMs ?? 2000,
        this.#options.pendingMaxDelayMs ?? 60_000,
      );
      const nextAt = new Date(now.getTime() + delay);
      const previous = this.#pending.get(key);
      this.#pending.set(key, {
        key,
        reason: outcome.reason,
        since: previous?.since ?? now.toISOString(),
        attempts,
      });
      const held = await store.retryLater(key, workerId, {
        error: `pending: ${outcome.reason}`,
        notBefore: nextAt,
        now,
      });
      result = { ...base, outcome: held ? 'pending' : 'lost-lease', nextAt };
    } else {
      const error = describe(failure);
      const maxAttempts = this.#options.maxAttempts ?? 8;
      if (isRetryable(failure) && attempts < maxAttempts) {
        const delay = backoffDelayMs(
          attempts,
          this.#options.baseDelayMs ?? 1000,
          this.#options.maxDelayMs ?? 300_000,
        );
        const nextAt = new Date(now.getTime() + delay);
        const held = await store.retryLater(key, workerId, { error, notBefore: nextAt, now });
        result = { ...base, outcome: held ? 'retry' : 'lost-lease', error, nextAt };
      } else {
        this.#pending.delete(key);
        const held = await store.failTerminal(key, workerId, error, { now });
        result = { ...base, outcome: held ? 'failed' : 'lost-lease', error };
      }
    }
    if (leaseLost && result.outcome !== 'lost-lease') result = { ...result, outcome: 'lost-lease' };
    const level =
      result.outcome === 'failed' ? 'error' : result.outcome === 'retry' ? 'warn' : 'info';
    logger[level](
      { outcome: result.outcome, durationMs, ...(result.error ? { err: result.error } : {}) },
      'reconciled key',
    );
    this.#options.onAttempt?.(result);
    return result;
  }
}
