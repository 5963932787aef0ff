/**
 * Row types of the store tables, shared by both backends. Timestamps are ISO-8601 text and JSON
 * is text (serialised by the store), so both backends read back exactly what was written.
 */
import type { Generated } from 'kysely';

export interface StoreMetaTable {
  key: string;
  value: string;
}

export interface SnapshotsTable {
  id: string;
  created_at: string;
  source: string;
  summary: string;
  duration_ms: number;
  calls: number;
  not_inspected: string;
  body: string;
}

export interface OktaUsersTable {
  id: string;
  body: string;
  updated_at: string;
}

export interface OktaGroupsTable {
  id: string;
  body: string;
  updated_at: string;
}

export interface OktaMembershipsTable {
  group_id: string;
  user_id: string;
  updated_at: string;
}

export interface EventJournalTable {
  uuid: string;
  event_type: string;
  published: string;
  channel: string;
  body: string;
  received_at: string;
  state: string;
  keys: string;
  error: string | null;
  updated_at: string;
}

export interface WorkQueueTable {
  key: string;
  /** waiting | processing | failed | done (done rows are removed right after). */
  state: string;
  not_before: string;
  attempts: number;
  /** 1 when re-added while processing. */
  dirty: number;
  dirty_not_before: string | null;
  worker_id: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  failed_at: string | null;
  enqueued_at: string;
  updated_at: string;
}

export interface PlansTable {
  id: string;
  created_at: string;
  summary: string;
  body: string;
}

export interface RunsTable {
  id: string;
  started_at: string;
  finished_at: string | null;
  trigger: string;
  cause: string | null;
  plan_id: string | null;
  status: string;
  summary: string | null;
}

export interface RunOperationsTable {
  run_id: string;
  op_index: number;
  kind: string;
  target_key: string;
  status: string;
  cause: string | null;
  aws_request_id: string | null;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor: string;
  action: string;
  target: string;
  details: string;
  request_id: string | null;
  at: string;
}

export interface CursorsTable {
  name: string;
  value: string;
  updated_at: string;
}

export interface OwnershipTable {
  key: string;
  kind: string;
  rule: string;
  created_by_run: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoreDatabase {
  store_meta: StoreMetaTable;
  snapshots: SnapshotsTable;
  okta_users: OktaUsersTable;
  okta_groups: OktaGroupsTable;
  okta_memberships: OktaMembershipsTable;
  event_journal: EventJournalTable;
  work_queue: WorkQueueTable;
  plans: PlansTable;
  runs: RunsTable;
  run_operations: RunOperationsTable;
  audit_log: AuditLogTable;
  cursors: CursorsTable;
  ownership: OwnershipTable;
}
