/**
 * Apply throughput (issue 6): 1,200 CreateAccountAssignment operations through the executor the
 * `apply` command runs (`applyPlan`, default limits and polling), the real SDK v3 SSO Admin
 * client behind the per-service limiter configured as `aws.rateLimit.ssoAdmin` would configure
 * it, and a SQLite store, against the AWS simulator in a child process with async latency L, a
 * scaled sso-admin rate limit R and AWS's 15-outstanding-creates quota.
 *
 * Bound: min(R ÷ 2, 15 ÷ L) operations/s. Each create costs its own call plus at least one
 * Describe…Status poll, both on the one sso-admin budget (so R ÷ 2), and no more than 15 can be
 * outstanding, each for at least L (so 15 ÷ L). Baseline: the same executor with a window of
 * one, i.e. create, poll until terminal, then the next (sequential), on a subset, extrapolated.
 * The projection to AWS's real limits uses the same formula with R = 20 TPS and an assumed L.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createAwsClients } from '../src/adapters/aws/aws-clients.js';
import { AwsRateLimiters } from '../src/adapters/aws/aws-rate-limiters.js';
import { createIdentityCenterWriter } from '../src/adapters/aws/identity-center-writer.js';
import { openStore } from '../src/adapters/store/open-store.js';
import type { ApplyLimits, ApplyResult } from '../src/app/apply/apply-plan.js';
import { applyPlan } from '../src/app/apply/apply-plan.js';
import type { PlanOperation } from '../src/core/plan/plan.js';
import { planOfOperations } from '../src/core/test-support/fixtures.js';
import type { AssignmentRequestRecord, AwsScenario, AwsStateDump } from '../src/sim/aws/index.js';
import type { ApplyThroughputSimJob, ApplyThroughputSimReady } from './apply-throughput-sim.js';
import type { Benchmark, BenchResult } from './bench-types.js';

/** AWS's limits scaled by SCALE: the same ratio of rate budget to window as at AWS. */
const SCALE = 6;
/** Assumed completion latency at AWS (it publishes none), for the projection. */
const REAL_LATENCY_MS = 3_000;
const REAL_RATE = 20;
const OUTSTANDING = 15;
/**
 * The simulator's async latency and sso-admin rate. BENCH_APPLY_LATENCY_MS and BENCH_APPLY_RATE
 * override them for exploring other regimes (e.g. one where the rate budget binds); the suite
 * runs the defaults.
 */
const LATENCY_MS = Number(process.env.BENCH_APPLY_LATENCY_MS ?? REAL_LATENCY_MS / SCALE);
const RATE = Number(process.env.BENCH_APPLY_RATE ?? REAL_RATE * SCALE);
const OPERATIONS = 1_200;
const BASELINE_OPERATIONS = 40;
const ACCOUNTS = 20;
const TARGET_RATIO = 0.85;
const PS_NAME = 'BenchReadOnly';
const OWNED = { 'managed-by': 'okta-aws-sync' };

/** ops/s bound: min(rate budget with one poll per create, window ÷ latency). */
const boundOf = (rate: number, latencyMs: number): number =>
  Math.min(rate / 2, OUTSTANDING / (latencyMs / 1000));

function scenario(users: number): AwsScenario {
  return {
    accounts: Array.from({ length: ACCOUNTS }, (_, a) => ({
      id: `2${String(a + 1).padStart(11, '0')}`,
      name: `bench-${a + 1}`,
    })),
    users: Array.from({ length: users }, (_, u) => ({
      userName: `bench-user-${u + 1}`,
      givenName: 'Bench',
      familyName: `User${u + 1}`,
      displayName: `Bench User ${u + 1}`,
    })),
    permissionSets: [
      {
        name: PS_NAME,
        description: 'apply-throughput benchmark',
        managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        tags: OWNED,
      },
    ],
  };
}

async function startSim(job: ApplyThroughputSimJob): Promise<{
  child: ChildProcess;
  ready: ApplyThroughputSimReady;
}> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'apply-throughput-sim.ts'),
      JSON.stringify(job),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ready = await new Promise<ApplyThroughputSimReady>((resolve, reject) => {
    let buffer = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator child exited ${String(code)}`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve(JSON.parse(line) as ApplyThroughputSimReady);
    });
  });
  child.removeAllListeners('exit');
  return { child, ready };
}

function stopSim(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.stdin?.end();
  });
}

async function control<T>(endpoint: string, resource: string): Promise<T> {
  const response = await fetch(`${endpoint}/_sim/${resource}`);
  if (!response.ok) throw new Error(`GET /_sim/${resource}: ${response.status}`);
  return (await response.json()) as T;
}

interface RunFigures {
  readonly operations: number;
  readonly seconds: number;
  readonly opsPerSecond: number;
  readonly counts: ApplyResult['counts'];
  /** HTTP requests sent by operation (every attempt, throttled ones included). */
  readonly calls: Record<string, number>;
  readonly throttled: number;
  readonly pollsPerCreate: number;
  /** sso-admin calls per second over the run. */
  readonly callsPerSecond: number;
  /** Server side: mean requests outstanding over the run (time-weighted). */
  readonly meanOutstanding: number;
  /** Server side: mean time from accepted to terminal, ms (= L when the simulator is on time). */
  readonly meanCompletionMs: number;
}

async function applyOnce(
  ready: ApplyThroughputSimReady,
  dir: string,
  label: string,
  operations: PlanOperation[],
  limits: ApplyLimits,
): Promise<RunFigures> {
  // As app/wiring builds them for `aws.rateLimit.ssoAdmin: RATE`: one limiter per service.
  const limiters = new AwsRateLimiters({
    services: { 'sso-admin': { ratePerSecond: RATE } },
  });
  const clients = createAwsClients(
    { region: ready.region, endpoint: ready.endpoint, credentials: ready.credentials },
    limiters,
  );
  const store = await openStore(`sqlite:${path.join(dir, `${label}.db`)}`);
  try {
    const before = await control<AssignmentRequestRecord[]>(ready.endpoint, 'assignment-requests');
    const known = new Set(before.map((r) => r.requestId));
    const started = performance.now();
    const result = await applyPlan(
      planOfOperations(ready.instanceArn, operations),
      { writer: createIdentityCenterWriter(clients.ssoAdmin), store },
      { actor: 'bench:apply-throughput', trigger: 'bench', limits },
    );
    const seconds = (performance.now() - started) / 1000;
    const requests = (
      await control<AssignmentRequestRecord[]>(ready.endpoint, 'assignment-requests')
    ).filter((r) => !known.has(r.requestId) && r.kind === 'create');
    const first = Math.min(...requests.map((r) => r.createdAt));
    const last = Math.max(...requests.map((r) => r.completedAt ?? r.createdAt));
    const busy = requests.reduce(
      (sum, r) => sum + ((r.completedAt ?? r.createdAt) - r.createdAt),
      0,
    );
    const calls: Record<string, number> = {};
    let throttled = 0;
    let ssoAdminCalls = 0;
    for (const row of limiters.counters.snapshot()) {
      if (row.service !== 'sso-admin') continue;
      calls[row.operation] = (calls[row.operation] ?? 0) + row.requests;
      throttled += row.throttled;
      ssoAdminCalls += row.requests;
    }
    return {
      operations: operations.length,
      seconds,
      opsPerSecond: operations.length / seconds,
      counts: result.counts,
      calls,
      throttled,
      pollsPerCreate:
        (calls.DescribeAccountAssignmentCreationStatus ?? 0) / Math.max(1, operations.length),
      callsPerSecond: ssoAdminCalls / seconds,
      meanOutstanding: busy / Math.max(1, last - first),
      meanCompletionMs: busy / Math.max(1, requests.length),
    };
  } finally {
    clients.destroy();
    await store.close();
  }
}

export const benchmark: Benchmark = {
  name: 'apply-throughput',
  async run(seed): Promise<BenchResult> {
    const usersNeeded = Math.ceil((OPERATIONS + BASELINE_OPERATIONS) / ACCOUNTS);
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-apply-'));
    const { child, ready } = await startSim({
      seed,
      scenario: scenario(usersNeeded),
      asyncLatencyMs: LATENCY_MS,
      ratePerSecond: RATE,
      outstandingCreateAssignments: OUTSTANDING,
    });
    try {
      const state = await control<AwsStateDump>(ready.endpoint, 'state');
      const psArn = state.permissionSets.find((ps) => ps.name === PS_NAME)?.arn ?? '';
      const userIds = state.identityStore.users.map((u) => String(u.UserId));
      const accounts = state.organization.accounts
        .map((a) => a.id)
        .filter((id) => id !== state.managementAccountId)
        .sort();
      // Every (user, account) pair once, user-major, so consecutive creates hit different accounts.
      const all: PlanOperation[] = [];
      for (const [u, userId] of userIds.entries()) {
        for (const accountId of accounts) {
          all.push({
            kind: 'create-assignment',
            key: `assignment:${accountId}|${PS_NAME}|USER|${userId}`,
            accountId,
            permissionSetName: PS_NAME,
            permissionSetArn: psArn,
            principalType: 'USER',
            principalId: userId,
            principalName: `bench-user-${u + 1}`,
            reason: { rule: 'bench' },
          });
        }
      }
      const product = await applyOnce(ready, dir, 'product', all.slice(0, OPERATIONS), {});
      const baseline = await applyOnce(
        ready,
        dir,
        'baseline',
        all.slice(OPERATIONS, OPERATIONS + BASELINE_OPERATIONS),
        { maxOutstandingCreates: 1 },
      );
      const after = await control<AwsStateDump>(ready.endpoint, 'state');
      const assigned = after.assignments.filter((a) => a.permissionSetArn === psArn).length;

      const bound = boundOf(RATE, LATENCY_MS);
      const ratio = product.opsPerSecond / bound;
      const baselineSeconds = OPERATIONS / baseline.opsPerSecond;
      const realBound = boundOf(REAL_RATE, REAL_LATENCY_MS);
      const realAtBoundSeconds = OPERATIONS / realBound;
      const realProjectedSeconds = realAtBoundSeconds / ratio;
      // The sequential baseline's time per operation scales with L (it is L plus poll slack).
      const realBaselineSeconds = (baselineSeconds * REAL_LATENCY_MS) / LATENCY_MS;
      const allDone =
        product.counts.Success === OPERATIONS &&
        baseline.counts.Success === BASELINE_OPERATIONS &&
        assigned === OPERATIONS + BASELINE_OPERATIONS;
      const minutes = (s: number): string => `${(s / 60).toFixed(1)} min`;
      return {
        name: 'apply-throughput',
        seed,
        settings: {
          operations: OPERATIONS,
          baselineOperations: BASELINE_OPERATIONS,
          asyncLatencyMs: LATENCY_MS,
          ssoAdminRatePerSecond: RATE,
          outstandingCreates: OUTSTANDING,
          scaleOfAwsLimits: SCALE,
          assumedRealLatencyMs: REAL_LATENCY_MS,
          executor: 'applyPlan defaults (15 outstanding creates, default polling and retries)',
          simulator: 'child process',
        },
        metrics: {
          product,
          baseline,
          boundOpsPerSecond: bound,
          ratio,
          baselineExtrapolatedSeconds: baselineSeconds,
          assignmentsInSimulator: assigned,
          projection: {
            ratePerSecond: REAL_RATE,
            assumedLatencyMs: REAL_LATENCY_MS,
            boundOpsPerSecond: realBound,
            atBoundSeconds: realAtBoundSeconds,
            atMeasuredRatioSeconds: realProjectedSeconds,
            sequentialSeconds: realBaselineSeconds,
            awsSampleSeconds: 61 * 60,
          },
        },
        rows: [
          {
            measure: `apply ${OPERATIONS.toLocaleString('en')} assignment creates (ops/s), L = ${LATENCY_MS} ms, sso-admin ${RATE} TPS, ${OUTSTANDING} outstanding (${LATENCY_MS === REAL_LATENCY_MS / SCALE && RATE === REAL_RATE * SCALE ? `AWS limits × ${SCALE}` : 'overridden by environment'})`,
            product: `${product.opsPerSecond.toFixed(1)} (${product.seconds.toFixed(1)} s; ${product.pollsPerCreate.toFixed(2)} polls/create)`,
            baseline: `sequential create → poll: ${baseline.opsPerSecond.toFixed(2)} (${BASELINE_OPERATIONS} ops; ${OPERATIONS.toLocaleString('en')} ≈ ${baselineSeconds.toFixed(0)} s extrapolated)`,
            bound: `${bound.toFixed(1)} = min(${RATE} ÷ 2, ${OUTSTANDING} ÷ ${LATENCY_MS / 1000} s)`,
            ratio: ratio.toFixed(2),
            target: `≥ ${TARGET_RATIO} of the bound`,
            met: ratio >= TARGET_RATIO && allDone,
          },
          {
            measure: `projected time for ${OPERATIONS.toLocaleString('en')} creates at AWS's limits (20 TPS, 15 outstanding, assumed L = ${REAL_LATENCY_MS / 1000} s)`,
            product: `${minutes(realProjectedSeconds)} (bound ÷ measured ratio)`,
            baseline: `sequential ≈ ${minutes(realBaselineSeconds)}; AWS's sample solution: 61 min`,
            bound: `${minutes(realAtBoundSeconds)} at min(20 ÷ 2, 15 ÷ ${REAL_LATENCY_MS / 1000} s) = ${realBound.toFixed(1)} ops/s`,
            ratio: '—',
            target: '—',
            met: null,
          },
        ],
      };
    } finally {
      await stopSim(child);
      await rm(dir, { recursive: true, force: true });
    }
  },
};
