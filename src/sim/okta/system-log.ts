import { randomUUID } from 'node:crypto';
import type { DirectoryChange } from './okta-directory.js';
import { OktaApiError } from './okta-api-error.js';
import {
  getPath,
  matchesScimFilter,
  parseScimFilter,
  scimComparisons,
  ScimFilterSyntaxError,
} from './scim-filter.js';
import type { ScimFilter } from './scim-filter.js';

/** Who made a change and through which request; shared by all events of one request. */
export interface AuditContext {
  requestId: string;
  actor: { id: string; type: string; alternateId: string; displayName: string };
  ipAddress: string;
  userAgent: string;
  requestUri: string;
  url: string;
  apiTokenId?: string;
  transactionType: 'WEB' | 'JOB';
}

/** A LogEvent as serialised by the System Log API (management spec `LogEvent`). */
export type LogEvent = Record<string, unknown> & {
  uuid: string;
  published: string;
  eventType: string;
  target?: unknown[];
};

const geo = {
  city: 'Boardman',
  state: 'Oregon',
  country: 'United States',
  postalCode: '97818',
  geolocation: { lat: 45.8234, lon: -119.7257 },
};

/** Builds a LogEvent with the full field set of the reference capture (§2.2). */
export function buildLogEvent(
  change:
    | DirectoryChange
    | {
        eventType: string;
        displayMessage: string;
        legacyEventType?: string;
        targets: unknown[];
        severity?: string;
        outcome?: { result: string; reason: string | null };
      },
  ctx: AuditContext,
  published: Date,
  hookIds: readonly string[],
): LogEvent {
  const extra = change as {
    severity?: string;
    outcome?: { result: string; reason: string | null };
  };
  return {
    uuid: randomUUID(),
    published: published.toISOString(),
    eventType: change.eventType,
    version: '0',
    severity: extra.severity ?? 'INFO',
    ...(change.legacyEventType ? { legacyEventType: change.legacyEventType } : {}),
    displayMessage: change.displayMessage,
    actor: { ...ctx.actor, detailEntry: null },
    client: {
      userAgent: { rawUserAgent: ctx.userAgent, os: 'Unknown', browser: 'UNKNOWN' },
      zone: 'null',
      device: 'Unknown',
      id: null,
      ipAddress: ctx.ipAddress,
      geographicalContext: geo,
    },
    device: null,
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: 'trs' + ctx.requestId.slice(0, 20),
    },
    outcome: extra.outcome ?? { result: 'SUCCESS', reason: null },
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    debugContext: {
      debugData: {
        requestId: ctx.requestId,
        requestUri: ctx.requestUri,
        url: ctx.url,
        ...(hookIds.length > 0 ? { eventHookIds: hookIds.join(',') } : {}),
      },
    },
    transaction: {
      type: ctx.transactionType,
      id: ctx.requestId,
      detail: ctx.apiTokenId ? { requestApiTokenId: ctx.apiTokenId } : {},
    },
    request: {
      ipChain: [{ ip: ctx.ipAddress, version: 'V4', source: null, geographicalContext: geo }],
    },
    target: change.targets,
  };
}

interface Stored {
  seq: number;
  persistedMs: number;
  publishedMs: number;
  event: LogEvent;
  text: string;
}

/** Query parameters of `GET /api/v1/logs`, raw from the URL. */
export interface LogQuery {
  since?: string;
  until?: string;
  after?: string;
  filter?: string;
  q?: string;
  limit?: string;
  sortOrder?: string;
}

export interface LogPage {
  events: LogEvent[];
  /** Query string (without `?`) for the `next` link, or undefined on the last bounded page. */
  next?: string;
}

const DAY = 86_400_000;

/**
 * Ingestion delay per event: fixed, or uniform in [minMs, maxMs] so that persistence order can
 * differ from `published`, which is what makes polling by persistence time necessary.
 */
export type IngestionDelay = number | { minMs: number; maxMs: number };

/**
 * The System Log store. Events become visible after the ingestion delay, in persistence order;
 * polling queries page by persistence sequence and never end, bounded queries page by `published`
 * and end.
 */
export class SystemLog {
  private readonly stored: Stored[] = [];
  private readonly pending = new Map<NodeJS.Timeout, LogEvent>();
  private seq = 0;

  constructor(
    private readonly now: () => Date,
    private readonly random: () => number,
    public ingestionDelay: IngestionDelay = 0,
  ) {}

  get size(): number {
    return this.stored.length;
  }

  /** Appends an event, immediately or after the ingestion delay. */
  append(event: LogEvent): void {
    const d = this.ingestionDelay;
    const delay =
      typeof d === 'number' ? d : d.minMs + Math.floor(this.random() * (d.maxMs - d.minMs + 1));
    if (delay <= 0) {
      this.persist(event);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.persist(event);
    }, delay);
    this.pending.set(timer, event);
  }

  /** Persists every event still waiting for its ingestion delay (tests and close). */
  flush(): void {
    for (const [timer, event] of this.pending) {
      clearTimeout(timer);
      this.persist(event);
    }
    this.pending.clear();
  }

  all(): readonly LogEvent[] {
    return this.stored.map((s) => s.event);
  }

  private persist(event: LogEvent): void {
    this.seq += 1;
    this.stored.push({
      seq: this.seq,
      persistedMs: this.now().getTime(),
      publishedMs: Date.parse(event.published),
      event,
      text: JSON.stringify(event).toLowerCase(),
    });
  }

  /** Runs a query; throws OktaApiError for the 400s Okta returns on bad parameters. */
  query(q: LogQuery): LogPage {
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) {
      throw new OktaApiError('E0000001', 'limit: must be between 0 and 1000', [
        'limit: must be between 0 and 1000',
      ]);
    }
    const sortOrder = q.sortOrder ?? 'ASCENDING';
    if (sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING') {
      throw new OktaApiError('E0000001', 'sortOrder', [
        'sortOrder: must be ASCENDING or DESCENDING',
      ]);
    }
    if (q.since !== undefined && q.after !== undefined) {
      throw new OktaApiError('E0000001', 'since and after are mutually exclusive', [
        'since: cannot be combined with after',
      ]);
    }
    const parseDate = (name: string, v: string | undefined): number | undefined => {
      if (v === undefined) return undefined;
      const ms = Date.parse(v);
      if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
        throw new OktaApiError('E0000001', `${name}: invalid date`, [
          `${name}: invalid date '${v}'`,
        ]);
      }
      return ms;
    };
    const nowMs = this.now().getTime();
    const untilMs = parseDate('until', q.until);
    let sinceMs = parseDate('since', q.since);
    if (sinceMs !== undefined && sinceMs < nowMs - 180 * DAY) {
      throw new OktaApiError('E0000053', undefined, [
        'Invalid parameter: The since parameter is over 180 days prior to the current day.',
      ]);
    }
    let filter: ScimFilter | undefined;
    if (q.filter !== undefined && q.filter.trim() !== '') {
      try {
        filter = parseScimFilter(q.filter);
      } catch (e) {
        const msg = e instanceof ScimFilterSyntaxError ? e.message : 'syntax error';
        throw new OktaApiError('E0000053', undefined, [`Invalid filter '${q.filter}': ${msg}`]);
      }
      for (const c of scimComparisons(filter)) {
        if (c.attr === 'published') {
          throw new OktaApiError('E0000053', undefined, [
            'Filtering on published is not supported',
          ]);
        }
        if (c.op === 'ne') {
          throw new OktaApiError('E0000053', undefined, [
            `Invalid filter '${q.filter}': Unrecognized attribute operator 'ne'. Expected: eq,co,sw,pr,gt,ge,lt,le`,
          ]);
        }
      }
    }
    const keywords = (q.q ?? '')
      .split(/[\s-]+/)
      .map((k) => k.trim().toLowerCase())
      .filter((k) => k !== '');
    if (keywords.length > 10 || keywords.some((k) => k.length > 40)) {
      throw new OktaApiError('E0000001', 'q', ['q: at most 10 keywords of at most 40 characters']);
    }
    const matches = (s: Stored): boolean =>
      (!filter || matchesScimFilter(filter, (attr) => getPath(s.event, attr))) &&
      keywords.every((k) => s.text.includes(k));

    const retentionStart = nowMs - 90 * DAY;
    const polling = untilMs === undefined && sortOrder === 'ASCENDING';
    if (polling) {
      // Cursor `<persistedMs>_<seq>`: the seq alone orders; the time part keeps it Okta-shaped.
      let afterSeq = 0;
      if (q.after !== undefined) {
        const m = /^(\d+)_(\d+)$/.exec(q.after);
        if (!m)
          throw new OktaApiError('E0000001', 'after: invalid cursor', ['after: invalid cursor']);
        afterSeq = Number(m[2]);
      } else {
        sinceMs = Math.max(sinceMs ?? nowMs - 7 * DAY, retentionStart);
      }
      const events: LogEvent[] = [];
      let start = this.firstIndexAfterSeq(afterSeq);
      let cursor = `${nowMs}_${Math.max(afterSeq, 0)}`;
      // Past the since window we still advance the cursor, so a drained poll never rescans.
      for (; start < this.stored.length && events.length < limit; start++) {
        const s = this.stored[start];
        if (!s) break;
        cursor = `${s.persistedMs}_${s.seq}`;
        if (sinceMs !== undefined && s.persistedMs < sinceMs) continue;
        if (matches(s)) events.push(s.event);
      }
      if (start >= this.stored.length) {
        const last = this.stored[this.stored.length - 1];
        if (last && last.seq > afterSeq) cursor = `${last.persistedMs}_${last.seq}`;
      }
      const params = new URLSearchParams();
      params.set('limit', String(limit));
      params.set('after', cursor);
      if (q.filter !== undefined) params.set('filter', q.filter);
      if (q.q !== undefined) params.set('q', q.q);
      return { events, next: params.toString() };
    }

    // Bounded: ordered by published (then seq), finite.
    const upper = untilMs ?? nowMs;
    // A continuation carries no since (they are exclusive); its cursor already bounds it below.
    const lower =
      q.after !== undefined ? retentionStart : Math.max(sinceMs ?? upper - 7 * DAY, retentionStart);
    const asc = sortOrder === 'ASCENDING';
    let afterKey: [number, number] | undefined;
    if (q.after !== undefined) {
      const m = /^(\d+)_(\d+)$/.exec(q.after);
      if (!m)
        throw new OktaApiError('E0000001', 'after: invalid cursor', ['after: invalid cursor']);
      afterKey = [Number(m[1]), Number(m[2])];
    }
    const cmp = (a: Stored, b: [number, number]): number =>
      a.publishedMs !== b[0] ? a.publishedMs - b[0] : a.seq - b[1];
    const candidates = this.stored
      .filter((s) => s.publishedMs >= lower && s.publishedMs < upper && matches(s))
      .filter((s) => !afterKey || (asc ? cmp(s, afterKey) > 0 : cmp(s, afterKey) < 0))
      .sort((a, b) => (asc ? 1 : -1) * (a.publishedMs - b.publishedMs || a.seq - b.seq));
    const page = candidates.slice(0, limit);
    const result: LogPage = { events: page.map((s) => s.event) };
    const lastOfPage = page[page.length - 1];
    if (candidates.length > page.length && lastOfPage) {
      const params = new URLSearchParams();
      params.set('limit', String(limit));
      params.set('until', new Date(upper).toISOString());
      params.set('after', `${lastOfPage.publishedMs}_${lastOfPage.seq}`);
      params.set('sortOrder', sortOrder);
      if (q.filter !== undefined) params.set('filter', q.filter);
      if (q.q !== undefined) params.set('q', q.q);
      result.next = params.toString();
    }
    return result;
  }

  private firstIndexAfterSeq(seq: number): number {
    let lo = 0;
    let hi = this.stored.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.stored[mid]?.seq ?? 0) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
