/**
 * What the HTTP entry point needs from the running service. The HTTP layer only translates
 * requests to these calls and results to JSON; everything with meaning lives behind this port.
 */
import type { LogEvent } from '../../core/events/okta-event-schema.js';
import type { EventState, JournalEvent, OperationResult, Run } from '../../ports/store.js';
import type { IntakeResult } from './event-intake.js';
import type { PendingKey } from './work-queue-runner.js';

/** One readiness probe. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
}

export interface ServiceStatus {
  readonly startedAt: string;
  readonly queue: {
    readonly waiting: number;
    readonly processing: number;
    readonly failed: number;
    readonly oldest: string | null;
  };
  readonly pendingPrincipals: readonly PendingKey[];
  readonly inFlight: readonly string[];
  readonly events: Readonly<Record<EventState, number>>;
  readonly lastFullReconcile: {
    readonly runId: string | null;
    readonly at: string | null;
    readonly status: string | null;
  } | null;
  /** Drift found by the last full reconcile: operations it planned, by kind. */
  readonly drift: Readonly<Record<string, number>>;
  readonly poller: {
    readonly enabled: boolean;
    readonly lastPollAt: string | null;
    readonly lastError: string | null;
  };
  readonly hook: { readonly configured: boolean; readonly verifiedAt: string | null };
}

export interface RunWithOperations {
  readonly run: Run;
  readonly operations: readonly OperationResult[];
}

/** An access query, as `access` on the CLI takes it. */
export interface AccessQuery {
  readonly user?: string;
  readonly group?: string;
  readonly account?: string;
  readonly permissionSet?: string;
}

export interface SyncApi {
  /** Journals and enqueues the events of one hook delivery (see ingestEvents). */
  ingestHookEvents(events: readonly LogEvent[]): Promise<IntakeResult>;
  /** Notes a successful one-time verification by Okta. */
  hookVerified(): void;
  readiness(): Promise<Readiness>;
  /** Prometheus text exposition. */
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  status(): Promise<ServiceStatus>;
  listEvents(query: { state?: EventState; limit: number }): Promise<JournalEvent[]>;
  getEvent(uuid: string): Promise<JournalEvent | null>;
  listRuns(limit: number): Promise<Run[]>;
  getRun(id: string): Promise<RunWithOperations | null>;
  /** Marks `key` dirty (`full` for a full reconcile). The key must be well formed. */
  requestReconcile(key: string): Promise<void>;
  /** The latest inventory snapshot's metadata and body, or null when none exists. */
  inventory(): Promise<unknown>;
  /** Access rows from the latest snapshot, filtered; null when no snapshot exists. */
  access(query: AccessQuery): Promise<unknown>;
}
