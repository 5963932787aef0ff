/**
 * Raw request throughput of each simulator with quotas and rate limits off: concurrent
 * keep-alive clients (the real AWS SDK client; fetch for Okta) issuing one simple read. The
 * clients run in a worker thread, so the simulator has the main thread's core to itself.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * The physical bound: the same client and load against a bare `node:http` server that answers
 * every request with a fixed, valid body (no routing, signature check, validation or state). No
 * simulator written on Node's HTTP stack can serve more on this machine.
 */
async function withCannedServer<T>(
  contentType: string,
  body: string,
  load: (base: string) => Promise<T>,
): Promise<T> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': contentType, 'x-amzn-requestid': 'bound' });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await load(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
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

    const awsBound = await withCannedServer(
      'application/x-amz-json-1.1',
      '{"Instances":[]}',
      (endpoint) =>
        loadFromWorker({
          kind: 'aws',
          endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDBOUND', secretAccessKey: 'bound' },
          concurrency: CONCURRENCY,
          durationMs: DURATION_MS,
        }),
    );
    const oktaBound = await withCannedServer('application/json', '[]', (base) =>
      loadFromWorker({
        kind: 'okta',
        url: `${base}/api/v1/users?limit=1`,
        token: 'bound',
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
      }),
    );

    const row = (label: string, result: { perSecond: number }, bound: { perSecond: number }) => ({
      measure: `${label} simulator raw throughput (req/s, ${CONCURRENCY} keep-alive clients)`,
      product: result.perSecond.toFixed(0),
      baseline: '—',
      bound: `${bound.perSecond.toFixed(0)} (bare node:http, canned body; simulator at ${((100 * result.perSecond) / bound.perSecond).toFixed(0)}%)`,
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
      metrics: { aws: awsResult, okta: oktaResult, awsBound, oktaBound },
      rows: [
        row('AWS (sso-admin ListInstances)', awsResult, awsBound),
        row('Okta (GET /api/v1/users)', oktaResult, oktaBound),
      ],
    };
  },
};
