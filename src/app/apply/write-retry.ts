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
  /** Wait before the first poll, in ms. Default 250. */
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
 * Polls an async request to SUCCEEDED or FAILED. Waits grow by half each time up to the ceiling,
 * with jitter so that many outstanding requests do not poll in lock step. A
 * ResourceNotFoundException right after the call means "not visible yet" (as Terraform treats
 * it) and is polled again. Every poll goes through the writer, hence through the rate limiter.
 */
export async function pollToTerminal(
  writer: IdentityCenterWriter,
  instanceArn: InstanceArn,
  started: AsyncRequestStatus,
  retry: Required<WriteRetryOptions>,
  poll: Required<PollOptions>,
  clock: Clock,
): Promise<AsyncRequestStatus> {
  let status = started;
  const deadline = clock.now() + poll.timeoutMs;
  let delay = poll.initialDelayMs;
  while (status.status === 'IN_PROGRESS') {
    if (clock.now() >= deadline) throw new PollTimeoutError(status);
    await clock.sleep(delay * (0.75 + Math.random() * 0.5));
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
      if (error instanceof IdentityCenterWriteError && error.kind === 'not-found') continue;
      throw error;
    }
  }
  return status;
}
