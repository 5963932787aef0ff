/** Per-endpoint buckets, after Okta's published management limits. */
export const rateLimitBuckets = [
  'logs',
  'groups',
  'group',
  'users',
  'user',
  'eventHooks',
  'token',
  'other',
] as const;
export type RateLimitBucket = (typeof rateLimitBuckets)[number];

/** Workforce Identity historical defaults per minute (reference §5.2). */
export const defaultPerMinute: Readonly<Record<RateLimitBucket, number>> = {
  logs: 120,
  groups: 500,
  group: 1000,
  users: 600,
  user: 2000,
  eventHooks: 1200,
  token: 600,
  other: 1200,
};

/**
 * Rate-limit behaviour. `enabled: false` turns limiting off (headers are still sent). `windowMs`
 * lets tests scale Okta's one-minute window down. `forceNext` answers the next N API requests with
 * 429 whatever the counts, for retry tests.
 */
export interface RateLimitSettings {
  enabled?: boolean;
  windowMs?: number;
  perMinute?: Partial<Record<RateLimitBucket, number>>;
  /** Simultaneous in-flight requests before 429 with Limit/Remaining 0; default 75. */
  concurrency?: number;
  forceNext?: number;
}

export interface RateLimitDecision {
  limit: number;
  remaining: number;
  /** UTC epoch seconds when the bucket refills. */
  reset: number;
  limited: boolean;
}

/** Fixed-window counters per bucket plus an in-flight counter. */
export class RateLimiter {
  private settings: Required<Omit<RateLimitSettings, 'perMinute'>> & {
    perMinute: Record<RateLimitBucket, number>;
  };
  private readonly windows = new Map<RateLimitBucket, { start: number; count: number }>();
  private inFlight = 0;

  constructor(
    settings: RateLimitSettings = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = {
      enabled: true,
      windowMs: 60_000,
      concurrency: 75,
      forceNext: 0,
      perMinute: { ...defaultPerMinute },
    };
    this.configure(settings);
  }

  /** Merges new settings; counters restart so a changed limit applies at once. */
  configure(settings: RateLimitSettings): void {
    const { perMinute, ...rest } = settings;
    this.settings = {
      ...this.settings,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      perMinute: { ...this.settings.perMinute, ...(perMinute ?? {}) },
    };
    this.windows.clear();
  }

  current(): RateLimitSettings {
    return { ...this.settings, perMinute: { ...this.settings.perMinute } };
  }

  /** Counts a request against its bucket; call `release` when the response is finished. */
  acquire(bucket: RateLimitBucket): RateLimitDecision {
    const s = this.settings;
    const t = this.now();
    const limit = s.perMinute[bucket];
    let w = this.windows.get(bucket);
    if (!w || t - w.start >= s.windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(bucket, w);
    }
    const reset = Math.ceil((w.start + s.windowMs) / 1000);
    this.inFlight++;
    if (s.forceNext > 0) {
      s.forceNext--;
      // Reset = the current second: the SDK then waits about one second before retrying.
      return { limit, remaining: 0, reset: Math.floor(t / 1000), limited: true };
    }
    if (!s.enabled) return { limit, remaining: limit, reset, limited: false };
    if (this.inFlight > s.concurrency) {
      return { limit: 0, remaining: 0, reset: Math.floor(t / 1000) + 1, limited: true };
    }
    if (w.count >= limit) return { limit, remaining: 0, reset, limited: true };
    w.count++;
    return { limit, remaining: limit - w.count, reset, limited: false };
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
