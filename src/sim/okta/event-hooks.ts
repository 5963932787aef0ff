import { randomBytes, randomUUID } from 'node:crypto';
import { notFound, OktaApiError, validationFailed } from './okta-api-error.js';
import { hookEligibleEventTypes } from './okta-reference.js';
import type { LogEvent } from './system-log.js';

/**
 * Hook delivery behaviour. Probabilities are 0..1 and drawn from the simulator's seeded random, so
 * a seed reproduces a run. Okta's own guarantees (at-least-once, unordered, 3 s timeout, one retry)
 * hold with every fault at 0; the faults make the awkward cases happen on demand.
 */
export interface HookDeliveryFaults {
  /** Probability that a delivery is sent twice with the same `eventId`. */
  duplicate?: number;
  /** Probability that a batch is held back (and its events reversed) so later batches overtake it. */
  reorder?: number;
  /** Probability that a batch is delayed by `delayMs` before it is sent. */
  delay?: number;
  /** Extra delay applied by `delay` and `reorder`; default 200 ms. */
  delayMs?: number;
  /** Probability that a batch is silently dropped (only the System Log still has the events). */
  drop?: number;
  /** Drop exactly the next N batches, whatever the probabilities. */
  dropNext?: number;
  /**
   * Events delivered per org per 24 h before hooks stop firing (Okta: 400,000); batches past
   * the cap are dropped. Default unlimited.
   */
  dailyCap?: number;
  /** Events of one hook within this window share a delivery; default 50 ms. */
  batchWindowMs?: number;
  /** Per-attempt timeout; default 3000 ms as in Okta. */
  timeoutMs?: number;
  /** Pause before the single retry; default 100 ms. */
  retryDelayMs?: number;
}

export interface SimHook {
  id: string;
  name: string;
  description: string | null;
  status: 'ACTIVE' | 'INACTIVE';
  verificationStatus: 'UNVERIFIED' | 'VERIFIED';
  events: { type: 'EVENT_TYPE'; items: string[]; filter: unknown };
  channel: {
    type: 'HTTP';
    version: string;
    config: {
      uri: string;
      method: 'POST';
      headers: { key: string; value: string }[];
      authScheme: { type: 'HEADER'; key: string; value: string } | null;
    };
  };
  created: string;
  lastUpdated: string;
  createdBy: string;
}

/** One attempt of one delivery, kept for the control API and tests. */
export interface HookDeliveryRecord {
  hookId: string;
  eventId: string;
  eventUuids: string[];
  attempt: number;
  outcome: 'delivered' | 'http-error' | 'timeout' | 'network-error' | 'dropped';
  status?: number;
  /** Set when the `delay` fault held this delivery back. */
  delayedMs?: number;
  at: string;
}

/** Audit hook used for `event_hook.*` System Log events. */
export type HookAudit = (
  eventType: string,
  displayMessage: string,
  hook: SimHook,
  failure?: string,
) => void;

const MAX_ACTIVE_VERIFIED = 25;

/**
 * Event hook registry and delivery engine: CRUD and lifecycle as in the management API, the
 * one-time verification GET, and batched, fault-injectable delivery to ACTIVE+VERIFIED hooks.
 */
export class EventHookService {
  readonly hooks = new Map<string, SimHook>();
  readonly deliveries: HookDeliveryRecord[] = [];
  faults: HookDeliveryFaults;
  private readonly batches = new Map<string, { events: LogEvent[]; timer: NodeJS.Timeout }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly held = new Map<
    string,
    { deliveries: (() => Promise<void>)[]; timer: NodeJS.Timeout | undefined }
  >();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private capWindowStart = 0;
  private capCount = 0;

  constructor(
    private readonly orgUrl: () => string,
    private readonly newId: () => string,
    private readonly now: () => Date,
    private readonly random: () => number,
    private readonly audit: HookAudit,
    faults: HookDeliveryFaults = {},
  ) {
    this.faults = { ...faults };
  }

  // ---- registration ------------------------------------------------------------------------

  /** Validates a create/replace body; throws 400 E0000001 with one cause per problem. */
  private parseBody(body: unknown): Pick<SimHook, 'name' | 'description' | 'events' | 'channel'> {
    const b = (body ?? {}) as Record<string, unknown>;
    const causes: string[] = [];
    const name = b.name;
    if (typeof name !== 'string' || name.trim() === '')
      causes.push('name: The field cannot be left blank');
    const events = (b.events ?? {}) as Record<string, unknown>;
    const items = events.items;
    const eligible = hookEligibleEventTypes();
    if (events.type !== 'EVENT_TYPE') causes.push('events.type: must be EVENT_TYPE');
    if (!Array.isArray(items) || items.length === 0) {
      causes.push('events.items: The field cannot be left blank');
    } else {
      for (const item of items) {
        if (typeof item !== 'string' || !eligible.has(item)) {
          causes.push(`events.items: ${String(item)} is not an event hook eligible event type`);
        }
      }
      if (items.length > 300) causes.push('events.items: at most 300 event types');
    }
    const channel = (b.channel ?? {}) as Record<string, unknown>;
    const config = (channel.config ?? {}) as Record<string, unknown>;
    if (channel.type !== 'HTTP') causes.push('channel.type: must be HTTP');
    let uri: URL | undefined;
    try {
      uri = new URL(String(config.uri));
    } catch {
      causes.push('channel.config.uri: must be a valid URL');
    }
    if (uri && uri.protocol !== 'https:' && uri.protocol !== 'http:') {
      causes.push('channel.config.uri: must be an http(s) URL');
    }
    const headers: { key: string; value: string }[] = [];
    if (config.headers !== undefined && config.headers !== null) {
      if (!Array.isArray(config.headers)) causes.push('channel.config.headers: must be an array');
      else {
        for (const h of config.headers as unknown[]) {
          const hh = (h ?? {}) as Record<string, unknown>;
          if (typeof hh.key !== 'string' || typeof hh.value !== 'string') {
            causes.push('channel.config.headers: key and value are required');
          } else headers.push({ key: hh.key, value: hh.value });
        }
      }
    }
    let authScheme: SimHook['channel']['config']['authScheme'] = null;
    if (config.authScheme !== undefined && config.authScheme !== null) {
      const a = config.authScheme as Record<string, unknown>;
      if (a.type !== 'HEADER' || typeof a.key !== 'string' || typeof a.value !== 'string') {
        causes.push('channel.config.authScheme: type HEADER with key and value is required');
      } else authScheme = { type: 'HEADER', key: a.key, value: a.value };
    }
    if (causes.length > 0) throw validationFailed('eventHook', ...causes);
    return {
      name: name as string,
      description: typeof b.description === 'string' ? b.description : null,
      events: { type: 'EVENT_TYPE', items: items as string[], filter: events.filter ?? null },
      channel: {
        type: 'HTTP',
        version: typeof channel.version === 'string' ? channel.version : '1.0.0',
        config: { uri: String(config.uri), method: 'POST', headers, authScheme },
      },
    };
  }

  create(body: unknown, createdBy: string): SimHook {
    const parsed = this.parseBody(body);
    const ts = this.now().toISOString();
    const hook: SimHook = {
      id: this.newId(),
      ...parsed,
      status: 'ACTIVE',
      verificationStatus: 'UNVERIFIED',
      created: ts,
      lastUpdated: ts,
      createdBy,
    };
    this.hooks.set(hook.id, hook);
    this.audit('event_hook.created', 'Event hook created', hook);
    return hook;
  }

  /** Replaces the hook definition; a changed URI needs a new verification. */
  replace(id: string, body: unknown): SimHook {
    const hook = this.require(id);
    const parsed = this.parseBody(body);
    const uriChanged = parsed.channel.config.uri !== hook.channel.config.uri;
    // authScheme.value is write-only: keep the old secret when a client echoes a read body back.
    if (!parsed.channel.config.authScheme && hook.channel.config.authScheme) {
      parsed.channel.config.authScheme = hook.channel.config.authScheme;
    }
    Object.assign(hook, parsed, { lastUpdated: this.now().toISOString() });
    if (uriChanged) hook.verificationStatus = 'UNVERIFIED';
    this.audit('event_hook.updated', 'Event hook updated', hook);
    return hook;
  }

  require(id: string): SimHook {
    const hook = this.hooks.get(id);
    if (!hook) throw notFound(id, 'EventHook');
    return hook;
  }

  activate(id: string): SimHook {
    const hook = this.require(id);
    if (hook.status !== 'ACTIVE') {
      if (
        hook.verificationStatus === 'VERIFIED' &&
        this.activeVerifiedCount() >= MAX_ACTIVE_VERIFIED
      ) {
        throw validationFailed(
          'eventHook',
          `At most ${MAX_ACTIVE_VERIFIED} active and verified event hooks`,
        );
      }
      hook.status = 'ACTIVE';
      hook.lastUpdated = this.now().toISOString();
      this.audit('event_hook.activated', 'Event hook activated', hook);
    }
    return hook;
  }

  deactivate(id: string): SimHook {
    const hook = this.require(id);
    if (hook.status !== 'INACTIVE') {
      hook.status = 'INACTIVE';
      hook.lastUpdated = this.now().toISOString();
      this.audit('event_hook.deactivated', 'Event hook deactivated', hook);
    }
    return hook;
  }

  /** Deletes an INACTIVE hook; an ACTIVE one must be deactivated first, as in Okta. */
  delete(id: string): void {
    const hook = this.require(id);
    if (hook.status === 'ACTIVE') {
      throw validationFailed(
        'eventHook',
        'Cannot delete an active event hook; deactivate it first',
      );
    }
    this.hooks.delete(id);
    this.audit('event_hook.deleted', 'Event hook deleted', hook);
  }

  /**
   * The one-time verification: GET the URI with `X-Okta-Verification-Challenge` and expect
   * `{"verification": <challenge>}` back within the timeout, with one retry. Failure is 400.
   */
  async verify(id: string): Promise<SimHook> {
    const hook = this.require(id);
    const challenge = randomBytes(24).toString('base64url');
    let lastProblem = 'no response';
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const res = await fetch(hook.channel.config.uri, {
          method: 'GET',
          headers: { ...this.headersFor(hook), 'x-okta-verification-challenge': challenge },
          signal: AbortSignal.timeout(this.faults.timeoutMs ?? 3000),
        });
        const text = await res.text();
        if (res.status >= 200 && res.status < 300) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if ((parsed as { verification?: unknown } | undefined)?.verification === challenge) {
            if (
              hook.status === 'ACTIVE' &&
              hook.verificationStatus !== 'VERIFIED' &&
              this.activeVerifiedCount() >= MAX_ACTIVE_VERIFIED
            ) {
              throw validationFailed(
                'eventHook',
                `At most ${MAX_ACTIVE_VERIFIED} active and verified event hooks`,
              );
            }
            hook.verificationStatus = 'VERIFIED';
            hook.lastUpdated = this.now().toISOString();
            this.audit('event_hook.verified', 'Event hook verified', hook);
            return hook;
          }
          lastProblem = 'the response did not echo the verification challenge';
          break;
        }
        lastProblem = `HTTP ${res.status}`;
        if (res.status < 500) break;
      } catch (e) {
        if (e instanceof OktaApiError) throw e;
        lastProblem =
          e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : 'connection failed';
      }
    }
    throw validationFailed(
      'eventHook',
      `Verification of event hook ${hook.name} failed: ${lastProblem}`,
    );
  }

  /** JSON view: `authScheme.value` is write-only, `_links` are absolute. */
  serialize(hook: SimHook): Record<string, unknown> {
    const base = `${this.orgUrl()}/api/v1/eventHooks/${hook.id}`;
    const auth = hook.channel.config.authScheme;
    return {
      id: hook.id,
      status: hook.status,
      verificationStatus: hook.verificationStatus,
      name: hook.name,
      description: hook.description,
      created: hook.created,
      createdBy: hook.createdBy,
      lastUpdated: hook.lastUpdated,
      events: hook.events,
      channel: {
        ...hook.channel,
        config: {
          ...hook.channel.config,
          authScheme: auth ? { type: auth.type, key: auth.key } : null,
        },
      },
      _links: {
        self: { href: base, hints: { allow: ['GET', 'PUT', 'DELETE'] } },
        verify: { href: `${base}/lifecycle/verify`, hints: { allow: ['POST'] } },
        ...(hook.status === 'ACTIVE'
          ? { deactivate: { href: `${base}/lifecycle/deactivate`, hints: { allow: ['POST'] } } }
          : { activate: { href: `${base}/lifecycle/activate`, hints: { allow: ['POST'] } } }),
      },
    };
  }

  private activeVerifiedCount(): number {
    let n = 0;
    for (const h of this.hooks.values())
      if (h.status === 'ACTIVE' && h.verificationStatus === 'VERIFIED') n++;
    return n;
  }

  /** Hook ids subscribed to an event type, for `debugContext.debugData`. */
  subscribedHookIds(eventType: string): string[] {
    const ids: string[] = [];
    for (const h of this.hooks.values()) if (h.events.items.includes(eventType)) ids.push(h.id);
    return ids;
  }

  // ---- delivery ----------------------------------------------------------------------------

  /** Queues an event for every ACTIVE+VERIFIED hook subscribed to its type. */
  enqueue(event: LogEvent): void {
    if (this.closed) return;
    for (const hook of this.hooks.values()) {
      if (hook.status !== 'ACTIVE' || hook.verificationStatus !== 'VERIFIED') continue;
      if (!hook.events.items.includes(event.eventType)) continue;
      const batch = this.batches.get(hook.id);
      if (batch) {
        batch.events.push(event);
        continue;
      }
      const timer = setTimeout(() => this.flushBatch(hook.id), this.faults.batchWindowMs ?? 50);
      this.batches.set(hook.id, { events: [event], timer });
    }
  }

  /** Resolves when every queued and in-flight delivery has finished (tests, close). */
  async idle(): Promise<void> {
    for (;;) {
      for (const [hookId, b] of this.batches) {
        clearTimeout(b.timer);
        this.flushBatch(hookId);
      }
      if (this.inFlight.size === 0 && this.timers.size === 0 && this.held.size === 0) return;
      await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, 10))]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const b of this.batches.values()) clearTimeout(b.timer);
    this.batches.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private flushBatch(hookId: string): void {
    const batch = this.batches.get(hookId);
    this.batches.delete(hookId);
    const hook = this.hooks.get(hookId);
    if (!batch || !hook || this.closed) return;
    const f = this.faults;
    const eventId = randomUUID();
    const uuids = batch.events.map((e) => e.uuid);
    const nowMs = this.now().getTime();
    if (nowMs - this.capWindowStart >= 86_400_000) {
      this.capWindowStart = nowMs;
      this.capCount = 0;
    }
    const overCap = f.dailyCap !== undefined && this.capCount + uuids.length > f.dailyCap;
    if (!overCap) this.capCount += uuids.length;
    if (overCap || (f.dropNext ?? 0) > 0 || this.random() < (f.drop ?? 0)) {
      if (!overCap && (f.dropNext ?? 0) > 0) f.dropNext = (f.dropNext ?? 0) - 1;
      this.deliveries.push({
        hookId,
        eventId,
        eventUuids: uuids,
        attempt: 0,
        outcome: 'dropped',
        at: this.now().toISOString(),
      });
      return;
    }
    let events = batch.events;
    const reorder = this.random() < (f.reorder ?? 0);
    if (reorder) events = [...events].reverse();
    const wait = this.random() < (f.delay ?? 0) ? (f.delayMs ?? 200) : 0;
    const copies = this.random() < (f.duplicate ?? 0) ? 2 : 1;
    const envelope = {
      eventType: 'com.okta.event_hook',
      eventTypeVersion: '1.0',
      cloudEventsVersion: '0.1',
      source: `${this.orgUrl()}/api/v1/eventHooks/${hook.id}`,
      eventId,
      data: { events: events.map((e) => ({ ...e, insertionTimestamp: null })) },
      eventTime: this.now().toISOString(),
      contentType: 'application/json',
    };
    const body = JSON.stringify(envelope);
    const deliver = async (): Promise<void> => {
      if (wait > 0) await this.sleep(wait);
      for (let i = 0; i < copies; i++) await this.send(hook, eventId, uuids, body, wait);
    };
    if (reorder) {
      // Held back until the hook's next delivery has gone out (or delayMs passes), so a later
      // batch overtakes it: the receiver sees B before A.
      const held = this.held.get(hookId) ?? { deliveries: [], timer: undefined };
      held.deliveries.push(deliver);
      this.held.set(hookId, held);
      if (!held.timer) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          held.timer = undefined;
          this.releaseHeld(hookId, Promise.resolve());
        }, f.delayMs ?? 200);
        held.timer = timer;
        this.timers.add(timer);
      }
      return;
    }
    const sent = deliver();
    this.track(sent);
    this.releaseHeld(hookId, sent);
  }

  private releaseHeld(hookId: string, after: Promise<void>): void {
    const held = this.held.get(hookId);
    if (!held) return;
    this.held.delete(hookId);
    if (held.timer) {
      clearTimeout(held.timer);
      this.timers.delete(held.timer);
    }
    this.track(
      after.then(async () => {
        for (const deliver of held.deliveries) await deliver();
      }),
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Sends every queued batch now (tests); deliveries then proceed asynchronously. */
  flushBatches(): void {
    for (const [hookId, b] of this.batches) {
      clearTimeout(b.timer);
      this.flushBatch(hookId);
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private headersFor(hook: SimHook): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const h of hook.channel.config.headers) headers[h.key] = h.value;
    const auth = hook.channel.config.authScheme;
    if (auth) headers[auth.key] = auth.value;
    return headers;
  }

  /** One delivery: at most two attempts; a 4xx is final, a 5xx or timeout is retried once. */
  private async send(
    hook: SimHook,
    eventId: string,
    uuids: string[],
    body: string,
    delayedMs: number,
  ): Promise<void> {
    let failure = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (this.closed) return;
      const record: HookDeliveryRecord = {
        hookId: hook.id,
        eventId,
        eventUuids: uuids,
        attempt,
        outcome: 'delivered',
        at: this.now().toISOString(),
        ...(delayedMs > 0 ? { delayedMs } : {}),
      };
      try {
        const res = await fetch(hook.channel.config.uri, {
          method: 'POST',
          headers: {
            ...this.headersFor(hook),
            'content-type': 'application/json',
            accept: 'application/json',
            'user-agent': 'Okta Event Hook Delivery (okta-aws-sync simulator)',
          },
          body,
          signal: AbortSignal.timeout(this.faults.timeoutMs ?? 3000),
        });
        await res.arrayBuffer().catch(() => undefined);
        record.status = res.status;
        if (res.status < 300) {
          this.deliveries.push(record);
          return;
        }
        record.outcome = 'http-error';
        this.deliveries.push(record);
        failure = `HTTP ${res.status}`;
        if (res.status < 500) break;
      } catch (e) {
        record.outcome =
          e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : 'network-error';
        this.deliveries.push(record);
        failure = record.outcome;
      }
      if (attempt === 1) await new Promise((r) => setTimeout(r, this.faults.retryDelayMs ?? 100));
    }
    if (!this.closed)
      this.audit('event_hook.delivery', `Event hook delivery failed: ${failure}`, hook, failure);
  }
}
