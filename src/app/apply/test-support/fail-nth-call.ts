import type { IdentityCenterWriter } from '../../../ports/identity-center-writer.js';
import { IdentityCenterWriteError } from '../../../ports/identity-center-writer.js';

/** What `failNthCall` injected, for assertions. */
export interface InjectedFailure {
  /** Calls made through the wrapper so far (status polls excluded). */
  readonly calls: number;
  /** The method whose call was made to fail, once it has happened. */
  readonly failedMethod: string | undefined;
}

const POLLS: ReadonlySet<string> = new Set([
  'describeProvisioning',
  'describeAssignmentCreation',
  'describeAssignmentDeletion',
]);

/**
 * Wraps a writer so that its `n`-th write call (1-based; status polls are not counted) fails
 * with a fatal, non-retryable error before reaching AWS: a crash or outage mid-apply, as the
 * executor's failure-injection tests need it. Every other call goes through unchanged.
 */
export function failNthCall(
  writer: IdentityCenterWriter,
  n: number,
): { writer: IdentityCenterWriter; injected: () => InjectedFailure } {
  let calls = 0;
  let failedMethod: string | undefined;
  const wrapped = new Proxy(writer, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || POLLS.has(property)) {
        return value;
      }
      return (...args: unknown[]): unknown => {
        calls += 1;
        if (calls === n) {
          failedMethod = property;
          return Promise.reject(
            new IdentityCenterWriteError(
              `${property}: injected failure on call ${n}`,
              'InjectedFailure',
              'fatal',
              null,
            ),
          );
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { writer: wrapped, injected: () => ({ calls, failedMethod }) };
}
