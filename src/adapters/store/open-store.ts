/**
 * Opens the store named by a URL; the one place that chooses a backend.
 */
import { OperationalError } from '../../core/errors.js';
import type { Store } from '../../ports/store.js';
import { openPostgresStore, redactUrl } from './postgres/postgres-store.js';
import { migrateOnOpen } from './kysely/store-migrations.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/** The narrow logger the store uses (a pino logger fits). */
export interface StoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface OpenStoreOptions {
  /** Clock for defaulted timestamps and queue times; defaults to the system clock. */
  readonly clock?: () => Date;
  /** Receives migration results and pool errors; silent by default. */
  readonly logger?: StoreLogger;
  /**
   * Run pending migrations (and the schema-version check) while opening; default true. With
   * false the caller runs `store.migrate()` itself, e.g. to report the per-migration results.
   */
  readonly migrate?: boolean;
}

/**
 * Opens and migrates the store at `url`:
 * - `sqlite:PATH` (relative to the working directory) or `sqlite::memory:`;
 * - `postgres://…` or `postgresql://…`, with an optional `?schema=name`.
 *
 * Throws OperationalError (CLI exit 1, as the product contract asks for a store it cannot use)
 * with code STORE_URL_INVALID (unknown scheme, malformed URL), STORE_UNREACHABLE (cannot connect or open), STORE_SCHEMA_TOO_NEW (migrated by a newer build),
 * or STORE_MIGRATION_FAILED. Messages never contain the URL's password.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const logger = options.logger;
  let store: Store;
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '')
      throw new OperationalError(
        'store URL "sqlite:" needs a path, e.g. sqlite:./data/okta-aws-sync.db',
        'STORE_URL_INVALID',
        false,
      );
    store = await openSqliteStore(path, {
      ...(options.clock ? { clock: options.clock } : {}),
      migrate: false,
    });
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    store = await openPostgresStore(url, {
      ...(options.clock ? { clock: options.clock } : {}),
      migrate: false,
      onPoolError: (error) => logger?.warn({ err: error.message }, 'store connection error'),
    });
  } else {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    throw new OperationalError(
      `unknown store ${scheme ? `scheme "${scheme}:" in ${redactUrl(url)}` : `URL "${url}"`}; use sqlite:PATH, sqlite::memory: or postgres://user@host:5432/db`,
      'STORE_URL_INVALID',
      false,
    );
  }
  const backend = store.capabilities.backend;
  if (options.migrate !== false) {
    const report = await migrateOnOpen(store);
    for (const result of report.results) {
      logger?.info({ backend, migration: result.name, status: result.status }, 'store migration');
    }
  }
  logger?.info({ backend }, 'store opened');
  return store;
}
