/**
 * Hook intake latency on SQLite: the real HTTP server and event intake journaling into a SQLite
 * file, fed open-loop at a fixed delivery rate (each delivery carrying a batch of events), as
 * Okta would. Latency is request start → 204, measured by the client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { pino } from 'pino';

import { openStore } from '../src/adapters/store/open-store.js';
import { ingestEvents } from '../src/app/sync/event-intake.js';
import type { SyncApi } from '../src/app/sync/sync-api.js';
import { Secret } from '../src/core/secret.js';
import { buildHttpServer } from '../src/http/http-server.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { quantile } from './bench-types.js';

const RATE = 200;
const EVENTS_PER_DELIVERY = 10;
const DURATION_MS = 10_000;
const SECRET = 'bench-hook-secret-0123456789';

export const benchmark: Benchmark = {
  name: 'hook-intake',
  async run(seed): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-hook-'));
    const store = await openStore(`sqlite:${path.join(dir, 'store.db')}`);
    const unused = () => Promise.reject(new Error('unused'));
    const api: SyncApi = {
      ingestHookEvents: (events) => ingestEvents(store, events, 'hook'),
      hookVerified: () => undefined,
      readiness: () => Promise.resolve({ ready: true, checks: [] }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      status: unused,
      listEvents: (query) => store.listEvents(query),
      getEvent: (uuid) => store.getEvent(uuid),
      listRuns: (limit) => store.listRuns(limit),
      getRun: () => Promise.resolve(null),
      requestReconcile: (key) => store.enqueue(key),
      inventory: () => Promise.resolve(null),
      access: () => Promise.resolve(null),
    };
    const server = buildHttpServer({
      api,
      logger: pino({ level: 'silent' }),
      hookSecret: new Secret(SECRET, 'bench'),
    });
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    const latencies: number[] = [];
    let failures = 0;
    const errors: Record<string, number> = {};
    let sequence = 0;
    const delivery = (n: number): string =>
      JSON.stringify({
        eventType: 'com.okta.event_hook',
        eventId: `bench-${seed}-${n}`,
        data: {
          events: Array.from({ length: EVENTS_PER_DELIVERY }, (_, i) => {
            const k = n * EVENTS_PER_DELIVERY + i;
            return {
              uuid: `bench-${seed}-${k}`,
              published: new Date(Date.UTC(2026, 0, 1) + k).toISOString(),
              eventType: k % 2 ? 'group.user_membership.remove' : 'group.user_membership.add',
              version: '0',
              target: [
                { id: `00u${String(k % 5000).padStart(17, '0')}`, type: 'User' },
                { id: `00g${String(k % 500).padStart(17, '0')}`, type: 'UserGroup' },
              ],
            };
          }),
        },
      });
    try {
      // Service time of one delivery with nothing else in flight: separates the intake's own
      // cost from queueing under the open-loop load below.
      const serviceTimes: number[] = [];
      for (let n = 0; n < 50; n++) {
        const t0 = performance.now();
        const response = await fetch(`${base}/hooks/okta`, {
          method: 'POST',
          headers: { authorization: SECRET, 'content-type': 'application/json' },
          body: delivery(sequence++),
        });
        await response.arrayBuffer();
        serviceTimes.push(performance.now() - t0);
      }
      const warmup = sequence;
      const total = Math.round((RATE * DURATION_MS) / 1000);
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let n = 0; n < total; n++) {
        const due = started + (n * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const body = delivery(sequence++);
        inFlight.push(
          (async () => {
            const t0 = performance.now();
            try {
              const response = await fetch(`${base}/hooks/okta`, {
                method: 'POST',
                headers: { authorization: SECRET, 'content-type': 'application/json' },
                body,
              });
              await response.arrayBuffer();
              if (response.status !== 204) failures++;
            } catch (error) {
              failures++;
              const code = String((error as { cause?: { code?: string } }).cause?.code ?? error);
              errors[code] = (errors[code] ?? 0) + 1;
            }
            // A failed request counts with its time to failure, so failures cannot flatter p99.
            latencies.push(performance.now() - t0);
          })(),
        );
      }
      await Promise.all(inFlight);
      const elapsed = (performance.now() - started) / 1000;
      const journaled = Object.values(await store.countEventsByState()).reduce((a, b) => a + b, 0);
      const p50 = quantile(latencies, 0.5);
      const p99 = quantile(latencies, 0.99);
      return {
        name: 'hook-intake',
        seed,
        settings: {
          deliveriesPerSecond: RATE,
          eventsPerDelivery: EVENTS_PER_DELIVERY,
          durationMs: DURATION_MS,
          store: 'sqlite file',
        },
        metrics: {
          deliveries: total,
          sequentialServiceP50Ms: quantile(serviceTimes, 0.5),
          failures,
          errors,
          journaledEvents: journaled,
          achievedDeliveriesPerSecond: total / elapsed,
          p50Ms: p50,
          p99Ms: p99,
          maxMs: Math.max(...latencies),
        },
        rows: [
          {
            measure: `hook intake p50 / p99 (ms) at ${RATE} deliveries/s × ${EVENTS_PER_DELIVERY} events, SQLite`,
            product: `${p50.toFixed(1)} / ${p99.toFixed(1)}`,
            baseline: '—',
            bound: '—',
            ratio: (p99 / 50).toFixed(2),
            target: 'p99 < 50 ms, every event journaled',
            met: p99 < 50 && failures === 0 && journaled === (total + warmup) * EVENTS_PER_DELIVERY,
          },
        ],
      };
    } finally {
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
