import { inject } from 'vitest';

/** The PostgreSQL URL decided by the global setup, or null when PostgreSQL suites are skipped. */
export function testPostgresUrl(): string | null {
  return inject('postgresUrl');
}
