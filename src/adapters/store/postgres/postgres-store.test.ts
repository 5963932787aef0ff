import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { testPostgresUrl } from '../../../../test/support/postgres.js';
import { describeStoreContract } from '../test-support/store-contract.js';
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
        cleanup: () =>
          withClient(async (client) => {
            for (const schema of schemas.splice(0)) {
              await client.query(`drop schema if exists "${schema}" cascade`);
            }
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
      await withClient((client) => client.query(`drop schema "${schemas.pop()!}" cascade`));
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    const url = new URL(baseUrl!);
    url.searchParams.set('schema', 'x"; drop table y; --');
    await expect(openPostgresStore(url.toString())).rejects.toThrow(
      /must be a lower-case identifier/,
    );
  });
});
