import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../src/cli/test-support/run-cli-captured.js';

/** Issue 2, bad input: store failures reach the user as one clear line, exit 1, no stack trace. */
describe('store failures through the CLI', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-store-errors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configWithStore(store: string): Promise<string> {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(
      file,
      [
        'okta:',
        '  orgUrl: http://127.0.0.1:9',
        '  token: ${env:OKTA_API_TOKEN}',
        'aws: { region: us-east-1, endpoint: "http://127.0.0.1:9" }',
        `store: ${store}`,
        '',
      ].join('\n'),
    );
    return file;
  }

  it('an unreachable PostgreSQL server exits 1 with the cause and no stack trace', async () => {
    const config = await configWithStore('postgres://postgres@127.0.0.1:1/test');
    const result = await runCliCaptured(['--config', config, 'serve', '--port', '0'], {
      OKTA_API_TOKEN: 'test-token',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*127\.0\.0\.1:1/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('an SQLite path that cannot be opened exits 1 with the cause', async () => {
    const config = await configWithStore(
      `sqlite:${path.join(dir, 'no-such-dir', 'x', 'store.db')}`,
    );
    const result = await runCliCaptured(['--config', config, 'serve', '--port', '0'], {
      OKTA_API_TOKEN: 'test-token',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
