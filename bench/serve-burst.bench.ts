/**
 * Burst: 10,000 hook events (membership adds and removes, 20% of them duplicates, in random
 * order) delivered through the real hook endpoint to an idle service; the service must converge
 * with exactly the AWS writes the change needs, not one more.
 *
 * The membership changes are made in the Okta simulator first (8,000 toggles of seeded random
 * (user, group) pairs, so many pairs flip back), with the hook paused; their System Log events
 * are then duplicated, shuffled and delivered in batches as Okta would after a delay. The wanted
 * end state comes from the fault suite's independent oracle on the Okta simulator's final state;
 * the minimum writes are its set difference with the state before; writes are counted from the
 * AWS simulator's call log (every accepted sso-admin write) and the fault suite's write-auditing
 * proxy (which also flags writes whose target was already in the wanted state).
 */
import { loadavg } from 'node:os';

import type { LogEvent } from '../src/sim/okta/okta-simulator.js';
import { writeStats } from '../test/faults-ci/fault-world.js';
import { HOOK_SECRET } from '../test/e2e/serve-world.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import {
  AWS_RATE_PER_SECOND,
  MEASURED_OKTA_CONCURRENCY,
  MEASURED_RECONCILE,
  OKTA_LIMIT_SCALE,
  benchOrg,
  same,
  seededRandom,
  setDifference,
  shuffle,
  startBenchWorld,
  startMeasuredChild,
  waitIdle,
} from './serve-bench-world.js';

const USERS = 200;
const GROUPS_PER_ACCOUNT = 5;
const DENSITY = 0.3;
const ASYNC_LATENCY_MS = 200;
const EVENTS = 10_000;
const DUPLICATE_SHARE = 0.2;
const EVENTS_PER_DELIVERY = 50;
/** Deliveries in flight at once ("multiple requests may arrive at the same time after a delay"). */
const DELIVERY_CONCURRENCY = 4;
/** From the first delivery, how long the service gets to converge and go idle. */
const CONVERGE_CAP_MS = 120_000;
const MEMBERSHIP_EVENTS = new Set(['group.user_membership.add', 'group.user_membership.remove']);
/** AWS's outstanding CreateAccountAssignment quota (ref §7), for the converge-time bound. */
const OUTSTANDING_CREATES = 15;
/** sso-admin operations that change something (everything else it serves only reads). */
const WRITE_OPERATION = /^sso-admin:(Create|Delete|Provision|Put|Attach|Detach|Update|Tag|Untag)/;

/** Accepted calls per write operation: calls minus errors, from the call-log snapshot. */
function acceptedWrites(
  counts: Readonly<Record<string, number>>,
  errors: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [operation, n] of Object.entries(counts)) {
    if (!WRITE_OPERATION.test(operation)) continue;
    const failed = Object.entries(errors)
      .filter(([key]) => key.startsWith(`${operation}:`))
      .reduce((sum, [, e]) => sum + e, 0);
    if (n - failed > 0) out[operation.replace('sso-admin:', '')] = n - failed;
  }
  return out;
}

export const benchmark: Benchmark = {
  name: 'serve-burst',
  async run(seed): Promise<BenchResult> {
    const loadAtStart = loadavg();
    const random = seededRandom(seed ^ 0xb0257);
    const org = benchOrg(seed, {
      users: USERS,
      groupsPerAccount: GROUPS_PER_ACCOUNT,
      density: DENSITY,
    });
    const setupStarted = performance.now();
    const world = await startBenchWorld(org);
    const fw = world.fw;
    const w = fw.world;
    try {
      w.aws.control.setAsyncLatency(ASYNC_LATENCY_MS);
      const server = await startMeasuredChild(world, { throughAuditProxy: true });
      const startupIdle = await waitIdle(server, 60_000);
      const setupSeconds = (performance.now() - setupStarted) / 1000;

      // Pause Okta's own deliveries: the benchmark delivers the events itself, with exact
      // duplicates and order. SCIM re-pushes of the (unchanged, already provisioned) users are
      // deferred past the run so they do not spend the identity store's budget.
      const paused = await fetch(
        `${w.okta.orgUrl}/api/v1/eventHooks/${world.hookId}/lifecycle/deactivate`,
        { method: 'POST', headers: { authorization: `SSWS ${w.okta.token}` } },
      );
      if (!paused.ok) throw new Error(`could not pause the hook: HTTP ${paused.status}`);
      w.okta.control.setScimLag(3_600_000);

      const initial = world.oracle();
      const members = new Map([...org.members].map(([g, m]) => [g, new Set(m)]));
      const unique = Math.round(EVENTS * (1 - DUPLICATE_SHARE));
      const logBefore = w.okta.control.logEvents().length;
      for (let i = 0; i < unique; i++) {
        const group = org.groups[Math.floor(random() * org.groups.length)]!.name;
        const user = org.users[Math.floor(random() * org.users.length)]!;
        const set = members.get(group)!;
        if (set.delete(user)) w.okta.control.admin({ action: 'removeMember', group, user });
        else {
          set.add(user);
          w.okta.control.admin({ action: 'addMember', group, user });
        }
      }
      const events: LogEvent[] = w.okta.control
        .logEvents()
        .slice(logBefore)
        .filter((e) => MEMBERSHIP_EVENTS.has(e.eventType));
      if (events.length !== unique) {
        throw new Error(
          `expected ${unique} membership events in the System Log, found ${events.length}`,
        );
      }
      const desired = world.oracle();
      const minimum = setDifference(initial, desired);

      const burst = [
        ...events,
        ...Array.from(
          { length: EVENTS - unique },
          () => events[Math.floor(random() * events.length)]!,
        ),
      ];
      shuffle(burst, random);
      const deliveries: string[] = [];
      for (let i = 0; i < burst.length; i += EVENTS_PER_DELIVERY) {
        deliveries.push(
          JSON.stringify({
            eventType: 'com.okta.event_hook',
            eventTypeVersion: '1.0',
            cloudEventsVersion: '0.1',
            source: `${w.okta.orgUrl}/api/v1/eventHooks/${world.hookId}`,
            eventId: `burst-${seed}-${i / EVENTS_PER_DELIVERY}`,
            eventTime: new Date().toISOString(),
            contentType: 'application/json',
            data: { events: burst.slice(i, i + EVENTS_PER_DELIVERY) },
          }),
        );
      }

      fw.resetWrites();
      w.aws.control.resetCalls();
      const started = Date.now();
      const statuses: Record<string, number> = {};
      let next = 0;
      await Promise.all(
        Array.from({ length: DELIVERY_CONCURRENCY }, async () => {
          while (next < deliveries.length) {
            const body = deliveries[next++]!;
            const response = await fetch(`${server.url}/hooks/okta`, {
              method: 'POST',
              headers: {
                authorization: HOOK_SECRET,
                'content-type': 'application/json',
                accept: 'application/json',
              },
              body,
            }).catch(() => null);
            await response?.arrayBuffer();
            const status = String(response?.status ?? 'network-error');
            statuses[status] = (statuses[status] ?? 0) + 1;
          }
        }),
      );
      const deliveredSeconds = (Date.now() - started) / 1000;

      let convergedAt: number | null = null;
      let idleAt: number | null = null;
      const deadline = started + CONVERGE_CAP_MS;
      while (Date.now() < deadline) {
        if (convergedAt === null && same(world.assignments(), desired)) convergedAt = Date.now();
        if (convergedAt !== null && (await waitIdle(server, 1_000))) {
          idleAt = Date.now();
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const idle = idleAt !== null;
      const finalMatches = same(world.assignments(), desired);
      const calls = w.aws.control.calls();
      const writes = acceptedWrites(calls.counts, calls.errors);
      const totalWrites = Object.values(writes).reduce((a, b) => a + b, 0);
      const audited = writeStats(fw.writes());
      const status = await server.status();
      const journal = status.events;
      const journaled = Object.values(journal).reduce((a, b) => a + b, 0);
      const counters = await server.counters();
      const queue = status.queue;
      await server.close(1_000);

      const minimumWrites = minimum.creates + minimum.deletes;
      // No implementation converges sooner: at most 15 creates are outstanding, each for at
      // least L; and every write plus at least one status read shares the sso-admin rate.
      const boundSeconds = Math.max(
        (Math.ceil(minimum.creates / OUTSTANDING_CREATES) * ASYNC_LATENCY_MS) / 1000,
        (2 * minimumWrites) / AWS_RATE_PER_SECOND,
      );
      const converged = convergedAt !== null && finalMatches;
      const met = converged && idle && totalWrites === minimumWrites;
      const convergeSeconds = convergedAt === null ? null : (convergedAt - started) / 1000;
      return {
        name: 'serve-burst',
        seed,
        settings: {
          users: USERS,
          groups: org.groups.length,
          initialMembershipDensity: DENSITY,
          events: EVENTS,
          uniqueEvents: unique,
          duplicateShare: DUPLICATE_SHARE,
          eventsPerDelivery: EVENTS_PER_DELIVERY,
          deliveryConcurrency: DELIVERY_CONCURRENCY,
          asyncLatencyMs: ASYNC_LATENCY_MS,
          convergeCapMs: CONVERGE_CAP_MS,
          awsQuotas: {
            ratePerSecond: AWS_RATE_PER_SECOND,
            outstandingCreateAssignments: OUTSTANDING_CREATES,
            note: 'sso-admin and identitystore at 20 TPS x 20; 15 outstanding creates as at AWS',
          },
          oktaRateLimits: `simulator defaults (Okta published per-minute limits) x ${OKTA_LIMIT_SCALE}`,
          service: 'production defaults (queue backoff, async poll, SDK retries)',
          reconcile: MEASURED_RECONCILE,
          oktaMaxConcurrency: MEASURED_OKTA_CONCURRENCY,
          store: 'sqlite file',
          loadAverageAtStart: loadAtStart,
        },
        metrics: {
          deliveries: deliveries.length,
          deliveryStatuses: statuses,
          deliverySeconds: deliveredSeconds,
          journaledEvents: journaled,
          journal,
          deduplicatedEvents: EVENTS - journaled,
          intakeOutcomes: counters.events,
          reconcileAttempts: counters.attempts,
          meanReconcileSeconds: counters.meanReconcileSeconds,
          initialAssignments: initial.length,
          desiredAssignments: desired.length,
          minimumWrites: { ...minimum, total: minimumWrites },
          awsWrites: { ...writes, total: totalWrites },
          auditedAssignmentWrites: audited,
          awsCalls: calls.total,
          awsErrors: calls.errors,
          convergedSeconds: convergeSeconds,
          convergeBoundSeconds: boundSeconds,
          idleSeconds: idleAt === null ? null : (idleAt - started) / 1000,
          serviceIdleBeforeBurst: startupIdle,
          finalStateMatchesOracle: finalMatches,
          queueAtEnd: queue,
          setupSeconds,
          loadAverageAtEnd: loadavg(),
        },
        rows: [
          {
            measure: `burst of ${EVENTS.toLocaleString('en')} membership events (${DUPLICATE_SHARE * 100}% duplicates, shuffled, ${EVENTS_PER_DELIVERY}/delivery): AWS writes until converged and idle`,
            product: `${totalWrites} writes (${audited.redundantCreates + audited.redundantDeletes} redundant); ${converged ? `converged in ${convergeSeconds!.toFixed(1)} s` : `not converged within ${CONVERGE_CAP_MS / 1000} s`}${idle ? '' : `, not idle within ${CONVERGE_CAP_MS / 1000} s`}; ${journaled} events journaled, ${EVENTS - journaled} deduplicated`,
            baseline: `per-event handler (one write per delivered event, computed): ${EVENTS.toLocaleString('en')} writes`,
            bound: `${minimumWrites} writes (${minimum.creates} creates + ${minimum.deletes} deletes: the set difference)`,
            ratio: minimumWrites > 0 ? (totalWrites / minimumWrites).toFixed(2) : 'n/a',
            target: 'converges; writes = minimum',
            met,
          },
          {
            measure: `burst of ${EVENTS.toLocaleString('en')} events: time from the first delivery to AWS matching the oracle (s)`,
            product: converged ? convergeSeconds!.toFixed(1) : `> ${CONVERGE_CAP_MS / 1000}`,
            baseline: '—',
            bound: `${boundSeconds.toFixed(1)} (⌈creates ÷ 15⌉ × L, or 2 sso-admin calls per write at ${AWS_RATE_PER_SECOND} TPS)`,
            ratio: converged ? (convergeSeconds! / boundSeconds).toFixed(2) : '∞',
            target: '— (none set)',
            met: null,
          },
        ],
      };
    } finally {
      await world.close();
    }
  },
};
