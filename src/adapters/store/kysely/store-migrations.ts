/**
 * The store schema as in-code Kysely migrations, shared by both backends, and the schema-version
 * guard. Each migration ends by writing its number to `store_meta.schema_version`, so a build can
 * tell that a store was migrated by a newer build and refuse to touch it.
 */
import { Migrator, sql } from 'kysely';
import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';

import { OperationalError } from '../../../core/errors.js';
import type { MigrationReport, Store } from '../../../ports/store.js';

/** DDL that cannot be written once for both backends. */
export interface StoreDdlTraits {
  /** Makes an integer primary key that the database numbers on insert. */
  readonly identityPrimaryKey: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /**
   * Makes a text column compare byte-wise, so ORDER BY and range checks on keys and ISO
   * timestamps agree on both backends whatever the database's locale.
   */
  readonly binaryText: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

// Migrations create tables without foreign keys: the journal, queue and audit must accept rows
// whose subjects were deleted, and the two backends treat FK enforcement differently.
function storeMigrations(traits: StoreDdlTraits): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('store_meta')
          .addColumn('key', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('value', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await db.schema
          .createTable('snapshots')
          .addColumn('id', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('created_at', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('source', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('summary', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('duration_ms', 'integer', (c) => c.notNull())
          .addColumn('calls', 'integer', (c) => c.notNull())
          .addColumn('not_inspected', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('body', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await db.schema
          .createIndex('snapshots_source_created')
          .on('snapshots')
          .columns(['source', 'created_at'])
          .execute();
        await db.schema
          .createIndex('snapshots_created')
          .on('snapshots')
          .column('created_at')
          .execute();
        for (const table of ['okta_users', 'okta_groups']) {
          await db.schema
            .createTable(table)
            .addColumn('id', 'text', (c) => traits.binaryText(c).primaryKey())
            .addColumn('body', 'text', (c) => traits.binaryText(c).notNull())
            .addColumn('updated_at', 'text', (c) => traits.binaryText(c).notNull())
            .execute();
        }
        await db.schema
          .createTable('okta_memberships')
          .addColumn('group_id', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('user_id', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('updated_at', 'text', (c) => traits.binaryText(c).notNull())
          .addPrimaryKeyConstraint('okta_memberships_pk', ['group_id', 'user_id'])
          .execute();
        await db.schema
          .createIndex('okta_memberships_user')
          .on('okta_memberships')
          .column('user_id')
          .execute();
        await db.schema
          .createTable('event_journal')
          .addColumn('uuid', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('event_type', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('published', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('channel', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('body', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('received_at', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('state', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('keys', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('error', 'text', (c) => traits.binaryText(c))
          .addColumn('updated_at', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await db.schema
          .createIndex('event_journal_state_received')
          .on('event_journal')
          .columns(['state', 'received_at'])
          .execute();
        await db.schema
          .createTable('work_queue')
          .addColumn('key', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('state', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('not_before', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('dirty', 'integer', (c) => c.notNull())
          .addColumn('dirty_not_before', 'text', (c) => traits.binaryText(c))
          .addColumn('worker_id', 'text', (c) => traits.binaryText(c))
          .addColumn('lease_expires_at', 'text', (c) => traits.binaryText(c))
          .addColumn('last_error', 'text', (c) => traits.binaryText(c))
          .addColumn('failed_at', 'text', (c) => traits.binaryText(c))
          .addColumn('enqueued_at', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('updated_at', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await db.schema
          .createIndex('work_queue_state_not_before')
          .on('work_queue')
          .columns(['state', 'not_before'])
          .execute();
        await db.schema
          .createTable('plans')
          .addColumn('id', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('created_at', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('summary', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('body', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await db.schema
          .createTable('runs')
          .addColumn('id', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('started_at', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('finished_at', 'text', (c) => traits.binaryText(c))
          .addColumn('trigger', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('cause', 'text', (c) => traits.binaryText(c))
          .addColumn('plan_id', 'text', (c) => traits.binaryText(c))
          .addColumn('status', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('summary', 'text', (c) => traits.binaryText(c))
          .execute();
        await db.schema.createIndex('runs_started').on('runs').column('started_at').execute();
        await db.schema
          .createTable('run_operations')
          .addColumn('run_id', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('op_index', 'integer', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('target_key', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('status', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('cause', 'text', (c) => traits.binaryText(c))
          .addColumn('aws_request_id', 'text', (c) => traits.binaryText(c))
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => traits.binaryText(c))
          .addColumn('finished_at', 'text', (c) => traits.binaryText(c))
          .addPrimaryKeyConstraint('run_operations_pk', ['run_id', 'op_index'])
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', 'integer', (c) => traits.identityPrimaryKey(c))
          .addColumn('actor', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('action', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('target', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('details', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('request_id', 'text', (c) => traits.binaryText(c))
          .addColumn('at', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await db.schema.createIndex('audit_log_target').on('audit_log').column('target').execute();
        await db.schema
          .createTable('cursors')
          .addColumn('name', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('value', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('updated_at', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await db.schema
          .createTable('ownership')
          .addColumn('key', 'text', (c) => traits.binaryText(c).primaryKey())
          .addColumn('kind', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('rule', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('created_by_run', 'text', (c) => traits.binaryText(c))
          .addColumn('created_at', 'text', (c) => traits.binaryText(c).notNull())
          .addColumn('updated_at', 'text', (c) => traits.binaryText(c).notNull())
          .execute();
        await setSchemaVersion(db, 1);
      },
    },
    '0002_work_queue_claim_index': {
      // A claim reads each state's earliest keys in (not_before, key) order; with the key in the
      // index, keys enqueued in one batch (one not_before) need no sort.
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createIndex('work_queue_claim')
          .on('work_queue')
          .columns(['state', 'not_before', 'key'])
          .execute();
        await db.schema.dropIndex('work_queue_state_not_before').execute();
        await setSchemaVersion(db, 2);
      },
    },
  };
}

/** The schema version this build writes; a store above it is refused. */
export const STORE_SCHEMA_VERSION = 2;

async function setSchemaVersion(db: Kysely<unknown>, version: number): Promise<void> {
  // Raw SQL: migrations run against an untyped Kysely, and upsert syntax is shared by both.
  await sql`insert into store_meta (key, value) values ('schema_version', ${String(version)})
    on conflict (key) do update set value = excluded.value`.execute(db);
}

/**
 * Reads `store_meta.schema_version`; 0 for an empty database. `schema` restricts the table lookup
 * to one PostgreSQL schema (introspection lists every schema).
 */
export async function readSchemaVersion(
  db: Kysely<unknown>,
  schema: string | undefined,
): Promise<number> {
  const tables = await db.introspection.getTables();
  const hasMeta = tables.some(
    (table) => table.name === 'store_meta' && (schema === undefined || table.schema === schema),
  );
  if (!hasMeta) return 0;
  const result = await sql<{
    value: string;
  }>`select value from store_meta where key = 'schema_version'`.execute(db);
  const value = result.rows[0]?.value;
  return value === undefined ? 0 : Number(value);
}

/**
 * Applies pending migrations. Refuses (OperationalError STORE_SCHEMA_TOO_NEW) a store whose
 * schema version is newer than this build, before touching it.
 */
export async function migrateStore(
  db: Kysely<unknown>,
  traits: StoreDdlTraits,
  schema: string | undefined,
): Promise<MigrationReport> {
  // Kysely's PostgreSQL introspection reads every schema of the database; one dropped by someone
  // else mid-query fails it with invalid_schema_name (3F000). Nothing was applied, so try again.
  const droppedElsewhere = (error: unknown): boolean =>
    (error as { code?: unknown } | null)?.code === '3F000' &&
    (schema === undefined || !String((error as Error).message).includes(`"${schema}"`));
  for (let attempt = 1; ; attempt++) {
    try {
      const report = await migrateStoreOnce(db, traits, schema);
      if (attempt < 3 && droppedElsewhere(report.cause)) continue;
      const { cause: _cause, ...rest } = report;
      return rest;
    } catch (error) {
      if (attempt < 3 && droppedElsewhere(error)) continue;
      throw error;
    }
  }
}

async function migrateStoreOnce(
  db: Kysely<unknown>,
  traits: StoreDdlTraits,
  schema: string | undefined,
): Promise<MigrationReport & { cause: unknown }> {
  const before = await readSchemaVersion(db, schema);
  if (before > STORE_SCHEMA_VERSION) {
    throw new OperationalError(
      `the store has schema version ${before}, newer than this build supports (${STORE_SCHEMA_VERSION}); upgrade okta-aws-sync before using this store`,
      'STORE_SCHEMA_TOO_NEW',
      false,
    );
  }
  const migrations = storeMigrations(traits);
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const migrator = new Migrator({
    db,
    provider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  return {
    schemaVersion: await readSchemaVersion(db, schema),
    results: results.map((r) => ({ name: r.migrationName, status: r.status })),
    error:
      error === undefined ? null : error instanceof Error ? error.message : JSON.stringify(error),
    cause: error,
  };
}

/**
 * Runs migrations at open and returns the report; a failed migration (or a too-new schema)
 * closes the store and throws OperationalError.
 */
export async function migrateOnOpen(store: Store): Promise<MigrationReport> {
  try {
    const report = await store.migrate();
    if (report.error !== null) {
      const failed = report.results.find((r) => r.status === 'Error')?.name ?? 'setup';
      throw new OperationalError(
        `store migration ${failed} failed: ${report.error}`,
        'STORE_MIGRATION_FAILED',
        false,
      );
    }
    return report;
  } catch (error) {
    await store.close();
    throw error;
  }
}
