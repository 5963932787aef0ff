import { defineConfig } from 'vitest/config';

/** The full fault suite (`npm run test:faults`): long SIGKILL loops and store outages. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});
