import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../src/cli/test-support/run-cli-captured.js';

describe('okta-aws-sync demo --exit', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plays the whole story offline, every step converging, and leaves a usable config', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-demo-'));
    const result = await runCliCaptured(['demo', '--exit', '--data-dir', dir]);
    expect(result.stderr).not.toMatch(/^error:/m);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out.match(/^ {2}✓ /gm)?.length).toBe(8);
    expect(out).not.toMatch(/^ {2}✗ /m);
    expect(out).toContain('permission set IncidentResponder created');
    expect(out).toMatch(
      /\+ IncidentResponder in 888888888888 for user margaret\.torvalds@example\.com/,
    );
    expect(out).toMatch(
      /- IncidentResponder in 888888888888 for user dennis\.torvalds@example\.com/,
    );
    expect(out).toMatch(/refused, nothing deleted \(21 assignments kept\)/);
    expect(out).toMatch(/AWS API calls: \d+/);
    expect(out).toMatch(/metrics {2}http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(out).toContain('Every step converged.');

    // The demo's config is a real config: it validates, and holds references, not secrets.
    const configPath = path.join(dir, 'okta-aws-sync.yaml');
    const config = await readFile(configPath, 'utf8');
    expect(config).toContain('${env:OKTA_API_TOKEN}');
    expect(config).not.toContain('demo-hook-secret');
    const validated = await runCliCaptured(['--config', configPath, 'config', 'validate'], {
      OKTA_API_TOKEN: 'x',
      OKTA_EVENT_HOOK_SECRET: 'y',
      OKTA_AWS_SYNC_API_TOKEN: 'z',
    });
    expect(validated.code).toBe(0);
  }, 300_000);
});
