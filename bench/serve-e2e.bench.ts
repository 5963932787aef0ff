/**
 * End to end: an Okta membership change, through the event hook and the running service, to
 * SUCCEEDED in the AWS simulator, at a sustained rate of changes. The service runs as its own
 * process (`serve` from the CLI, as deployed), so that its event loop is not shared with the two
 * simulators, which stand in for remote services; its CPU time during the load is reported.
 *
 * Each change is an admin action in the Okta simulator on a distinct (user, group) pair, so it
 * needs exactly one CreateAccountAssignment or DeleteAccountAssignment. Its latency runs from the
 * moment the action was made to the `completedAt` of the first matching assignment request the
 * AWS simulator accepted after it (the moment from which Describe…Status reports SUCCEEDED).
 * Changes not done within the drain cap count as misses (latency +∞ in the quantiles).
 *
 * Baseline, measured in the same run before the service starts: the per-event strategy of the
 * system replaced (one full read, plan and apply of everything per change, sequentially, with the
 * product's own planner and executor), fed at a lower rate it can keep up with.
 */
import { loadavg } from 'node:os';

import { applyPlan } from '../src/app/apply/apply-plan.js';
import {
  permissionSetArnFinder,
  planFromCurrentState,
  rememberMatchedGroups,
} from '../src/app/plan/plan-service.js';
import type { AssignmentRequestRecord } from '../src/sim/aws/index.js';
import type { OktaAdminAction } from '../src/sim/okta/okta-simulator.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { quantile } from './bench-types.js';
import type { BenchOrg, BenchWorld } from './serve-bench-world.js';
import {
  AWS_RATE_PER_SECOND,
  MEASURED_OKTA_CONCURRENCY,
  MEASURED_RECONCILE,
  OKTA_LIMIT_SCALE,
  benchOrg,
  same,
  seededRandom,
  shuffle,
  startBenchWorld,
  startMeasuredChild,
  waitIdle,
} from './serve-bench-world.js';

const USERS = 200;
const GROUPS_PER_ACCOUNT = 6;
const DENSITY = 0.5;
/** The simulator's async latency L: ≤ 15 outstanding creates ÷ 50 creates/s keeps the bound open. */
const ASYNC_LATENCY_MS = 200;
const RATE_PER_SECOND = 100;
const DURATION_MS = 20_000;
/** After the last change, how long the service gets to finish before the rest count as misses. */
const DRAIN_CAP_MS = 30_000;
const BASELINE_RATE_PER_SECOND = 1;
const BASELINE_CHANGES = 8;
const BASELINE_DRAIN_CAP_MS = 20_000;
const TARGET_SLACK_MS = 1_000;
/** A short unsaturated run of the service first: its latency when it is not queueing. */
const LOW_RATE_PER_SECOND = 2;
const LOW_RATE_CHANGES = 20;
/**
 * A run at half the target rate before the load, to show where the service's capacity lies. Its
 * pairs and the others' must all be distinct: 8 + 20 + 350 + 2000 of the 200 × 12 = 2400.
 */
const HALF_RATE_PER_SECOND = RATE_PER_SECOND / 2;
const HALF_RATE_CHANGES = 350;
const LOW_RATE_DRAIN_CAP_MS = 15_000;

interface Change {
  readonly action: OktaAdminAction & { action: 'addMember' | 'removeMember' };
  /** `account|permissionSetName|login`, resolved to ids once the world runs. */
  readonly account: string;
  readonly permissionSet: string;
  readonly login: string;
}

interface Timed {
  readonly change: Change;
  /** Epoch ms the admin action was made in Okta. */
  readonly at: number;
}

/** Distinct (user, group) pairs in seeded order, each toggling the initial membership. */
function changesFor(org: BenchOrg, seed: number): Change[] {
  const pairs: Change[] = [];
  for (const group of org.groups) {
    const members = org.members.get(group.name)!;
    for (const login of org.users) {
      pairs.push({
        action: {
          action: members.has(login) ? 'removeMember' : 'addMember',
          group: group.name,
          user: login,
        },
        account: group.account,
        permissionSet: group.permissionSet,
        login,
      });
    }
  }
  return shuffle(pairs, seededRandom(seed ^ 0x5eed));
}

/**
 * Latency (ms) of each timed change: the first assignment request of the right kind on its tuple
 * accepted at or after the change, if it SUCCEEDED; +∞ when there is none yet (or it failed and
 * nothing later succeeded).
 */
function latencies(world: BenchWorld, timed: readonly Timed[]): number[] {
  const w = world.fw.world;
  const dump = w.aws.control.dumpState();
  const psArn = new Map(dump.permissionSets.map((ps) => [ps.name, ps.arn]));
  const userId = new Map(
    dump.identityStore.users.map((u) => [String(u.UserName), String(u.UserId)]),
  );
  const byTuple = new Map<string, AssignmentRequestRecord[]>();
  for (const record of w.aws.control.assignmentRequests()) {
    const key = [
      record.kind,
      record.accountId,
      record.permissionSetArn,
      record.principalType,
      record.principalId,
    ].join('|');
    const list = byTuple.get(key) ?? [];
    list.push(record);
    byTuple.set(key, list);
  }
  for (const list of byTuple.values()) list.sort((a, b) => a.createdAt - b.createdAt);
  return timed.map(({ change, at }) => {
    const key = [
      change.action.action === 'addMember' ? 'create' : 'delete',
      change.account,
      psArn.get(change.permissionSet),
      'USER',
      userId.get(change.login),
    ].join('|');
    const done = byTuple
      .get(key)
      ?.find((r) => r.createdAt >= at && r.status === 'SUCCEEDED' && r.completedAt !== null);
    return done ? done.completedAt! - at : Number.POSITIVE_INFINITY;
  });
}

/** Makes `changes` in Okta at `rate`/s (open loop: on schedule whatever the service does). */
async function drive(
  world: BenchWorld,
  changes: readonly Change[],
  rate: number,
  onChange?: (timed: Timed) => void,
): Promise<Timed[]> {
  const okta = world.fw.world.okta;
  const timed: Timed[] = [];
  const started = performance.now();
  for (let i = 0; i < changes.length; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const change = changes[i]!;
    const at = Date.now();
    okta.control.admin(change.action);
    timed.push({ change, at });
    onChange?.({ change, at });
  }
  return timed;
}

/** Polls until every change is done or `capMs` passes; returns the final latencies. */
async function drain(world: BenchWorld, timed: readonly Timed[], capMs: number): Promise<number[]> {
  const deadline = Date.now() + capMs;
  for (;;) {
    const values = latencies(world, timed);
    if (values.every(Number.isFinite) || Date.now() > deadline) return values;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '∞';
}

function summary(values: readonly number[]): Record<string, number | null> {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    p50Ms: finite(quantile(values, 0.5)),
    p95Ms: finite(quantile(values, 0.95)),
    p99Ms: finite(quantile(values, 0.99)),
    maxMs: finite(Math.max(...values)),
    done: values.filter(Number.isFinite).length,
    missed: values.filter((x) => !Number.isFinite(x)).length,
  };
}

/** A row of latencies measured beside the target's (no target of its own). */
function reportedRow(measure: string, values: readonly number[], limitMs: number): BenchRow {
  const p95 = quantile(values, 0.95);
  return {
    measure: `${measure}, p50 / p95 / p99 (s)`,
    product: `${seconds(quantile(values, 0.5))} / ${seconds(p95)} / ${seconds(quantile(values, 0.99))}`,
    baseline: '—',
    bound: `L = ${ASYNC_LATENCY_MS / 1000} s`,
    ratio: Number.isFinite(p95) ? (p95 / limitMs).toFixed(2) : '∞',
    target: '— (reported)',
    met: null,
  };
}

/**
 * The baseline: every change handled on its own, in arrival order, by a full read, plan and
 * apply with the product's planner and executor (production retry and poll settings).
 */
async function runBaseline(
  world: BenchWorld,
  changes: readonly Change[],
): Promise<{ timed: Timed[]; values: number[]; serviceMs: number[] }> {
  const w = world.fw.world;
  const store = await w.adapters.store();
  const deps = {
    identityCenter: w.adapters.awsReaders.identityCenter,
    organizations: w.adapters.awsReaders.organizations,
    okta: w.adapters.okta.reader,
    store,
  };
  const queue: Timed[] = [];
  const serviceMs: number[] = [];
  let driving = true;
  const worker = (async () => {
    while (driving || queue.length > 0) {
      const next = queue.shift();
      if (!next) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const t0 = performance.now();
      const fresh = await planFromCurrentState(w.loaded.policy, deps);
      await applyPlan(
        fresh.plan,
        {
          writer: w.adapters.identityCenterWriter,
          store,
          findPermissionSetArn: permissionSetArnFinder(deps.identityCenter, fresh.instance),
        },
        { actor: 'bench-baseline', trigger: 'event', cause: next.change.login },
      );
      await rememberMatchedGroups(store, fresh.okta, fresh.desired);
      serviceMs.push(performance.now() - t0);
    }
  })();
  const timed = await drive(world, changes, BASELINE_RATE_PER_SECOND, (t) => queue.push(t));
  driving = false;
  await worker;
  const values = await drain(world, timed, BASELINE_DRAIN_CAP_MS);
  return { timed, values, serviceMs };
}

export const benchmark: Benchmark = {
  name: 'serve-e2e',
  async run(seed): Promise<BenchResult> {
    const loadAtStart = loadavg();
    const org = benchOrg(seed, {
      users: USERS,
      groupsPerAccount: GROUPS_PER_ACCOUNT,
      density: DENSITY,
    });
    const all = changesFor(org, seed);
    const total = Math.round((RATE_PER_SECOND * DURATION_MS) / 1000);
    const baselineChanges = all.slice(0, BASELINE_CHANGES);
    const lowRateChanges = all.slice(BASELINE_CHANGES, BASELINE_CHANGES + LOW_RATE_CHANGES);
    const halfStart = BASELINE_CHANGES + LOW_RATE_CHANGES;
    const halfRateChanges = all.slice(halfStart, halfStart + HALF_RATE_CHANGES);
    const productStart = halfStart + HALF_RATE_CHANGES;
    const productChanges = all.slice(productStart, productStart + total);
    if (productChanges.length < total) throw new Error('not enough distinct (user, group) pairs');
    const setupStarted = performance.now();
    const world = await startBenchWorld(org);
    const w = world.fw.world;
    try {
      w.aws.control.setAsyncLatency(ASYNC_LATENCY_MS);
      const setupSeconds = (performance.now() - setupStarted) / 1000;

      // Baseline first, with no service running (the hook's deliveries fail and are dropped).
      const baseline = await runBaseline(world, baselineChanges);
      const baselineServiceMean =
        baseline.serviceMs.reduce((a, b) => a + b, 0) / Math.max(1, baseline.serviceMs.length);

      const server = await startMeasuredChild(world);
      const startupIdle = await waitIdle(server, 60_000);
      const lowTimed = await drive(world, lowRateChanges, LOW_RATE_PER_SECOND);
      const lowValues = await drain(world, lowTimed, LOW_RATE_DRAIN_CAP_MS);
      await waitIdle(server, 5_000);
      const halfTimed = await drive(world, halfRateChanges, HALF_RATE_PER_SECOND);
      const halfValues = await drain(world, halfTimed, DRAIN_CAP_MS);
      await waitIdle(server, 10_000);
      w.aws.control.resetCalls();
      w.okta.control.resetCalls();
      const deliveriesBefore = w.okta.control.deliveries().length;

      const driveStarted = Date.now();
      const cpuBefore = await server.cpuSeconds();
      const timed = await drive(world, productChanges, RATE_PER_SECOND);
      const serviceCpuSeconds = (await server.cpuSeconds()) - cpuBefore;
      const driveSeconds = (Date.now() - driveStarted) / 1000;
      const values = await drain(world, timed, DRAIN_CAP_MS);
      const drainedAt = Date.now();
      const idle = await waitIdle(server, 5_000);
      const converged = same(world.assignments(), world.oracle());
      const awsCalls = w.aws.control.calls();
      const okta = w.okta.control.calls();
      const deliveries = w.okta.control.deliveries().slice(deliveriesBefore);
      const status = await server.status();
      const events = status.events;
      const counters = await server.counters();
      await server.close(1_000);

      const completions = timed
        .map((t, i) => t.at + values[i]!)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      const lastCompletion = completions.at(-1) ?? drainedAt;
      const product = summary(values);
      const base = summary(baseline.values);
      const p95 = quantile(values, 0.95);
      const limit = ASYNC_LATENCY_MS + TARGET_SLACK_MS;
      return {
        name: 'serve-e2e',
        seed,
        settings: {
          users: USERS,
          groups: org.groups.length,
          initialMembershipDensity: DENSITY,
          asyncLatencyMs: ASYNC_LATENCY_MS,
          changesPerSecond: RATE_PER_SECOND,
          durationMs: DURATION_MS,
          drainCapMs: DRAIN_CAP_MS,
          awsQuotas: {
            ratePerSecond: AWS_RATE_PER_SECOND,
            outstandingCreateAssignments: 15,
            note: 'sso-admin and identitystore at 20 TPS x 20; 15 outstanding creates as at AWS',
          },
          oktaRateLimits: `simulator defaults (Okta published per-minute limits) x ${OKTA_LIMIT_SCALE}`,
          service: 'production defaults (queue backoff, async poll, SDK retries)',
          reconcile: MEASURED_RECONCILE,
          oktaMaxConcurrency: MEASURED_OKTA_CONCURRENCY,
          store: 'sqlite file',
          serviceProcess:
            'serve from the CLI as its own process (info logs to a file); the simulators and the driver share the bench process',
          lowRate: {
            changesPerSecond: LOW_RATE_PER_SECOND,
            changes: LOW_RATE_CHANGES,
            drainCapMs: LOW_RATE_DRAIN_CAP_MS,
          },
          halfRate: { changesPerSecond: HALF_RATE_PER_SECOND, changes: HALF_RATE_CHANGES },
          baseline: {
            strategy: 'full read + plan + apply per change, sequential (product planner/executor)',
            changesPerSecond: BASELINE_RATE_PER_SECOND,
            changes: BASELINE_CHANGES,
            drainCapMs: BASELINE_DRAIN_CAP_MS,
          },
          loadAverageAtStart: loadAtStart,
        },
        metrics: {
          changes: timed.length,
          ...product,
          achievedChangesPerSecond: timed.length / driveSeconds,
          completedChangesPerSecond:
            completions.length / Math.max(0.001, (lastCompletion - driveStarted) / 1000),
          serviceIdleAfterDrain: idle,
          serviceIdleBeforeDrive: startupIdle,
          convergedWithOracle: converged,
          journal: events,
          queueAtEnd: status.queue,
          intakeOutcomes: counters.events,
          reconcileAttempts: counters.attempts,
          meanReconcileSeconds: counters.meanReconcileSeconds,
          hookDeliveries: deliveries.length,
          awsCallsDuringRun: awsCalls.total,
          awsCallCounts: awsCalls.counts,
          awsErrors: awsCalls.errors,
          oktaCallsDuringRun: okta.total,
          okta429s: okta.byStatus['429'] ?? 0,
          setupSeconds,
          serviceCpuSecondsDuringDrive: serviceCpuSeconds,
          serviceCpuMsPerChange: (serviceCpuSeconds * 1000) / timed.length,
          lowRate: summary(lowValues),
          halfRate: summary(halfValues),
          byKind: {
            add: summary(values.filter((_, i) => timed[i]!.change.action.action === 'addMember')),
            remove: summary(
              values.filter((_, i) => timed[i]!.change.action.action === 'removeMember'),
            ),
          },
          baseline: {
            ...base,
            serviceMeanMs: baselineServiceMean,
            capacityChangesPerSecond: 1000 / baselineServiceMean,
          },
          loadAverageAtEnd: loadavg(),
        },
        rows: [
          {
            measure: `Okta membership change → SUCCEEDED in AWS, p50 / p95 / p99 (s), ${RATE_PER_SECOND} changes/s for ${DURATION_MS / 1000} s, L = ${ASYNC_LATENCY_MS / 1000} s`,
            product: `${seconds(quantile(values, 0.5))} / ${seconds(p95)} / ${seconds(quantile(values, 0.99))} (${product.done} of ${timed.length} done within ${DRAIN_CAP_MS / 1000} s after the last; ${(completions.length / Math.max(0.001, (lastCompletion - driveStarted) / 1000)).toFixed(1)} changes/s completed)`,
            baseline: `full plan+apply per change, sequential, at ${BASELINE_RATE_PER_SECOND}/s: ${seconds(quantile(baseline.values, 0.5))} / ${seconds(quantile(baseline.values, 0.95))} / ${seconds(quantile(baseline.values, 0.99))}; capacity ${(1000 / baselineServiceMean).toFixed(2)} changes/s`,
            bound: `L = ${ASYNC_LATENCY_MS / 1000} s (nothing is SUCCEEDED sooner)`,
            ratio: Number.isFinite(p95) ? (p95 / limit).toFixed(2) : '∞',
            target: `p95 < L + 1 s = ${limit / 1000} s at ${RATE_PER_SECOND} changes/s`,
            met: p95 < limit,
          },
          reportedRow(
            `the same, unsaturated: ${LOW_RATE_CHANGES} changes at ${LOW_RATE_PER_SECOND}/s before the load`,
            lowValues,
            limit,
          ),
          reportedRow(
            `the same at half the rate: ${HALF_RATE_CHANGES} changes at ${HALF_RATE_PER_SECOND}/s before the load`,
            halfValues,
            limit,
          ),
        ],
      };
    } finally {
      await world.close();
    }
  },
};
