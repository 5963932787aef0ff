/**
 * Raw request throughput of each simulator with quotas and rate limits off: concurrent
 * keep-alive clients (the real AWS SDK client; fetch for Okta) issuing one simple read. The
 * clients run in a worker thread, so the simulator has the main thread's core to itself.
 */
import { Worker } from 'node:worker_threads';

import { startAwsSimulator } from '../src/sim/aws/index.js';
import { startOktaSimulator } from '../src/sim/okta/okta-simulator.js';
import type { Benchmark, BenchResult } from './bench-types.js';

type LoopResult = { ok: number; errors: number; seconds: number; perSecond: number };

/** What bench/sim-load-worker.mjs expects as workerData. */
type SimLoadJob =
  | {
      kind: 'aws';
      endpoint: string;
      region: string;
      credentials: { accessKeyId: string; secretAccessKey: string };
      concurrency: number;
      durationMs: number;
    }
  | { kind: 'okta'; url: string; token: string; concurrency: number; durationMs: number };

function loadFromWorker(job: SimLoadJob): Promise<LoopResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./sim-load-worker.mjs', import.meta.url), {
      workerData: job,
    });
    worker.once('message', (result: LoopResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const CONCURRENCY = 32;
const DURATION_MS = 5_000;
const TARGET = 2_000;

export const benchmark: Benchmark = {
  name: 'sim-throughput',
  async run(seed): Promise<BenchResult> {
    const aws = await startAwsSimulator({
      seed,
      quotas: { enabled: false },
      behaviour: { organizationsEmptyPageProbability: 0 },
    });
    let awsResult;
    try {
      awsResult = await loadFromWorker({
        kind: 'aws',
        endpoint: aws.endpoint,
        region: aws.region,
        credentials: aws.credentials,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
      });
    } finally {
      await aws.close();
    }

    const okta = await startOktaSimulator({
      seed,
      scenario: { users: [{ login: 'a@example.com' }], groups: [] },
      rateLimits: { enabled: false },
    });
    let oktaResult;
    try {
      oktaResult = await loadFromWorker({
        kind: 'okta',
        url: `${okta.orgUrl}/api/v1/users?limit=1`,
        token: okta.token,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
      });
    } finally {
      await okta.close();
    }

    const row = (label: string, result: { perSecond: number }) => ({
      measure: `${label} simulator raw throughput (req/s, ${CONCURRENCY} keep-alive clients)`,
      product: result.perSecond.toFixed(0),
      baseline: '—',
      bound: '—',
      ratio: (result.perSecond / TARGET).toFixed(2),
      target: `≥ ${TARGET}`,
      met: result.perSecond >= TARGET,
    });
    return {
      name: 'sim-throughput',
      seed,
      settings: {
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
        quotas: 'off',
        client: 'worker thread',
      },
      metrics: { aws: awsResult, okta: oktaResult },
      rows: [
        row('AWS (sso-admin ListInstances)', awsResult),
        row('Okta (GET /api/v1/users)', oktaResult),
      ],
    };
  },
};
