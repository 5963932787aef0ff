/**
 * The SQLite backend: one better-sqlite3 connection in WAL mode. Everything else is the shared
 * Kysely store.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver } from 'kysely';
import type {
  DatabaseConnection,
  Driver,
  SqliteDatabase,
  SqliteDialectConfig,
  SqliteStatement,
} from 'kysely';

import { OperationalError } from '../../../core/errors.js';
import type { Store, StoreCapabilities } from '../../../ports/store.js';
import { KyselyStore } from '../kysely/kysely-store.js';
import type { StoreDdlTraits } from '../kysely/store-migrations.js';
import { migrateOnOpen, migrateStore } from '../kysely/store-migrations.js';
import type { StoreDatabase } from '../kysely/schema.js';

/** Options shared by both backends' open functions. */
export interface OpenBackendOptions {
  /** The store's clock for defaulted timestamps; defaults to the system clock. */
  readonly clock?: () => Date;
  /** Migrate while opening; default true. */
  readonly migrate?: boolean;
  /** How long a writer waits for another process's write lock (ms); default 5000. */
  readonly busyTimeoutMs?: number;
}

// Transactions take the write lock when they begin: a deferred transaction that reads and then
// writes cannot wait for the lock in WAL mode (SQLITE_BUSY at once, busy_timeout does not help).
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class StoreSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED');
}

/** Prepared statements kept per SQL text; the store issues a few dozen distinct ones. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 under Kysely's SqliteDialect, with two additions:
 * - Prepared statements are reused per SQL text. Kysely prepares every query afresh, and in the
 *   service that compilation cost more CPU than running the statements.
 * - Another process holding the write lock past busy_timeout becomes a retryable
 *   OperationalError (STORE_BUSY), so the queue retries instead of treating it as a bug.
 */
function storeDatabase(database: Database.Database, path: string): SqliteDatabase {
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (!isBusy(error)) throw error;
      throw new OperationalError(
        `SQLite store ${path} is busy: another process held the write lock too long`,
        'STORE_BUSY',
        true,
        { cause: error },
      );
    }
  };
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    const cached = statements.get(sql);
    if (cached) return cached;
    const statement = guard(() => database.prepare(sql));
    if (statements.size >= STATEMENT_CACHE_SIZE) {
      statements.delete(statements.keys().next().value!);
    }
    statements.set(sql, statement);
    return statement;
  };
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const statement = prepared(sql);
      return {
        reader: statement.reader,
        all: (parameters) => guard(() => statement.all(parameters)),
        run: (parameters) => guard(() => statement.run(parameters)),
        // A statement being iterated cannot run anything else until the iterator ends, so a
        // stream gets a statement of its own.
        iterate: (parameters) => guard(() => database.prepare(sql).iterate(parameters)),
      };
    },
  };
}

const sqliteDdl: StoreDdlTraits = {
  // INTEGER PRIMARY KEY is SQLite's rowid alias, numbered on insert.
  identityPrimaryKey: (column) => column.primaryKey(),
  // BINARY is SQLite's default collation.
  binaryText: (column) => column,
};

/**
 * Opens (creating if needed, with its directory) the SQLite store at `path`, or an in-memory one
 * for `:memory:`, and migrates it. Throws OperationalError STORE_UNREACHABLE when the file cannot
 * be opened, STORE_SCHEMA_TOO_NEW when a newer build migrated it, STORE_MIGRATION_FAILED.
 */
export async function openSqliteStore(
  path: string,
  options: OpenBackendOptions = {},
): Promise<Store> {
  const inMemory = path === ':memory:';
  let database: Database.Database;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    // WAL with NORMAL sync is durable against process crashes, the failure the queue cares about.
    database.pragma('synchronous = NORMAL');
    // The temporary b-trees of sorts, unions and IN lists (the queue claim has all three) stay
    // in memory rather than in temporary files.
    database.pragma('temp_store = MEMORY');
  } catch (error) {
    throw new OperationalError(
      `cannot open SQLite store ${path}: ${error instanceof Error ? error.message : String(error)}`,
      'STORE_UNREACHABLE',
      false,
      { cause: error },
    );
  }
  const db = new Kysely<StoreDatabase>({
    dialect: new StoreSqliteDialect({ database: storeDatabase(database, path) }),
  });
  const capabilities: StoreCapabilities = {
    backend: 'sqlite',
    supportsSkipLocked: false,
    supportsConcurrentWriters: false,
    transactionalDdl: db.getExecutor().adapter.supportsTransactionalDdl,
    sharedAcrossHosts: false,
    durable: !inMemory,
  };
  const store = new KyselyStore(db, {
    capabilities,
    clock: options.clock ?? (() => new Date()),
    migrate: () => migrateStore(db as Kysely<unknown>, sqliteDdl, undefined),
    destroy: () => db.destroy(),
  });
  if (options.migrate !== false) await migrateOnOpen(store);
  return store;
}
