import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { OperationalError } from '../../core/errors.js';
import { openStore } from './open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'okta-aws-sync-open-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openError(url: string): Promise<unknown> {
  return openStore(url).then(
    async (store) => {
      await store.close();
      return null;
    },
    (error: unknown) => error,
  );
}

describe('openStore', () => {
  it.each([
    ['mysql://root@localhost/db', /unknown store scheme "mysql:"/],
    ['./data/store.db', /unknown store URL "\.\/data\/store\.db"; use sqlite:PATH/],
    ['sqlite:', /needs a path/],
    [
      'postgres://db:notaport/x',
      /store URL postgres:\/\/db:notaport\/x is not a valid PostgreSQL URL/,
    ],
    ['postgresql:///x', /needs a host/],
  ])('rejects %s as STORE_URL_INVALID with a clear message', async (url, message) => {
    const error = await openError(url);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as OperationalError).code).toBe('STORE_URL_INVALID');
    expect((error as Error).message).toMatch(message);
  });

  it('reports an unreachable PostgreSQL server as STORE_UNREACHABLE without the password', async () => {
    const error = await openError('postgres://sync:s3cr3t-pw@127.0.0.1:1/okta');
    expect(error).toBeInstanceOf(OperationalError);
    const operational = error as OperationalError;
    expect(operational.code).toBe('STORE_UNREACHABLE');
    expect(operational.message).toMatch(
      /^cannot reach PostgreSQL store at postgres:\/\/sync:\*\*\*@127\.0\.0\.1:1\/okta: .*ECONNREFUSED/,
    );
    expect(operational.message).not.toContain('s3cr3t-pw');
    expect(operational.cause).toBeInstanceOf(Error);
  });

  it('reports a SQLite file that cannot be opened as STORE_UNREACHABLE', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    const error = await openError(`sqlite:${join(notADir, 'store.db')}`);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as OperationalError).code).toBe('STORE_UNREACHABLE');
    expect((error as Error).message).toContain(
      `cannot open SQLite store ${join(notADir, 'store.db')}`,
    );
  });

  it('opens sqlite: URLs relative to a path and in memory', async () => {
    const file = await openStore(`sqlite:${join(dir, 'a.db')}`);
    const memory = await openStore('sqlite::memory:');
    expect([file.capabilities.durable, memory.capabilities.durable]).toEqual([true, false]);
    await Promise.all([file.close(), memory.close()]);
  });

  it('logs the migrations it ran and the backend it opened', async () => {
    const lines: unknown[] = [];
    const logger = {
      info: (fields: object, message: string) => lines.push({ ...fields, message }),
      warn: (fields: object, message: string) => lines.push({ ...fields, message }),
    };
    const url = `sqlite:${join(dir, 'logged.db')}`;
    await (await openStore(url, { logger })).close();
    await (await openStore(url, { logger })).close();
    expect(lines).toEqual([
      {
        backend: 'sqlite',
        migration: '0001_initial',
        status: 'Success',
        message: 'store migration',
      },
      {
        backend: 'sqlite',
        migration: '0002_work_queue_claim_index',
        status: 'Success',
        message: 'store migration',
      },
      { backend: 'sqlite', message: 'store opened' },
      { backend: 'sqlite', message: 'store opened' },
    ]);
  });
});
