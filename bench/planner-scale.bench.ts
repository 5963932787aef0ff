/**
 * Planner scale (issue 6): 100,000 Okta users, 10,000 groups, 1,000 accounts, 1,000,000 desired
 * assignments through the same pure code `plan` runs (link principals → desired state →
 * computePlan), in a fresh child process per run so that its peak RSS is the planner's. The
 * fixture is built in the child before the clock starts and is reported on its own.
 *
 * Beside the product, in the same child: the naive baseline (a nested-loop diff of desired
 * against actual, run on a slice of accounts and extrapolated by the product of the sizes) and
 * a bound (hashing every actual assignment once and looking every desired key up once: the
 * least work of any diff by key, before any rule is evaluated or any operation is built).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

import { ISSUE_SCALE } from '../src/core/test-support/scale-fixture.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import type { PlannerScaleJob, PlannerScaleReport } from './planner-scale-child.js';

/** Fresh child processes; the median wall time and the largest peak RSS are reported. */
const RUNS = 3;
/** The V8 heap ceiling of the child: the memory target, so a planner over it fails loudly. */
const HEAP_LIMIT_MB = 2048;
const BASELINE_ACCOUNTS = 10;
const TIME_TARGET_MS = 20_000;
const RSS_TARGET_BYTES = 2 * 2 ** 30;

function runChild(job: PlannerScaleJob): Promise<PlannerScaleReport> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--expose-gc',
      `--max-old-space-size=${HEAP_LIMIT_MB}`,
      path.join(import.meta.dirname, 'planner-scale-child.ts'),
      JSON.stringify(job),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0) {
        reject(
          new Error(
            `planner child exited ${code ?? signal ?? '?'}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as PlannerScaleReport);
    });
  });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

export const benchmark: Benchmark = {
  name: 'planner-scale',
  async run(seed): Promise<BenchResult> {
    // The fixture is generated arithmetically from its spec; the seed does not change it.
    const job: PlannerScaleJob = { spec: ISSUE_SCALE, baselineAccounts: BASELINE_ACCOUNTS };
    const reports: PlannerScaleReport[] = [];
    const failures: string[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      try {
        reports.push(await runChild(job));
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    const settings = {
      spec: ISSUE_SCALE,
      runs: RUNS,
      childHeapLimitMb: HEAP_LIMIT_MB,
      baselineSliceAccounts: BASELINE_ACCOUNTS,
    };
    const measure = `plan ${ISSUE_SCALE.users.toLocaleString('en')} users, ${(ISSUE_SCALE.accounts * ISSUE_SCALE.permissionSets).toLocaleString('en')} groups, ${ISSUE_SCALE.accounts.toLocaleString('en')} accounts, 1,000,000 desired assignments`;
    const sorted = [...reports].sort((a, b) => a.plan.wallMs - b.plan.wallMs);
    const median = sorted[Math.floor(sorted.length / 2)];
    if (!median || failures.length > 0) {
      return {
        name: 'planner-scale',
        seed,
        settings,
        metrics: { failures, reports },
        rows: [
          {
            measure: `${measure}: time (s)`,
            product: `failed: ${failures[0] ?? 'no run'}`,
            baseline: '—',
            bound: '—',
            ratio: '—',
            target: '< 20 s, peak RSS < 2 GB',
            met: false,
          },
        ],
      };
    }
    const peakRss = Math.max(...reports.map((r) => r.plan.peakRssBytes));
    const correct =
      median.plan.desiredAssignments === median.fixture.desiredAssignments &&
      median.plan.creates === median.fixture.desiredAssignments - median.bound.present;
    return {
      name: 'planner-scale',
      seed,
      settings,
      metrics: {
        medianPlanWallMs: median.plan.wallMs,
        medianPlanCpuMs: median.plan.cpuMs,
        planWallMs: reports.map((r) => r.plan.wallMs),
        peakRssBytes: peakRss,
        fixtureMs: median.fixture.ms,
        fixtureRssBytes: median.fixture.rssBytes,
        baselineExtrapolatedMs: median.baseline.extrapolatedMs,
        boundMs: median.bound.ms,
        createsMatchHashDiff: correct,
        reports,
      },
      rows: [
        {
          measure: `${measure}: wall time, median of ${RUNS} (fixture build ${seconds(median.fixture.ms)}, not counted)`,
          product: `${seconds(median.plan.wallMs)} (CPU ${seconds(median.plan.cpuMs)}; link ${seconds(median.plan.linkMs)}, desired ${seconds(median.plan.desiredMs)}, diff+plan ${seconds(median.plan.computePlanMs)})`,
          baseline: `nested-loop diff ≈ ${(median.baseline.extrapolatedMs / 3_600_000).toFixed(1)} h (extrapolated from ${median.baseline.sliceDesired.toLocaleString('en')} × ${median.baseline.sliceActual.toLocaleString('en')} in ${seconds(median.baseline.sliceMs)})`,
          bound: `${seconds(median.bound.ms)} (hash every actual assignment and look up every desired key once)`,
          ratio: (median.plan.wallMs / TIME_TARGET_MS).toFixed(2),
          target: '< 20 s',
          met: median.plan.wallMs < TIME_TARGET_MS && correct,
        },
        {
          measure: `${measure}: peak RSS of the planning child, max of ${RUNS}`,
          product: megabytes(peakRss),
          baseline: '—',
          bound: `${megabytes(median.fixture.rssBytes)} (the inputs alone, before planning)`,
          ratio: (peakRss / RSS_TARGET_BYTES).toFixed(2),
          target: '< 2 GB',
          met: peakRss < RSS_TARGET_BYTES,
        },
      ],
    };
  },
};
