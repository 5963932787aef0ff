/**
 * Lambda cold import: the bundle `lambda package` builds (src/lambda/package-lambda.ts), imported
 * by a fresh `node` process as Lambda's Node runtime imports the handler module, N times. Each
 * child measures the dynamic import with performance.now() and reports how long after its own
 * start the handler was ready; the parent measures the child's whole wall time (spawn → exit).
 *
 * Baseline: the same handler unbundled, as a deployment of the TypeScript build output would ship
 * it: every src file transpiled on its own to JS (what tsc emits, without the type check) and its
 * dependencies resolved from node_modules. Physical bound: `node -e ''`, a process that imports
 * nothing. Runs of the three kinds are interleaved, so machine load spreads evenly over them; one
 * warm-up run of each is discarded, so all read from a warm page cache.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { packageLambda, ZIP_BUDGET_BYTES } from '../src/lambda/package-lambda.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { quantile } from './bench-types.js';

const RUNS = 15;
/** Lambda's limit on the init phase (module import included) of an on-demand function. */
const INIT_LIMIT_MS = 10_000;
const ROOT = path.resolve(import.meta.dirname, '..');
/** Under node_modules so that the unbundled build resolves its dependencies as dist/ would. */
const UNBUNDLED_DIR = path.join(ROOT, 'node_modules/.cache/okta-aws-sync-bench/unbundled');

/** The child: import the module, print import time and time since process start, exit. */
const CHILD = [
  'const url = process.argv[1];',
  'const start = performance.now();',
  'const mod = await import(url);',
  'const end = performance.now();',
  "if (typeof mod.handler !== 'function') throw new Error('no handler export');",
  'process.stdout.write(JSON.stringify({ importMs: end - start, readyMs: end }));',
  'process.exit(0);',
].join('\n');

interface Run {
  /** The dynamic import alone, inside the child. */
  readonly importMs: number;
  /** From the child's time origin (process start) to the handler imported. */
  readonly readyMs: number;
  /** Spawn → exit, measured by the parent. */
  readonly wallMs: number;
}

function runChild(args: readonly string[]): Promise<{ stdout: string; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code === 0) resolve({ stdout, wallMs });
      else reject(new Error(`child exited ${String(code)}: ${stderr.trim().split('\n')[0] ?? ''}`));
    });
  });
}

async function importRun(modulePath: string): Promise<Run> {
  const { stdout, wallMs } = await runChild([
    '--input-type=module',
    '-e',
    CHILD,
    pathToFileURL(modulePath).href,
  ]);
  const reported = JSON.parse(stdout) as { importMs: number; readyMs: number };
  return { ...reported, wallMs };
}

async function emptyRun(): Promise<Run> {
  const { wallMs } = await runChild(['-e', '']);
  return { importMs: 0, readyMs: 0, wallMs };
}

/** Every non-test src file transpiled on its own (ESM, node20), as the TypeScript build would. */
async function buildUnbundled(): Promise<string> {
  const esbuild = await import('esbuild');
  const src = path.join(ROOT, 'src');
  const entries = (await readdir(src, { recursive: true }))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .filter((f) => !f.split(path.sep).includes('test-support'))
    .map((f) => path.join(src, f));
  await rm(UNBUNDLED_DIR, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries,
    outdir: path.join(UNBUNDLED_DIR, 'src'),
    outbase: src,
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'silent',
  });
  return path.join(UNBUNDLED_DIR, 'src/lambda/handler.js');
}

function stats(runs: readonly Run[], key: keyof Run): { p50: number; p95: number } {
  const values = runs.map((r) => r[key]);
  return { p50: quantile(values, 0.5), p95: quantile(values, 0.95) };
}

const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const pair = (s: { p50: number; p95: number }): string => `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}`;

export const benchmark: Benchmark = {
  name: 'lambda-cold-import',
  async run(seed: number): Promise<BenchResult> {
    const out = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-bench-lambda-'));
    try {
      const buildStarted = performance.now();
      const pkg = await packageLambda({ outDir: out });
      const bundleBuildMs = performance.now() - buildStarted;
      const unbundled = await buildUnbundled();

      // Warm-up, discarded: the first read of each file set fills the page cache.
      await importRun(pkg.bundlePath);
      await importRun(unbundled);
      await emptyRun();
      const bundleRuns: Run[] = [];
      const unbundledRuns: Run[] = [];
      const emptyRuns: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        bundleRuns.push(await importRun(pkg.bundlePath));
        unbundledRuns.push(await importRun(unbundled));
        emptyRuns.push(await emptyRun());
      }

      const bundleImport = stats(bundleRuns, 'importMs');
      const unbundledImport = stats(unbundledRuns, 'importMs');
      const bundleReady = stats(bundleRuns, 'readyMs');
      const unbundledReady = stats(unbundledRuns, 'readyMs');
      const bundleWall = stats(bundleRuns, 'wallMs');
      const unbundledWall = stats(unbundledRuns, 'wallMs');
      const emptyWall = stats(emptyRuns, 'wallMs');
      const baselineLabel = 'unbundled JS + node_modules';

      return {
        name: 'lambda-cold-import',
        seed,
        settings: {
          runs: RUNS,
          warmUpRunsDiscarded: 1,
          interleaved: true,
          child: 'node --input-type=module -e <dynamic import of the handler module>',
          baseline:
            'src transpiled file by file (esbuild, no bundling, like tsc output) under node_modules/.cache, dependencies from node_modules',
          bound: "node -e ''",
          initLimitMs: INIT_LIMIT_MS,
          zipBudgetBytes: ZIP_BUDGET_BYTES,
        },
        metrics: {
          bundleBytes: pkg.bundleBytes,
          zipBytes: pkg.zipBytes,
          bundleBuildMs,
          bundle: { import: bundleImport, ready: bundleReady, wall: bundleWall },
          unbundled: { import: unbundledImport, ready: unbundledReady, wall: unbundledWall },
          empty: { wall: emptyWall },
          runs: { bundle: bundleRuns, unbundled: unbundledRuns, empty: emptyRuns },
        },
        rows: [
          {
            measure: `Lambda handler import in a fresh node (dynamic import, ${RUNS} runs)`,
            product: `bundle: ${pair(bundleImport)}`,
            baseline: `${baselineLabel}: ${pair(unbundledImport)}`,
            bound: 'importing nothing: 0 ms',
            ratio: `${(bundleImport.p95 / INIT_LIMIT_MS).toFixed(3)} (p95 ÷ 10 s init limit)`,
            target: 'none set (issue 8: reported); Lambda init limit 10 s',
            met: bundleImport.p95 < INIT_LIMIT_MS,
          },
          {
            measure: `Lambda cold process: spawn → handler imported → exit (${RUNS} runs)`,
            product: `bundle: ${pair(bundleWall)}`,
            baseline: `${baselineLabel}: ${pair(unbundledWall)}`,
            bound: `node -e '': ${pair(emptyWall)}`,
            ratio: `${(bundleWall.p50 / emptyWall.p50).toFixed(2)}× the bound (p50)`,
            target: 'none set (issue 8: reported)',
            met: null,
          },
          {
            measure: 'Lambda function.zip size',
            product: `${(pkg.zipBytes / 2 ** 20).toFixed(2)} MiB (bundle ${(pkg.bundleBytes / 2 ** 20).toFixed(2)} MiB)`,
            baseline: '',
            bound: '',
            ratio: `${(pkg.zipBytes / ZIP_BUDGET_BYTES).toFixed(2)} (÷ budget)`,
            target: '< 5 MiB zipped',
            met: pkg.zipBytes < ZIP_BUDGET_BYTES,
          },
        ],
      };
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
};
