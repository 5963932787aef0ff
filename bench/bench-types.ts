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

/**
 * Runs `worker` from `concurrency` loops for `durationMs` and returns completed calls per second
 * (errors are counted separately so a failing target cannot look fast).
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  worker: () => Promise<void>,
): Promise<{ ok: number; errors: number; seconds: number; perSecond: number }> {
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await worker();
          ok++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ok, errors, seconds, perSecond: ok / seconds };
}
