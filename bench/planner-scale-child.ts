/**
 * Child process of the `planner-scale` benchmark, so that its peak RSS is the planner's alone.
 * Argument: a JSON `PlannerScaleJob`. Prints one JSON `PlannerScaleReport` line on stdout.
 *
 * Order matters for the memory figure: the fixture is built (its RSS is reported separately),
 * then planning runs and the peak RSS is read at once, before the baseline and the bound run
 * (they would otherwise add their own allocations to the peak).
 */
import { linkPrincipals } from '../src/core/linking/link-principals.js';
import { computePlan } from '../src/core/plan/compute-plan.js';
import { computeDesiredState } from '../src/core/rules/desired-state.js';
import type { ScaleSpec } from '../src/core/test-support/scale-fixture.js';
import { scaleFixture } from '../src/core/test-support/scale-fixture.js';

export interface PlannerScaleJob {
  readonly spec: ScaleSpec;
  /** Accounts in the slice the naive nested-loop baseline runs on (it is then extrapolated). */
  readonly baselineAccounts: number;
}

export interface PlannerScaleReport {
  readonly fixture: {
    readonly ms: number;
    readonly rssBytes: number;
    readonly users: number;
    readonly groups: number;
    readonly memberships: number;
    readonly actualAssignments: number;
    readonly desiredAssignments: number;
  };
  readonly plan: {
    readonly wallMs: number;
    readonly cpuMs: number;
    readonly linkMs: number;
    readonly desiredMs: number;
    readonly computePlanMs: number;
    /** Peak RSS of the process up to the end of planning (fixture included), bytes. */
    readonly peakRssBytes: number;
    readonly heapUsedAfterBytes: number;
    readonly desiredAssignments: number;
    readonly operations: number;
    readonly summary: Record<string, number>;
    readonly creates: number;
    readonly deletes: number;
    readonly unmanaged: number;
  };
  readonly baseline: {
    readonly sliceAccounts: number;
    readonly sliceDesired: number;
    readonly sliceActual: number;
    readonly sliceMs: number;
    readonly sliceCreates: number;
    readonly sliceDeletes: number;
    /** sliceMs × (desired × actual) ÷ (sliceDesired × sliceActual). */
    readonly extrapolatedMs: number;
  };
  readonly bound: {
    readonly ms: number;
    readonly actualKeys: number;
    readonly desiredKeys: number;
    readonly present: number;
  };
}

const gc = (globalThis as { gc?: () => void }).gc;

function run(job: PlannerScaleJob): PlannerScaleReport {
  const f0 = performance.now();
  const fixture = scaleFixture(job.spec);
  const fixtureMs = performance.now() - f0;
  gc?.();
  const fixtureRss = process.memoryUsage().rss;
  const { okta, actual, policy } = fixture;

  // ---- the product: link → desired state → plan, the calls planFromCurrentState makes ---------
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const links = linkPrincipals(okta, { users: actual.users, groups: actual.groups });
  const t1 = performance.now();
  const desired = computeDesiredState(policy, okta, actual.organization, links);
  const t2 = performance.now();
  const plan = computePlan(desired, actual);
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  // maxRSS is in kilobytes (process.resourceUsage, getrusage).
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const heapUsedAfterBytes = process.memoryUsage().heapUsed;
  let creates = 0;
  let deletes = 0;
  for (const operation of plan.operations) {
    if (operation.kind === 'create-assignment') creates += 1;
    else if (operation.kind === 'delete-assignment') deletes += 1;
  }
  const planReport = {
    wallMs: t3 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    linkMs: t1 - t0,
    desiredMs: t2 - t1,
    computePlanMs: t3 - t2,
    peakRssBytes,
    heapUsedAfterBytes,
    desiredAssignments: desired.assignments.size,
    operations: plan.operations.length,
    summary: { ...plan.summary },
    creates,
    deletes,
    unmanaged: plan.unmanaged.length,
  };

  // ---- physical bound: hash every actual assignment once, look every desired key up once -------
  gc?.();
  const psNameByArn = new Map(actual.permissionSets.map((ps) => [ps.permissionSetArn, ps.name]));
  const b0 = performance.now();
  const actualKeys = new Set<string>();
  for (const a of actual.assignments) {
    actualKeys.add(
      `${a.accountId}|${psNameByArn.get(a.permissionSetArn) ?? ''}|${a.principalType}|${a.principalId}`,
    );
  }
  let present = 0;
  for (const key of desired.assignments.keys()) if (actualKeys.has(key)) present += 1;
  const boundMs = performance.now() - b0;

  // ---- baseline: naive nested-loop diff on a slice of accounts, extrapolated -----------------
  // Every desired assignment is searched for in the list of actual ones and the other way round:
  // the obvious diff without an index. Run on the assignments of the first accounts only.
  actualKeys.clear();
  gc?.();
  const sliceAccounts = new Set<string>();
  for (const a of actual.assignments) {
    if (sliceAccounts.size >= job.baselineAccounts) break;
    sliceAccounts.add(a.accountId);
  }
  const sliceDesired: { account: string; ps: string; type: string; id: string }[] = [];
  for (const key of desired.assignments.keys()) {
    const [account = '', ps = '', type = '', id = ''] = key.split('|');
    if (sliceAccounts.has(account)) sliceDesired.push({ account, ps, type, id });
  }
  const sliceActual = actual.assignments
    .filter((a) => sliceAccounts.has(a.accountId))
    .map((a) => ({
      account: a.accountId,
      ps: psNameByArn.get(a.permissionSetArn) ?? '',
      type: a.principalType,
      id: a.principalId,
    }));
  const n0 = performance.now();
  let sliceCreates = 0;
  let sliceDeletes = 0;
  for (const d of sliceDesired) {
    let found = false;
    for (const a of sliceActual) {
      if (a.account === d.account && a.ps === d.ps && a.type === d.type && a.id === d.id) {
        found = true;
        break;
      }
    }
    if (!found) sliceCreates += 1;
  }
  for (const a of sliceActual) {
    let found = false;
    for (const d of sliceDesired) {
      if (a.account === d.account && a.ps === d.ps && a.type === d.type && a.id === d.id) {
        found = true;
        break;
      }
    }
    if (!found) sliceDeletes += 1;
  }
  const sliceMs = performance.now() - n0;
  const scale =
    (desired.assignments.size * actual.assignments.length) /
    Math.max(1, sliceDesired.length * sliceActual.length);

  return {
    fixture: {
      ms: fixtureMs,
      rssBytes: fixtureRss,
      users: okta.users.length,
      groups: okta.groups.length,
      memberships: okta.memberships.length,
      actualAssignments: actual.assignments.length,
      desiredAssignments: fixture.desiredAssignments,
    },
    plan: planReport,
    baseline: {
      sliceAccounts: job.baselineAccounts,
      sliceDesired: sliceDesired.length,
      sliceActual: sliceActual.length,
      sliceMs,
      sliceCreates,
      sliceDeletes,
      extrapolatedMs: sliceMs * scale,
    },
    bound: {
      ms: boundMs,
      actualKeys: actualKeys.size,
      desiredKeys: desired.assignments.size,
      present,
    },
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as PlannerScaleJob;
process.stdout.write(`${JSON.stringify(run(job))}\n`);
