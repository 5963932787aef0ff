import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { describeStoreContract } from '../test-support/store-contract.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'okta-aws-sync-store-'));
let counter = 0;

describeStoreContract('sqlite', {
  name: 'sqlite',
  newStoreUrl: () => `sqlite:${join(dir, `store-${++counter}.db`)}`,
  setSchemaVersion(url, version) {
    const db = new Database(url.slice('sqlite:'.length));
    try {
      db.prepare(`update store_meta set value = ? where key = 'schema_version'`).run(
        String(version),
      );
    } finally {
      db.close();
    }
    return Promise.resolve();
  },
  cleanup() {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
});

describe('SQLite store', () => {
  it('runs in WAL mode with a busy timeout, and says what it cannot do', async () => {
    const path = join(dir, 'wal.db');
    const store = await openSqliteStore(path);
    await store.close();
    const db = new Database(path);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    expect(store.capabilities).toEqual({
      backend: 'sqlite',
      supportsSkipLocked: false,
      supportsConcurrentWriters: false,
      transactionalDdl: false,
      sharedAcrossHosts: false,
      durable: true,
    });
  });

  it('creates the directory of a new store file', async () => {
    const store = await openSqliteStore(join(dir, 'nested', 'deeper', 'store.db'));
    expect(await store.getCursor('x')).toBeNull();
    await store.close();
  });

  it('opens an in-memory store that is not durable', async () => {
    const store = await openSqliteStore(':memory:');
    await store.setCursor('c', 'v');
    expect(await store.getCursor('c')).toBe('v');
    expect(store.capabilities.durable).toBe(false);
    await store.close();
  });
});
