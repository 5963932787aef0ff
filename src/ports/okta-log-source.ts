/**
 * Read-side port onto the Okta System Log in polling mode (okta.md §1.1): pages ordered by
 * persistence time whose `next` link never ends. The poller keeps the cursor; the source only
 * fetches one page.
 */

/** One page: its events (unparsed; the caller validates) and the cursor of the page after it. */
export interface OktaLogPage {
  readonly events: readonly unknown[];
  /** The absolute `rel="next"` URL, to resume from; always present in polling mode. */
  readonly next: string;
}

/** The source answered 429: try again at `retryAt` (from X-Rate-Limit-Reset and Date). */
export interface OktaLogRateLimited {
  readonly rateLimited: true;
  readonly retryAt: Date;
}

/** Where a read starts: a saved `next` cursor, or a first polling query from `since`. */
export type OktaLogStart = { readonly cursor: string } | { readonly since: Date };

export interface OktaLogSource {
  /**
   * Reads one polling page. `eventTypes` narrows the first query with a SCIM filter; cursors
   * carry whatever the server put in them. Rejects with OperationalError for other failures.
   */
  readPage(
    start: OktaLogStart,
    options: { readonly eventTypes: readonly string[]; readonly limit: number },
  ): Promise<OktaLogPage | OktaLogRateLimited>;
}
