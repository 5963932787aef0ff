/**
 * The full fault suite: the CI scenarios with longer churn, 20 SIGKILL iterations of a `serve`
 * child on SQLite and on PostgreSQL, and PostgreSQL unreachable for a while under an in-process
 * service. Each ends with the same checks as the reduced suite: AWS equals the oracle computed
 * from the Okta simulator, the journal holds no unfinished or failed event, and the write audit
 * shows no redundant assignment write (beyond re-sends of writes in flight at a kill).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import type { RunningSyncServer } from '../../src/http/sync-server.js';
import type { FaultWorld } from '../faults-ci/fault-world.js';
import {
  churnScript,
  eventually,
  freePort,
  same,
  startFaultWorld,
  startServeChild,
  writeStats,
} from '../faults-ci/fault-world.js';
import { runFaultScenario } from '../faults-ci/run-fault-scenario.js';
import { testPostgresUrl } from '../support/postgres.js';
import { exited } from '../support/spawn-cli.js';
import { startCuttableProxy } from './tcp-proxy.js';

const KILLS = 20;

let fw: FaultWorld | undefined;
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await fw?.close();
  fw = undefined;
});

function visibleTargets(world: FaultWorld): Set<string> {
  return new Set(
    world.world.aws.control
      .dumpState()
      .assignments.map((a) =>
        [a.accountId, a.permissionSetArn, a.principalType, a.principalId].join('|'),
      ),
  );
}

function isolatedPg(base: string, prefix: string): string {
  const url = new URL(base);
  url.searchParams.set('schema', `${prefix}_${randomBytes(4).toString('hex')}`);
  return url.toString();
}

/** 20 rounds of churn + SIGKILL + restart under 20% AWS throttling, then convergence. */
async function killLoop(store: string | undefined): Promise<void> {
  fw = await startFaultWorld({ asyncLatencyMs: 200, ...(store ? { store } : {}) });
  const f = fw;
  const w = f.world;
  const port = await freePort();
  let child = await startServeChild(f, port, children);
  await w.registerHook(`http://127.0.0.1:${port}`);
  await eventually('initial convergence', () => same(w.assignments(), f.oracle()), 30_000);
  f.resetWrites();
  w.aws.control.setFaults({ '*': { throttleProbability: 0.2 } });
  let allowedRedundant = 0;
  for (let round = 0; round < KILLS; round++) {
    const before = f.writes().length;
    await w.okta.control.runStory(
      churnScript(100 + round, 4)
        .slice(0, 4)
        .map((action) => ({ ...action, afterMs: 5 })),
    );
    // Kill once the round has produced a write, or after a short while if it needs none yet.
    await eventually('a write of this round', () => f.writes().length > before, 3_000).catch(
      () => undefined,
    );
    child.kill('SIGKILL');
    await exited(child);
    const visible = visibleTargets(f);
    allowedRedundant += f
      .writes()
      .filter((x) => x.operation === 'CreateAccountAssignment' && !visible.has(x.target)).length;
    child = await startServeChild(f, port, children);
  }
  await w.okta.control.settle();
  await eventually('converged after 20 kills', () => same(w.assignments(), f.oracle()), 120_000);
  w.aws.control.setFaults({});
  const journal = await w.adapters.store();
  await eventually(
    'journal settled',
    async () => (await journal.countEventsByState()).received === 0,
    60_000,
  );
  const events = await journal.countEventsByState();
  const stats = writeStats(f.writes());
  console.info(
    `fault outcome ${JSON.stringify({ store: store ? 'postgres' : 'sqlite', kills: KILLS, ...stats, allowedRedundant, events })}`,
  );
  expect(events.failed).toBe(0);
  expect(stats.redundantDeletes).toBe(0);
  expect(stats.redundantCreates).toBeLessThanOrEqual(allowedRedundant);
  child.kill('SIGTERM');
  expect(await exited(child)).toBe(0);
}

describe('full fault suite', () => {
  it('throttling storm with long churn', async () => {
    await runFaultScenario({
      name: 'throttling-storm-long',
      seed: 31,
      actions: 60,
      inject: (f) => f.world.aws.control.setFaults({ '*': { throttleProbability: 0.5 } }),
    });
  });

  it('async FAILED, 5xx, Okta 429s and every hook fault at once', async () => {
    await runFaultScenario({
      name: 'everything-at-once',
      seed: 32,
      actions: 60,
      inject: (f) => {
        f.world.aws.control.setFaults({
          '*': { serverErrorProbability: 0.1, throttleProbability: 0.2 },
          'sso-admin': { asyncFailureProbability: 0.1 },
        });
        f.world.okta.control.setRateLimits({ forceNext: 60 });
        f.world.okta.control.setScimLag(300);
        f.world.okta.control.setHookFaults({
          duplicate: 0.3,
          reorder: 0.3,
          delay: 0.3,
          drop: 0.2,
          delayMs: 150,
          batchWindowMs: 10,
          retryDelayMs: 20,
        });
      },
    });
  });

  it(`${KILLS} SIGKILLs of serve on SQLite`, async () => {
    await killLoop(undefined);
  });

  const pgUrl = testPostgresUrl();
  it.skipIf(pgUrl === null)(`${KILLS} SIGKILLs of serve on PostgreSQL`, async () => {
    await killLoop(isolatedPg(pgUrl!, 'faults_kill'));
  });

  it.skipIf(pgUrl === null)('PostgreSQL unreachable for a while mid-churn', async () => {
    const target = new URL(pgUrl!);
    const proxy = await startCuttableProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(isolatedPg(pgUrl!, 'faults_outage'));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    let server: RunningSyncServer | undefined;
    try {
      fw = await startFaultWorld({ store: url.toString() });
      const f = fw;
      const w = f.world;
      server = await w.startServer(0, { loaded: f.loaded });
      await w.registerHook(server.url);
      await eventually('initial convergence', () => same(w.assignments(), f.oracle()), 30_000);
      f.resetWrites();
      const story = w.okta.control.runStory(
        churnScript(41, 30).map((action) => ({ ...action, afterMs: 40 })),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.cut();
      // Deliveries meanwhile fail (Okta retries once, then only the System Log has them).
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await proxy.restore();
      await story;
      await w.okta.control.settle();
      await eventually(
        'converged after the outage',
        () => same(w.assignments(), f.oracle()),
        120_000,
      );
      const store = server.store;
      await eventually(
        'journal settled',
        async () => (await store.countEventsByState()).received === 0,
        60_000,
      );
      const events = await store.countEventsByState();
      const stats = writeStats(f.writes());
      console.info(`fault outcome ${JSON.stringify({ scenario: 'pg-outage', ...stats, events })}`);
      expect(events.failed).toBe(0);
      expect(stats.redundantCreates).toBe(0);
      expect(stats.redundantDeletes).toBe(0);
    } finally {
      await server?.close(1000).catch(() => undefined);
      await proxy.close();
    }
  });
});
