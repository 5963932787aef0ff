/** Shapes shared by the benchmark modules and the runner. */
import { cpus, totalmem } from 'node:os';

/** One line of SUMMARY.md. */
export interface BenchRow {
  readonly measure: string;
  readonly product: string;
  readonly baseline: string;
  readonly bound: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean | null;
}

export interface BenchResult {
  readonly name: string;
  readonly seed: number;
  readonly settings: Record<string, unknown>;
  readonly metrics: Record<string, unknown>;
  readonly rows: readonly BenchRow[];
}

export interface Benchmark {
  readonly name: string;
  run(seed: number): Promise<BenchResult>;
}

/** The machine a result was measured on. */
export function machine(): Record<string, unknown> {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The `q`-quantile (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
