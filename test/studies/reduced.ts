/**
 * The reduced coverage studies of `npm test` (coverage*.test.ts) share this: one cell of the
 * grid, a fixed seed, m = 10, truth fixed, parameter uncertainty on, 95% intervals; the trials
 * run in-process and must all succeed, and each analysis is summarised under the rules named.
 */
import { grid, selectCells } from '../../studies/coverage/design.js';
import { selectRules } from '../../studies/coverage/rules.js';
import { runStudy, summariseStudy, type StudyOptions } from '../../studies/coverage/study.js';
import type { AnalysisSummary } from '../../studies/coverage/summary.js';

export interface ReducedStudy {
  readonly cell: string;
  readonly trials: number;
  readonly seed: number;
  /** Only these analyses (default: every assessed one of the protocol). */
  readonly methods?: readonly string[];
  /** Comma-separated rule ids. */
  readonly rules: string;
}

/** Runs the study and returns its summaries, one per analysis; expects no failed trial. */
export async function runReduced(study: ReducedStudy): Promise<AnalysisSummary[]> {
  const options: StudyOptions = {
    trials: study.trials,
    replicates: 10,
    ...(study.methods ? { methods: study.methods } : {}),
    seed: study.seed,
    workers: 1,
    cells: selectCells(grid('fixed'), study.cell),
    truthMode: 'fixed',
    parameterUncertainty: true,
    confLevel: 0.95,
    estimandN: 20_000,
    root: process.cwd(),
  };
  const result = await runStudy(options);
  expect(result.records.filter((r) => r.error !== undefined).map((r) => r.error)).toEqual([]);
  return summariseStudy(result, options, selectRules(study.rules));
}

/** Rejections of H0 by rule `id` in a summary (its rate times its trials). */
export function rejections(row: AnalysisSummary, id: string): number {
  const r = row.rules.find((x) => x.rule === id)!;
  return Math.round(r.rejection.value * r.n);
}
