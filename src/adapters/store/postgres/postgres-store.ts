/**
 * The PostgreSQL backend: a pg Pool, optionally confined to one schema (`?schema=name` in the
 * URL) through `search_path`. Everything else is the shared Kysely store.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { PostgresPool } from 'kysely';
import pg from 'pg';

import { OperationalError } from '../../../core/errors.js';
import type { Store, StoreCapabilities } from '../../../ports/store.js';
import { KyselyStore } from '../kysely/kysely-store.js';
import type { StoreDdlTraits } from '../kysely/store-migrations.js';
import { migrateOnOpen, migrateStore } from '../kysely/store-migrations.js';
import type { StoreDatabase } from '../kysely/schema.js';

export interface OpenPostgresOptions {
  /** The store's clock for defaulted timestamps; defaults to the system clock. */
  readonly clock?: () => Date;
  /** Migrate while opening; default true. */
  readonly migrate?: boolean;
  /** How long to wait for a connection (ms); default 5000. */
  readonly connectTimeoutMs?: number;
  /** Pool size; default 10. */
  readonly maxConnections?: number;
  /** Receives errors of idle pooled connections, which would otherwise crash the process. */
  readonly onPoolError?: (error: Error) => void;
}

const postgresDdl: StoreDdlTraits = {
  identityPrimaryKey: (column) => column.primaryKey().generatedByDefaultAsIdentity(),
  binaryText: (column) => column.modifyFront(sql`collate "C"`),
};

function invalidUrl(message: string): OperationalError {
  return new OperationalError(message, 'STORE_URL_INVALID', false);
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Unparseable: show it only when it cannot hold a password (no user-info part).
    return url.includes('@') ? '(unparseable URL)' : url;
  }
}

/**
 * Opens the PostgreSQL store at `url` (`postgres://` or `postgresql://`, optional `?schema=`,
 * created if missing) and migrates it. Throws OperationalError STORE_URL_INVALID for a malformed
 * URL or schema name,
 * OperationalError STORE_UNREACHABLE (retryable) when the server cannot be reached or refuses the
 * login, at open or later; STORE_SETUP_FAILED when the schema cannot be created;
 * STORE_SCHEMA_TOO_NEW when a newer build migrated it, STORE_MIGRATION_FAILED.
 */
export async function openPostgresStore(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<Store> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl(`store URL ${redactUrl(url)} is not a valid PostgreSQL URL`);
  }
  if (parsed.hostname === '') {
    throw invalidUrl(`store URL ${redactUrl(url)} needs a host, e.g. postgres://user@host:5432/db`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw invalidUrl(
      `store URL schema "${schema}" must be a lower-case identifier (letters, digits, _)`,
    );
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    max: options.maxConnections ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  // pg-pool listens for errors only on idle clients; a socket reset while a client is checked out
  // but between queries (inside a transaction) would otherwise be an uncaught exception that
  // kills the process. The next query on that client fails and reports the store unreachable.
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  const unreachable = (error: unknown): OperationalError =>
    new OperationalError(
      `cannot reach PostgreSQL store at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`,
      'STORE_UNREACHABLE',
      true,
      { cause: error },
    );
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(error);
  }
  let effectiveSchema: string;
  try {
    // Look before creating: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when
    // the schema exists, which a least-privilege store user may lack.
    if (schema !== undefined) {
      const found = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
      if (found.rowCount === 0) await client.query(`create schema if not exists "${schema}"`);
    }
    const result = await client.query<{ schema: string | null }>(
      'select current_schema() as schema',
    );
    effectiveSchema = result.rows[0]?.schema ?? 'public';
  } catch (error) {
    client.release();
    await pool.end().catch(() => undefined);
    throw new OperationalError(
      `PostgreSQL store at ${redactUrl(url)}: cannot prepare schema ${schema ?? '(default)'}: ${error instanceof Error ? error.message : String(error)}`,
      'STORE_SETUP_FAILED',
      false,
      { cause: error },
    );
  }
  client.release();
  // Later connection failures (server restarted, network gone) surface as the same retryable
  // OperationalError, so the queue and readiness can tell them from bugs.
  const guardedPool: PostgresPool = {
    connect: () => pool.connect().catch((error: unknown) => Promise.reject(unreachable(error))),
    end: () => pool.end(),
  };
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: guardedPool }) });
  const capabilities: StoreCapabilities = {
    backend: 'postgres',
    supportsSkipLocked: true,
    supportsConcurrentWriters: true,
    transactionalDdl: db.getExecutor().adapter.supportsTransactionalDdl,
    sharedAcrossHosts: true,
    durable: true,
  };
  const store = new KyselyStore(db, {
    capabilities,
    clock: options.clock ?? (() => new Date()),
    migrate: () => migrateStore(db as Kysely<unknown>, postgresDdl, effectiveSchema),
    destroy: () => db.destroy(),
  });
  if (options.migrate !== false) await migrateOnOpen(store);
  return store;
}
