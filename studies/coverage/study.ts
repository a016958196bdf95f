/**
 * The coverage study as a library: the trials of the selected cells, run in this thread or split
 * over worker threads (trial groups are dealt round-robin; each group's numbers depend only on the
 * seed, the cell and the trial index, so the results do not depend on `workers`), the estimands,
 * and the summaries of every combining rule.
 */
import { Worker } from 'node:worker_threads';
import { createStream } from '../../src/random/index.js';
import { isNoEffect, TRUTHS, type Cell } from './design.js';
import type { CombiningRule } from './rules.js';
import { summarise, targetKey, type AnalysisSummary } from './summary.js';
import {
  createContext,
  runTrialGroup,
  type TrialOptions,
  type TrialRecord,
  type TruthContext,
} from './trial.js';
import { marginalEstimands } from '../../src/design/truth.js';

export interface StudyOptions extends TrialOptions {
  readonly trials: number;
  /** Run only this trial index (to reproduce a failure); otherwise 0 … trials − 1. */
  readonly trial?: number;
  readonly workers: number;
  readonly cells: readonly Cell[];
  readonly confLevel: number;
  /** Patients an arm of the one large trial that gives each marginal estimand. */
  readonly estimandN: number;
}

/** Trial t of the cells that share a truth and registry size (one registry fit serves them). */
export interface TrialGroup {
  readonly truth: Cell['truth'];
  readonly registryN: number | null;
  readonly trial: number;
  readonly cells: readonly string[];
}

export function trialGroups(cells: readonly Cell[], trials: readonly number[]): TrialGroup[] {
  const keys = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = `${c.truth}:${c.registryN}`;
    keys.set(k, [...(keys.get(k) ?? []), c]);
  }
  const groups: TrialGroup[] = [];
  for (const trial of trials)
    for (const cs of keys.values())
      groups.push({
        truth: cs[0]!.truth,
        registryN: cs[0]!.registryN,
        trial,
        cells: cs.map((c) => c.id),
      });
  return groups;
}

/** Runs trial groups in this thread; contexts are loaded once per truth. */
export function runGroups(
  groups: readonly TrialGroup[],
  cells: readonly Cell[],
  options: TrialOptions,
  onRecords: (rs: TrialRecord[]) => void,
): void {
  const contexts = new Map<string, TruthContext>();
  for (const g of groups) {
    let ctx = contexts.get(g.truth);
    if (ctx === undefined) {
      ctx = createContext(g.truth, cells, options);
      contexts.set(g.truth, ctx);
    }
    const mine = g.cells.map((id) => cells.find((c) => c.id === id)!);
    onRecords(runTrialGroup(ctx, mine, g.trial, options));
  }
}

/**
 * The marginal estimands of each (truth, effect ≠ 1) the cells need, keyed by `targetKey`;
 * computed once each.
 */
export function computeTargets(
  cells: readonly Cell[],
  options: Pick<StudyOptions, 'seed' | 'estimandN' | 'root' | 'truthMode' | 'replicates' | 'parameterUncertainty'>,
): Map<string, { estimate: number; se: number }> {
  const out = new Map<string, { estimate: number; se: number }>();
  const done = new Set<string>();
  const contexts = new Map<string, TruthContext>();
  for (const c of cells) {
    const key = `${c.truth}:${c.effect}`;
    if (isNoEffect(c.truth, c.effect) || done.has(key)) continue;
    done.add(key);
    let ctx = contexts.get(c.truth);
    if (ctx === undefined) {
      ctx = createContext(c.truth, cells, { ...options });
      contexts.set(c.truth, ctx);
    }
    // A stream of its own (3), so the estimand is the same whatever cells or trials run.
    const stream = createStream(options.seed, 3, Math.round(c.effect * 1e6));
    const values = marginalEstimands(
      ctx.truth,
      ctx.design,
      c.effect,
      options.estimandN,
      stream,
      TRUTHS[c.truth].effect.none,
    );
    for (const [estimand, v] of Object.entries(values))
      out.set(targetKey(c.truth, c.effect, estimand as keyof typeof values), v);
  }
  return out;
}

export interface StudyResult {
  readonly records: TrialRecord[];
  readonly targets: Map<string, { estimate: number; se: number }>;
  readonly seconds: number;
}

type WorkerMessage = { type: 'records'; records: TrialRecord[] } | { type: 'error'; message: string };

/** Runs the study; `onProgress(done, total)` after each trial group. */
export async function runStudy(
  options: StudyOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<StudyResult> {
  const trials =
    options.trial !== undefined
      ? [options.trial]
      : Array.from({ length: options.trials }, (_, t) => t);
  const groups = trialGroups(options.cells, trials);
  const targets = computeTargets(options.cells, options);
  const started = performance.now();
  const records: TrialRecord[] = [];
  let done = 0;
  const take = (rs: TrialRecord[]): void => {
    records.push(...rs);
    onProgress?.(++done, groups.length);
  };
  const trialOptions: TrialOptions = {
    seed: options.seed,
    replicates: options.replicates,
    truthMode: options.truthMode,
    parameterUncertainty: options.parameterUncertainty,
    root: options.root,
    ...(options.methods ? { methods: options.methods } : {}),
    ...(options.covariance ? { covariance: options.covariance } : {}),
    ...(options.adjustedEffects ? { adjustedEffects: options.adjustedEffects } : {}),
    ...(options.covariateCheck ? { covariateCheck: true } : {}),
  };
  const workers = Math.min(options.workers, groups.length);
  if (workers <= 1) runGroups(groups, options.cells, trialOptions, take);
  else {
    const script = new URL('./worker.js', import.meta.url);
    await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const mine = groups.filter((_, i) => i % workers === w);
        return new Promise<void>((res, rej) => {
          const worker = new Worker(script, {
            workerData: { groups: mine, cells: options.cells, options: trialOptions },
          });
          worker.on('message', (msg: WorkerMessage) =>
            msg.type === 'records' ? take(msg.records) : rej(new Error(msg.message)),
          );
          worker.on('error', rej);
          worker.on('exit', (code) =>
            code === 0 ? res() : rej(new Error(`worker ${w} exited with code ${code}`)),
          );
        });
      }),
    );
  }
  const order = new Map(options.cells.map((c, k) => [c.id, k]));
  records.sort((a, b) => order.get(a.cell)! - order.get(b.cell)! || a.trial - b.trial);
  return { records, targets, seconds: (performance.now() - started) / 1000 };
}

/** The summaries of a finished study. */
export function summariseStudy(
  result: StudyResult,
  options: StudyOptions,
  rules: readonly CombiningRule[],
): AnalysisSummary[] {
  const marginal = new Map([...result.targets].map(([k, v]) => [k, v.estimate]));
  return summarise(result.records, options.cells, rules, marginal, {
    confLevel: options.confLevel,
    parameterUncertainty: options.parameterUncertainty,
  });
}

export { TRUTHS };
export type { WorkerMessage };
