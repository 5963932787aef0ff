import { ConfigError, OperationalError, SafetyRefusal, UsageError } from '../core/errors.js';

/** Exit codes from the product contract (PRODUCT.md §3). */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  planHasChanges: 3,
  refused: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof ConfigError) return ExitCode.usage;
  if (error instanceof SafetyRefusal) return ExitCode.refused;
  if (error instanceof OperationalError) return ExitCode.error;
  return ExitCode.error;
}
