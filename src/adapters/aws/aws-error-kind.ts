/**
 * How the AWS adapter treats a failed call. Mirrors the SDK v3 standard retry classification
 * (aws-identity-center.md §2.5) so that our own retry loop can replace the SDK's: throttling is
 * recognised by name, 429, or the `$retryable.throttling` trait; transient failures by 5xx,
 * network error codes, or a non-JSON error body (an HTML 502 surfaces as a SyntaxError).
 */
export const AwsErrorKinds = ['throttling', 'transient', 'fatal'] as const;
export type AwsErrorKind = (typeof AwsErrorKinds)[number];

const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'TransactionInProgressException',
]);

const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'InternalServerException',
  'InternalFailure',
  'InternalError',
  'ServiceFailure',
  'ServiceFailureException',
  'ServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/**
 * Classifies an error thrown by an SDK v3 `send`. IAM's "LimitExceeded" (a 409 quota error, not
 * throttling) is deliberately fatal: the SDK maps it to LimitExceededException only for other
 * services, and IAM's 409 status tells the two apart.
 */
export function classifyAwsError(error: unknown): AwsErrorKind {
  if (typeof error !== 'object' || error === null) return 'fatal';
  const shape = error as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const status = shape.$metadata?.httpStatusCode;
  if (name === 'LimitExceededException' && status === 409) return 'fatal';
  if (shape.$retryable?.throttling === true || THROTTLING_NAMES.has(name) || status === 429) {
    return 'throttling';
  }
  if (TRANSIENT_NAMES.has(name)) return 'transient';
  if (typeof status === 'number' && status >= 500 && status <= 599) return 'transient';
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return 'transient';
  if (error instanceof SyntaxError) return 'transient';
  return 'fatal';
}

/** The error's AWS code (its `name`), for counters and messages. */
export function awsErrorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return 'Unknown';
}
