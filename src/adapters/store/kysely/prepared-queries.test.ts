import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import type { PreparedDefinition } from './prepared-queries.js';
import { affectedRows, PreparedQueries } from './prepared-queries.js';
import type { StoreDatabase } from './schema.js';

describe('PreparedQueries', () => {
  const database = new Database(':memory:');
  database.exec(
    'create table cursors (name text primary key, value text not null, updated_at text not null)',
  );
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) });
  afterEach(() => database.exec('delete from cursors'));

  const PUT: PreparedDefinition<unknown> = (kdb, slot) =>
    kdb
      .insertInto('cursors')
      .values({ name: slot('name'), value: slot('value'), updated_at: 'fixed' });
  const GET = (kdb: Kysely<StoreDatabase>, slot: <T = string>(name: string) => T) =>
    kdb.selectFrom('cursors').select(['value', 'updated_at']).where('name', '=', slot('name'));

  it('compiles once and runs with each call’s values; constants stay as written', async () => {
    const prepared = new PreparedQueries();
    await prepared.run(db, PUT, { name: 'a', value: '1' });
    await prepared.run(db, PUT, { name: 'b', value: '2' });
    expect((await prepared.run(db, GET, { name: 'a' })).rows).toEqual([
      { value: '1', updated_at: 'fixed' },
    ]);
    expect((await prepared.run(db, GET, { name: 'b' })).rows).toEqual([
      { value: '2', updated_at: 'fixed' },
    ]);
    const removed = await prepared.run(
      db,
      (kdb, slot) => kdb.deleteFrom('cursors').where('name', '=', slot('name')),
      { name: 'a' },
    );
    expect(affectedRows(removed)).toBe(1);
  });

  it('refuses a run that leaves a slot without a value, and writes nothing', async () => {
    const prepared = new PreparedQueries();
    await expect(prepared.run(db, PUT, { name: 'c' })).rejects.toThrow(/slot "value"/);
    expect(database.prepare('select count(*) as n from cursors').get()).toEqual({ n: 0 });
  });
});
