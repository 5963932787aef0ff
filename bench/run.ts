/**
 * `npm run bench`: runs every benchmark in turn (or those named as arguments), writes
 * `bench/results/<name>.json` for each and `bench/results/SUMMARY.md` for the run.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { machine } from './bench-types.js';
import { hookIntakeBenchmark } from './hook-intake.bench.js';
import { simThroughputBenchmark } from './sim-throughput.bench.js';

const SEED = Number(process.env.BENCH_SEED ?? 1);
const RESULTS = path.join(import.meta.dirname, 'results');

const benchmarks: readonly Benchmark[] = [simThroughputBenchmark, hookIntakeBenchmark];

/** Benchmarks the issue asks for that this suite does not measure yet. */
const NOT_YET = [
  'discovery on the generated org (product vs naive vs lower bound of calls)',
  'planner scale (1,000,000 desired assignments, child process, RSS)',
  'apply throughput (1,200 creates vs min(rate budget, 15/L))',
  'end-to-end membership change → SUCCEEDED (p50/p95 vs async latency)',
  'burst of 10,000 events with 20% duplicates and reordering (AWS writes = minimum)',
  'Lambda bundle cold import time',
];

function cell(value: string): string {
  return value.replaceAll('|', '\\|');
}

async function main(): Promise<void> {
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
    '## Not measured yet',
    '',
    ...NOT_YET.map((item) => `- ${item}`),
    '',
  ];
  await writeFile(path.join(RESULTS, 'SUMMARY.md'), lines.join('\n'));
}

await main();
