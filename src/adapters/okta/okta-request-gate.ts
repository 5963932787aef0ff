/**
 * The Okta SDK is loaded only when a client is first built (okta-client.ts), so this module
 * imports its types only: the gate is a plain class, and the SDK executor that sends through it
 * is defined by `gatedRequestExecutor` once the SDK's `RequestExecutor` is at hand.
 */
import type { RequestExecutor } from '@okta/okta-sdk-nodejs';
import type { AwsCallCounters } from '../aws/aws-call-counters.js';
import type { Clock } from '../aws/rate-limiter.js';
import { systemClock } from '../aws/rate-limiter.js';

type RequestOptions = Parameters<RequestExecutor['fetch']>[0];
type FetchResult = ReturnType<RequestExecutor['fetch']>;
/** Sends one request as the SDK's own executor does (its `fetch`: node-fetch, events). */
export type OktaTransport = (request: RequestOptions) => FetchResult;
/** The part of a node-fetch Response the gate reads (node-fetch's own types are not installed). */
interface ResponseView {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
}
const view = (response: unknown): ResponseView => response as ResponseView;

export interface OktaRequestGateOptions {
  /** Requests in flight at once. Default 8, far below Okta's default concurrency limit of 75. */
  readonly maxConcurrency?: number;
  /** Attempts for a request answered 429. Default 6. */
  readonly maxRateLimitedAttempts?: number;
  /** Attempts for a 5xx or network failure. Default 4. */
  readonly maxTransientAttempts?: number;
  /**
   * Keep this many requests of a rate-limit window unused: when X-Rate-Limit-Remaining falls to
   * it, new requests wait for X-Rate-Limit-Reset. Default 2.
   */
  readonly reserve?: number;
  /** Backoff base for transient failures, ms. Default 100. */
  readonly baseDelayMs?: number;
  /** Longest wait for a rate-limit reset, ms; longer suggestions are capped. Default 60000. */
  readonly maxWaitMs?: number;
  readonly counters?: AwsCallCounters;
  readonly clock?: Clock;
}

/**
 * What replaces the Okta SDK's default request executor. The default executor retries only 429s,
 * has no concurrency bound and never slows down before the limit is hit (okta.md §6.3). This gate
 * bounds concurrency, waits for the window reset when X-Rate-Limit-Remaining runs low, retries
 * 429s using X-Rate-Limit-Reset against the Date header, retries 5xx and network errors with
 * jittered backoff, and counts every request per operation under service "okta". The SDK reaches
 * it through `gatedRequestExecutor`; one gate's limits hold across every request sent through it.
 */
export class OktaRequestGate {
  private readonly maxConcurrency: number;
  private readonly maxRateLimited: number;
  private readonly maxTransient: number;
  private readonly reserve: number;
  private readonly baseDelayMs: number;
  private readonly maxWaitMs: number;
  private readonly counters: AwsCallCounters | undefined;
  private readonly clock: Clock;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Epoch ms before which no new request should start (a window is exhausted). */
  private pausedUntil = 0;

  constructor(options: OktaRequestGateOptions = {}) {
    this.maxConcurrency = options.maxConcurrency ?? 8;
    this.maxRateLimited = options.maxRateLimitedAttempts ?? 6;
    this.maxTransient = options.maxTransientAttempts ?? 4;
    this.reserve = options.reserve ?? 2;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.counters = options.counters;
    this.clock = options.clock ?? systemClock;
  }

  /** Sends `request` through `transport` within the limits, retrying as described above. */
  async send(request: RequestOptions, transport: OktaTransport): FetchResult {
    const operation = operationOf(request);
    let rateLimited = 0;
    let transient = 0;
    for (;;) {
      await this.enter();
      let response: unknown;
      try {
        const pause = this.pausedUntil - Date.now();
        if (pause > 0) await this.clock.sleep(Math.min(pause, this.maxWaitMs));
        response = await transport(request);
      } catch (error) {
        this.leave();
        transient += 1;
        const retry = transient < this.maxTransient;
        this.record(operation, 'transient', !retry);
        if (!retry) throw error;
        await this.clock.sleep(Math.random() * this.baseDelayMs * 2 ** transient);
        continue;
      }
      this.leave();
      const { status } = view(response);
      this.observe(response);
      if (status === 429) {
        rateLimited += 1;
        const retry = rateLimited < this.maxRateLimited;
        this.record(operation, 'throttled', !retry);
        if (!retry) return response;
        await this.clock.sleep(this.retryDelayMs(response));
        continue;
      }
      if (status >= 500) {
        transient += 1;
        const retry = transient < this.maxTransient;
        this.record(operation, 'transient', !retry);
        if (!retry) return response;
        await this.clock.sleep(Math.random() * this.baseDelayMs * 2 ** transient);
        continue;
      }
      this.record(operation, status < 400 ? 'success' : 'error', true);
      return response;
    }
  }

  /** Waits as Okta's SDK does: Reset × 1000 − Date + 1 s, capped at maxWaitMs. */
  private retryDelayMs(response: unknown): number {
    const { headers } = view(response);
    const reset = Number(headers.get('x-rate-limit-reset'));
    const dateHeader = headers.get('date');
    const now = dateHeader ? Date.parse(dateHeader) : Date.now();
    if (!Number.isFinite(reset) || !Number.isFinite(now)) return this.baseDelayMs;
    return Math.min(this.maxWaitMs, Math.max(0, reset * 1000 - now + 1000));
  }

  /** A window about to run out pauses new requests until its reset. */
  private observe(response: unknown): void {
    const { headers } = view(response);
    const remaining = Number(headers.get('x-rate-limit-remaining'));
    const reset = Number(headers.get('x-rate-limit-reset'));
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    if (remaining <= this.reserve) {
      const dateHeader = headers.get('date');
      const serverNow = dateHeader ? Date.parse(dateHeader) : Date.now();
      const wait = reset * 1000 - (Number.isFinite(serverNow) ? serverNow : Date.now());
      if (wait > 0) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
    }
  }

  private record(
    operation: string,
    outcome: 'success' | 'throttled' | 'transient' | 'error',
    final: boolean,
  ): void {
    this.counters?.record({ service: 'okta', operation, outcome, final });
  }

  private enter(): Promise<void> {
    if (this.inFlight < this.maxConcurrency) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}

/**
 * The SDK executor that sends every request through `gate`: a subclass of the SDK's
 * `RequestExecutor` (passed in, as the SDK is loaded on demand) whose `fetch` is the gate around
 * the base `fetch`, so the SDK's node-fetch call and its request/response events are unchanged.
 */
export function gatedRequestExecutor(
  Base: typeof RequestExecutor,
  gate: OktaRequestGate,
): RequestExecutor {
  class GatedRequestExecutor extends Base {
    override fetch(request: RequestOptions): FetchResult {
      return gate.send(request, (sent) => super.fetch(sent));
    }
  }
  return new GatedRequestExecutor();
}

/** `GET /api/v1/groups/{id}/users`: the method and path with ids replaced, for counters. */
function operationOf(request: RequestOptions): string {
  const method = ((request as { method?: string }).method ?? 'GET').toUpperCase();
  let path: string;
  try {
    path = new URL(request.url ?? '/', 'http://okta.invalid').pathname;
  } catch {
    path = request.url ?? '/';
  }
  const template = path
    .split('/')
    .map((segment) => (/^[0-9A-Za-z]{20}$/.test(segment) ? '{id}' : segment))
    .join('/');
  return `${method} ${template}`;
}
