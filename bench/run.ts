/**
 * `npm run bench`: runs every benchmark in turn (or those named as arguments), writes
 * `bench/results/<name>.json` for each and `bench/results/SUMMARY.md` for the run.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { machine } from './bench-types.js';

const SEED = Number(process.env.BENCH_SEED ?? 1);
const RESULTS = path.join(import.meta.dirname, 'results');

/**
 * Every benchmark the issues ask for, in run order, by the name its module exports as
 * `benchmark` from `bench/<name>.bench.ts`. A name without a module is listed in SUMMARY.md as
 * not measured, so a missing benchmark is visible rather than silently absent.
 */
const EXPECTED: ReadonlyArray<readonly [name: string, what: string]> = [
  ['sim-throughput', 'simulator raw throughput (AWS and Okta)'],
  ['hook-intake', 'hook intake latency at 200 deliveries/s on SQLite'],
  ['discovery', 'discovery on the generated org (product vs naive vs lower bound of calls)'],
  ['planner-scale', 'planner scale (1,000,000 desired assignments, child process, RSS)'],
  ['apply-throughput', 'apply throughput (1,200 creates vs min(rate budget, 15/L))'],
  ['serve-e2e', 'end-to-end membership change → SUCCEEDED (p50/p95 vs async latency)'],
  [
    'serve-burst',
    'burst of 10,000 events with 20% duplicates and reordering (AWS writes = minimum)',
  ],
  ['lambda-cold-import', 'Lambda bundle cold import time'],
];

async function loadBenchmarks(): Promise<{ found: Benchmark[]; missing: string[] }> {
  const files = new Set(await readdir(import.meta.dirname));
  const found: Benchmark[] = [];
  const missing: string[] = [];
  for (const [name, what] of EXPECTED) {
    const file = `${name}.bench.ts`;
    if (!files.has(file)) {
      missing.push(what);
      continue;
    }
    const module = (await import(pathToFileURL(path.join(import.meta.dirname, file)).href)) as {
      benchmark?: Benchmark;
    };
    if (module.benchmark?.name !== name) {
      throw new Error(`bench/${file} must export \`benchmark\` named '${name}'`);
    }
    found.push(module.benchmark);
  }
  return { found, missing };
}

function cell(value: string): string {
  return value.replaceAll('|', '\\|');
}

async function main(): Promise<void> {
  const { found: benchmarks, missing } = await loadBenchmarks();
  const only = process.argv.slice(2);
  const selected = only.length ? benchmarks.filter((b) => only.includes(b.name)) : benchmarks;
  await mkdir(RESULTS, { recursive: true });
  const host = machine();
  const started = Date.now();
  for (const benchmark of selected) {
    process.stderr.write(`bench ${benchmark.name} …\n`);
    const t0 = performance.now();
    const result: BenchResult = await benchmark.run(SEED);
    const file = path.join(RESULTS, `${benchmark.name}.json`);
    await writeFile(
      file,
      `${JSON.stringify({ ...result, machine: host, wallSeconds: (performance.now() - t0) / 1000, at: new Date().toISOString() }, null, 2)}\n`,
    );
    process.stderr.write(
      `bench ${benchmark.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  // The summary covers every result on disk, so running one benchmark keeps the others' lines.
  const rows: BenchRow[] = [];
  for (const benchmark of benchmarks) {
    const text = await readFile(path.join(RESULTS, `${benchmark.name}.json`), 'utf8').catch(
      () => null,
    );
    if (text) rows.push(...(JSON.parse(text) as BenchResult).rows);
  }
  const lines = [
    '# Benchmark summary',
    '',
    `Seed ${SEED}; ${String(host.cpus)} × ${String(host.model)}, ${(Number(host.memoryBytes) / 2 ** 30).toFixed(1)} GiB, Node ${String(host.node)}. Run took ${((Date.now() - started) / 1000).toFixed(0)} s. See docs/benchmarks.md for definitions.`,
    '',
    '| measure | product | baseline strategy | physical bound | ratio | target | met? |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${cell(r.measure)} | ${cell(r.product)} | ${cell(r.baseline)} | ${cell(r.bound)} | ${cell(r.ratio)} | ${cell(r.target)} | ${r.met === null ? 'n/a' : r.met ? 'yes' : 'no'} |`,
    ),
    '',
    ...(missing.length
      ? ['## Not measured yet', '', ...missing.map((item) => `- ${item}`), '']
      : []),
  ];
  await writeFile(path.join(RESULTS, 'SUMMARY.md'), lines.join('\n'));
}

await main();
