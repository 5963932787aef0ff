import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Reachable PostgreSQL URL for contract tests, or null when the suites are skipped. */
    postgresUrl: string | null;
  }
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Decides once per run whether the PostgreSQL suites run. With REQUIRE_POSTGRES=1 (CI) an
 * unreachable server fails the run instead of skipping.
 */
export async function setup(project: TestProject): Promise<void> {
  const url = process.env.TEST_POSTGRES_URL ?? DEFAULT_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    project.provide('postgresUrl', url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(
        `PostgreSQL is required (REQUIRE_POSTGRES=1) but ${url} is unreachable: ${reason}`,
        { cause: error },
      );
    }
    const banner = '!'.repeat(78);
    process.stderr.write(
      `\n${banner}\n!! SKIPPING PostgreSQL suites: ${url} unreachable (${reason}).\n!! Set TEST_POSTGRES_URL or start PostgreSQL to run them.\n${banner}\n\n`,
    );
    project.provide('postgresUrl', null);
  } finally {
    await client.end().catch(() => undefined);
  }
}
