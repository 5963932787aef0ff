import type { MiddlewareStack } from '@smithy/types';
import type { AwsCallEvent } from './aws-call-counters.js';
import { AwsCallCounters } from './aws-call-counters.js';
import { awsErrorName, classifyAwsError } from './aws-error-kind.js';
import type { AwsServiceName, Clock, RateLimiterOptions } from './rate-limiter.js';
import { AdaptiveRateLimiter, AwsServiceNames, systemClock } from './rate-limiter.js';

/** Retry policy of the call gate; it replaces the SDK's retries (clients use maxAttempts 1). */
export interface AwsRetryOptions {
  /** Attempts for a call that keeps being throttled. Default 12: throttling never reaches users. */
  readonly maxThrottledAttempts?: number;
  /** Attempts for a call that keeps failing transiently (5xx, network). Default 5. */
  readonly maxTransientAttempts?: number;
  /** First backoff in ms; full jitter, doubling per attempt. Default 100. */
  readonly baseDelayMs?: number;
  /** Backoff ceiling in ms. Default 5000. */
  readonly maxDelayMs?: number;
}

export interface AwsRateLimitersOptions {
  /** Applied to every service. Default 20 requests/s, concurrency 10. */
  readonly defaults?: RateLimiterOptions;
  /** Per-service overrides, merged over `defaults`. */
  readonly services?: Partial<Record<AwsServiceName, RateLimiterOptions>>;
  readonly retry?: AwsRetryOptions;
  readonly clock?: Clock;
  /** Counters to record into; default a new instance. */
  readonly counters?: AwsCallCounters;
}

/** The minimum of an SDK v3 client this module needs: its middleware stack. */
export interface InstrumentableClient {
  // The stack's input/output types differ per client; the gate never looks at them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly middlewareStack: MiddlewareStack<any, any>;
}

const MIDDLEWARE_NAME = 'oktaAwsSyncCallGate';

/**
 * The process-wide set of per-service limiters plus the call counters. Build one (in app/wiring)
 * and pass it to every client factory: every client of a service then shares one budget.
 */
export class AwsRateLimiters {
  readonly counters: AwsCallCounters;
  private readonly limiters = new Map<AwsServiceName, AdaptiveRateLimiter>();
  private readonly retry: Required<AwsRetryOptions>;
  private readonly clock: Clock;

  constructor(options: AwsRateLimitersOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.counters = options.counters ?? new AwsCallCounters();
    this.retry = {
      maxThrottledAttempts: options.retry?.maxThrottledAttempts ?? 12,
      maxTransientAttempts: options.retry?.maxTransientAttempts ?? 5,
      baseDelayMs: options.retry?.baseDelayMs ?? 100,
      maxDelayMs: options.retry?.maxDelayMs ?? 5000,
    };
    for (const service of AwsServiceNames) {
      this.limiters.set(
        service,
        new AdaptiveRateLimiter({
          clock: this.clock,
          ...options.defaults,
          ...options.services?.[service],
        }),
      );
    }
  }

  /** The shared limiter of one service. */
  limiter(service: AwsServiceName): AdaptiveRateLimiter {
    const limiter = this.limiters.get(service);
    if (!limiter) throw new RangeError(`unknown AWS service "${service}"`);
    return limiter;
  }

  /**
   * Runs one logical call through the service's limiter: every attempt waits for a slot and is
   * counted; throttles lower the rate and are retried, transient failures are retried with
   * jittered backoff, anything else is thrown at once. Non-SDK callers may use this directly.
   */
  async run<T>(service: AwsServiceName, operation: string, attempt: () => Promise<T>): Promise<T> {
    const limiter = this.limiter(service);
    let throttledAttempts = 0;
    let transientAttempts = 0;
    for (;;) {
      const release = await limiter.acquire();
      let result: T;
      try {
        result = await attempt();
      } catch (error) {
        release();
        const kind = classifyAwsError(error);
        const retry =
          (kind === 'throttling' && throttledAttempts + 1 < this.retry.maxThrottledAttempts) ||
          (kind === 'transient' && transientAttempts + 1 < this.retry.maxTransientAttempts);
        this.record({
          service,
          operation,
          outcome:
            kind === 'throttling' ? 'throttled' : kind === 'transient' ? 'transient' : 'error',
          final: !retry,
          errorName: awsErrorName(error),
        });
        if (!retry) throw error;
        let retryNumber: number;
        if (kind === 'throttling') {
          limiter.onThrottle();
          throttledAttempts += 1;
          retryNumber = throttledAttempts;
        } else {
          transientAttempts += 1;
          retryNumber = transientAttempts;
        }
        await this.clock.sleep(
          limiter.backoffMs(retryNumber, this.retry.baseDelayMs, this.retry.maxDelayMs),
        );
        continue;
      }
      release();
      limiter.onSuccess();
      this.record({ service, operation, outcome: 'success', final: true });
      return result;
    }
  }

  /**
   * Installs the call gate on an SDK v3 client, at the start of the middleware stack, so that
   * every `send` (paginators, waiters, status polls) is limited, retried and counted. The client
   * should be built with `maxAttempts: 1`; otherwise SDK retries happen inside one gated attempt.
   * Installing twice on one client is a no-op.
   */
  instrument<C extends InstrumentableClient>(client: C, service: AwsServiceName): C {
    try {
      client.middlewareStack.add(
        (next, context) => (args) =>
          this.run(service, operationName(context.commandName), () => next(args)),
        { step: 'initialize', name: MIDDLEWARE_NAME, priority: 'high' },
      );
    } catch (error) {
      // The stack refuses a duplicate name: the client is already instrumented.
      if (!(error instanceof Error && error.message.includes(MIDDLEWARE_NAME))) throw error;
    }
    return client;
  }

  private record(event: AwsCallEvent): void {
    this.counters.record(event);
  }
}

function operationName(commandName: string | undefined): string {
  if (!commandName) return 'Unknown';
  return commandName.endsWith('Command') ? commandName.slice(0, -'Command'.length) : commandName;
}
