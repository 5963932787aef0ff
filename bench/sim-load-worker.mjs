// Load generator for the simulator throughput benchmark (sim-throughput.bench.ts). It runs in a
// worker thread so that the client (SDK signing, fetch) uses the second core and the measure is
// the simulator's, not the client's. Plain JavaScript: Node 20 worker threads do not inherit
// tsx's loader. Receives {kind, endpoint, region, credentials | url, token, concurrency,
// durationMs} as workerData and posts back {ok, errors, seconds, perSecond}.
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { parentPort, workerData } from 'node:worker_threads';

async function closedLoop(concurrency, durationMs, request) {
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await request();
          ok++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ok, errors, seconds, perSecond: ok / seconds };
}

const job = workerData;
if (job.kind === 'aws') {
  const client = new SSOAdminClient({
    endpoint: job.endpoint,
    region: job.region,
    credentials: job.credentials,
    maxAttempts: 1,
  });
  await client.send(new ListInstancesCommand({}));
  const result = await closedLoop(job.concurrency, job.durationMs, async () => {
    await client.send(new ListInstancesCommand({}));
  });
  client.destroy();
  parentPort.postMessage(result);
} else {
  const headers = { authorization: `SSWS ${job.token}`, accept: 'application/json' };
  const result = await closedLoop(job.concurrency, job.durationMs, async () => {
    const response = await fetch(job.url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(String(response.status));
  });
  parentPort.postMessage(result);
}
