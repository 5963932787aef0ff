/**
 * One discovery run of the `discovery` benchmark, in a process of its own so that its peak memory
 * is its own and the simulator (in the parent) keeps a core:
 *
 *   node --import tsx bench/discovery-reader-process.ts '<ReaderJob as JSON>'
 *
 * The adapters are built by the product's wiring from a config, as `discover` builds them. It
 * prints one line of JSON (ReaderResult) on stdout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { runDiscovery } from '../src/app/discovery/discovery-service.js';
import { buildAdapters } from '../src/app/wiring.js';
import { parseConfigText } from '../src/config/load-config.js';
import type { AccountAssignment, PermissionSet } from '../src/core/domain/identity-center.js';
import type { OperationCallStats } from '../src/core/inventory/call-stats.js';
import { runNaiveDiscovery } from './discovery-naive.js';
import { assignmentDigest } from './discovery-org.js';

/** `product`: runDiscovery as configured by default; `principal`: its principal-major option. */
export type ReaderStrategy = 'product' | 'principal' | 'naive';

export interface ReaderJob {
  readonly strategy: ReaderStrategy;
  readonly endpoint: string;
  readonly region: string;
  readonly instanceArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** aws.rateLimit per service. */
  readonly rates: {
    readonly ssoAdmin: number;
    readonly identityStore: number;
    readonly organizations: number;
  };
}

export interface ReaderResult {
  readonly strategy: ReaderStrategy;
  /** Epoch ms around the discovery call (adapters built, store open). */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly wallMs: number;
  readonly calls: readonly OperationCallStats[];
  readonly assignments: number;
  /** sha256 of the sorted assignment tuples: equal digests, equal assignment sets. */
  readonly assignmentDigest: string;
  readonly provisionedPairs: number;
  /** process.resourceUsage().maxRSS at the end, in bytes (the whole process: Node, tsx, SDKs). */
  readonly maxRssBytes: number;
  /** Largest heapUsed seen by a 50 ms sampler during the run. */
  readonly peakHeapUsedBytes: number;
}

function pairsOf(permissionSets: readonly PermissionSet[]): number {
  return permissionSets.reduce((sum, ps) => sum + ps.provisionedTo.length, 0);
}

async function main(job: ReaderJob): Promise<ReaderResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-discovery-'));
  const { ssoAdmin, identityStore, organizations } = job.rates;
  const env = {
    OKTA_API_TOKEN: 'not-used-source-is-aws',
    AWS_ACCESS_KEY_ID: job.accessKeyId,
    AWS_SECRET_ACCESS_KEY: job.secretAccessKey,
  };
  const loaded = await parseConfigText(
    [
      'okta:',
      '  orgUrl: https://bench.okta.example.com',
      '  token: ${env:OKTA_API_TOKEN}',
      'aws:',
      `  region: ${job.region}`,
      `  endpoint: ${job.endpoint}`,
      `  instanceArn: ${job.instanceArn}`,
      `  rateLimit: { ssoAdmin: ${ssoAdmin}, identityStore: ${identityStore}, organizations: ${organizations} }`,
      // Per-account IAM is read identically by every strategy, on its own budget; see
      // docs/benchmarks.md for why the benchmark leaves it out.
      '  discovery: { inspectIam: false }',
      `store: sqlite:${path.join(dir, 'store.db')}`,
    ].join('\n'),
    { env, file: path.join(dir, 'okta-aws-sync.yaml') },
  );
  const adapters = buildAdapters(loaded, { env });
  let peakHeapUsedBytes = 0;
  const sampler = setInterval(() => {
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, process.memoryUsage().heapUsed);
  }, 50);
  try {
    const store = job.strategy === 'naive' ? undefined : await adapters.store();
    const startedAt = Date.now();
    let assignments: readonly AccountAssignment[];
    let permissionSets: readonly PermissionSet[];
    if (job.strategy === 'naive') {
      const result = await runNaiveDiscovery(
        adapters.awsReaders,
        adapters.aws.ssoAdmin,
        adapters.instanceArn,
      );
      ({ assignments, permissionSets } = result);
    } else {
      const { inventory } = await runDiscovery(
        {
          aws: adapters.awsReaders,
          ...(store ? { store } : {}),
          callStats: () => adapters.counters.snapshot(),
          ...(adapters.instanceArn ? { instanceArn: adapters.instanceArn } : {}),
          inspectIam: adapters.inspectIam,
          ...(job.strategy === 'principal' ? { assignmentStrategy: 'principal' as const } : {}),
        },
        { source: 'aws' },
      );
      const ic = inventory.aws?.identityCenter;
      assignments = ic?.assignments ?? [];
      permissionSets = ic?.permissionSets ?? [];
    }
    const endedAt = Date.now();
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, process.memoryUsage().heapUsed);
    return {
      strategy: job.strategy,
      startedAt,
      endedAt,
      wallMs: endedAt - startedAt,
      calls: adapters.counters.snapshot(),
      assignments: assignments.length,
      assignmentDigest: assignmentDigest(assignments),
      provisionedPairs: pairsOf(permissionSets),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      peakHeapUsedBytes,
    };
  } finally {
    clearInterval(sampler);
    await adapters.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// Only ever run as a script (the benchmark imports nothing but types from here).
const result = await main(JSON.parse(process.argv[2] ?? '{}') as ReaderJob);
process.stdout.write(`${JSON.stringify(result)}\n`);
