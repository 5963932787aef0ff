import type { ChildProcessWithoutNullStreams } from 'node:child_process';

import { afterEach, describe, expect, it } from 'vitest';

import { exited } from '../support/spawn-cli.js';
import type { FaultWorld } from './fault-world.js';
import {
  churnScript,
  eventually,
  freePort,
  same,
  startFaultWorld,
  startServeChild,
  writeStats,
} from './fault-world.js';

let fw: FaultWorld | undefined;
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await fw?.close();
  fw = undefined;
});

describe('reduced fault suite: SIGKILL of a serve child process under AWS throttling', () => {
  it(
    'converges after the restart; only writes in flight at the kill may repeat',
    { timeout: 150_000 },
    async () => {
      fw = await startFaultWorld({ asyncLatencyMs: 300 });
      const w = fw.world;
      const port = await freePort();
      const first = await startServeChild(fw, port, children);
      await w.registerHook(`http://127.0.0.1:${port}`);
      const f = fw;
      await eventually('initial convergence', () => same(w.assignments(), f.oracle()), 30_000);
      fw.resetWrites();
      w.aws.control.setFaults({ '*': { throttleProbability: 0.3 } });

      await w.okta.control.runStory(
        churnScript(21, 16).map((action) => ({ ...action, afterMs: 10 })),
      );
      await eventually('first writes accepted', () => f.writes().length >= 2, 30_000);
      first.kill('SIGKILL');
      expect(await exited(first)).toBe('SIGKILL');
      const visible = new Set(
        w.aws.control
          .dumpState()
          .assignments.map((a) =>
            [a.accountId, a.permissionSetArn, a.principalType, a.principalId].join('|'),
          ),
      );
      // Creates accepted but not yet visible at the kill: the restarted service cannot know
      // whether they landed, so re-sending them is the only allowed redundancy.
      const inFlightAtKill = f
        .writes()
        .filter((x) => x.operation === 'CreateAccountAssignment' && !visible.has(x.target)).length;
      const writesBeforeKill = f.writes().length;

      const second = await startServeChild(fw, port, children);
      await w.okta.control.settle();
      await eventually(
        'AWS matches the oracle after restart',
        () => same(w.assignments(), f.oracle()),
        90_000,
      );
      w.aws.control.setFaults({});
      const store = await w.adapters.store();
      await eventually(
        'journal settled',
        async () => (await store.countEventsByState()).received === 0,
        30_000,
      );
      const events = await store.countEventsByState();
      expect(events.failed).toBe(0);
      expect(events.processed).toBeGreaterThan(0);

      const stats = writeStats(fw.writes());
      const after = writeStats(fw.writes().slice(writesBeforeKill));
      console.info(
        `fault outcome ${JSON.stringify({ scenario: 'sigkill', ...stats, inFlightAtKill, events })}`,
      );
      expect(after.redundantCreates).toBeLessThanOrEqual(inFlightAtKill);
      expect(stats.redundantDeletes).toBe(0);
      expect(stats.redundantCreates - after.redundantCreates).toBe(0);

      second.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
    },
  );
});
