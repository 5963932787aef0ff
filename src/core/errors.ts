/**
 * The few error classes of the product, each named for who handles it. Entry points map them to
 * exit codes (CLI), HTTP statuses and the Lambda envelope in one place each.
 */

/** The user gave bad input: wrong flags, malformed config, an unreadable file. CLI exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A config file failed validation. Carries every problem found, not only the first. CLI exit 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A safety rule refused the action (maxDeletes, empty source, protected object). CLI exit 4. */
export class SafetyRefusal extends Error {
  override readonly name = 'SafetyRefusal';
}

/**
 * Something outside the user's control failed: AWS, Okta, the store. `retryable` tells callers
 * (the queue, the Lambda envelope) whether trying again can help.
 */
export class OperationalError extends Error {
  override readonly name = 'OperationalError';
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
