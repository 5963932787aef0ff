import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { testPostgresUrl } from '../support/postgres.js';
import type { ServeWorld } from './serve-world.js';
import { DEV, eventually, freePort, OKTA_SCENARIO, startServeWorld } from './serve-world.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEV_GROUP = `aws#dev#Developer#${DEV}`;
const NEWCOMERS = Array.from({ length: 5 }, (_, i) => `user${i}@example.com`);

interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** Starts `serve` as a child process and resolves once it listens. */
async function startChild(world: ServeWorld, port: number): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/e2e/serve-child.ts', world.configPath, String(port)],
    { cwd: ROOT, env: { ...process.env, ...world.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await eventually(
    'child listening',
    () => {
      if (gone) throw new Error(`child exited before listening:\n${output}`);
      return output.includes('"msg":"listening"');
    },
    90_000,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${output}`);
  });
  return { process: child, exited, output: () => output };
}

function successfulCreates(world: ServeWorld): number {
  const calls = world.aws.control.calls();
  const op = 'sso-admin:CreateAccountAssignment';
  const errors = Object.entries(calls.errors)
    .filter(([key]) => key.startsWith(`${op}:`))
    .reduce((sum, [, count]) => sum + count, 0);
  return (calls.counts[op] ?? 0) - errors;
}

let world: ServeWorld | undefined;
let children: Child[] = [];
afterEach(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  children = [];
  await world?.close();
  world = undefined;
});

async function crashAndRecover(store: string | undefined): Promise<void> {
  world = await startServeWorld({
    poll: true,
    asyncLatencyMs: 300,
    ...(store ? { store } : {}),
    oktaScenario: {
      ...OKTA_SCENARIO,
      users: [
        ...(OKTA_SCENARIO.users ?? []),
        ...NEWCOMERS.map((login) => ({ login, appAssigned: true })),
      ],
    },
  });
  const w = world;
  const port = await freePort();
  const first = await startChild(w, port);
  children.push(first);
  await w.registerHook(`http://127.0.0.1:${port}`);
  await eventually(
    'initial full reconcile',
    () => w.assignments().includes(`${DEV}|Developer|USER|alice@example.com`),
    30_000,
  );
  w.aws.control.resetCalls();

  for (const login of NEWCOMERS) {
    w.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: login });
  }
  // Kill mid-processing: some creates sent, not all of them confirmed.
  await eventually('first creates sent', () => successfulCreates(w) >= 1, 30_000);
  first.process.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  const sentBeforeKill = successfulCreates(w);
  const visibleBeforeKill = w.assignments().length - 1; // minus alice
  expect(visibleBeforeKill).toBeLessThan(NEWCOMERS.length);

  const second = await startChild(w, port);
  children.push(second);
  await eventually(
    'converged after restart',
    async () => (await w.plan()).operations.length === 0,
    60_000,
  );
  const expected = [
    `${DEV}|Developer|USER|alice@example.com`,
    ...NEWCOMERS.map((login) => `${DEV}|Developer|USER|${login}`),
  ].sort();
  expect(w.assignments()).toEqual(expected);
  // No duplicate writes: nothing confirmed before the kill was written again; only requests in
  // flight at the kill (sent, not yet visible) may have been re-sent.
  const creates = successfulCreates(w);
  expect(creates).toBeGreaterThanOrEqual(NEWCOMERS.length);
  expect(creates).toBeLessThanOrEqual(NEWCOMERS.length + (sentBeforeKill - visibleBeforeKill));

  // Graceful shutdown on SIGTERM: exits 0 and leaves nothing half-done in the journal.
  second.process.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect(second.output()).toContain('"msg":"sync service stopped"');
  // The last line, written through the buffered stdout writer just before exit, is not lost.
  expect(second.output()).toContain('"msg":"stopped"');
}

describe('serve crash and restart (child process, SIGKILL mid-processing)', () => {
  it(
    'converges on SQLite with nothing lost and no duplicate writes',
    { timeout: 300_000 },
    async () => {
      await crashAndRecover(undefined);
    },
  );

  const pgUrl = testPostgresUrl();
  it.skipIf(pgUrl === null)(
    'converges on PostgreSQL with nothing lost and no duplicate writes',
    { timeout: 300_000 },
    async () => {
      const url = new URL(pgUrl!);
      url.searchParams.set('schema', `serve_crash_${randomBytes(4).toString('hex')}`);
      await crashAndRecover(url.toString());
    },
  );
});
