import { classifyAwsError } from '../../adapters/aws/aws-error-kind.js';
import { OperationalError } from '../../core/errors.js';

/**
 * Wraps a failed AWS SDK call as an OperationalError whose `code` is the AWS error name (e.g.
 * AccessDeniedException) and whose `retryable` follows the adapter's classification (throttling
 * and transient failures can help to retry; validation or access denied cannot). Errors that
 * are already OperationalErrors pass through unchanged.
 */
export function awsOperationalError(error: unknown): OperationalError {
  if (error instanceof OperationalError) return error;
  const name = error instanceof Error ? error.name : 'Unknown';
  const message = error instanceof Error ? error.message : String(error);
  return new OperationalError(`${name}: ${message}`, name, classifyAwsError(error) !== 'fatal', {
    cause: error,
  });
}
