/**
 * The Store port written once in Kysely; the SQLite and PostgreSQL backends only open a
 * connection and describe their capabilities. Every query here runs unchanged on both.
 */
import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';

import type { OktaGroup, OktaGroupId, OktaUser, OktaUserId } from '../../../core/domain/index.js';
import { UsageError } from '../../../core/errors.js';
import type {
  AuditEntry,
  Cached,
  ClaimedKey,
  EventState,
  FailedKey,
  JournalEvent,
  JournalResult,
  MigrationReport,
  NewAuditEntry,
  NewJournalEvent,
  NewOwnership,
  NewPlan,
  NewRun,
  NewSnapshot,
  NextClaim,
  OperationResult,
  Ownership,
  OwnershipKind,
  QueueClock,
  QueueStats,
  Run,
  Snapshot,
  SnapshotInfo,
  SnapshotSource,
  Store,
  StoreCapabilities,
  StoredPlan,
} from '../../../ports/store.js';
import { EventStates } from '../../../ports/store.js';
import type {
  AuditLogTable,
  EventJournalTable,
  OwnershipTable,
  RunOperationsTable,
  RunsTable,
  SnapshotsTable,
  StoreDatabase,
} from './schema.js';
import type { PreparedDefinition, Slot } from './prepared-queries.js';
import { affectedRows, PreparedQueries } from './prepared-queries.js';

/** What a backend hands to the shared store. */
export interface KyselyStoreContext {
  readonly capabilities: StoreCapabilities;
  readonly clock: () => Date;
  /** Runs pending migrations on the root connection. */
  readonly migrate: () => Promise<MigrationReport>;
  /** Releases the connection(s). */
  readonly destroy: () => Promise<void>;
}

// Rows per multi-row insert: well below SQLite's bound-parameter limit with any of our tables.
const INSERT_CHUNK = 200;

function chunks<T>(items: readonly T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// Concurrent batch writers insert in one global key order, so on PostgreSQL two overlapping
// batches wait for each other instead of deadlocking.
function byKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function fromJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function affected(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}

function snapshotInfo(row: Omit<Selectable<SnapshotsTable>, 'body'>): SnapshotInfo {
  return {
    id: row.id,
    createdAt: row.created_at,
    source: row.source as SnapshotSource,
    summary: fromJson(row.summary) as Record<string, number>,
    durationMs: row.duration_ms,
    calls: row.calls,
    notInspected: fromJson(row.not_inspected),
  };
}

function journalEvent(row: Selectable<EventJournalTable>): JournalEvent {
  return {
    uuid: row.uuid,
    eventType: row.event_type,
    published: row.published,
    channel: row.channel as JournalEvent['channel'],
    body: fromJson(row.body),
    receivedAt: row.received_at,
    state: row.state as EventState,
    keys: fromJson(row.keys) as string[],
    error: row.error,
    updatedAt: row.updated_at,
  };
}

function run(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    trigger: row.trigger,
    cause: row.cause,
    planId: row.plan_id,
    status: row.status as Run['status'],
    summary: fromJson(row.summary),
  };
}

function operation(row: Selectable<RunOperationsTable>): OperationResult {
  return {
    runId: row.run_id,
    opIndex: row.op_index,
    kind: row.kind,
    key: row.target_key,
    status: row.status as OperationResult['status'],
    cause: row.cause,
    awsRequestId: row.aws_request_id,
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function audit(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(row.id),
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: fromJson(row.details),
    requestId: row.request_id,
    at: row.at,
  };
}

function ownership(row: Selectable<OwnershipTable>): Ownership {
  return {
    key: row.key,
    kind: row.kind as OwnershipKind,
    rule: row.rule,
    createdByRun: row.created_by_run,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Queue transitions are conditional statements, so they stay atomic on both backends without
// row locks (which SQLite lacks): each WHERE clause re-checks the holder and state. The claim's
// re-check is written as a CASE so that SQLite looks the claimed keys up by primary key: the
// equivalent OR made it scan every due waiting row (a MULTI-INDEX OR plan) on each claim.
const STILL_RUNNABLE = (now: string) => sql<boolean>`(case
  when state = 'waiting' then not_before <= ${now}
  when state = 'processing' then lease_expires_at <= ${now}
  else false end)`;

// ------------------------------------------------------------ prepared hot statements
// The statements serve runs for every key (prepared-queries.ts). Values come from slots only.

const ADD_GROUP_MEMBER: PreparedDefinition<unknown> = (db, slot) =>
  db
    .insertInto('okta_memberships')
    .values({ group_id: slot('groupId'), user_id: slot('userId'), updated_at: slot('now') })
    .onConflict((oc) =>
      oc
        .columns(['group_id', 'user_id'])
        .doUpdateSet({ updated_at: (eb) => eb.ref('excluded.updated_at') }),
    );

const REMOVE_GROUP_MEMBER: PreparedDefinition<unknown> = (db, slot) =>
  db
    .deleteFrom('okta_memberships')
    .where('group_id', '=', slot('groupId'))
    .where('user_id', '=', slot('userId'));

const LIST_USER_GROUPS = (db: Kysely<StoreDatabase>, slot: Slot) =>
  db
    .selectFrom('okta_memberships')
    .select('group_id')
    .where('user_id', '=', slot('userId'))
    .orderBy('group_id');

/** One definition per row or key count, made when first needed. */
function perCount<D>(make: (count: number) => D): (count: number) => D {
  const made = new Map<number, D>();
  return (count) => {
    let definition = made.get(count);
    if (!definition) {
      definition = make(count);
      made.set(count, definition);
    }
    return definition;
  };
}

/**
 * The runnable keys earliest first, with their run times: the due waiting keys and the expired
 * leases, each the first `lookahead` of its own index range (work_queue_claim), merged. A claim
 * of `limit` keys looks at `limit + 1`, to tell whether more were runnable. One ORed query had to
 * gather and sort every due key on every claim, which grew with the backlog.
 */
function claimCandidates(db: Kysely<StoreDatabase>, slot: Slot, skipLocked: boolean) {
  const earliest = (state: 'waiting' | 'processing') => {
    let branch = db
      .selectFrom('work_queue')
      .select(['key', 'not_before'])
      .where('state', '=', state)
      .where(state === 'waiting' ? 'not_before' : 'lease_expires_at', '<=', slot('now'))
      .orderBy('not_before')
      .orderBy('key')
      .limit(slot<number>('lookahead'));
    // Without SKIP LOCKED a concurrent claimer would block on rows another one is taking; the
    // re-check in the lease keeps the claim exclusive either way.
    if (skipLocked) branch = branch.forUpdate().skipLocked();
    return db.selectFrom(branch.as(state)).select(['key', 'not_before']);
  };
  return db
    .selectFrom(earliest('waiting').unionAll(earliest('processing')).as('runnable'))
    .select(['key', 'not_before'])
    .orderBy('not_before')
    .orderBy('key')
    .limit(slot<number>('lookahead'));
}

const LEASED_COLUMNS = [
  'key',
  'attempts',
  'enqueued_at',
  'lease_expires_at',
  'last_error',
  'not_before',
] as const;

/** What a lease sets. */
const leaseSet = (slot: Slot) => ({
  state: 'processing' as const,
  worker_id: slot('workerId'),
  lease_expires_at: slot('leaseExpiresAt'),
  attempts: sql<number>`attempts + 1`,
  updated_at: slot('now'),
});

/** Leases the listed keys (slots key0…key{count−1}) to `workerId` if they are still runnable. */
const leaseListed = perCount(
  (count) => (db: Kysely<StoreDatabase>, slot: Slot) =>
    db
      .updateTable('work_queue')
      .set(leaseSet(slot))
      .where(
        'key',
        'in',
        Array.from({ length: count }, (_, i) => slot(`key${i}`)),
      )
      .where(STILL_RUNNABLE(slot('now')))
      .returning(LEASED_COLUMNS),
);

const CLAIM_CANDIDATES = (db: Kysely<StoreDatabase>, slot: Slot) =>
  claimCandidates(db, slot, false);

/**
 * The claim in one statement, for backends with SKIP LOCKED: of the first `lookahead`
 * candidates, the first `limit` are leased, and every leased row carries how many candidates
 * there were, so that the claimer learns whether more keys were runnable.
 */
const CLAIM_SKIP_LOCKED = (db: Kysely<StoreDatabase>, slot: Slot) =>
  db
    .with('candidate', () => claimCandidates(db, slot, true))
    .updateTable('work_queue')
    .set(leaseSet(slot))
    .where('key', 'in', (eb) =>
      eb
        .selectFrom('candidate')
        .select('candidate.key')
        .orderBy('candidate.not_before')
        .orderBy('candidate.key')
        .limit(slot<number>('limit')),
    )
    .where(STILL_RUNNABLE(slot('now')))
    .returning([
      ...LEASED_COLUMNS,
      (eb) =>
        eb
          .selectFrom('candidate')
          .select((inner) => inner.fn.countAll<string | number>().as('n'))
          .as('candidates'),
    ]);

/** The queue columns of a key waiting afresh: no attempts, not dirty, held by no one. */
const UNHELD = {
  attempts: 0,
  dirty: 0,
  dirty_not_before: null,
  worker_id: null,
  lease_expires_at: null,
  last_error: null,
} as const;

/**
 * Queues `count` keys (slots key0…), each to run at `notBefore`. One upsert decides by the
 * existing row's state; SET expressions all see the old row.
 */
const enqueueRows = perCount((count): PreparedDefinition<unknown> => (db, slot) => {
  const restart = sql<boolean>`work_queue.state in ('failed', 'done')`;
  return db
    .insertInto('work_queue')
    .values(
      Array.from({ length: count }, (_, i) => ({
        key: slot(`key${i}`),
        state: 'waiting',
        not_before: slot('notBefore'),
        ...UNHELD,
        failed_at: null,
        enqueued_at: slot('now'),
        updated_at: slot('now'),
      })),
    )
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        state: sql`case when ${restart} then 'waiting' else work_queue.state end`,
        not_before: sql`case
          when work_queue.state = 'waiting' and excluded.not_before < work_queue.not_before
            then excluded.not_before
          when ${restart} then excluded.not_before
          else work_queue.not_before end`,
        dirty: sql`case when work_queue.state = 'processing' then 1 else work_queue.dirty end`,
        dirty_not_before: sql`case
          when work_queue.state = 'processing'
            and (work_queue.dirty_not_before is null
              or excluded.not_before < work_queue.dirty_not_before)
            then excluded.not_before
          else work_queue.dirty_not_before end`,
        attempts: sql`case when ${restart} then 0 else work_queue.attempts end`,
        enqueued_at: sql`case when ${restart} then excluded.enqueued_at
          else work_queue.enqueued_at end`,
        updated_at: (eb) => eb.ref('excluded.updated_at'),
      }),
    );
});

/** Journals `count` events (slots uuid0, eventType0, … per row), each uuid once. */
const journalRows = perCount(
  (count) => (db: Kysely<StoreDatabase>, slot: Slot) =>
    db
      .insertInto('event_journal')
      .values(
        Array.from({ length: count }, (_, i) => ({
          uuid: slot(`uuid${i}`),
          event_type: slot(`eventType${i}`),
          published: slot(`published${i}`),
          channel: slot(`channel${i}`),
          body: slot(`body${i}`),
          received_at: slot('now'),
          state: slot(`state${i}`),
          keys: slot(`keys${i}`),
          error: slot<string | null>(`error${i}`),
          updated_at: slot('now'),
        })),
      )
      .onConflict((oc) => oc.column('uuid').doNothing())
      .returning('uuid'),
);

const COMPLETE_REMOVE: PreparedDefinition<unknown> = (db, slot) =>
  db
    .deleteFrom('work_queue')
    .where('key', '=', slot('key'))
    .where('state', '=', 'processing')
    .where('worker_id', '=', slot('workerId'))
    .where('dirty', '=', 0);

const COMPLETE_REQUEUE: PreparedDefinition<unknown> = (db, slot) =>
  db
    .updateTable('work_queue')
    .set({
      state: 'waiting',
      not_before: sql`dirty_not_before`,
      enqueued_at: slot('now'),
      ...UNHELD,
      updated_at: slot('now'),
    })
    .where('key', '=', slot('key'))
    .where('state', '=', 'processing')
    .where('worker_id', '=', slot('workerId'))
    .where('dirty', '=', 1);

const CREATE_RUN: PreparedDefinition<unknown> = (db, slot) =>
  db.insertInto('runs').values({
    id: slot('id'),
    started_at: slot('startedAt'),
    finished_at: null,
    trigger: slot('trigger'),
    cause: slot('cause'),
    plan_id: slot('planId'),
    status: 'running',
    summary: null,
  });

const FINISH_RUN: PreparedDefinition<unknown> = (db, slot) =>
  db
    .updateTable('runs')
    .set({ status: slot('status'), summary: slot('summary'), finished_at: slot('finishedAt') })
    .where('id', '=', slot('id'));

const RECORD_OPERATION: PreparedDefinition<unknown> = (db, slot) => {
  const row = {
    run_id: slot('runId'),
    op_index: slot<number>('opIndex'),
    kind: slot('kind'),
    target_key: slot('targetKey'),
    status: slot('status'),
    cause: slot('cause'),
    aws_request_id: slot('awsRequestId'),
    attempts: slot<number>('attempts'),
    started_at: slot('startedAt'),
    finished_at: slot('finishedAt'),
  };
  return db
    .insertInto('run_operations')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['run_id', 'op_index']).doUpdateSet({
        kind: (eb) => eb.ref('excluded.kind'),
        target_key: (eb) => eb.ref('excluded.target_key'),
        status: (eb) => eb.ref('excluded.status'),
        cause: (eb) => eb.ref('excluded.cause'),
        aws_request_id: (eb) => eb.ref('excluded.aws_request_id'),
        attempts: (eb) => eb.ref('excluded.attempts'),
        started_at: (eb) => eb.ref('excluded.started_at'),
        finished_at: (eb) => eb.ref('excluded.finished_at'),
      }),
    );
};

const APPEND_AUDIT = (db: Kysely<StoreDatabase>, slot: Slot) =>
  db
    .insertInto('audit_log')
    .values({
      actor: slot<string>('actor'),
      action: slot<string>('action'),
      target: slot<string>('target'),
      details: slot<string>('details'),
      request_id: slot<string | null>('requestId'),
      at: slot<string>('at'),
    })
    .returningAll();

const INSERT_OWNERSHIP = (db: Kysely<StoreDatabase>, slot: Slot) =>
  db
    .insertInto('ownership')
    .values({
      key: slot('key'),
      kind: slot('kind'),
      rule: slot('rule'),
      created_by_run: slot<string | null>('createdByRun'),
      created_at: slot('now'),
      updated_at: slot('now'),
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .returningAll();

const UPDATE_OWNERSHIP = (db: Kysely<StoreDatabase>, slot: Slot) =>
  db
    .updateTable('ownership')
    .set({ kind: slot('kind'), rule: slot('rule'), updated_at: slot('now') })
    .where('key', '=', slot('key'))
    .returningAll();

const DELETE_OWNERSHIP: PreparedDefinition<unknown> = (db, slot) =>
  db.deleteFrom('ownership').where('key', '=', slot('key'));

type ClaimedRow = Pick<Selectable<StoreDatabase['work_queue']>, (typeof LEASED_COLUMNS)[number]>;

/** Per store (per dialect): the compiled hot statements. */
const preparedByContext = new WeakMap<KyselyStoreContext, PreparedQueries>();

/** A Store over any Kysely connection or transaction of the store schema. */
export class KyselyStore implements Store {
  readonly capabilities: StoreCapabilities;
  readonly #db: Kysely<StoreDatabase>;
  readonly #context: KyselyStoreContext;

  readonly #prepared: PreparedQueries;

  constructor(db: Kysely<StoreDatabase>, context: KyselyStoreContext) {
    this.#db = db;
    this.#context = context;
    this.capabilities = context.capabilities;
    let prepared = preparedByContext.get(context);
    if (!prepared) {
      prepared = new PreparedQueries();
      preparedByContext.set(context, prepared);
    }
    this.#prepared = prepared;
  }

  #now(options?: QueueClock): string {
    return (options?.now ?? this.#context.clock()).toISOString();
  }

  async #atomic<T>(fn: (db: Kysely<StoreDatabase>) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this.#db);
    return this.#db.transaction().execute(fn);
  }

  async transaction<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this);
    return this.#db.transaction().execute((trx) => fn(new KyselyStore(trx, this.#context)));
  }

  async migrate(): Promise<MigrationReport> {
    if (this.#db.isTransaction) throw new UsageError('migrate() cannot run inside a transaction');
    return this.#context.migrate();
  }

  async close(): Promise<void> {
    if (this.#db.isTransaction) throw new UsageError('close() cannot run inside a transaction');
    await this.#context.destroy();
  }

  // ------------------------------------------------------------ snapshots

  async saveSnapshot(snapshot: NewSnapshot): Promise<Snapshot> {
    const saved: Snapshot = {
      ...snapshot,
      id: snapshot.id ?? randomUUID(),
      createdAt: snapshot.createdAt ?? this.#now(),
    };
    await this.#db
      .insertInto('snapshots')
      .values({
        id: saved.id,
        created_at: saved.createdAt,
        source: saved.source,
        summary: toJson(saved.summary),
        duration_ms: saved.durationMs,
        calls: saved.calls,
        not_inspected: toJson(saved.notInspected),
        body: toJson(saved.body),
      })
      .execute();
    return saved;
  }

  async latestSnapshot(source?: SnapshotSource): Promise<Snapshot | null> {
    let query = this.#db.selectFrom('snapshots').selectAll();
    if (source !== undefined) query = query.where('source', '=', source);
    const row = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
    return row ? { ...snapshotInfo(row), body: fromJson(row.body) } : null;
  }

  async getSnapshot(id: string): Promise<Snapshot | null> {
    const row = await this.#db
      .selectFrom('snapshots')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { ...snapshotInfo(row), body: fromJson(row.body) } : null;
  }

  async listSnapshots(limit: number): Promise<SnapshotInfo[]> {
    const rows = await this.#db
      .selectFrom('snapshots')
      .select(['id', 'created_at', 'source', 'summary', 'duration_ms', 'calls', 'not_inspected'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(snapshotInfo);
  }

  // ------------------------------------------------------------ okta cache

  async #putCached(
    table: 'okta_users' | 'okta_groups',
    items: readonly { readonly id: string }[],
  ): Promise<void> {
    const now = this.#now();
    await this.#atomic(async (db) => {
      for (const chunk of chunks(byKey(items, (item) => item.id))) {
        await db
          .insertInto(table)
          .values(chunk.map((item) => ({ id: item.id, body: toJson(item), updated_at: now })))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              body: (eb) => eb.ref('excluded.body'),
              updated_at: (eb) => eb.ref('excluded.updated_at'),
            }),
          )
          .execute();
      }
    });
  }

  async #getCached<T>(table: 'okta_users' | 'okta_groups', id: string): Promise<Cached<T> | null> {
    const row = await this.#db
      .selectFrom(table)
      .select(['body', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { value: fromJson(row.body) as T, updatedAt: row.updated_at } : null;
  }

  async #listCached<T>(table: 'okta_users' | 'okta_groups'): Promise<Cached<T>[]> {
    const rows = await this.#db
      .selectFrom(table)
      .select(['body', 'updated_at'])
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ value: fromJson(row.body) as T, updatedAt: row.updated_at }));
  }

  putOktaUsers(users: readonly OktaUser[]): Promise<void> {
    return this.#putCached('okta_users', users);
  }

  getOktaUser(id: OktaUserId): Promise<Cached<OktaUser> | null> {
    return this.#getCached('okta_users', id);
  }

  listOktaUsers(): Promise<Cached<OktaUser>[]> {
    return this.#listCached('okta_users');
  }

  async deleteOktaUser(id: OktaUserId): Promise<boolean> {
    return this.#atomic(async (db) => {
      await db.deleteFrom('okta_memberships').where('user_id', '=', id).execute();
      const result = await db.deleteFrom('okta_users').where('id', '=', id).executeTakeFirst();
      return affected(result) > 0;
    });
  }

  putOktaGroups(groups: readonly OktaGroup[]): Promise<void> {
    return this.#putCached('okta_groups', groups);
  }

  getOktaGroup(id: OktaGroupId): Promise<Cached<OktaGroup> | null> {
    return this.#getCached('okta_groups', id);
  }

  listOktaGroups(): Promise<Cached<OktaGroup>[]> {
    return this.#listCached('okta_groups');
  }

  async deleteOktaGroup(id: OktaGroupId): Promise<boolean> {
    return this.#atomic(async (db) => {
      await db.deleteFrom('okta_memberships').where('group_id', '=', id).execute();
      const result = await db.deleteFrom('okta_groups').where('id', '=', id).executeTakeFirst();
      return affected(result) > 0;
    });
  }

  async replaceGroupMembers(groupId: OktaGroupId, userIds: readonly OktaUserId[]): Promise<void> {
    const now = this.#now();
    const unique = [...new Set(userIds)];
    await this.#atomic(async (db) => {
      await db.deleteFrom('okta_memberships').where('group_id', '=', groupId).execute();
      for (const chunk of chunks(unique)) {
        await db
          .insertInto('okta_memberships')
          .values(chunk.map((userId) => ({ group_id: groupId, user_id: userId, updated_at: now })))
          .execute();
      }
    });
  }

  async addGroupMember(groupId: OktaGroupId, userId: OktaUserId): Promise<void> {
    await this.#prepared.run(this.#db, ADD_GROUP_MEMBER, { groupId, userId, now: this.#now() });
  }

  async removeGroupMember(groupId: OktaGroupId, userId: OktaUserId): Promise<boolean> {
    const result = await this.#prepared.run(this.#db, REMOVE_GROUP_MEMBER, { groupId, userId });
    return affectedRows(result) > 0;
  }

  async listGroupMembers(groupId: OktaGroupId): Promise<OktaUserId[]> {
    const rows = await this.#db
      .selectFrom('okta_memberships')
      .select('user_id')
      .where('group_id', '=', groupId)
      .orderBy('user_id')
      .execute();
    return rows.map((row) => row.user_id as OktaUserId);
  }

  async listUserGroups(userId: OktaUserId): Promise<OktaGroupId[]> {
    const { rows } = await this.#prepared.run(this.#db, LIST_USER_GROUPS, { userId });
    return rows.map((row) => row.group_id as OktaGroupId);
  }

  // ------------------------------------------------------------ event journal

  async journalEvents(events: readonly NewJournalEvent[]): Promise<JournalResult> {
    const now = this.#now();
    const seen = new Set<string>();
    const batch: NewJournalEvent[] = [];
    const duplicates: string[] = [];
    for (const event of events) {
      if (seen.has(event.uuid)) duplicates.push(event.uuid);
      else {
        seen.add(event.uuid);
        batch.push(event);
      }
    }
    const added = new Set<string>();
    await this.#atomic(async (db) => {
      for (const chunk of chunks(byKey(batch, (event) => event.uuid))) {
        const values: Record<string, unknown> = { now };
        chunk.forEach((event, i) => {
          values[`uuid${i}`] = event.uuid;
          values[`eventType${i}`] = event.eventType;
          values[`published${i}`] = event.published;
          values[`channel${i}`] = event.channel;
          values[`body${i}`] = toJson(event.body);
          values[`state${i}`] = event.state ?? 'received';
          values[`keys${i}`] = toJson(event.keys ?? []);
          values[`error${i}`] = event.error ?? null;
        });
        const { rows } = await this.#prepared.run(db, journalRows(chunk.length), values);
        for (const row of rows) added.add(row.uuid);
      }
    });
    for (const event of batch) if (!added.has(event.uuid)) duplicates.push(event.uuid);
    return { added: batch.map((e) => e.uuid).filter((uuid) => added.has(uuid)), duplicates };
  }

  async getEvent(uuid: string): Promise<JournalEvent | null> {
    const row = await this.#db
      .selectFrom('event_journal')
      .selectAll()
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    return row ? journalEvent(row) : null;
  }

  async listEvents(query: { state?: EventState; limit: number }): Promise<JournalEvent[]> {
    let select = this.#db.selectFrom('event_journal').selectAll();
    if (query.state !== undefined) select = select.where('state', '=', query.state);
    const rows = await select
      .orderBy('received_at')
      .orderBy('published')
      .orderBy('uuid')
      .limit(query.limit)
      .execute();
    return rows.map(journalEvent);
  }

  async countEventsByState(): Promise<Record<EventState, number>> {
    const rows = await this.#db
      .selectFrom('event_journal')
      .select(['state', (eb) => eb.fn.countAll<string | number>().as('n')])
      .groupBy('state')
      .execute();
    const counts = Object.fromEntries(EventStates.map((s) => [s, 0])) as Record<EventState, number>;
    for (const row of rows) counts[row.state as EventState] = Number(row.n);
    return counts;
  }

  // ------------------------------------------------------------ work queue

  async enqueue(key: string, options?: QueueClock & { notBefore?: Date }): Promise<void> {
    await this.enqueueAll([key], options);
  }

  async enqueueAll(
    keys: readonly string[],
    options?: QueueClock & { notBefore?: Date },
  ): Promise<void> {
    const now = this.#now(options);
    const notBefore = (options?.notBefore ?? options?.now ?? this.#context.clock()).toISOString();
    // PostgreSQL refuses to update one row twice in a statement, hence the distinct keys.
    for (const chunk of chunks(byKey([...new Set(keys)], (key) => key))) {
      const values: Record<string, string> = { notBefore, now };
      chunk.forEach((key, i) => (values[`key${i}`] = key));
      await this.#prepared.run(this.#db, enqueueRows(chunk.length), values);
    }
  }

  async claim(
    workerId: string,
    options: QueueClock & { leaseMs: number; limit?: number },
  ): Promise<ClaimedKey[]> {
    return (await this.#lease(workerId, options, options.limit ?? 1)).claimed;
  }

  async claimNext(workerId: string, options: QueueClock & { leaseMs: number }): Promise<NextClaim> {
    const { claimed, moreRunnable } = await this.#lease(workerId, options, 1);
    return { claimed: claimed[0] ?? null, moreRunnable };
  }

  /** Leases up to `limit` keys, looking one candidate further to tell whether more are runnable. */
  async #lease(
    workerId: string,
    options: QueueClock & { leaseMs: number },
    limit: number,
  ): Promise<{ claimed: ClaimedKey[]; moreRunnable: boolean }> {
    const nowDate = options.now ?? this.#context.clock();
    const now = nowDate.toISOString();
    const leaseExpiresAt = new Date(nowDate.getTime() + options.leaseMs).toISOString();
    const values = { now, limit, lookahead: limit + 1, workerId, leaseExpiresAt };
    let rows: ClaimedRow[] = [];
    let moreRunnable = false;
    if (this.capabilities.supportsConcurrentWriters) {
      const leased = (await this.#prepared.run(this.#db, CLAIM_SKIP_LOCKED, values)).rows;
      rows = leased;
      moreRunnable = Number(leased[0]?.candidates ?? 0) > limit;
    } else {
      // One writer at a time (SQLite): reading the candidates, then leasing them by key, costs
      // less than the single statement, whose IN (subquery) on the table it updates SQLite runs
      // through temporary tables. No transaction: the lease re-checks each key, so a key another
      // claimer took in between is skipped, and a claim that lost every key looks again.
      for (let attempt = 0; attempt < 3 && rows.length === 0; attempt++) {
        const { rows: candidates } = await this.#prepared.run(this.#db, CLAIM_CANDIDATES, values);
        moreRunnable = candidates.length > limit;
        const chosen = candidates.slice(0, limit);
        if (chosen.length === 0) break;
        const keys = Object.fromEntries(chosen.map((row, i) => [`key${i}`, row.key]));
        rows = (
          await this.#prepared.run(this.#db, leaseListed(chosen.length), { ...values, ...keys })
        ).rows;
      }
    }
    const claimed = rows
      .sort((a, b) =>
        a.not_before === b.not_before
          ? a.key.localeCompare(b.key)
          : a.not_before < b.not_before
            ? -1
            : 1,
      )
      .map((row) => ({
        key: row.key,
        attempts: row.attempts,
        enqueuedAt: row.enqueued_at,
        leaseExpiresAt: row.lease_expires_at ?? leaseExpiresAt,
        lastError: row.last_error,
      }));
    return { claimed, moreRunnable };
  }

  async renewLease(
    key: string,
    workerId: string,
    options: QueueClock & { leaseMs: number },
  ): Promise<boolean> {
    const nowDate = options.now ?? this.#context.clock();
    const result = await this.#db
      .updateTable('work_queue')
      .set({
        lease_expires_at: new Date(nowDate.getTime() + options.leaseMs).toISOString(),
        updated_at: nowDate.toISOString(),
      })
      .where('key', '=', key)
      .where('state', '=', 'processing')
      .where('worker_id', '=', workerId)
      .executeTakeFirst();
    return affected(result) > 0;
  }

  async complete(key: string, workerId: string, options?: QueueClock): Promise<boolean> {
    const values = { key, workerId, now: this.#now(options) };
    // The common case, a key nobody re-added while it ran, leaves the queue in one statement.
    if (affectedRows(await this.#prepared.run(this.#db, COMPLETE_REMOVE, values)) > 0) return true;
    // Re-added while it ran: waiting again, to run once more. Only the holder completes, and a
    // key held is only ever marked dirty, so the two statements cannot miss each other.
    return affectedRows(await this.#prepared.run(this.#db, COMPLETE_REQUEUE, values)) > 0;
  }

  async retryLater(
    key: string,
    workerId: string,
    options: QueueClock & { error: string; notBefore: Date },
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable('work_queue')
      .set({
        state: 'waiting',
        not_before: options.notBefore.toISOString(),
        dirty: 0,
        dirty_not_before: null,
        worker_id: null,
        lease_expires_at: null,
        last_error: options.error,
        updated_at: this.#now(options),
      })
      .where('key', '=', key)
      .where('state', '=', 'processing')
      .where('worker_id', '=', workerId)
      .executeTakeFirst();
    return affected(result) > 0;
  }

  async failTerminal(
    key: string,
    workerId: string,
    error: string,
    options?: QueueClock,
  ): Promise<boolean> {
    const now = this.#now(options);
    const result = await this.#db
      .updateTable('work_queue')
      .set({
        state: sql`case when dirty = 1 then 'waiting' else 'failed' end`,
        not_before: sql`case when dirty = 1 then dirty_not_before else not_before end`,
        attempts: sql`case when dirty = 1 then 0 else attempts end`,
        enqueued_at: sql`case when dirty = 1 then ${now} else enqueued_at end`,
        dirty: 0,
        dirty_not_before: null,
        worker_id: null,
        lease_expires_at: null,
        last_error: error,
        failed_at: now,
        updated_at: now,
      })
      .where('key', '=', key)
      .where('state', '=', 'processing')
      .where('worker_id', '=', workerId)
      .executeTakeFirst();
    return affected(result) > 0;
  }

  async queueStats(): Promise<QueueStats> {
    const rows = await this.#db
      .selectFrom('work_queue')
      .select([
        'state',
        (eb) => eb.fn.countAll<string | number>().as('n'),
        (eb) => eb.fn.min('enqueued_at').as('oldest'),
      ])
      .groupBy('state')
      .execute();
    const stats = { waiting: 0, processing: 0, failed: 0, oldest: null as string | null };
    for (const row of rows) {
      if (row.state !== 'waiting' && row.state !== 'processing' && row.state !== 'failed') continue;
      stats[row.state] = Number(row.n);
      if (row.state !== 'failed' && (stats.oldest === null || row.oldest < stats.oldest)) {
        stats.oldest = row.oldest;
      }
    }
    return stats;
  }

  async listFailedKeys(limit: number): Promise<FailedKey[]> {
    const rows = await this.#db
      .selectFrom('work_queue')
      .select(['key', 'attempts', 'last_error', 'failed_at'])
      .where('state', '=', 'failed')
      .orderBy('failed_at')
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      key: row.key,
      attempts: row.attempts,
      error: row.last_error ?? '',
      failedAt: row.failed_at ?? '',
    }));
  }

  // ------------------------------------------------------------ plans and runs

  async savePlan(plan: NewPlan): Promise<StoredPlan> {
    const saved: StoredPlan = { ...plan, createdAt: plan.createdAt ?? this.#now() };
    await this.#db
      .insertInto('plans')
      .values({
        id: saved.id,
        created_at: saved.createdAt,
        summary: toJson(saved.summary),
        body: toJson(saved.body),
      })
      .execute();
    return saved;
  }

  async getPlan(id: string): Promise<StoredPlan | null> {
    const row = await this.#db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row
      ? {
          id: row.id,
          createdAt: row.created_at,
          summary: fromJson(row.summary),
          body: fromJson(row.body),
        }
      : null;
  }

  async listPlans(limit: number): Promise<StoredPlan[]> {
    const rows = await this.#db
      .selectFrom('plans')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      summary: fromJson(row.summary),
      body: fromJson(row.body),
    }));
  }

  async createRun(newRun: NewRun): Promise<Run> {
    const row = {
      id: newRun.id,
      started_at: newRun.startedAt ?? this.#now(),
      finished_at: null,
      trigger: newRun.trigger,
      cause: newRun.cause ?? null,
      plan_id: newRun.planId ?? null,
      status: 'running',
      summary: null,
    };
    await this.#prepared.run(this.#db, CREATE_RUN, {
      id: row.id,
      startedAt: row.started_at,
      trigger: row.trigger,
      cause: row.cause,
      planId: row.plan_id,
    });
    return run(row);
  }

  async finishRun(
    id: string,
    outcome: { status: Run['status']; summary?: unknown; finishedAt?: string },
  ): Promise<boolean> {
    const result = await this.#prepared.run(this.#db, FINISH_RUN, {
      id,
      status: outcome.status,
      summary: toJson(outcome.summary),
      finishedAt: outcome.finishedAt ?? this.#now(),
    });
    return affectedRows(result) > 0;
  }

  async getRun(id: string): Promise<Run | null> {
    const row = await this.#db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? run(row) : null;
  }

  async listRuns(limit: number): Promise<Run[]> {
    const rows = await this.#db
      .selectFrom('runs')
      .selectAll()
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(run);
  }

  async recordOperation(result: OperationResult): Promise<void> {
    await this.#prepared.run(this.#db, RECORD_OPERATION, {
      runId: result.runId,
      opIndex: result.opIndex,
      kind: result.kind,
      targetKey: result.key,
      status: result.status,
      cause: result.cause,
      awsRequestId: result.awsRequestId,
      attempts: result.attempts,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
    });
  }

  async listOperations(runId: string): Promise<OperationResult[]> {
    const rows = await this.#db
      .selectFrom('run_operations')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('op_index')
      .execute();
    return rows.map(operation);
  }

  // ------------------------------------------------------------ audit

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const { rows } = await this.#prepared.run(this.#db, APPEND_AUDIT, {
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      details: toJson(entry.details),
      requestId: entry.requestId ?? null,
      at: entry.at ?? this.#now(),
    });
    return audit(rows[0]!);
  }

  async listAudit(query: {
    limit: number;
    afterId?: number;
    target?: string;
  }): Promise<AuditEntry[]> {
    let select = this.#db.selectFrom('audit_log').selectAll();
    if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
    if (query.target !== undefined) select = select.where('target', '=', query.target);
    const rows = await select.orderBy('id').limit(query.limit).execute();
    return rows.map(audit);
  }

  // ------------------------------------------------------------ cursors

  async getCursor(name: string): Promise<string | null> {
    const row = await this.#db
      .selectFrom('cursors')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.value ?? null;
  }

  async setCursor(name: string, value: string): Promise<void> {
    await this.#db
      .insertInto('cursors')
      .values({ name, value, updated_at: this.#now() })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          value: (eb) => eb.ref('excluded.value'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        }),
      )
      .execute();
  }

  // ------------------------------------------------------------ ownership

  async upsertOwnership(record: NewOwnership): Promise<{ created: boolean; record: Ownership }> {
    const now = this.#now();
    const values = {
      key: record.key,
      kind: record.kind,
      rule: record.rule,
      createdByRun: record.createdByRun ?? null,
      now,
    };
    // Usually new (a write the tool just made): one statement. No transaction: a row inserted
    // meanwhile by another writer is updated below; one deleted meanwhile is inserted again.
    for (;;) {
      const inserted = await this.#prepared.run(this.#db, INSERT_OWNERSHIP, values);
      if (inserted.rows[0]) return { created: true, record: ownership(inserted.rows[0]) };
      const updated = await this.#prepared.run(this.#db, UPDATE_OWNERSHIP, values);
      if (updated.rows[0]) return { created: false, record: ownership(updated.rows[0]) };
    }
  }

  async getOwnership(key: string): Promise<Ownership | null> {
    const row = await this.#db
      .selectFrom('ownership')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? ownership(row) : null;
  }

  async deleteOwnership(key: string): Promise<boolean> {
    return affectedRows(await this.#prepared.run(this.#db, DELETE_OWNERSHIP, { key })) > 0;
  }

  async listOwnership(query?: { kind?: OwnershipKind; rule?: string }): Promise<Ownership[]> {
    let select = this.#db.selectFrom('ownership').selectAll();
    if (query?.kind !== undefined) select = select.where('kind', '=', query.kind);
    if (query?.rule !== undefined) select = select.where('rule', '=', query.rule);
    const rows = await select.orderBy('key').execute();
    return rows.map(ownership);
  }
}
