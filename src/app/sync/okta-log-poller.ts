/**
 * System Log catch-up: polls the log from a cursor persisted in the store, so that events a hook
 * dropped (or a whole hook outage) still reach the queue, and so that the service works with no
 * hook at all. Events already journaled (by the hook) are deduplicated by uuid.
 *
 * Each page is journaled and its cursor saved in one transaction: a crash re-reads at most the
 * page it was on, and the uuid dedup makes that harmless.
 */
import type { Logger } from 'pino';

import { isSyncEventType, SyncEventTypes } from '../../core/events/okta-event-keys.js';
import type { LogEvent } from '../../core/events/okta-event-schema.js';
import { logEventSchema } from '../../core/events/okta-event-schema.js';
import type { OktaLogSource } from '../../ports/okta-log-source.js';
import type { Store } from '../../ports/store.js';
import type { IntakeResult } from './event-intake.js';
import { ingestEvents, keysToRunNow } from './event-intake.js';
import type { SyncClock } from './sync-clock.js';
import { systemClock } from './sync-clock.js';

/** The store cursor holding the `next` URL. */
export const SYSTEM_LOG_CURSOR = 'okta.systemLog.next';

export interface OktaLogPollerOptions {
  readonly store: Store;
  readonly source: OktaLogSource;
  readonly logger: Logger;
  readonly clock?: SyncClock;
  /** Pause between polls once the log is drained (ms). Default 30 000 (okta.poll.interval). */
  readonly intervalMs?: number;
  /** Page size. Default 200. */
  readonly pageLimit?: number;
  /** Pages read per poll at most, so one poll cannot run forever behind a busy log. Default 50. */
  readonly maxPagesPerPoll?: number;
  /** With no saved cursor, start this far back (ms). Default 10 minutes. */
  readonly initialLookbackMs?: number;
  /** Called with each page's intake result. */
  readonly onIntake?: (result: IntakeResult) => void;
  /** How long membership events' group keys wait (ms); see IntakeOptions. Default 0. */
  readonly settleMs?: number;
  /** Called with how many keys a page queued to run at once (to wake as many workers). */
  readonly onEnqueued?: (keys: number) => void;
}

/** What one `pollOnce` did. */
export interface PollResult {
  readonly pages: number;
  readonly events: number;
  /** Events newly journaled (not seen before by hook or poll). */
  readonly added: number;
  /** Set when Okta answered 429: the poll stopped and the next one waits until then. */
  readonly rateLimitedUntil?: Date;
  /** Events that failed validation and were skipped (never journaled). */
  readonly invalid: number;
}

export class OktaLogPoller {
  readonly #options: OktaLogPollerOptions;
  readonly #clock: SyncClock;
  #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #lastPollAt: string | null = null;
  #lastError: string | null = null;

  constructor(options: OktaLogPollerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** When the last poll finished, and its error if it failed. */
  health(): { lastPollAt: string | null; lastError: string | null } {
    return { lastPollAt: this.#lastPollAt, lastError: this.#lastError };
  }

  /**
   * Reads pages from the saved cursor until an empty page (the log is drained), a 429, or
   * `maxPagesPerPoll`. Relevant events go through the same intake as hook deliveries.
   */
  async pollOnce(): Promise<PollResult> {
    const { store, source, logger } = this.#options;
    const limit = this.#options.pageLimit ?? 200;
    const maxPages = this.#options.maxPagesPerPoll ?? 50;
    let pages = 0;
    let events = 0;
    let added = 0;
    let invalid = 0;
    let cursor = await store.getCursor(SYSTEM_LOG_CURSOR);
    while (pages < maxPages) {
      const start = cursor
        ? { cursor }
        : {
            since: new Date(
              this.#clock.now().getTime() - (this.#options.initialLookbackMs ?? 600_000),
            ),
          };
      const page = await source.readPage(start, { eventTypes: SyncEventTypes, limit });
      if ('rateLimited' in page) {
        logger.warn(
          { retryAt: page.retryAt.toISOString() },
          'System Log rate limited; backing off',
        );
        this.#lastPollAt = this.#clock.now().toISOString();
        return { pages, events, added, invalid, rateLimitedUntil: page.retryAt };
      }
      pages += 1;
      events += page.events.length;
      const relevant: LogEvent[] = [];
      for (const raw of page.events) {
        const parsed = logEventSchema.safeParse(raw);
        if (!parsed.success) {
          invalid += 1;
          continue;
        }
        // Cursor URLs need not keep the filter; irrelevant events are not journaled at all.
        if (isSyncEventType(parsed.data.eventType)) relevant.push(parsed.data);
      }
      const next = page.next;
      const result = await store.transaction(async (tx) => {
        const intake =
          relevant.length > 0
            ? await ingestEvents(tx, relevant, 'systemLog', {
                settleMs: this.#options.settleMs ?? 0,
                now: () => this.#clock.now(),
              })
            : null;
        await tx.setCursor(SYSTEM_LOG_CURSOR, next);
        return intake;
      });
      if (result) {
        added += result.events.filter((e) => e.outcome !== 'duplicate').length;
        this.#options.onIntake?.(result);
        const atOnce = keysToRunNow(result);
        if (atOnce > 0) this.#options.onEnqueued?.(atOnce);
      }
      cursor = next;
      if (page.events.length === 0) break;
    }
    this.#lastPollAt = this.#clock.now().toISOString();
    this.#lastError = null;
    if (added > 0) logger.info({ pages, events, added }, 'System Log catch-up journaled events');
    return { pages, events, added, invalid };
  }

  /** Polls every `intervalMs` (sooner after a full batch, later after a 429) until `stop`. */
  start(): void {
    if (this.#loop) return;
    this.#stop = new AbortController();
    const signal = this.#stop.signal;
    const interval = this.#options.intervalMs ?? 30_000;
    this.#loop = (async () => {
      while (!signal.aborted) {
        let waitMs = interval;
        try {
          const result = await this.pollOnce();
          if (result.rateLimitedUntil) {
            waitMs = Math.max(
              interval,
              result.rateLimitedUntil.getTime() - this.#clock.now().getTime(),
            );
          } else if (result.pages >= (this.#options.maxPagesPerPoll ?? 50)) {
            waitMs = 0;
          }
        } catch (error) {
          this.#lastError = error instanceof Error ? error.message : String(error);
          this.#options.logger.error({ err: this.#lastError }, 'System Log poll failed');
        }
        await this.#clock.sleep(waitMs, signal);
      }
    })();
  }

  /** Stops polling; a poll in progress finishes its page first. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#loop = null;
  }
}
