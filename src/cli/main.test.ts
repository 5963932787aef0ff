import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { runCliCaptured } from './test-support/run-cli-captured.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

describe('cli skeleton', () => {
  it('prints the package version', async () => {
    const result = await runCliCaptured(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('exits 2 on an unknown command', async () => {
    const result = await runCliCaptured(['no-such-command']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /);
  });
});
