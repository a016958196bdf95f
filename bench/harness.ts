/**
 * Benchmark harness: medians of repeated runs, and the same work timed in R on the same data in
 * the same run when `Rscript` is on the PATH. Inputs are built before the timer; each result is
 * kept in a sink so the work cannot be optimised away.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchResult {
  name: string;
  /** Median wall time of our implementation in milliseconds. */
  medianMs: number;
  runs: number;
  /** Median wall time in R, when measured. */
  rMedianMs?: number;
  /** rMedianMs / medianMs: how many times faster we are. */
  speedup?: number;
  /** Peak extra heap + array buffers observed during our runs, in MiB, when measured. */
  peakMiB?: number;
  note?: string;
}

const sink: unknown[] = [];

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Times `fn` `runs` times after one warm-up; returns the median in ms. */
export function timeIt(fn: () => unknown, runs = 5): number {
  sink.push(fn());
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    sink.push(fn());
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (sink.length > 8) sink.length = 0;
  }
  return median(times);
}

export function hasR(): boolean {
  return spawnSync('Rscript', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Writes columns as a CSV into a fresh temp directory; returns its path and a cleanup. */
export function writeCsv(columns: Record<string, ArrayLike<number>>): {
  file: string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ecasim-bench-'));
  const names = Object.keys(columns);
  const n = columns[names[0]!]!.length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => columns[k]![i]).join(','));
  const file = join(dir, 'data.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Times an R expression on a data frame `d` read from `csvFile` (reading is not timed):
 * returns the median of `runs` elapsed times in ms, or undefined without R.
 */
export function timeR(csvFile: string, expr: string, runs = 3, setup = ''): number | undefined {
  if (!hasR()) return undefined;
  const code = `
suppressPackageStartupMessages(library(survival))
d <- read.csv(${JSON.stringify(csvFile)})
${setup}
invisible(${expr})
ts <- replicate(${runs}, system.time(invisible(${expr}))[["elapsed"]])
cat(median(ts) * 1000)
`;
  const out = execFileSync('Rscript', ['-e', code], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return Number(out.trim().split(/\s+/).pop());
}

export function report(results: BenchResult[]): void {
  for (const r of results) {
    const parts = [
      `${r.name.padEnd(48)} median ${r.medianMs.toFixed(1).padStart(9)} ms (${r.runs} runs)`,
    ];
    if (r.rMedianMs !== undefined) {
      parts.push(
        `R ${r.rMedianMs.toFixed(1)} ms`,
        `ratio ${(r.rMedianMs / r.medianMs).toFixed(1)}x faster`,
      );
    }
    if (r.peakMiB !== undefined) parts.push(`peak ${r.peakMiB.toFixed(0)} MiB`);
    if (r.note) parts.push(r.note);
    console.log(parts.join('  '));
  }
}
