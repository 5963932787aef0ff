import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

import { OperationalError } from '../../../core/errors.js';
import { describeStoreContract } from '../test-support/store-contract.js';
import { openStore } from '../open-store.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'okta-aws-sync-store-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
  dropStore(url) {
    const path = url.slice('sqlite:'.length);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
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

  it('has no column that could hold a secret', async () => {
    const path = join(dir, 'columns.db');
    await (await openSqliteStore(path)).close();
    const db = new Database(path, { readonly: true });
    try {
      const columns = db
        .prepare(
          `select m.name || '.' || p.name as col from sqlite_master m
           join pragma_table_info(m.name) p where m.type = 'table'`,
        )
        .pluck()
        .all() as string[];
      expect(columns.length).toBeGreaterThan(50);
      expect(columns.filter((c) => /secret|token|password|credential|api_?key/i.test(c))).toEqual(
        [],
      );
    } finally {
      db.close();
    }
  });

  it('lets several processes share one file: each key claimed once, each event journaled once', async () => {
    const url = `sqlite:${join(dir, 'shared.db')}`;
    const store = await openStore(url);
    const keys = Array.from({ length: 30 }, (_, i) => `group:${String(i).padStart(2, '0')}`);
    for (const key of keys) await store.enqueue(key);
    await store.close();
    const uuids = Array.from({ length: 20 }, (_, i) => `evt-${i}`);
    // Bundled once so each process starts in plain node (tsx start-up dominated the test);
    // written under node_modules so the bundle resolves the native better-sqlite3 from there.
    const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
    const worker = join(
      repoRoot,
      'node_modules',
      '.cache',
      'okta-aws-sync-tests',
      `worker-${process.pid}.mjs`,
    );
    await build({
      entryPoints: [join(import.meta.dirname, '..', 'test-support', 'queue-worker-process.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: worker,
      logLevel: 'silent',
    });
    const run = promisify(execFile);
    const outputs = await Promise.all(
      ['p1', 'p2', 'p3'].map((id, i) =>
        run(process.execPath, [worker, url, id, ...(i % 2 ? uuids.toReversed() : uuids)]),
      ),
    ).finally(() => rmSync(worker, { force: true }));
    const results = outputs.map(
      (o) => JSON.parse(o.stdout) as { claimed: string[]; added: string[] },
    );
    expect(results.flatMap((r) => r.claimed).sort()).toEqual(keys);
    expect(results.flatMap((r) => r.added).sort()).toEqual([...uuids].sort());
  });

  it('reports a write lock held too long by another process as a retryable STORE_BUSY', async () => {
    const path = join(dir, 'busy.db');
    const store = await openSqliteStore(path, { busyTimeoutMs: 20 });
    const other = new Database(path);
    try {
      other.exec('begin immediate');
      const error = await store.setCursor('c', '1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationalError);
      expect(error).toMatchObject({ code: 'STORE_BUSY', retryable: true });
      other.exec('rollback');
      await store.setCursor('c', '2');
      expect(await store.getCursor('c')).toBe('2');
    } finally {
      other.close();
      await store.close();
    }
  });
});
