/**
 * The service's structured logger: pino JSON lines with secrets redacted wherever they might
 * appear (Authorization headers, tokens, secrets, keys), as PRODUCT.md §4 requires. Secret
 * objects already print a marker; redaction covers raw strings that reach a log call.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/** Paths pino censors in every log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'apiToken',
  '*.apiToken',
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'privateKey',
  '*.privateKey',
] as const;

/** A logger writing JSON lines to `destination` (default stdout) at `level` (default info). */
export function createServiceLogger(
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      name: 'okta-aws-sync',
      level: options.level ?? 'info',
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/**
 * The process's stdout through pino's buffered asynchronous writer, flushed at exit: `serve`
 * writes a few lines per change, and one synchronous write per line (process.stdout on a file)
 * was several percent of its CPU.
 */
export function bufferedStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}
