/**
 * One fault scenario against the real service in process: converge, inject faults, run the seeded
 * churn, and check the end state against the oracle, the journal and the write audit.
 */
import { expect } from 'vitest';

import type { RunningSyncServer } from '../../src/http/sync-server.js';
import type { ServeWorldOptions } from '../e2e/serve-world.js';
import type { FaultWorld } from './fault-world.js';
import { churnScript, eventually, same, startFaultWorld, writeStats } from './fault-world.js';

export interface FaultScenario {
  readonly name: string;
  readonly seed: number;
  readonly actions?: number;
  readonly world?: ServeWorldOptions;
  /** Turns the faults on; may return a stop function (e.g. for bursts driven by a timer). */
  inject(fw: FaultWorld): void | (() => void);
  /** Extra admin actions after the churn (e.g. a user created under SCIM lag). */
  extra?(fw: FaultWorld): void;
}

export interface FaultOutcome {
  readonly scenario: string;
  readonly actions: number;
  readonly creates: number;
  readonly deletes: number;
  readonly redundantCreates: number;
  readonly redundantDeletes: number;
  readonly events: Record<string, number>;
  readonly awsErrors: number;
  /** Async assignment operations the AWS simulator ended FAILED. */
  readonly asyncFailures: number;
  readonly okta429s: number;
  /** Hook deliveries per outcome as the Okta simulator recorded them. */
  readonly deliveries: Record<string, number>;
}

/** Runs `scenario`; asserts convergence, a settled journal and no redundant writes. */
export async function runFaultScenario(scenario: FaultScenario): Promise<FaultOutcome> {
  const fw = await startFaultWorld(scenario.world);
  let server: RunningSyncServer | undefined;
  let stop: void | (() => void) = undefined;
  try {
    const w = fw.world;
    server = await w.startServer(0, { loaded: fw.loaded });
    await w.registerHook(server.url);
    await eventually('initial convergence', () => same(w.assignments(), fw.oracle()), 30_000);
    fw.resetWrites();
    w.aws.control.resetCalls();

    stop = scenario.inject(fw);
    const actions = churnScript(scenario.seed, scenario.actions ?? 16);
    await w.okta.control.runStory(actions.map((action) => ({ ...action, afterMs: 25 })));
    scenario.extra?.(fw);
    await w.okta.control.settle();
    await eventually(
      `${scenario.name}: AWS matches the oracle`,
      () => same(w.assignments(), fw.oracle()),
      90_000,
    );
    if (typeof stop === 'function') stop();
    w.aws.control.setFaults({});
    const store = server.store;
    await eventually(
      'journal settled',
      async () => (await store.countEventsByState()).received === 0,
      30_000,
    );
    const events = await store.countEventsByState();
    expect(events.failed).toBe(0);
    expect(events.processed).toBeGreaterThan(0);
    expect(w.assignments()).toEqual(fw.oracle());

    const stats = writeStats(fw.writes());
    const calls = w.aws.control.calls();
    const outcome: FaultOutcome = {
      scenario: scenario.name,
      actions: actions.length,
      ...stats,
      events,
      awsErrors: Object.values(calls.errors).reduce((sum, n) => sum + n, 0),
      asyncFailures: w.aws.control.dumpState().operations.failed.length,
      okta429s: w.okta.control.calls().byStatus['429'] ?? 0,
      deliveries: countBy(w.okta.control.deliveries().map((d) => String(d.outcome))),
    };
    console.info(`fault outcome ${JSON.stringify(outcome)}`);
    expect(stats.redundantCreates).toBe(0);
    expect(stats.redundantDeletes).toBe(0);
    return outcome;
  } finally {
    if (typeof stop === 'function') stop();
    await fw.close();
  }
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
