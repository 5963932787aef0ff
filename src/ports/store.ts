/**
 * The Store port: everything the service keeps between runs. One interface, two backends
 * (SQLite embedded, PostgreSQL shared) with the same schema; see docs/store.md.
 *
 * Conventions for every method:
 * - all timestamps are ISO-8601 UTC strings (`Date#toISOString()`), so they sort as text;
 * - JSON bodies (`body`, `summary`, `details`) are any JSON-serialisable value, returned parsed;
 *   callers validate what they read back;
 * - nothing here has a column for a secret: never pass tokens or keys in a body.
 */
import type { OktaGroup, OktaGroupId, OktaUser, OktaUserId } from '../core/domain/index.js';

/** Which backend a store runs on. */
export const StoreBackends = ['sqlite', 'postgres'] as const;
export type StoreBackend = (typeof StoreBackends)[number];

/**
 * Where the backends differ, stated once instead of `if (sqlite)` in callers.
 * Callers that care (the service wiring, readiness, docs) read these flags.
 */
export interface StoreCapabilities {
  readonly backend: StoreBackend;
  /** `SELECT … FOR UPDATE SKIP LOCKED` is available; claimers skip rows others are locking. */
  readonly supportsSkipLocked: boolean;
  /** Several writers can commit at the same time (SQLite: one writer at a time, others wait). */
  readonly supportsConcurrentWriters: boolean;
  /** Pending migrations run inside one transaction, so a failed migration leaves no trace. */
  readonly transactionalDdl: boolean;
  /** Several hosts can share the store (SQLite: processes on one host only). */
  readonly sharedAcrossHosts: boolean;
  /** Data survives the process (false for `sqlite::memory:`). */
  readonly durable: boolean;
}

/** Result of one migration, as the Kysely migrator reports it. */
export const MigrationStatuses = ['Success', 'Error', 'NotExecuted'] as const;
export type MigrationStatus = (typeof MigrationStatuses)[number];

export interface MigrationOutcome {
  readonly name: string;
  readonly status: MigrationStatus;
}

/** What `migrate()` did: one outcome per pending migration, and the error if one failed. */
export interface MigrationReport {
  /** Schema version after the run. */
  readonly schemaVersion: number;
  readonly results: readonly MigrationOutcome[];
  /** Message of the failure, or null when every pending migration succeeded. */
  readonly error: string | null;
}

// ---------------------------------------------------------------- snapshots

export const SnapshotSources = ['aws', 'okta', 'all'] as const;
export type SnapshotSource = (typeof SnapshotSources)[number];

/** An inventory snapshot without its body (what `listSnapshots` returns). */
export interface SnapshotInfo {
  readonly id: string;
  readonly createdAt: string;
  readonly source: SnapshotSource;
  /** Counts by kind, e.g. `{ accounts: 12, permissionSets: 40 }`. */
  readonly summary: Readonly<Record<string, number>>;
  readonly durationMs: number;
  /** API calls made to take the snapshot. */
  readonly calls: number;
  /** What could not be inspected and why (e.g. accounts whose role could not be assumed). */
  readonly notInspected: unknown;
}

export interface Snapshot extends SnapshotInfo {
  readonly body: unknown;
}

/** A snapshot to save; `id` defaults to a random UUID and `createdAt` to the store clock. */
export type NewSnapshot = Omit<Snapshot, 'id' | 'createdAt'> & {
  readonly id?: string;
  readonly createdAt?: string;
};

// ---------------------------------------------------------------- okta cache

/** A cached value and when it was last written. */
export interface Cached<T> {
  readonly value: T;
  readonly updatedAt: string;
}

// ---------------------------------------------------------------- event journal

export const EventStates = ['received', 'processed', 'dropped', 'failed'] as const;
/** `received` on journaling, then exactly one of the final states. */
export type EventState = (typeof EventStates)[number];

export const EventChannels = ['hook', 'systemLog'] as const;
/** How the event reached us: an Okta event hook delivery or System Log catch-up. */
export type EventChannel = (typeof EventChannels)[number];

export interface NewJournalEvent {
  /** The Okta event `uuid`; the journal is unique by it. */
  readonly uuid: string;
  readonly eventType: string;
  /** The event's own `published` time. */
  readonly published: string;
  readonly channel: EventChannel;
  readonly body: unknown;
  /**
   * The state to journal it in, when the caller already knows the outcome (intake derives keys
   * before journaling); default `received`, with no keys and no error.
   */
  readonly state?: EventState;
  readonly keys?: readonly string[];
  readonly error?: string | null;
}

export interface JournalEvent extends Omit<NewJournalEvent, 'state' | 'keys' | 'error'> {
  readonly receivedAt: string;
  readonly state: EventState;
  /** Reconcile keys derived from the event (set when processed). */
  readonly keys: readonly string[];
  readonly error: string | null;
  readonly updatedAt: string;
}

/** Outcome of `journalEvents`: uuids journaled now, and uuids that were already there. */
export interface JournalResult {
  readonly added: readonly string[];
  readonly duplicates: readonly string[];
}

// ---------------------------------------------------------------- work queue

export const QueueStates = ['waiting', 'processing', 'failed'] as const;
export type QueueState = (typeof QueueStates)[number];

/** A key handed to a worker by `claim`. */
export interface ClaimedKey {
  readonly key: string;
  /** Claims of this key so far, this one included; reset when the key completes. */
  readonly attempts: number;
  /** When the key was first enqueued in its current cycle. */
  readonly enqueuedAt: string;
  readonly leaseExpiresAt: string;
  /** The error of the previous attempt, if it was retried. */
  readonly lastError: string | null;
}

/** What `claimNext` found. */
export interface NextClaim {
  /** The key leased, or null when none was runnable. */
  readonly claimed: ClaimedKey | null;
  /**
   * Whether the claim saw another runnable key beyond the one it leased. A hint at the moment of
   * the claim: another claimer may take that key first, and more keys may come due later.
   */
  readonly moreRunnable: boolean;
}

export interface QueueStats {
  readonly waiting: number;
  readonly processing: number;
  readonly failed: number;
  /** `enqueuedAt` of the oldest waiting or processing key, or null when none. */
  readonly oldest: string | null;
}

/** A key that failed terminally and is not retried until enqueued again. */
export interface FailedKey {
  readonly key: string;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: string;
}

// ---------------------------------------------------------------- plans and runs

export interface StoredPlan {
  readonly id: string;
  readonly createdAt: string;
  readonly summary: unknown;
  readonly body: unknown;
}

/** A plan to save; `createdAt` defaults to the store clock. */
export type NewPlan = Omit<StoredPlan, 'createdAt'> & { readonly createdAt?: string };

export const RunStatuses = ['running', 'succeeded', 'failed', 'partial', 'aborted'] as const;
export type RunStatus = (typeof RunStatuses)[number];

export interface Run {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** What started the run, e.g. `cli:apply`, `event`, `periodic`. */
  readonly trigger: string;
  /** Free text: why (an event uuid, a plan id, a schedule name). */
  readonly cause: string | null;
  readonly planId: string | null;
  readonly status: RunStatus;
  readonly summary: unknown;
}

export interface NewRun {
  readonly id: string;
  readonly trigger: string;
  readonly cause?: string | null;
  readonly planId?: string | null;
  /** Defaults to the store clock. */
  readonly startedAt?: string;
}

export const OperationStatuses = ['Success', 'Error', 'NotExecuted', 'Pending'] as const;
export type OperationStatus = (typeof OperationStatuses)[number];

/** The result of one plan operation in a run; unique by (runId, opIndex). */
export interface OperationResult {
  readonly runId: string;
  readonly opIndex: number;
  /** Operation kind, e.g. `createAssignment`. */
  readonly kind: string;
  /** The operation's target key (assignment key, permission set ARN). */
  readonly key: string;
  readonly status: OperationStatus;
  /** Why it failed or was not executed. */
  readonly cause: string | null;
  readonly awsRequestId: string | null;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

// ---------------------------------------------------------------- audit

export interface NewAuditEntry {
  /** Who or what caused it: `cli:alice`, `service`, `okta-event:<uuid>`. */
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details?: unknown;
  /** AWS or Okta request id, when the action made a call. */
  readonly requestId?: string | null;
  /** Defaults to the store clock. */
  readonly at?: string;
}

export interface AuditEntry {
  /** Increasing with insertion order. */
  readonly id: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: unknown;
  readonly requestId: string | null;
  readonly at: string;
}

// ---------------------------------------------------------------- ownership

export const OwnershipKinds = ['assignment', 'permissionSet'] as const;
export type OwnershipKind = (typeof OwnershipKinds)[number];

export interface Ownership {
  /** An assignment key or a permission set ARN. */
  readonly key: string;
  readonly kind: OwnershipKind;
  /** Name of the rule that wants it. */
  readonly rule: string;
  readonly createdByRun: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewOwnership {
  readonly key: string;
  readonly kind: OwnershipKind;
  readonly rule: string;
  readonly createdByRun?: string | null;
}

// ---------------------------------------------------------------- the port

/** Options of the queue calls; `now` defaults to the store clock. */
export interface QueueClock {
  readonly now?: Date;
}

export interface Store {
  readonly capabilities: StoreCapabilities;

  /**
   * Runs `fn` with a store bound to one transaction: commits when `fn` resolves, rolls back when
   * it rejects (and rethrows). Calling `transaction` on a bound store joins the same transaction.
   */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Applies pending migrations (done by `openStore`); safe to call again. */
  migrate(): Promise<MigrationReport>;
  /** Closes connections. Not allowed on a transaction-bound store. */
  close(): Promise<void>;

  // snapshots
  saveSnapshot(snapshot: NewSnapshot): Promise<Snapshot>;
  /** The most recent snapshot, of `source` when given. */
  latestSnapshot(source?: SnapshotSource): Promise<Snapshot | null>;
  getSnapshot(id: string): Promise<Snapshot | null>;
  /** Newest first, without bodies. */
  listSnapshots(limit: number): Promise<SnapshotInfo[]>;

  // okta cache (keyed by Okta id)
  putOktaUsers(users: readonly OktaUser[]): Promise<void>;
  getOktaUser(id: OktaUserId): Promise<Cached<OktaUser> | null>;
  listOktaUsers(): Promise<Cached<OktaUser>[]>;
  deleteOktaUser(id: OktaUserId): Promise<boolean>;
  putOktaGroups(groups: readonly OktaGroup[]): Promise<void>;
  getOktaGroup(id: OktaGroupId): Promise<Cached<OktaGroup> | null>;
  listOktaGroups(): Promise<Cached<OktaGroup>[]>;
  /** Deletes the group and its cached memberships. */
  deleteOktaGroup(id: OktaGroupId): Promise<boolean>;
  /** Replaces the group's cached members with exactly `userIds`. */
  replaceGroupMembers(groupId: OktaGroupId, userIds: readonly OktaUserId[]): Promise<void>;
  addGroupMember(groupId: OktaGroupId, userId: OktaUserId): Promise<void>;
  removeGroupMember(groupId: OktaGroupId, userId: OktaUserId): Promise<boolean>;
  listGroupMembers(groupId: OktaGroupId): Promise<OktaUserId[]>;
  listUserGroups(userId: OktaUserId): Promise<OktaGroupId[]>;

  // event journal
  /**
   * Journals events (in state `received` unless an event says otherwise); a uuid seen before is
   * reported, not changed.
   */
  journalEvents(events: readonly NewJournalEvent[]): Promise<JournalResult>;
  getEvent(uuid: string): Promise<JournalEvent | null>;
  /** Oldest received first. */
  listEvents(query: { state?: EventState; limit: number }): Promise<JournalEvent[]>;
  /** Count per state; states with no events are 0. */
  countEventsByState(): Promise<Record<EventState, number>>;

  // work queue (controller work-queue semantics; see docs/store.md)
  /**
   * Adds `key`, runnable from `notBefore` (default now). A key already waiting is not added
   * twice; it keeps the earlier run time. A key being processed is marked dirty and runs once
   * more after its worker releases it. A terminally failed key starts afresh.
   */
  enqueue(key: string, options?: QueueClock & { notBefore?: Date }): Promise<void>;
  /** `enqueue` of each of `keys` (duplicates ignored), in one statement where the backend can. */
  enqueueAll(keys: readonly string[], options?: QueueClock & { notBefore?: Date }): Promise<void>;
  /**
   * Leases up to `limit` (default 1) runnable keys to `workerId` for `leaseMs`, earliest first.
   * Runnable: waiting with `notBefore <= now`, or processing with an expired lease. Two workers
   * never hold one key.
   */
  claim(
    workerId: string,
    options: QueueClock & { leaseMs: number; limit?: number },
  ): Promise<ClaimedKey[]>;
  /**
   * `claim` of one key that also says whether more keys were runnable, so that a worker pool
   * wakes another worker only when there is work for it.
   */
  claimNext(workerId: string, options: QueueClock & { leaseMs: number }): Promise<NextClaim>;
  /** Extends a held lease. False when `workerId` no longer holds the key. */
  renewLease(
    key: string,
    workerId: string,
    options: QueueClock & { leaseMs: number },
  ): Promise<boolean>;
  /**
   * Done: the key leaves the queue, or runs again (attempts reset) if it was re-added meanwhile.
   * False when `workerId` no longer holds the key (its lease expired and another worker took it).
   */
  complete(key: string, workerId: string, options?: QueueClock): Promise<boolean>;
  /**
   * Puts the key back to run at `notBefore` (the caller's backoff), keeping the attempt count and
   * the error. A dirty mark is absorbed: the retry re-reads state anyway.
   */
  retryLater(
    key: string,
    workerId: string,
    options: QueueClock & { error: string; notBefore: Date },
  ): Promise<boolean>;
  /**
   * Records a terminal failure; the key is not retried. If it was re-added while processing, the
   * new work runs afresh instead (attempts reset, the failure kept as `lastError`).
   */
  failTerminal(
    key: string,
    workerId: string,
    error: string,
    options?: QueueClock,
  ): Promise<boolean>;
  queueStats(): Promise<QueueStats>;
  listFailedKeys(limit: number): Promise<FailedKey[]>;

  // plans and runs
  savePlan(plan: NewPlan): Promise<StoredPlan>;
  getPlan(id: string): Promise<StoredPlan | null>;
  /** Newest first. */
  listPlans(limit: number): Promise<StoredPlan[]>;
  createRun(run: NewRun): Promise<Run>;
  /** Sets the final status and summary; `finishedAt` defaults to the store clock. */
  finishRun(
    id: string,
    outcome: { status: RunStatus; summary?: unknown; finishedAt?: string },
  ): Promise<boolean>;
  getRun(id: string): Promise<Run | null>;
  /** Newest first. */
  listRuns(limit: number): Promise<Run[]>;
  /** Inserts or replaces the result of (runId, opIndex). */
  recordOperation(result: OperationResult): Promise<void>;
  /** In op index order. */
  listOperations(runId: string): Promise<OperationResult[]>;

  // audit (append-only: there is deliberately no update or delete)
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** In insertion order, after `afterId` when given. */
  listAudit(query: { limit: number; afterId?: number; target?: string }): Promise<AuditEntry[]>;

  // cursors
  getCursor(name: string): Promise<string | null>;
  setCursor(name: string, value: string): Promise<void>;

  // ownership
  /** Records that `rule` owns `key`; `created` is false when it was already owned (rule updated). */
  upsertOwnership(record: NewOwnership): Promise<{ created: boolean; record: Ownership }>;
  getOwnership(key: string): Promise<Ownership | null>;
  deleteOwnership(key: string): Promise<boolean>;
  listOwnership(query?: { kind?: OwnershipKind; rule?: string }): Promise<Ownership[]>;
}
