import type { Clock } from '../../adapters/aws/rate-limiter.js';
import type {
  AsyncRequestStatus,
  IdentityCenterWriter,
} from '../../ports/identity-center-writer.js';
import { IdentityCenterWriteError } from '../../ports/identity-center-writer.js';
import type { InstanceArn } from '../../core/domain/ids.js';

/**
 * Retry of one write, on top of the call gate. The gate retries throttles and transient failures
 * a few times within one logical call; this loop adds retries of whole calls, mainly for
 * ConflictException (concurrent modification, delete right after create), which neither the SDK
 * nor the gate retries (aws-identity-center.md §2.5, §6).
 */
export interface WriteRetryOptions {
  /** Attempts per call, the first included. Default 6. */
  readonly maxAttempts?: number;
  /** First backoff in ms; full jitter, doubling per attempt. Default 200. */
  readonly baseDelayMs?: number;
  /** Backoff ceiling in ms. Default 10,000. */
  readonly maxDelayMs?: number;
}

/** Polling of async requests (CreateAccountAssignment, DeleteAccountAssignment, provisioning). */
export interface PollOptions {
  /**
   * Wait before the first poll, in ms, until a `CompletionEstimate` has learned how long requests
   * take (then the first poll waits about that long instead). Default 250.
   */
  readonly initialDelayMs?: number;
  /** Ceiling of the growing wait between polls, in ms. Default 5,000. */
  readonly maxDelayMs?: number;
  /** Give up (and report the request as still IN_PROGRESS) after this long, in ms. Default 600,000. */
  readonly timeoutMs?: number;
}

/** Counts the attempts an operation made, across all its calls and retries. */
export interface AttemptCounter {
  attempts: number;
  /** The AWS request id of the last call that answered. */
  awsRequestId: string | null;
}

export function resolveRetry(options: WriteRetryOptions = {}): Required<WriteRetryOptions> {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? 6),
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 10_000,
  };
}

export function resolvePoll(options: PollOptions = {}): Required<PollOptions> {
  return {
    initialDelayMs: options.initialDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    timeoutMs: options.timeoutMs ?? 600_000,
  };
}

/**
 * Runs `call` until it succeeds, fails with a non-retryable error, or runs out of attempts; the
 * last error is rethrown. Every attempt is counted on `counter`.
 */
export async function withRetry<T extends { readonly awsRequestId: string | null }>(
  call: () => Promise<T>,
  counter: AttemptCounter,
  retry: Required<WriteRetryOptions>,
  clock: Clock,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    counter.attempts += 1;
    try {
      const result = await call();
      counter.awsRequestId = result.awsRequestId ?? counter.awsRequestId;
      return result;
    } catch (error) {
      if (error instanceof IdentityCenterWriteError && error.awsRequestId) {
        counter.awsRequestId = error.awsRequestId;
      }
      const retryable = error instanceof IdentityCenterWriteError && error.retryable;
      if (!retryable || attempt >= retry.maxAttempts) throw error;
      const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      await clock.sleep(Math.random() * ceiling);
    }
  }
}

/** Why polling stopped without a terminal status. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
  constructor(readonly status: AsyncRequestStatus) {
    super(
      `${status.kind} request ${status.requestId} was still ${status.status} when polling timed out`,
    );
  }
}

/**
 * Shares by which the estimate moves down (the first poll found the request done) or up (it did
 * not) over one round of the requests in flight: each record moves it this ÷ the requests in
 * flight. Up is 7/3 of down, so the estimate settles where 70 % of first polls find the request
 * done: most requests then cost one poll, and few wait for a second.
 */
const ESTIMATE_STEP_DOWN = 0.03;
const ESTIMATE_STEP_UP = 0.07;
/** A request still pending at this multiple of the estimate means latencies changed: jump. */
const ESTIMATE_JUMP = 2;
/** After the estimated first poll, polls follow at this share of the estimate, growing. */
const STEP_AFTER_ESTIMATE = 0.05;

/**
 * How long async requests of one kind take to reach a terminal status, learned from requests
 * already polled, so that the first poll lands near the typical completion rather than on a fixed
 * schedule. A poll that comes too early spends a call of the service's shared rate budget; one
 * that comes late keeps an outstanding-request slot (15 for assignment creates, not raisable:
 * aws-identity-center.md §7) busy for nothing, and that slack is the executor's throughput loss.
 *
 * The first request's estimate is the middle of the interval in which it completed (between its
 * last IN_PROGRESS answer and the terminal one). After that the estimate tracks a quantile of
 * the completion time: it drops a little when a request was already terminal at its first poll
 * and rises a little more when it was not, so it settles where 70 % of the first polls find
 * the request done. A request still IN_PROGRESS at ESTIMATE_JUMP times the estimate means the
 * service got slower: the estimate jumps to that time instead of creeping up. One instance per
 * kind and per executor run; it never goes below `floorMs`.
 *
 * A change is seen only by requests started after it, while every request already in flight
 * still reports on the old estimate. With 15 in flight, full steps pile up 15 reports on one
 * stale value (for a fixed 500 ms latency the estimate swung between 350 and 750 ms, so polls
 * came early or late in waves); so each step is divided by the requests in flight (`begin` …
 * `record` or `abandon`).
 */
export class CompletionEstimate {
  private estimate: number | undefined;
  private inFlight = 0;

  constructor(private readonly floorMs: number) {}

  /** The estimated time from the start answer to a terminal status, in ms; undefined until learned. */
  get ms(): number | undefined {
    return this.estimate;
  }

  /**
   * Records one polled request: `lastPendingMs` is when it was last seen IN_PROGRESS (0 = only
   * by the start answer), `terminalMs` when it was seen terminal, both from the start answer.
   */
  record(lastPendingMs: number, terminalMs: number): void {
    const share = 1 / Math.max(1, this.inFlight);
    this.abandon();
    if (this.estimate === undefined) this.estimate = (lastPendingMs + terminalMs) / 2;
    else if (lastPendingMs === 0) this.estimate *= 1 - ESTIMATE_STEP_DOWN * share;
    else if (lastPendingMs >= ESTIMATE_JUMP * this.estimate) this.estimate = lastPendingMs;
    else this.estimate *= 1 + ESTIMATE_STEP_UP * share;
    this.estimate = Math.max(this.floorMs, this.estimate);
  }

  /** A request of this kind is now being polled. */
  begin(): void {
    this.inFlight += 1;
  }

  /** A begun request ended without anything to learn from (already terminal, error, timeout). */
  abandon(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}

/**
 * Polls an async request to SUCCEEDED or FAILED. Without a learned estimate, waits start at
 * `initialDelayMs` and grow by half each time up to the ceiling; with one (see
 * CompletionEstimate), the first poll waits about the estimate and later ones a twentieth of it,
 * growing the same way. Waits carry jitter so that outstanding requests do not poll in lock step.
 * A ResourceNotFoundException right after the call means "not visible yet" (as Terraform treats
 * it) and is polled again. Every poll goes through the writer, hence through the rate limiter.
 */
export async function pollToTerminal(
  writer: IdentityCenterWriter,
  instanceArn: InstanceArn,
  started: AsyncRequestStatus,
  retry: Required<WriteRetryOptions>,
  poll: Required<PollOptions>,
  clock: Clock,
  estimate?: CompletionEstimate,
): Promise<AsyncRequestStatus> {
  let status = started;
  const startedAt = clock.now();
  const deadline = startedAt + poll.timeoutMs;
  const learned = estimate?.ms;
  let first: number;
  let delay: number;
  if (learned === undefined) {
    first = poll.initialDelayMs * (0.75 + Math.random() * 0.5);
    delay = Math.min(poll.maxDelayMs, poll.initialDelayMs * 1.5);
  } else {
    first = Math.min(poll.maxDelayMs, learned * (0.97 + Math.random() * 0.06));
    delay = Math.min(poll.maxDelayMs, Math.max(1, learned * STEP_AFTER_ESTIMATE));
  }
  let lastPendingMs = 0;
  let wait = first;
  estimate?.begin();
  let recorded = false;
  try {
    while (status.status === 'IN_PROGRESS') {
      if (clock.now() >= deadline) throw new PollTimeoutError(status);
      await clock.sleep(wait);
      wait = delay * (0.75 + Math.random() * 0.5);
      delay = Math.min(poll.maxDelayMs, delay * 1.5);
      const describe =
        status.kind === 'provision'
          ? writer.describeProvisioning.bind(writer)
          : status.kind === 'create-assignment'
            ? writer.describeAssignmentCreation.bind(writer)
            : writer.describeAssignmentDeletion.bind(writer);
      const requestId = status.requestId;
      try {
        // Poll calls are not counted as operation attempts: the operation is one write.
        const pollCounter: AttemptCounter = { attempts: 0, awsRequestId: null };
        status = await withRetry(() => describe(instanceArn, requestId), pollCounter, retry, clock);
      } catch (error) {
        if (error instanceof IdentityCenterWriteError && error.kind === 'not-found') {
          lastPendingMs = clock.now() - startedAt;
          continue;
        }
        throw error;
      }
      if (status.status === 'IN_PROGRESS') lastPendingMs = clock.now() - startedAt;
    }
    if (started.status === 'IN_PROGRESS') {
      estimate?.record(lastPendingMs, clock.now() - startedAt);
      recorded = true;
    }
    return status;
  } finally {
    if (!recorded) estimate?.abandon();
  }
}
