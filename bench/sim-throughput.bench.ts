/**
 * Raw request throughput of each simulator with quotas and rate limits off: concurrent
 * keep-alive clients (the real AWS SDK client; fetch for Okta) issuing one simple read.
 */
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';

import { startAwsSimulator } from '../src/sim/aws/index.js';
import { startOktaSimulator } from '../src/sim/okta/okta-simulator.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { closedLoop } from './bench-types.js';

const CONCURRENCY = 32;
const DURATION_MS = 5_000;
const TARGET = 2_000;

export const simThroughputBenchmark: Benchmark = {
  name: 'sim-throughput',
  async run(seed): Promise<BenchResult> {
    const aws = await startAwsSimulator({
      seed,
      quotas: { enabled: false },
      behaviour: { organizationsEmptyPageProbability: 0 },
    });
    const client = new SSOAdminClient({
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      maxAttempts: 1,
    });
    let awsResult;
    try {
      await client.send(new ListInstancesCommand({}));
      awsResult = await closedLoop(CONCURRENCY, DURATION_MS, async () => {
        await client.send(new ListInstancesCommand({}));
      });
    } finally {
      client.destroy();
      await aws.close();
    }

    const okta = await startOktaSimulator({
      seed,
      scenario: { users: [{ login: 'a@example.com' }], groups: [] },
      rateLimits: { enabled: false },
    });
    let oktaResult;
    try {
      const url = `${okta.orgUrl}/api/v1/users?limit=1`;
      const headers = { authorization: `SSWS ${okta.token}`, accept: 'application/json' };
      oktaResult = await closedLoop(CONCURRENCY, DURATION_MS, async () => {
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(String(response.status));
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
      settings: { concurrency: CONCURRENCY, durationMs: DURATION_MS, quotas: 'off' },
      metrics: { aws: awsResult, okta: oktaResult },
      rows: [
        row('AWS (sso-admin ListInstances)', awsResult),
        row('Okta (GET /api/v1/users)', oktaResult),
      ],
    };
  },
};
