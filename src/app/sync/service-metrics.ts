/**
 * The service's Prometheus metrics (PRODUCT.md §3, `/metrics`), on a registry of its own so that
 * two services in one process (tests) never share counters. Names carry the `okta_aws_sync_`
 * prefix; labels are bounded sets (services, operations, event types, outcomes), never ids.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { AwsCallEvent } from '../../adapters/aws/aws-call-counters.js';
import type { Store } from '../../ports/store.js';
import type { IntakeResult } from './event-intake.js';
import type { KeyAttemptResult } from './work-queue-runner.js';

/** The kind part of a key (`user`, `group`, `permission-set`, `full`), a bounded label. */
function keyKind(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #apiCalls: Counter;
  readonly #throttles: Counter;
  readonly #events: Counter;
  readonly #attempts: Counter;
  readonly #latency: Histogram;
  readonly #drift: Gauge;
  readonly #asyncPending: Gauge;
  readonly #pollErrors: Counter;

  /**
   * @param store read at scrape time for queue depth and event states.
   * @param pendingCount read at scrape time: keys waiting on SCIM.
   */
  constructor(store: Store, pendingCount: () => number) {
    const registry = this.registry;
    this.#apiCalls = new Counter({
      name: 'okta_aws_sync_api_calls_total',
      help: 'AWS and Okta HTTP attempts by service, operation and outcome.',
      labelNames: ['service', 'operation', 'outcome'],
      registers: [registry],
    });
    this.#throttles = new Counter({
      name: 'okta_aws_sync_throttles_total',
      help: 'Attempts answered with a throttling error, by service.',
      labelNames: ['service'],
      registers: [registry],
    });
    this.#events = new Counter({
      name: 'okta_aws_sync_events_total',
      help: 'Okta events received, by channel, event type and outcome (queued, dropped, duplicate).',
      labelNames: ['channel', 'event_type', 'outcome'],
      registers: [registry],
    });
    this.#attempts = new Counter({
      name: 'okta_aws_sync_reconcile_attempts_total',
      help: 'Key reconcile attempts by key kind and outcome.',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    this.#latency = new Histogram({
      name: 'okta_aws_sync_reconcile_duration_seconds',
      help: 'Time to reconcile one key (read, plan, apply, confirm).',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
    this.#drift = new Gauge({
      name: 'okta_aws_sync_drift_operations',
      help: 'Operations the latest fresh plan needs to make AWS match the rules, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    });
    new Gauge({
      name: 'okta_aws_sync_pending_principals',
      help: 'Keys waiting for a principal SCIM has not pushed to the identity store yet.',
      registers: [registry],
      collect() {
        this.set(pendingCount());
      },
    });
    this.#asyncPending = new Gauge({
      name: 'okta_aws_sync_async_pending_operations',
      help: 'Operations of the latest apply left Pending (async request not confirmed, or principal missing).',
      registers: [registry],
    });
    this.#pollErrors = new Counter({
      name: 'okta_aws_sync_system_log_poll_errors_total',
      help: 'System Log polls that failed.',
      registers: [registry],
    });
    new Gauge({
      name: 'okta_aws_sync_queue_depth',
      help: 'Work-queue keys by state (waiting, processing, failed).',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const stats = await store.queueStats();
        this.set({ state: 'waiting' }, stats.waiting);
        this.set({ state: 'processing' }, stats.processing);
        this.set({ state: 'failed' }, stats.failed);
      },
    });
    new Gauge({
      name: 'okta_aws_sync_journal_events',
      help: 'Journaled events by processing state.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const counts = await store.countEventsByState();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
  }

  /** Counts one AWS/Okta attempt (subscribe this to the call counters). */
  recordCall(event: AwsCallEvent): void {
    this.#apiCalls.inc({
      service: event.service,
      operation: event.operation,
      outcome: event.outcome,
    });
    if (event.outcome === 'throttled') this.#throttles.inc({ service: event.service });
  }

  recordIntake(channel: string, result: IntakeResult): void {
    for (const event of result.events) {
      this.#events.inc({ channel, event_type: event.eventType, outcome: event.outcome });
    }
  }

  recordAttempt(result: KeyAttemptResult): void {
    const kind = keyKind(result.key);
    this.#attempts.inc({ kind, outcome: result.outcome });
    this.#latency.observe({ kind }, result.durationMs / 1000);
  }

  /** Sets drift from a fresh plan's operations, by kind (kinds absent now read 0). */
  recordDrift(byKind: Readonly<Record<string, number>>, asyncPending: number): void {
    this.#drift.reset();
    for (const [kind, count] of Object.entries(byKind)) this.#drift.set({ kind }, count);
    this.#asyncPending.set(asyncPending);
  }

  recordPollError(): void {
    this.#pollErrors.inc();
  }
}
