/**
 * Discovery on issue 5's generated organisation (300 accounts, 200 permission sets, 10 % of pairs
 * provisioned, 5,000 users, 500 groups, 20,000 assignments), side by side in one run against the
 * AWS simulator enforcing a scaled rate limit:
 *
 * - the product: `runDiscovery` as `discover --source aws` wires it (default configuration,
 *   per-account IAM off), through the real SDK clients, snapshot stored in SQLite;
 * - the naive strategy: ListAccountAssignments for every account × permission set, reading the
 *   rest of the inventory with the product's own readers (bench/discovery-naive.ts);
 * - the product's principal-major option, for the record;
 * - the lower bound of calls, computed from the organisation (bench/discovery-org.ts).
 *
 * Each reader runs in a child process (its peak memory is its own; the simulator keeps this
 * process's core). The simulator's call log is sampled every 100 ms for the achieved rate.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { OperationCallStats } from '../src/core/inventory/call-stats.js';
import {
  generateAwsScenario,
  startAwsSimulator,
  type AwsSimulator,
  type CallLogSnapshot,
} from '../src/sim/aws/index.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import {
  assignmentDigest,
  benchmarkOrgSize,
  callsPerService,
  lowerBoundCalls,
  type CallsByOperation,
} from './discovery-org.js';
import type { ReaderJob, ReaderResult, ReaderStrategy } from './discovery-reader-process.js';

/**
 * Requests per second allowed, by the simulator's quotas and the product's `aws.rateLimit` alike.
 * sso-admin, the long pole, gets AWS's 20 scaled up so that the naive scan (≈ 61,600 sso-admin
 * calls) fits the benchmark's time budget. The identity store and Organizations get a fifth of
 * that: the simulator serves every service from one thread, and three services at the full scaled
 * rate at once would make it, not the product, the limit. Their reads (≈ 900 calls) still end
 * well before the sso-admin work. BENCH_DISCOVERY_RATE overrides the sso-admin rate.
 */
const RATE = Number(process.env.BENCH_DISCOVERY_RATE ?? 500);
const OTHER_RATE = RATE / 5;
const RATES = { ssoAdmin: RATE, identityStore: OTHER_RATE, organizations: OTHER_RATE };
const AWS_RATE = 20;
const SAMPLE_MS = 100;
const MEMORY_TARGET_BYTES = 500 * 1024 * 1024;
const THROTTLE_CODES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling']);

interface Sample {
  readonly at: number;
  /** Requests the simulator accepted (answered, throttles excluded), per service. */
  readonly accepted: Readonly<Record<string, number>>;
}

interface SimView {
  readonly counts: CallsByOperation;
  readonly throttled: Record<string, number>;
  readonly accepted: Record<string, number>;
}

function simView(snapshot: CallLogSnapshot): SimView {
  const throttled: Record<string, number> = {};
  for (const [key, n] of Object.entries(snapshot.errors)) {
    const [service = '', , code = ''] = key.split(':');
    if (THROTTLE_CODES.has(code)) throttled[service] = (throttled[service] ?? 0) + n;
  }
  const answered = callsPerService(snapshot.counts);
  const accepted = Object.fromEntries(
    Object.entries(answered).map(([service, n]) => [service, n - (throttled[service] ?? 0)]),
  );
  return { counts: { ...snapshot.counts }, throttled, accepted };
}

/** The first (or last) `at` of a service among the call log's retained entries. */
function entryAt(snapshot: CallLogSnapshot, service: string, which: 'first' | 'last'): number {
  const entries = which === 'first' ? snapshot.entries : [...snapshot.entries].reverse();
  return entries.find((entry) => entry.service === service)?.at ?? Number.NaN;
}

/**
 * Runs one reader in a child process while sampling the simulator. The first sso-admin request
 * time is taken from the call log's ring at the first sample that sees one (the ring holds the
 * last 10,000 calls, far more than 100 ms of traffic).
 */
async function measure(
  aws: AwsSimulator,
  job: ReaderJob,
): Promise<{
  reader: ReaderResult;
  sim: SimView;
  samples: Sample[];
  firstAt: number;
  lastAt: number;
}> {
  aws.control.resetCalls();
  const samples: Sample[] = [];
  let firstAt = Number.NaN;
  const sample = (): CallLogSnapshot => {
    const snapshot = aws.control.calls();
    if (Number.isNaN(firstAt)) firstAt = entryAt(snapshot, 'sso-admin', 'first');
    samples.push({ at: Date.now(), accepted: simView(snapshot).accepted });
    return snapshot;
  };
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const reader = await runReader(job);
    const final = sample();
    return {
      reader,
      sim: simView(final),
      samples,
      firstAt,
      lastAt: entryAt(final, 'sso-admin', 'last'),
    };
  } finally {
    clearInterval(timer);
  }
}

function runReader(job: ReaderJob): Promise<ReaderResult> {
  const script = fileURLToPath(new URL('./discovery-reader-process.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`${job.strategy} reader exited ${String(code)}: ${stderr.trim()}`));
        return;
      }
      resolve(JSON.parse(line) as ReaderResult);
    });
  });
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function productCalls(stats: readonly OperationCallStats[], service?: string): number {
  return sum(stats.filter((s) => !service || s.service === service).map((s) => s.calls));
}

function operationCalls(
  stats: readonly OperationCallStats[],
  service: string,
  operation: string,
): number {
  return stats.find((s) => s.service === service && s.operation === operation)?.calls ?? 0;
}

/**
 * sso-admin requests the simulator accepted per second between the first and the last sso-admin
 * request (the whole time sso-admin work remained), and the slowest full 1-second window in it.
 */
function achievedRate(run: { sim: SimView; samples: Sample[]; firstAt: number; lastAt: number }): {
  perSecond: number;
  slowestWindowPerSecond: number;
  /** Seconds after the first sso-admin request at which the slowest window starts. */
  slowestWindowStartsAtSeconds: number;
  spanSeconds: number;
  /** Accepted sso-admin requests in each whole second after the first one (for the record). */
  perSecondSeries: number[];
} {
  const accepted = run.sim.accepted['sso-admin'] ?? 0;
  const spanSeconds = (run.lastAt - run.firstAt) / 1000;
  let slowest = Number.POSITIVE_INFINITY;
  let slowestAt = Number.NaN;
  const inside = run.samples.filter((s) => s.at >= run.firstAt && s.at <= run.lastAt);
  for (let i = 0, j = 0; i < inside.length; i++) {
    while (j < inside.length && inside[j]!.at < inside[i]!.at + 1000) j++;
    if (j >= inside.length) break;
    const a = inside[i]!;
    const b = inside[j]!;
    const rate =
      (((b.accepted['sso-admin'] ?? 0) - (a.accepted['sso-admin'] ?? 0)) * 1000) / (b.at - a.at);
    if (rate < slowest) {
      slowest = rate;
      slowestAt = (a.at - run.firstAt) / 1000;
    }
  }
  const perSecondSeries: number[] = [];
  let previous = 0;
  for (let second = 1; second <= Math.ceil(spanSeconds); second++) {
    // The last sample at or before that second's end.
    const at = run.firstAt + second * 1000;
    const upTo = run.samples.filter((s) => s.at <= at).at(-1)?.accepted['sso-admin'] ?? 0;
    perSecondSeries.push(upTo - previous);
    previous = upTo;
  }
  return {
    perSecond: (accepted - 1) / spanSeconds,
    slowestWindowPerSecond: Number.isFinite(slowest) ? slowest : Number.NaN,
    slowestWindowStartsAtSeconds: slowestAt,
    spanSeconds,
    perSecondSeries,
  };
}

function sameCounts(a: CallsByOperation, b: CallsByOperation): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const minutes = (calls: number): string => `${(calls / AWS_RATE / 60).toFixed(1)} min`;

export const benchmark: Benchmark = {
  name: 'discovery',
  async run(seed): Promise<BenchResult> {
    const size = benchmarkOrgSize(seed);
    const aws = await startAwsSimulator({
      scenario: generateAwsScenario(size),
      seed,
      quotas: {
        ratePerSecond: {
          'sso-admin': RATE,
          identitystore: OTHER_RATE,
          organizations: OTHER_RATE,
          iam: OTHER_RATE,
          sts: OTHER_RATE,
        },
      },
      // Empty Organizations pages are legal but random; off, so every run reads the same pages.
      behaviour: { organizationsEmptyPageProbability: 0 },
    });
    const runs: Partial<Record<ReaderStrategy, Awaited<ReturnType<typeof measure>>>> = {};
    let dump;
    try {
      dump = aws.control.dumpState();
      for (const strategy of ['product', 'naive', 'principal'] as const) {
        process.stderr.write(`  discovery: ${strategy} …\n`);
        runs[strategy] = await measure(aws, {
          strategy,
          endpoint: aws.endpoint,
          region: aws.region,
          instanceArn: aws.instanceArn,
          accessKeyId: aws.credentials.accessKeyId,
          secretAccessKey: aws.credentials.secretAccessKey,
          rates: RATES,
        });
      }
    } finally {
      await aws.close();
    }
    const product = runs.product!;
    const naive = runs.naive!;
    const principal = runs.principal!;

    const truthDigest = assignmentDigest(dump.assignments);
    const bound = lowerBoundCalls(dump);
    const boundPerService = callsPerService(bound);
    const boundTotal = sum(Object.values(boundPerService));
    const boundSso = boundPerService['sso-admin'] ?? 0;
    const boundListings = bound['sso-admin:ListAccountAssignments'] ?? 0;
    // Services have budgets of their own and run in parallel: the slowest one sets the time.
    const boundWallMs =
      Math.max(
        (boundPerService['sso-admin'] ?? 0) / RATE,
        (boundPerService.identitystore ?? 0) / OTHER_RATE,
        (boundPerService.organizations ?? 0) / OTHER_RATE,
      ) * 1000;

    const calls = {
      product: productCalls(product.reader.calls),
      naive: productCalls(naive.reader.calls),
      principal: productCalls(principal.reader.calls),
    };
    const sso = {
      product: productCalls(product.reader.calls, 'sso-admin'),
      naive: productCalls(naive.reader.calls, 'sso-admin'),
      principal: productCalls(principal.reader.calls, 'sso-admin'),
    };
    const listings = {
      product: operationCalls(product.reader.calls, 'sso-admin', 'ListAccountAssignments'),
      naive: operationCalls(naive.reader.calls, 'sso-admin', 'ListAccountAssignments'),
      principal: operationCalls(
        principal.reader.calls,
        'sso-admin',
        'ListAccountAssignmentsForPrincipal',
      ),
    };
    const rate = { product: achievedRate(product), naive: achievedRate(naive) };
    const throttlesAbsorbed = sum(product.reader.calls.map((s) => s.throttled));
    const complete = {
      product: product.reader.assignmentDigest === truthDigest,
      naive: naive.reader.assignmentDigest === truthDigest,
      principal: principal.reader.assignmentDigest === truthDigest,
    };

    const rows: BenchRow[] = [
      {
        measure: `discovery calls, whole run (sso-admin + identitystore + organizations; generated org)`,
        product: fmt(calls.product),
        baseline: `${fmt(calls.naive)} (naive: every account × permission set)`,
        bound: fmt(boundTotal),
        ratio: `${(calls.naive / calls.product).toFixed(2)}× fewer (bound: ${(calls.naive / boundTotal).toFixed(2)}×)`,
        target: '≥ 10× fewer than naive',
        met: calls.naive / calls.product >= 10,
      },
      {
        measure:
          'discovery: assignment listings, the only calls that differ (ListAccountAssignments)',
        product: fmt(listings.product),
        baseline: fmt(listings.naive),
        bound: fmt(boundListings),
        ratio: `${(listings.naive / listings.product).toFixed(2)}× fewer`,
        target: '≥ 10× fewer than naive',
        met: listings.naive / listings.product >= 10,
      },
      {
        measure: `discovery: accepted sso-admin rate ÷ allowed (${RATE}/s) while sso-admin work remains`,
        product: `${pct(rate.product.perSecond / RATE)} (slowest 1 s: ${pct(rate.product.slowestWindowPerSecond / RATE)})`,
        baseline: pct(rate.naive.perSecond / RATE),
        bound: '100%',
        ratio: (rate.product.perSecond / RATE).toFixed(3),
        target: '≥ 90%',
        met: rate.product.perSecond / RATE >= 0.9,
      },
      {
        measure: `discovery wall time (sso-admin ${RATE} req/s, identitystore and organizations ${OTHER_RATE} req/s)`,
        product: seconds(product.reader.wallMs),
        baseline: seconds(naive.reader.wallMs),
        bound: `${seconds(boundWallMs)} (slowest service's bound calls ÷ its rate)`,
        ratio: `${(product.reader.wallMs / boundWallMs).toFixed(2)} × bound`,
        target: '—',
        met: null,
      },
      {
        measure:
          'discovery projected at AWS 20 req/s (sso-admin calls ÷ 20; other services run in parallel)',
        product: minutes(sso.product),
        baseline: minutes(sso.naive),
        bound: minutes(boundSso),
        ratio: `${(sso.naive / sso.product).toFixed(2)}× faster`,
        target: '—',
        met: null,
      },
      {
        measure: 'discovery: throttling errors reaching the user',
        // A throttle that reached the caller would have failed runDiscovery, and with it the
        // reader process and this benchmark: a result here means none did.
        product: `0 (run completed; ${fmt(throttlesAbsorbed)} throttles absorbed)`,
        baseline: '—',
        bound: '0',
        ratio: '—',
        target: '0',
        met: true,
      },
      {
        measure: 'discovery: peak memory of the product process (max RSS: Node, tsx, SDKs)',
        product: `${(product.reader.maxRssBytes / 2 ** 20).toFixed(0)} MB (heap peak ${(product.reader.peakHeapUsedBytes / 2 ** 20).toFixed(0)} MB)`,
        baseline: `${(naive.reader.maxRssBytes / 2 ** 20).toFixed(0)} MB`,
        bound: '—',
        ratio: (product.reader.maxRssBytes / MEMORY_TARGET_BYTES).toFixed(2),
        target: '< 500 MB',
        met: product.reader.maxRssBytes < MEMORY_TARGET_BYTES,
      },
      {
        measure: `discovery completeness: assignments equal to the simulator's ${fmt(dump.assignments.length)}`,
        product: complete.product ? 'equal' : 'DIFFERENT',
        baseline: complete.naive ? 'equal' : 'DIFFERENT',
        bound: '—',
        ratio: '—',
        target: 'equal',
        met: complete.product && complete.naive,
      },
      {
        measure:
          'discovery, principal-major option (not the default: misses assignments of principals deleted from the identity store)',
        product: `${fmt(calls.principal)} calls (${fmt(listings.principal)} ListAccountAssignmentsForPrincipal)`,
        baseline: fmt(calls.naive),
        bound: fmt(boundTotal),
        ratio: `${(calls.naive / calls.principal).toFixed(2)}× fewer`,
        target: '—',
        met: null,
      },
    ];

    const summary = (run: Awaited<ReturnType<typeof measure>>) => ({
      wallMs: run.reader.wallMs,
      calls: run.reader.calls,
      // Requests per operation as the product's counters saw them, equal to the simulator's log.
      countersMatchSimulator: sameCounts(
        Object.fromEntries(
          run.reader.calls.map((s) => [`${s.service}:${s.operation}`, s.requests]),
        ),
        run.sim.counts,
      ),
      callsPerService: Object.fromEntries(
        ['sso-admin', 'identitystore', 'organizations'].map((s) => [
          s,
          productCalls(run.reader.calls, s),
        ]),
      ),
      simulator: {
        counts: run.sim.counts,
        throttled: run.sim.throttled,
        accepted: run.sim.accepted,
      },
      assignments: run.reader.assignments,
      provisionedPairs: run.reader.provisionedPairs,
      complete: run.reader.assignmentDigest === truthDigest,
      maxRssBytes: run.reader.maxRssBytes,
      peakHeapUsedBytes: run.reader.peakHeapUsedBytes,
      allCallsAt20PerSecondMinutes: productCalls(run.reader.calls) / AWS_RATE / 60,
    });
    return {
      name: 'discovery',
      seed,
      settings: {
        org: size,
        ratePerSecond: { 'sso-admin': RATE, identitystore: OTHER_RATE, organizations: OTHER_RATE },
        simulatorQuotas: 'token bucket per service at those rates, burst = one second',
        productConfig:
          'aws.rateLimit at those rates; aws.discovery.inspectIam false; default assignment strategy',
        organizationsEmptyPages: 'off',
        readers: 'child processes (node --import tsx); simulator in the benchmark process',
        sampleMs: SAMPLE_MS,
      },
      metrics: {
        truth: {
          assignments: dump.assignments.length,
          provisionedPairs: dump.provisioned.length,
          accounts: dump.organization.accounts.length,
          permissionSets: dump.permissionSets.length,
          users: dump.identityStore.users.length,
          groups: dump.identityStore.groups.length,
          memberships: dump.identityStore.memberships.length,
        },
        lowerBound: {
          byOperation: bound,
          perService: boundPerService,
          total: boundTotal,
          wallMs: boundWallMs,
        },
        product: { ...summary(product), achievedRate: rate.product },
        naive: { ...summary(naive), achievedRate: rate.naive },
        principal: summary(principal),
        ratios: {
          wholeRun: calls.naive / calls.product,
          ssoAdmin: sso.naive / sso.product,
          assignmentListings: listings.naive / listings.product,
          boundWholeRun: calls.naive / boundTotal,
          boundSsoAdmin: sso.naive / boundSso,
          principalWholeRun: calls.naive / calls.principal,
        },
      },
      rows,
    };
  },
};
