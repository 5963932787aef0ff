/**
 * Event intake, shared by the hook endpoint and the System Log poller: journal the events
 * (deduplicated by uuid), derive their reconcile keys, enqueue the keys and mark each event
 * processed or dropped, all in one store transaction. Either everything about a delivery is
 * durable or nothing is, so a crash between steps can neither lose an event nor leave it
 * journaled without its keys queued.
 */
import { keysForEvent } from '../../core/events/okta-event-keys.js';
import type { DropReason } from '../../core/events/okta-event-keys.js';
import type { LogEvent } from '../../core/events/okta-event-schema.js';
import type { EventChannel, Store } from '../../ports/store.js';

/** What happened to one event of a batch. */
export interface IntakeEventOutcome {
  readonly uuid: string;
  readonly eventType: string;
  /** `queued`: its keys were enqueued; `dropped`: acknowledged and ignored; `duplicate`: seen before. */
  readonly outcome: 'queued' | 'dropped' | 'duplicate';
  readonly keys: readonly string[];
  readonly dropReason?: DropReason;
}

export interface IntakeResult {
  readonly events: readonly IntakeEventOutcome[];
  /** Distinct keys enqueued by this batch. */
  readonly keys: readonly string[];
  /** The part of `keys` queued to run after the settle window rather than at once. */
  readonly settling: readonly string[];
}

/** How many of a batch's keys were queued to run at once: the workers to wake for it. */
export function keysToRunNow(result: IntakeResult): number {
  return result.keys.length - result.settling.length;
}

export interface IntakeOptions {
  /**
   * How long a membership event's group key waits (ms; reconcile.membershipSettle), so that the
   * changes of a burst are swept by one run of it. 0 runs it at once. A key also named at once
   * (by a group lifecycle event, or already waiting) keeps its earlier run time.
   */
  readonly settleMs?: number;
  /** The intake's clock for the settle window; default the system clock. */
  readonly now?: () => Date;
}

/**
 * Journals `events` as received on `channel` and enqueues their keys, atomically. Events whose
 * uuid is already journaled (a hook retry, or the poller catching up on a hook-delivered event)
 * are reported as duplicates and change nothing.
 */
export async function ingestEvents(
  store: Store,
  events: readonly LogEvent[],
  channel: EventChannel,
  options: IntakeOptions = {},
): Promise<IntakeResult> {
  // Keys are derived before journaling, so each event is journaled in its final state and all
  // keys are queued with one statement: intake is on the hook's acknowledgement path.
  const mapped = new Map(events.map((event) => [event.uuid, keysForEvent(event)]));
  return store.transaction(async (tx) => {
    const journal = await tx.journalEvents(
      events.map((event) => {
        const keys = mapped.get(event.uuid)!;
        return {
          uuid: event.uuid,
          eventType: event.eventType,
          published: event.published,
          channel,
          body: event,
          ...('dropped' in keys
            ? { state: 'dropped' as const, keys: [], error: keys.dropped }
            : { state: 'processed' as const, keys: keys.keys }),
        };
      }),
    );
    const added = new Set(journal.added);
    const outcomes: IntakeEventOutcome[] = [];
    const allKeys = new Set<string>();
    const settling = new Set<string>();
    const atOnce = new Set<string>();
    for (const event of events) {
      const base = { uuid: event.uuid, eventType: event.eventType };
      // A uuid twice in one batch is journaled once; the second copy is a duplicate.
      if (!added.delete(event.uuid)) {
        outcomes.push({ ...base, outcome: 'duplicate', keys: [] });
        continue;
      }
      const keys = mapped.get(event.uuid)!;
      if ('dropped' in keys) {
        outcomes.push({ ...base, outcome: 'dropped', keys: [], dropReason: keys.dropped });
        continue;
      }
      for (const key of keys.keys) {
        allKeys.add(key);
        (keys.settling.includes(key) ? settling : atOnce).add(key);
      }
      outcomes.push({ ...base, outcome: 'queued', keys: keys.keys });
    }
    const settleMs = options.settleMs ?? 0;
    for (const key of atOnce) settling.delete(key);
    if (settleMs <= 0) settling.clear();
    await tx.enqueueAll([...allKeys].filter((key) => !settling.has(key)));
    if (settling.size > 0) {
      const now = options.now?.() ?? new Date();
      await tx.enqueueAll([...settling], {
        now,
        notBefore: new Date(now.getTime() + settleMs),
      });
    }
    return { events: outcomes, keys: [...allKeys], settling: [...settling] };
  });
}
