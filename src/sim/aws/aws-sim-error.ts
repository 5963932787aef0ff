/**
 * An error the simulator answers with. `code` is the wire code (`ConflictException`,
 * `NoSuchEntity`); the protocol layer renders it as awsJson1_1 (`__type`, `x-amzn-ErrorType`) or
 * awsQuery XML. Without an explicit `status` the status comes from the simulator's status policy
 * (AWS's real 400s by default, the model's codes when asked; see ref §2.3).
 */
export class AwsSimError extends Error {
  override readonly name = 'AwsSimError';

  constructor(
    readonly code: string,
    message: string,
    readonly options: {
      /** Forces the HTTP status regardless of the status policy. */
      readonly status?: number;
      /** Extra members of the error body (identitystore `Reason`, `ResourceType`, …). */
      readonly fields?: Readonly<Record<string, unknown>>;
      /** Extra response headers (`Retry-After`). */
      readonly headers?: Readonly<Record<string, string>>;
    } = {},
  ) {
    super(message);
  }
}

/** Codes that are server faults (HTTP 500, awsQuery `Receiver`). */
export const serverErrorCodes: ReadonlySet<string> = new Set([
  'InternalServerException',
  'InternalFailure',
  'ServiceException',
  'ServiceFailure',
  'ServiceUnavailable',
  'InternalError',
]);
