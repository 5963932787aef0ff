/**
 * One adaptive rate limiter per AWS service, shared by every caller in the process (discovery,
 * the executor, status polls). AWS budgets are collective per service (20 TPS for sso-admin and
 * for identitystore, aws-identity-center.md §7), so a limiter per caller would let two callers
 * together exceed the budget and drain the SDK retry quota in a throttling storm.
 */

/** The AWS services the product talks to; each gets its own budget. */
export const AwsServiceNames = [
  'sso-admin',
  'identitystore',
  'organizations',
  'iam',
  'sts',
] as const;
export type AwsServiceName = (typeof AwsServiceNames)[number];

/** Time source, injectable so that tests of pacing need no real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface RateLimiterOptions {
  /** Sustained requests per second when AWS is not throttling. Default 20 (the AWS default quota). */
  readonly ratePerSecond?: number;
  /**
   * Requests that may leave back to back after an idle period. Default 1: strict pacing, so no
   * one-second window ever sees more than ratePerSecond + 1 requests.
   */
  readonly burst?: number;
  /**
   * Requests in flight at once. Default 10, or a tenth of `ratePerSecond` when that is more: by
   * Little's law a fixed 10 caps throughput at 10 ÷ response time, under a raised quota's rate.
   */
  readonly maxConcurrency?: number;
  /** Floor for the adaptive rate. Default ratePerSecond / 10. */
  readonly minRatePerSecond?: number;
  /** Multiplier applied to the rate on a throttle. Default 0.7. */
  readonly decreaseFactor?: number;
  /** Share of the configured rate regained per successful request. Default 0.02. */
  readonly recoveryPerSuccess?: number;
  readonly clock?: Clock;
}

/** The default concurrency for a rate (see RateLimiterOptions.maxConcurrency). */
export function defaultConcurrency(ratePerSecond: number): number {
  return Math.max(10, Math.ceil(ratePerSecond / 10));
}

/**
 * A paced, concurrency-bounded gate with additive-increase / multiplicative-decrease of its rate.
 * Slots are handed out first come, first served: each `acquire` reserves the next send time
 * synchronously (GCRA), so waiting callers can neither overtake nor starve one another.
 */
export class AdaptiveRateLimiter {
  readonly maxRatePerSecond: number;
  readonly maxConcurrency: number;
  private readonly minRate: number;
  private readonly burst: number;
  private readonly decreaseFactor: number;
  private readonly recoveryPerSuccess: number;
  private readonly clock: Clock;
  private rate: number;
  /** Theoretical arrival time of the next request (GCRA), in clock milliseconds. */
  private nextAt = Number.NEGATIVE_INFINITY;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private throttleCount = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.maxRatePerSecond = positive(options.ratePerSecond ?? 20, 'ratePerSecond');
    this.maxConcurrency = Math.max(
      1,
      Math.floor(options.maxConcurrency ?? defaultConcurrency(this.maxRatePerSecond)),
    );
    this.minRate = Math.min(
      this.maxRatePerSecond,
      positive(options.minRatePerSecond ?? this.maxRatePerSecond / 10, 'minRatePerSecond'),
    );
    this.burst = Math.max(1, options.burst ?? 1);
    this.decreaseFactor = options.decreaseFactor ?? 0.7;
    this.recoveryPerSuccess = options.recoveryPerSuccess ?? 0.02;
    this.clock = options.clock ?? systemClock;
    this.rate = this.maxRatePerSecond;
  }

  /** The rate currently allowed, in requests per second (drops on throttling, then recovers). */
  get currentRatePerSecond(): number {
    return this.rate;
  }

  /** Throttle responses reported through `onThrottle` since construction. */
  get throttles(): number {
    return this.throttleCount;
  }

  /**
   * Waits for a concurrency slot and then for the next send slot. Resolves to `release`, which
   * the caller must call exactly once when the request has completed (success or failure).
   */
  async acquire(): Promise<() => void> {
    await this.enter();
    const interval = 1000 / this.rate;
    const now = this.clock.now();
    const tat = Math.max(this.nextAt, now);
    const sendAt = tat - (this.burst - 1) * interval;
    this.nextAt = tat + interval;
    if (sendAt > now) await this.clock.sleep(sendAt - now);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leave();
    };
  }

  /**
   * Reports a throttle: the rate drops by decreaseFactor, at most once per current interval ×
   * concurrency, so that one burst of in-flight requests all being throttled counts as one signal.
   */
  onThrottle(): void {
    this.throttleCount += 1;
    const now = this.clock.now();
    const window = (1000 / this.rate) * this.maxConcurrency;
    if (now - this.lastDecreaseAt < window) return;
    this.lastDecreaseAt = now;
    this.rate = Math.max(this.minRate, this.rate * this.decreaseFactor);
  }

  /** Reports a success: the rate climbs back towards the configured maximum. */
  onSuccess(): void {
    if (this.rate >= this.maxRatePerSecond) return;
    this.rate = Math.min(
      this.maxRatePerSecond,
      this.rate + this.maxRatePerSecond * this.recoveryPerSuccess,
    );
  }

  /** Milliseconds to wait before retry `attempt` (1-based) of a throttled or failed request. */
  backoffMs(attempt: number, baseMs: number, capMs: number): number {
    return Math.random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  }

  private enter(): Promise<void> {
    if (this.inFlight < this.maxConcurrency) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private leave(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so inFlight stays the same.
    if (next) next();
    else this.inFlight -= 1;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}
