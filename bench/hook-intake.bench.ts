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
import type { Store } from '../src/ports/store.js';
import { Secret } from '../src/core/secret.js';
import { buildHttpServer } from '../src/http/http-server.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { quantile } from './bench-types.js';

const RATE = 200;
const EVENTS_PER_DELIVERY = 10;
const DURATION_MS = 10_000;
const BASELINE_DURATION_MS = 5_000;
const SECRET = 'bench-hook-secret-0123456789';

type Ingest = SyncApi['ingestHookEvents'];

interface IntakeMeasure {
  readonly deliveries: number;
  readonly sequentialServiceP50Ms: number;
  readonly failures: number;
  readonly errors: Record<string, number>;
  readonly achievedDeliveriesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Deliveries sent, warm-up included (to check that every event was journaled). */
  readonly sent: number;
}

/**
 * The real HTTP server (auth, size bound, zod) in front of `ingest`: 50 sequential deliveries to
 * measure service time alone, then an open loop at RATE deliveries/s for `durationMs`.
 */
async function measureIntake(
  ingest: Ingest,
  durationMs: number,
  eventPrefix: string,
): Promise<IntakeMeasure> {
  const unused = () => Promise.reject(new Error('unused'));
  const api: SyncApi = {
    ingestHookEvents: ingest,
    hookVerified: () => undefined,
    readiness: () => Promise.resolve({ ready: true, checks: [] }),
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
    status: unused,
    listEvents: unused,
    getEvent: unused,
    listRuns: unused,
    getRun: () => Promise.resolve(null),
    requestReconcile: unused,
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
      eventId: `${eventPrefix}-${n}`,
      data: {
        events: Array.from({ length: EVENTS_PER_DELIVERY }, (_, i) => {
          const k = n * EVENTS_PER_DELIVERY + i;
          return {
            uuid: `${eventPrefix}-${k}`,
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
  const post = (body: string) =>
    fetch(`${base}/hooks/okta`, {
      method: 'POST',
      headers: { authorization: SECRET, 'content-type': 'application/json' },
      body,
    });
  try {
    const serviceTimes: number[] = [];
    for (let n = 0; n < 50; n++) {
      const t0 = performance.now();
      const response = await post(delivery(sequence++));
      await response.arrayBuffer();
      serviceTimes.push(performance.now() - t0);
    }
    const total = Math.round((RATE * durationMs) / 1000);
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
            const response = await post(body);
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
    return {
      deliveries: total,
      sequentialServiceP50Ms: quantile(serviceTimes, 0.5),
      failures,
      errors,
      achievedDeliveriesPerSecond: total / elapsed,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: Math.max(...latencies),
      sent: sequence,
    };
  } finally {
    await server.close();
  }
}

async function withSqliteStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-hook-'));
  const store = await openStore(`sqlite:${path.join(dir, 'store.db')}`);
  try {
    return await use(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const journaledCount = async (store: Store): Promise<number> =>
  Object.values(await store.countEventsByState()).reduce((a, b) => a + b, 0);

const pair = (m: IntakeMeasure): string => `${m.p50Ms.toFixed(1)} / ${m.p99Ms.toFixed(1)}`;

export const benchmark: Benchmark = {
  name: 'hook-intake',
  async run(seed): Promise<BenchResult> {
    // The product: one transaction per delivery journals every event and enqueues its keys.
    const product = await withSqliteStore(async (store) => {
      const measured = await measureIntake(
        (events) => ingestEvents(store, events, 'hook'),
        DURATION_MS,
        `bench-${String(seed)}`,
      );
      return { ...measured, journaled: await journaledCount(store) };
    });
    // Baseline: the obvious intake, one transaction (one fsync) per event.
    const baseline = await withSqliteStore(async (store) => {
      const measured = await measureIntake(
        async (events) => {
          const outcomes = [];
          for (const event of events) outcomes.push(await ingestEvents(store, [event], 'hook'));
          return {
            events: outcomes.flatMap((o) => o.events),
            keys: [...new Set(outcomes.flatMap((o) => o.keys))],
            settling: [...new Set(outcomes.flatMap((o) => o.settling))],
          };
        },
        BASELINE_DURATION_MS,
        `base-${String(seed)}`,
      );
      return { ...measured, journaled: await journaledCount(store) };
    });
    // Bound: the same server, authentication and validation, with nothing stored.
    const bound = await measureIntake(
      () => Promise.resolve({ events: [], keys: [], settling: [] }),
      BASELINE_DURATION_MS,
      `bound-${String(seed)}`,
    );
    const everyEventJournaled = product.journaled === product.sent * EVENTS_PER_DELIVERY;
    return {
      name: 'hook-intake',
      seed,
      settings: {
        deliveriesPerSecond: RATE,
        eventsPerDelivery: EVENTS_PER_DELIVERY,
        durationMs: DURATION_MS,
        baselineAndBoundDurationMs: BASELINE_DURATION_MS,
        store: 'sqlite file',
        baseline: 'one transaction per event',
        bound: 'same HTTP server, auth and validation, nothing stored',
      },
      metrics: { product, baseline, bound },
      rows: [
        {
          measure: `hook intake p50 / p99 (ms) at ${String(RATE)} deliveries/s × ${String(EVENTS_PER_DELIVERY)} events, SQLite`,
          product: pair(product),
          baseline: `${pair(baseline)} (a transaction per event)`,
          bound: `${pair(bound)} (nothing stored)`,
          ratio: (product.p99Ms / 50).toFixed(2),
          target: 'p99 < 50 ms, every event journaled',
          met: product.p99Ms < 50 && product.failures === 0 && everyEventJournaled,
        },
      ],
    };
  },
};
