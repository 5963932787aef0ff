/**
 * The System Log in polling mode over the Okta SDK's HTTP layer (so SSWS or OAuth, the request
 * gate and its counters all apply): one page per call, the `next` link parsed from the Link
 * header(s), 429 turned into a retry time rather than an exception.
 */
import { OperationalError } from '../../core/errors.js';
import type {
  OktaLogPage,
  OktaLogRateLimited,
  OktaLogSource,
  OktaLogStart,
} from '../../ports/okta-log-source.js';

/** The part of the SDK's `client.http` the reader uses. */
export interface OktaHttp {
  http(
    uri: string,
    request?: { method?: string; headers?: Record<string, string> },
  ): Promise<{
    readonly status: number;
    readonly headers: { get(name: string): string | null };
    json(): Promise<unknown>;
  }>;
}

/** The `rel="next"` URL of one or more Link headers (comma-joined or not), if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (match && /(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

/**
 * When to retry after a 429: `X-Rate-Limit-Reset` (epoch seconds) measured against the
 * response's `Date`, plus a second, as the SDK README recommends (okta.md §5.2); `now` + 1 s
 * when the headers are missing or unusable.
 */
export function rateLimitRetryAt(headers: { get(name: string): string | null }, now: Date): Date {
  const reset = Number(headers.get('x-rate-limit-reset'));
  const date = Date.parse(headers.get('date') ?? '');
  if (!Number.isFinite(reset) || reset <= 0) return new Date(now.getTime() + 1000);
  const serverNow = Number.isFinite(date) ? date : now.getTime();
  const waitMs = Math.max(0, reset * 1000 - serverNow) + 1000;
  return new Date(now.getTime() + waitMs);
}

function eventTypeFilter(eventTypes: readonly string[]): string {
  return eventTypes.map((type) => `eventType eq "${type}"`).join(' or ');
}

export class OktaLogReader implements OktaLogSource {
  readonly #origin: string;

  /**
   * @param http the SDK client's `http` (e.g. `client.http`).
   * @param orgUrl the org URL; cursors pointing anywhere else are refused, so a tampered store
   *   cannot send our token to another host.
   */
  constructor(
    private readonly http: OktaHttp,
    private readonly orgUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#origin = new URL(orgUrl).origin;
  }

  async readPage(
    start: OktaLogStart,
    options: { readonly eventTypes: readonly string[]; readonly limit: number },
  ): Promise<OktaLogPage | OktaLogRateLimited> {
    const url = this.#urlFor(start, options);
    let response: Awaited<ReturnType<OktaHttp['http']>>;
    try {
      response = await this.http.http(url, {
        method: 'get',
        headers: { Accept: 'application/json' },
      });
    } catch (error) {
      const failure = error as {
        status?: number;
        headers?: { get(name: string): string | null };
        message?: string;
      };
      if (failure.status === 429 && failure.headers) {
        return { rateLimited: true, retryAt: rateLimitRetryAt(failure.headers, this.now()) };
      }
      const status = failure.status;
      throw new OperationalError(
        `System Log read failed${status ? ` (HTTP ${status})` : ''}: ${failure.message ?? String(error)}`,
        'OKTA_LOG_READ_FAILED',
        status === undefined || status >= 500 || status === 429,
        { cause: error },
      );
    }
    const body = await response.json();
    if (!Array.isArray(body)) {
      throw new OperationalError(
        'System Log answered something other than an array of events',
        'OKTA_LOG_READ_FAILED',
        true,
      );
    }
    const next = nextLink(response.headers.get('link'));
    // Polling pages always carry `next`; without one, re-read the same page next time.
    return { events: body as unknown[], next: next && this.#sameOrigin(next) ? next : url };
  }

  #urlFor(
    start: OktaLogStart,
    options: { readonly eventTypes: readonly string[]; readonly limit: number },
  ): string {
    if ('cursor' in start) {
      if (!this.#sameOrigin(start.cursor)) {
        throw new OperationalError(
          `stored System Log cursor does not point at ${this.#origin}; refusing to follow it`,
          'OKTA_LOG_CURSOR_INVALID',
          false,
        );
      }
      return start.cursor;
    }
    const url = new URL('/api/v1/logs', this.orgUrl);
    url.searchParams.set('since', start.since.toISOString());
    url.searchParams.set('sortOrder', 'ASCENDING');
    url.searchParams.set('limit', String(options.limit));
    if (options.eventTypes.length > 0) {
      url.searchParams.set('filter', eventTypeFilter(options.eventTypes));
    }
    return url.toString();
  }

  #sameOrigin(url: string): boolean {
    try {
      return new URL(url).origin === this.#origin;
    } catch {
      return false;
    }
  }
}
