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
): Promise<IntakeResult> {
  return store.transaction(async (tx) => {
    const journal = await tx.journalEvents(
      events.map((event) => ({
        uuid: event.uuid,
        eventType: event.eventType,
        published: event.published,
        channel,
        body: event,
      })),
    );
    const added = new Set(journal.added);
    const outcomes: IntakeEventOutcome[] = [];
    const allKeys = new Set<string>();
    for (const event of events) {
      if (!added.has(event.uuid)) {
        outcomes.push({
          uuid: event.uuid,
          eventType: event.eventType,
          outcome: 'duplicate',
          keys: [],
        });
        continue;
      }
      // A uuid twice in one batch is journaled once; the second copy is a duplicate.
      added.delete(event.uuid);
      const mapped = keysForEvent(event);
      if ('dropped' in mapped) {
        await tx.markEvent(event.uuid, { state: 'dropped', keys: [], error: mapped.dropped });
        outcomes.push({
          uuid: event.uuid,
          eventType: event.eventType,
          outcome: 'dropped',
          keys: [],
          dropReason: mapped.dropped,
        });
        continue;
      }
      for (const key of mapped.keys) {
        if (!allKeys.has(key)) {
          allKeys.add(key);
          await tx.enqueue(key);
        }
      }
      await tx.markEvent(event.uuid, { state: 'processed', keys: mapped.keys });
      outcomes.push({
        uuid: event.uuid,
        eventType: event.eventType,
        outcome: 'queued',
        keys: mapped.keys,
      });
    }
    return { events: outcomes, keys: [...allKeys] };
  });
}
