/**
 * The continuous sync service (`serve`): event intake (hooks, System Log catch-up), the durable
 * work queue and its workers, the periodic full reconcile, start-up checks, readiness, status and
 * metrics. It implements the SyncApi port the HTTP entry point calls.
 *
 * Lifecycle: `start()` runs the start-up checks (AWS identity, Okta reachability), then starts
 * the workers, the poller and the full-reconcile schedule (a full reconcile is queued at once).
 * `stop()` stops intake first (the caller closes HTTP), then the poller, then lets workers finish
 * or release their keys, then closes the store.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Logger } from 'pino';

import type { LogEvent } from '../../core/events/okta-event-schema.js';
import { FULL_RECONCILE_KEY, parseReconcileKey } from '../../core/events/reconcile-key.js';
import { OperationalError, UsageError } from '../../core/errors.js';
import { queryAccess } from '../../core/access/access-query.js';
import { OktaLogReader } from '../../adapters/okta/okta-log-reader.js';
import type { EventState, JournalEvent, Run, Store } from '../../ports/store.js';
import type { OktaLogSource } from '../../ports/okta-log-source.js';
import { inventoryFromSnapshot } from '../discovery/discovery-service.js';
import type { Adapters } from '../wiring.js';
import type { IntakeResult } from './event-intake.js';
import { ingestEvents, keysToRunNow } from './event-intake.js';
import type { KeyReconcileReport } from './key-reconciler.js';
import { createKeyReconciler } from './key-reconciler.js';
import { OktaLogPoller } from './okta-log-poller.js';
import { ServiceMetrics } from './service-metrics.js';
import type {
  AccessQuery,
  Readiness,
  ReadinessCheck,
  RunWithOperations,
  ServiceStatus,
  SyncApi,
} from './sync-api.js';
import type { SyncClock } from './sync-clock.js';
import { systemClock } from './sync-clock.js';
import type { KeyReconciler, WorkQueueRunnerOptions } from './work-queue-runner.js';
import { WorkQueueRunner } from './work-queue-runner.js';

export interface SyncServiceOptions {
  readonly adapters: Adapters;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock?: SyncClock;
  /** Queue tuning (tests use small delays); workers default to reconcile.workers. */
  readonly queue?: Partial<
    Pick<
      WorkQueueRunnerOptions,
      | 'workers'
      | 'leaseMs'
      | 'baseDelayMs'
      | 'maxDelayMs'
      | 'pendingBaseDelayMs'
      | 'pendingMaxDelayMs'
      | 'maxAttempts'
      | 'keysPerSecond'
      | 'idlePollMs'
    >
  >;
  /** Executor tuning passed to applyPlan (tests use short polls). */
  readonly apply?: Pick<Parameters<typeof createKeyReconciler>[0], 'limits' | 'retry' | 'poll'>;
  /** Replaces the System Log source (tests); default the Okta SDK client's HTTP. */
  readonly logSource?: OktaLogSource;
  /** Replaces the reconciler (tests of the plumbing). */
  readonly reconcile?: KeyReconciler;
  /** Poll interval override (ms); default okta.poll.interval. */
  readonly pollIntervalMs?: number;
  /** Full reconcile interval override (ms); default reconcile.fullInterval. */
  readonly fullIntervalMs?: number;
}

const READINESS_CACHE_MS = 5000;

export class SyncService implements SyncApi {
  readonly #options: SyncServiceOptions;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #clock: SyncClock;
  readonly #runner: WorkQueueRunner;
  readonly #poller: OktaLogPoller | null;
  readonly serviceMetrics: ServiceMetrics;
  readonly #startedAt: string;
  #unsubscribe: (() => void) | null = null;
  #schedule = new AbortController();
  #scheduleLoop: Promise<void> | null = null;
  #hookVerifiedAt: string | null = null;
  #lastDrift: Record<string, number> = {};
  #readiness: { at: number; value: Readiness } | null = null;
  #started = false;

  constructor(options: SyncServiceOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#startedAt = this.#clock.now().toISOString();
    const { adapters } = options;
    const { config, policy } = adapters.loaded;
    this.serviceMetrics = new ServiceMetrics(
      options.store,
      () => this.#runner.pendingKeys().length,
    );

    const reconcile =
      options.reconcile ??
      createKeyReconciler({
        policy,
        plan: {
          identityCenter: adapters.awsReaders.identityCenter,
          organizations: adapters.awsReaders.organizations,
          okta: adapters.okta.reader,
          store: options.store,
        },
        writer: adapters.identityCenterWriter,
        store: options.store,
        oktaPrincipals: adapters.okta.reader,
        ...(adapters.instanceArn ? { instanceArn: adapters.instanceArn } : {}),
        ...options.apply,
        enqueue: (key) => this.#enqueue(key),
        onReconciled: (report) => this.#onReconciled(report),
      });
    this.#runner = new WorkQueueRunner({
      store: options.store,
      reconcile,
      logger: options.logger.child({ component: 'worker' }),
      clock: this.#clock,
      workers: config.reconcile.workers,
      keysPerSecond: config.reconcile.keysPerSecond,
      ...options.queue,
      onAttempt: (result) => this.serviceMetrics.recordAttempt(result),
    });
    const pollEnabled = config.okta.poll.enabled;
    this.#poller = pollEnabled
      ? new OktaLogPoller({
          store: options.store,
          source: options.logSource ?? new OktaLogReader(adapters.okta.http, config.okta.orgUrl),
          logger: options.logger.child({ component: 'system-log' }),
          clock: this.#clock,
          intervalMs: options.pollIntervalMs ?? config.okta.poll.interval,
          onIntake: (result) => this.serviceMetrics.recordIntake('systemLog', result),
          settleMs: config.reconcile.membershipSettle,
          onEnqueued: (keys) => this.#runner.wake(keys),
        })
      : null;
  }

  /** Start-up checks, then workers, poller and the full-reconcile schedule. */
  async start(): Promise<void> {
    if (this.#started) return;
    await this.#startupChecks();
    this.#unsubscribe = this.#options.adapters.counters.subscribe((event) =>
      this.serviceMetrics.recordCall(event),
    );
    this.#runner.start();
    this.#poller?.start();
    this.#schedule = new AbortController();
    const interval =
      this.#options.fullIntervalMs ?? this.#options.adapters.loaded.config.reconcile.fullInterval;
    const signal = this.#schedule.signal;
    this.#scheduleLoop = (async () => {
      while (!signal.aborted) {
        await this.#enqueue(FULL_RECONCILE_KEY).catch((error: unknown) =>
          this.#logger.error({ err: String(error) }, 'could not queue the full reconcile'),
        );
        await this.#clock.sleep(interval, signal);
      }
    })();
    this.#started = true;
    this.#logger.info(
      {
        workers: this.#options.adapters.loaded.config.reconcile.workers,
        poll: this.#poller !== null,
        hook: this.#hookConfigured(),
        fullIntervalMs: interval,
      },
      'sync service started',
    );
  }

  /**
   * Stops the schedule and the poller, lets workers finish or release in-flight keys within
   * `graceMs`, and closes the store. Call after the HTTP server stopped taking requests.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.#schedule.abort();
    await this.#scheduleLoop;
    await this.#poller?.stop();
    await this.#runner.stop(graceMs);
    this.#unsubscribe?.();
    this.#started = false;
    this.#logger.info('sync service stopped');
  }

  async #startupChecks(): Promise<void> {
    const identity = await this.#options.adapters.aws.sts
      .send(new GetCallerIdentityCommand({}))
      .catch((error: unknown) => {
        throw new OperationalError(
          `AWS start-up check failed (sts:GetCallerIdentity): ${String(error)}`,
          'AWS_UNREACHABLE',
          true,
          { cause: error },
        );
      });
    this.#logger.info({ account: identity.Account, arn: identity.Arn }, 'AWS identity');
    await this.#checkOkta().then((detail) => {
      if (detail !== null) {
        throw new OperationalError(
          `Okta start-up check failed: ${detail}`,
          'OKTA_UNREACHABLE',
          true,
        );
      }
    });
    this.#logger.info(
      { orgUrl: this.#options.adapters.loaded.config.okta.orgUrl },
      'Okta reachable',
    );
    if (this.#hookConfigured()) {
      this.#logger.info(
        'event hook secret configured: POST /hooks/okta accepts deliveries; Okta verifies with GET /hooks/okta',
      );
    } else {
      this.#logger.warn(
        { poll: this.#poller !== null },
        'no event hook secret configured: changes arrive through System Log polling and full reconciles only',
      );
    }
  }

  /** Null when Okta answers; else why not. */
  async #checkOkta(): Promise<string | null> {
    const { http } = this.#options.adapters.okta;
    const url = `${this.#options.adapters.loaded.config.okta.orgUrl}/api/v1/groups?limit=1`;
    try {
      await http.http(url, {
        method: 'get',
        headers: { Accept: 'application/json' },
      });
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  #hookConfigured(): boolean {
    return this.#options.adapters.loaded.config.okta.eventHook !== undefined;
  }

  async #enqueue(key: string): Promise<void> {
    await this.#store.enqueue(key);
    this.#runner.wake(1);
  }

  #onReconciled(report: KeyReconcileReport): void {
    // Drift is what a read of everything found; a key's narrowed read says nothing about it.
    if (!report.fullPlan) return;
    const byKind: Record<string, number> = {};
    for (const op of report.fullPlan.operations) byKind[op.kind] = (byKind[op.kind] ?? 0) + 1;
    this.#lastDrift = byKind;
    this.serviceMetrics.recordDrift(byKind, report.result?.counts.Pending ?? 0);
  }

  // ---- SyncApi ------------------------------------------------------------------------------

  async ingestHookEvents(events: readonly LogEvent[]): Promise<IntakeResult> {
    const result = await ingestEvents(this.#store, events, 'hook', {
      settleMs: this.#options.adapters.loaded.config.reconcile.membershipSettle,
      now: () => this.#clock.now(),
    });
    this.serviceMetrics.recordIntake('hook', result);
    const atOnce = keysToRunNow(result);
    if (atOnce > 0) this.#runner.wake(atOnce);
    return result;
  }

  hookVerified(): void {
    this.#hookVerifiedAt = this.#clock.now().toISOString();
    this.#logger.info('Okta event hook verification answered');
  }

  async readiness(): Promise<Readiness> {
    const now = this.#clock.now().getTime();
    if (this.#readiness && now - this.#readiness.at < READINESS_CACHE_MS) {
      return this.#readiness.value;
    }
    const check = async (
      name: string,
      probe: () => Promise<string | null>,
    ): Promise<ReadinessCheck> => {
      try {
        const detail = await probe();
        return detail === null ? { name, ok: true } : { name, ok: false, detail };
      } catch (error) {
        return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    };
    const checks = await Promise.all([
      check('store', async () => {
        await this.#store.queueStats();
        return null;
      }),
      check('aws', async () => {
        await this.#options.adapters.aws.sts.send(new GetCallerIdentityCommand({}));
        return null;
      }),
      check('okta', () => this.#checkOkta()),
    ]);
    const value = { ready: this.#started && checks.every((c) => c.ok), checks };
    this.#readiness = { at: now, value };
    return value;
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return {
      contentType: this.serviceMetrics.registry.contentType,
      body: await this.serviceMetrics.registry.metrics(),
    };
  }

  async status(): Promise<ServiceStatus> {
    const [queue, events, runs] = await Promise.all([
      this.#store.queueStats(),
      this.#store.countEventsByState(),
      this.#store.listRuns(50),
    ]);
    const lastFull = runs.find((run) => run.trigger === 'full-reconcile');
    const poll = this.#poller?.health();
    return {
      startedAt: this.#startedAt,
      queue,
      pendingPrincipals: this.#runner.pendingKeys(),
      inFlight: this.#runner.inFlightKeys(),
      events,
      lastFullReconcile: lastFull
        ? {
            runId: lastFull.id,
            at: lastFull.finishedAt ?? lastFull.startedAt,
            status: lastFull.status,
          }
        : null,
      drift: { ...this.#lastDrift },
      poller: {
        enabled: this.#poller !== null,
        lastPollAt: poll?.lastPollAt ?? null,
        lastError: poll?.lastError ?? null,
      },
      hook: { configured: this.#hookConfigured(), verifiedAt: this.#hookVerifiedAt },
    };
  }

  listEvents(query: { state?: EventState; limit: number }): Promise<JournalEvent[]> {
    return this.#store.listEvents(query);
  }

  getEvent(uuid: string): Promise<JournalEvent | null> {
    return this.#store.getEvent(uuid);
  }

  listRuns(limit: number): Promise<Run[]> {
    return this.#store.listRuns(limit);
  }

  async getRun(id: string): Promise<RunWithOperations | null> {
    const run = await this.#store.getRun(id);
    if (!run) return null;
    return { run, operations: await this.#store.listOperations(id) };
  }

  async requestReconcile(key: string): Promise<void> {
    if (parseReconcileKey(key) === null) throw new UsageError(`"${key}" is not a reconcile key`);
    await this.#enqueue(key);
  }

  async inventory(): Promise<unknown> {
    const snapshot = await this.#store.latestSnapshot();
    if (!snapshot) return null;
    const { body: _body, ...info } = snapshot;
    return { snapshot: info, inventory: inventoryFromSnapshot(snapshot) };
  }

  async access(query: AccessQuery): Promise<unknown> {
    const snapshot = await this.#store.latestSnapshot();
    if (!snapshot) return null;
    return { snapshotId: snapshot.id, ...queryAccess(inventoryFromSnapshot(snapshot), query) };
  }
}
