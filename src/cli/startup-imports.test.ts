import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEntitlementsWorld,
  type EntitlementsWorld,
} from '../../test/e2e/entitlements-world.js';

// Every start of the CLI registers every command, so a command module that imports its
// implementation eagerly makes `--help` load both SDKs, fastify and the store drivers. These
// tests run the CLI in a fresh process and list what it loaded (see loaded-modules-probe.ts).

const ROOT = path.resolve(import.meta.dirname, '../..');
const PROBE = 'src/cli/test-support/loaded-modules-probe.ts';
const EXAMPLE = path.join(ROOT, 'examples/okta-aws-sync.yaml');
const MISSING_CONFIG = path.join(ROOT, 'no-such-dir/okta-aws-sync.yaml');

/** What only commands that talk to AWS, Okta, a store or HTTP clients may load. */
const HEAVY: Readonly<Record<string, RegExp>> = {
  'AWS SDK': /\/node_modules\/@aws-sdk\//,
  'Okta SDK': /\/node_modules\/@okta\/okta-sdk-nodejs\//,
  fastify: /\/node_modules\/fastify\//,
  'better-sqlite3': /\/node_modules\/better-sqlite3\//,
  pg: /\/node_modules\/pg\//,
  kysely: /\/node_modules\/kysely\//,
  'project adapters, app services, HTTP server, simulators': /\/src\/(adapters|app|http|sim)\//,
};

interface ProbeResult {
  code: number;
  stdout: string;
  stderr: string;
  modules: string[];
}

async function probe(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProbeResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', PROBE, ...args],
    { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as ProbeResult;
}

/** The heavy groups among the modules, each with its first module, for a readable failure. */
function heavyIn(modules: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, pattern] of Object.entries(HEAVY)) {
    const first = modules.find((url) => pattern.test(url));
    if (first !== undefined) found[name] = first;
  }
  return found;
}

describe('CLI start-up loads only what the command needs', () => {
  it.each([
    { args: ['--help'], stdout: /^Usage: okta-aws-sync /m },
    { args: ['--version'], stdout: /^\d+\.\d+\.\d+\n$/ },
    { args: ['serve', '--help'], stdout: /^Usage: okta-aws-sync serve /m },
    { args: ['iam-policy', '--mode', 'read-only'], stdout: /"Statement"/ },
    { args: ['config', 'schema'], stdout: /"\$schema"/ },
    { args: ['--config', EXAMPLE, 'config', 'validate'], stdout: /^OK: .*3 rules/ },
  ])('$args: no SDK, fastify, store driver or adapter', async ({ args, stdout }) => {
    const run = await probe(args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(stdout);
    expect(heavyIn(run.modules)).toEqual({});
  });

  // The controls: a command that needs them loads them when it runs, and the probe sees it (the
  // implementation is imported before the config is read, so a missing config suffices). The
  // Okta SDK is the exception: it loads when an Okta client is first needed (below).
  it('discover and serve load the AWS SDK, the store drivers and fastify when they run', async () => {
    const [discover, serve] = [
      await probe(['--config', MISSING_CONFIG, 'discover']),
      await probe(['--config', MISSING_CONFIG, 'serve']),
    ];
    for (const run of [discover, serve]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: cannot read config file /);
    }
    expect(Object.keys(heavyIn(discover.modules)).sort()).toEqual(
      Object.keys(HEAVY)
        .filter((name) => name !== 'fastify' && name !== 'Okta SDK')
        .sort(),
    );
    expect(Object.keys(heavyIn(serve.modules))).toContain('fastify');
  });
});

describe('the Okta SDK loads when an Okta client is first needed', () => {
  let env: EntitlementsWorld;
  beforeAll(async () => {
    env = await startEntitlementsWorld();
  }, 60_000);
  afterAll(async () => {
    await env?.world.close();
  });

  const run = (...args: string[]) =>
    probe(['--config', env.world.configPath, ...args], { ...process.env, ...env.world.env });

  it.each([
    { args: ['--json', 'instances', 'list'] },
    { args: ['--json', 'entitlements', 'list', '--principal-type', 'GROUP', '--principal', 'eng'] },
    { args: ['discover', '--source', 'aws', '--format', 'json'] },
  ])('$args: talks to AWS only, without the Okta SDK', async ({ args }) => {
    const result = await run(...args);
    // (discover reports its progress on stderr.)
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(heavyIn(result.modules))).toContain('AWS SDK');
    expect(heavyIn(result.modules)['Okta SDK']).toBeUndefined();
  });

  it('discover --source okta loads it', async () => {
    const result = await run('discover', '--source', 'okta', '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    const { inventory } = JSON.parse(result.stdout) as {
      inventory: { okta: { users: { login: string }[] } };
    };
    expect(inventory.okta.users.map((user) => user.login).sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    expect(Object.keys(heavyIn(result.modules))).toContain('Okta SDK');
  });
});
