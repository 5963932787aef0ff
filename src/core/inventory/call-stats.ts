/**
 * Per-operation API call statistics of one run. The run report, the snapshot and `/metrics` read
 * them; the call-count model in docs/discovery-call-model.md predicts `calls`.
 */
export interface OperationCallStats {
  /** `sso-admin`, `identitystore`, `organizations`, `iam`, `sts` or `okta`. */
  readonly service: string;
  /** The API operation, e.g. `ListAccountAssignments` or `GET /api/v1/users`. */
  readonly operation: string;
  /** Logical calls (one per `send`, however many attempts it took). */
  readonly calls: number;
  /** HTTP requests sent, retries included: what the service's rate limit sees. */
  readonly requests: number;
  /** Throttle responses received (then retried, unless `failed` also counts the call). */
  readonly throttled: number;
  /** Transient failures (5xx, network) received and retried. */
  readonly transientErrors: number;
  /** Logical calls that ended in an error the caller saw. */
  readonly failed: number;
}

export interface CallStatsTotals {
  readonly calls: number;
  readonly requests: number;
  readonly throttled: number;
  readonly transientErrors: number;
  readonly failed: number;
}

/** Sums a list of per-operation stats. */
export function totalCalls(stats: readonly OperationCallStats[]): CallStatsTotals {
  let calls = 0;
  let requests = 0;
  let throttled = 0;
  let transientErrors = 0;
  let failed = 0;
  for (const stat of stats) {
    calls += stat.calls;
    requests += stat.requests;
    throttled += stat.throttled;
    transientErrors += stat.transientErrors;
    failed += stat.failed;
  }
  return { calls, requests, throttled, transientErrors, failed };
}

/** Stats for one service, keyed by operation: `byOperation(stats, 'sso-admin').ListAccountAssignments.calls`. */
export function byOperation(
  stats: readonly OperationCallStats[],
  service: string,
): Readonly<Record<string, OperationCallStats>> {
  const result: Record<string, OperationCallStats> = {};
  for (const stat of stats) if (stat.service === service) result[stat.operation] = stat;
  return result;
}

/**
 * The calls made between two snapshots of cumulative counters (`after − before`), dropping
 * operations with no requests in between. Lets one run report its own calls while the counters
 * keep counting for the process (and `/metrics`).
 */
export function diffCallStats(
  before: readonly OperationCallStats[],
  after: readonly OperationCallStats[],
): OperationCallStats[] {
  const earlier = new Map(before.map((stat) => [`${stat.service}\u0000${stat.operation}`, stat]));
  const result: OperationCallStats[] = [];
  for (const stat of after) {
    const base = earlier.get(`${stat.service}\u0000${stat.operation}`);
    const diff: OperationCallStats = {
      service: stat.service,
      operation: stat.operation,
      calls: stat.calls - (base?.calls ?? 0),
      requests: stat.requests - (base?.requests ?? 0),
      throttled: stat.throttled - (base?.throttled ?? 0),
      transientErrors: stat.transientErrors - (base?.transientErrors ?? 0),
      failed: stat.failed - (base?.failed ?? 0),
    };
    if (diff.requests > 0) result.push(diff);
  }
  return result;
}
