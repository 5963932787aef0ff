/**
 * The Lambda bundle evaluates the Okta SDK only when an action needs Okta: the five entitlement
 * actions run in a fresh node process without it, and Plan (which reads the Okta directory)
 * evaluates it.
 *
 * How "evaluated" is observed: inside the bundle the SDK is CommonJS code in esbuild module
 * wrappers (one function per file), so neither require.cache nor the ES loader's hooks see it,
 * and it sets no global. V8's precise coverage does: with NODE_V8_COVERAGE set, node writes at
 * exit the invocation count of every function of the bundle, module wrappers included. The SDK's
 * wrappers are found by a string only its files hold (its package name and repository URL, in
 * its package.json and client.js, both evaluated when the SDK is). Minification renames
 * functions but keeps strings, so the probe does not depend on esbuild's output details; a
 * string outside any function would show up as "evaluated" and fail the first test, and the
 * second test is the control that the probe sees the SDK when it does run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageLambda, type PackageLambdaResult } from '../../src/lambda/package-lambda.js';
import { DEV, startEntitlementsWorld, type EntitlementsWorld } from './entitlements-world.js';

const run = promisify(execFile);

/** Held by the SDK's package.json ("@okta/okta-sdk-nodejs") and client.js (its repository URL). */
const OKTA_SDK_MARKER = 'okta/okta-sdk-nodejs';

interface CoverageRange {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly CoverageRange[] }[];
}

interface ChildRun {
  readonly responses: { ok: boolean; data?: unknown; error?: unknown }[];
  /** For each occurrence of the marker: how often its innermost enclosing function ran. */
  readonly sdkFunctionCalls: number[];
}

let dir: string;
let bundle: PackageLambdaResult;
let bundleText: string;
let env: EntitlementsWorld;

beforeAll(async () => {
  // Outside the repo: the bundle must run without any node_modules to resolve from.
  dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-lambda-lazy-'));
  bundle = await packageLambda({ outDir: path.join(dir, 'bundle') });
  bundleText = await readFile(bundle.bundlePath, 'utf8');
  env = await startEntitlementsWorld();
}, 180_000);
afterAll(async () => {
  await env?.world.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Invokes the bundle's handler with `events` in a fresh node process, under V8 coverage. */
async function runBundle(name: string, events: readonly unknown[]): Promise<ChildRun> {
  const coverageDir = path.join(dir, `coverage-${name}`);
  const script = [
    'const { handler } = await import(process.argv[1]);',
    'const out = [];',
    'for (const event of JSON.parse(process.argv[2])) out.push(await handler(event));',
    'console.log(JSON.stringify(out));',
    'process.exit(0);',
  ].join('\n');
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', script, bundle.bundlePath, JSON.stringify(events)],
    {
      cwd: path.dirname(bundle.bundlePath),
      env: {
        PATH: process.env.PATH ?? '',
        ...env.world.env,
        OKTA_AWS_SYNC_CONFIG: env.world.configPath,
        // The test store is SQLite; Plan otherwise wants PostgreSQL for its Okta cache.
        OKTA_AWS_SYNC_ALLOW_EPHEMERAL_STORE: '1',
        NODE_V8_COVERAGE: coverageDir,
        NODE_PATH: '',
      },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const responses = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildRun['responses'];
  return { responses, sdkFunctionCalls: await markerFunctionCalls(coverageDir) };
}

/** The bundle's coverage in `coverageDir`, and the call count of each marker's function. */
async function markerFunctionCalls(coverageDir: string): Promise<number[]> {
  const bundleUrl = pathToFileURL(bundle.bundlePath).href;
  const scripts: ScriptCoverage[] = [];
  for (const file of await readdir(coverageDir)) {
    const { result } = JSON.parse(await readFile(path.join(coverageDir, file), 'utf8')) as {
      result: ScriptCoverage[];
    };
    scripts.push(...result.filter((script) => script.url === bundleUrl));
  }
  expect(scripts).toHaveLength(1);
  const wholeFunctions = scripts[0]!.functions.map((fn) => fn.ranges[0]!);
  const calls: number[] = [];
  // V8 offsets count UTF-16 code units, as JavaScript string indices do.
  for (let at = bundleText.indexOf(OKTA_SDK_MARKER); at >= 0;) {
    const enclosing = wholeFunctions
      .filter((range) => range.startOffset <= at && at < range.endOffset)
      .sort((a, b) => a.endOffset - a.startOffset - (b.endOffset - b.startOffset));
    const innermost = enclosing[0];
    expect(innermost, `a function around offset ${at}`).toBeDefined();
    // The module's top level (offset 0) runs at import: the marker must sit in a wrapper.
    expect(innermost!.startOffset).toBeGreaterThan(0);
    calls.push(innermost!.count);
    at = bundleText.indexOf(OKTA_SDK_MARKER, at + OKTA_SDK_MARKER.length);
  }
  return calls;
}

describe('Lambda bundle: the Okta SDK is evaluated on first use only', () => {
  it('the bundle holds the SDK (the marker is found)', () => {
    expect(bundleText.split(OKTA_SDK_MARKER).length - 1).toBeGreaterThanOrEqual(2);
  });

  it('the five entitlement actions run without evaluating the Okta SDK', async () => {
    const alice = { principalType: 'USER', principalId: 'alice@example.com' };
    const change = { ...alice, accountId: DEV, permissionSets: ['ReadOnly'] };
    const { responses, sdkFunctionCalls } = await runBundle('entitlements', [
      { action: 'ListInstances' },
      { action: 'AddEntitlements', input: change },
      { action: 'ListEntitlements', input: alice },
      { action: 'RemoveEntitlements', input: change },
      { action: 'RemoveAllEntitlements', input: alice },
    ]);
    expect(responses.map((response) => response.ok)).toEqual([true, true, true, true, true]);
    expect(JSON.stringify(responses[1])).toContain('"created"');
    expect(JSON.stringify(responses[3])).toContain('"deleted"');
    expect(sdkFunctionCalls.length).toBeGreaterThanOrEqual(2);
    expect(sdkFunctionCalls).toEqual(sdkFunctionCalls.map(() => 0));
  }, 90_000);

  it('Plan, which reads Okta, evaluates it (the probe sees the SDK when it runs)', async () => {
    const { responses, sdkFunctionCalls } = await runBundle('plan', [{ action: 'Plan' }]);
    expect(responses[0]).toMatchObject({ ok: true, data: { plan: expect.any(Object) } });
    expect(sdkFunctionCalls.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...sdkFunctionCalls)).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
