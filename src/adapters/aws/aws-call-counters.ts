import type { CallStatsTotals, OperationCallStats } from '../../core/inventory/call-stats.js';
import { totalCalls } from '../../core/inventory/call-stats.js';

/** One HTTP attempt as the counters see it; `/metrics` subscribes to these. */
export interface AwsCallEvent {
  readonly service: string;
  readonly operation: string;
  /** `success`, `throttled` / `transient` (retryable failure), or `error` (not retried). */
  readonly outcome: 'success' | 'throttled' | 'transient' | 'error';
  /** Set on the attempt that ends the logical call. */
  readonly final: boolean;
  /** The AWS error name for failed attempts. */
  readonly errorName?: string;
}

type MutableStats = { -readonly [K in keyof OperationCallStats]: OperationCallStats[K] };

/**
 * Per-operation call counters, shared by every instrumented client. Counting happens in the
 * client middleware, so a call can never go uncounted, whoever makes it.
 */
export class AwsCallCounters {
  private readonly stats = new Map<string, MutableStats>();
  private readonly listeners = new Set<(event: AwsCallEvent) => void>();

  /** Records one attempt. Called by the middleware; tests and other adapters may call it too. */
  record(event: AwsCallEvent): void {
    const key = `${event.service}\u0000${event.operation}`;
    let stat = this.stats.get(key);
    if (!stat) {
      stat = {
        service: event.service,
        operation: event.operation,
        calls: 0,
        requests: 0,
        throttled: 0,
        transientErrors: 0,
        failed: 0,
      };
      this.stats.set(key, stat);
    }
    stat.requests += 1;
    if (event.outcome === 'throttled') stat.throttled += 1;
    if (event.outcome === 'transient') stat.transientErrors += 1;
    if (event.final) {
      stat.calls += 1;
      if (event.outcome !== 'success') stat.failed += 1;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** A copy of the counters, sorted by service then operation. */
  snapshot(): readonly OperationCallStats[] {
    return [...this.stats.values()]
      .map((stat) => ({ ...stat }))
      .sort((a, b) => a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation));
  }

  totals(): CallStatsTotals {
    return totalCalls(this.snapshot());
  }

  /** Calls `listener` for every attempt from now on; returns the unsubscribe function. */
  subscribe(listener: (event: AwsCallEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Zeroes the counters (e.g. between benchmark strategies); subscribers stay. */
  reset(): void {
    this.stats.clear();
  }
}
