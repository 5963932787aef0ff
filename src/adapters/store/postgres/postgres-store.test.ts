import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

import { testPostgresUrl } from '../../../../test/support/postgres.js';
import { describeStoreContract } from '../test-support/store-contract.js';
import { OperationalError } from '../../../core/errors.js';
import { openPostgresStore } from './postgres-store.js';

const baseUrl = testPostgresUrl();
const prefix = `store_test_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];
let created = 0;

/** A URL confined to a new schema, so parallel test files never share tables. */
function isolatedUrl(base: string): string {
  const schema = `${prefix}_${created++}`;
  schemas.push(schema);
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl! });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// Contract tests drop their schema when they finish; this catches the file's other tests.
afterAll(async () => {
  if (baseUrl === null) return;
  await withClient(async (client) => {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  });
});

describeStoreContract(
  'postgres',
  baseUrl === null
    ? null
    : {
        name: 'postgres',
        newStoreUrl: () => isolatedUrl(baseUrl),
        setSchemaVersion: (url, version) =>
          withClient(async (client) => {
            const schema = new URL(url).searchParams.get('schema')!;
            await client.query(
              `update "${schema}".store_meta set value = $1 where key = 'schema_version'`,
              [String(version)],
            );
          }),
        dropStore: (url) =>
          withClient(async (client) => {
            const schema = new URL(url).searchParams.get('schema')!;
            await client.query(`drop schema if exists "${schema}" cascade`);
          }),
      },
);

describe.skipIf(baseUrl === null)('PostgreSQL store', () => {
  it('keeps its tables in the schema named by the URL and states its capabilities', async () => {
    const url = isolatedUrl(baseUrl!);
    const store = await openPostgresStore(url);
    try {
      expect(store.capabilities).toEqual({
        backend: 'postgres',
        supportsSkipLocked: true,
        supportsConcurrentWriters: true,
        transactionalDdl: true,
        sharedAcrossHosts: true,
        durable: true,
      });
      const schema = new URL(url).searchParams.get('schema')!;
      const tables = await withClient((client) =>
        client.query<{ table_name: string }>(
          'select table_name from information_schema.tables where table_schema = $1 order by 1',
          [schema],
        ),
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['audit_log', 'event_journal', 'store_meta', 'work_queue']),
      );
    } finally {
      await store.close();
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    const url = new URL(baseUrl!);
    url.searchParams.set('schema', 'x"; drop table y; --');
    await expect(openPostgresStore(url.toString())).rejects.toThrow(
      /must be a lower-case identifier/,
    );
  });

  it('turns a server lost after open into a retryable STORE_UNREACHABLE, and recovers', async () => {
    const target = new URL(baseUrl!);
    const sockets = new Set<Socket>();
    const proxy = (): Server =>
      createServer((socket) => {
        const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
        for (const s of [socket, upstream]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        socket.pipe(upstream).pipe(socket);
        socket.on('close', () => upstream.destroy());
        upstream.on('close', () => socket.destroy());
      });
    let server = proxy();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const url = new URL(isolatedUrl(baseUrl!));
    url.hostname = '127.0.0.1';
    url.port = String(port);
    let lost!: () => void;
    const connectionLost = new Promise<void>((resolve) => (lost = resolve));
    const store = await openPostgresStore(url.toString(), {
      maxConnections: 1,
      onPoolError: () => lost(),
    });
    try {
      await store.setCursor('c', '1');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await connectionLost;
      const error = await store.getCursor('c').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationalError);
      expect(error).toMatchObject({ code: 'STORE_UNREACHABLE', retryable: true });
      expect((error as Error).message).toMatch(
        /^cannot reach PostgreSQL store at postgres:\/\/.*ECONNREFUSED/,
      );
      server = proxy();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      expect(await store.getCursor('c')).toBe('1');
    } finally {
      await store.close();
      server.close();
      for (const socket of sockets) socket.destroy();
    }
  });
});
