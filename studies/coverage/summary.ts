/**
 * The study's summaries — every rule on every analysis of every cell, with the performance
 * measures of src/design/performance.ts (Morris, White & Crowther 2019) — and its markdown tables.
 */
import { isNoEffect, TRUTHS, type Cell } from './design.js';
import type { CombiningRule, Replicates, RuleContext } from './rules.js';
import type { TrialRecord } from './trial.js';
import {
  bias,
  empiricalSd,
  meanOf,
  proportion,
  rmse,
  type Estimate,
} from '../../src/design/performance.js';
import { targetFor, type MarginalEstimand } from '../../src/design/truth.js';

export { bias, empiricalSd, meanOf, proportion, rmse, type Estimate };

/** One rule's intervals for one analysis of one cell. */
export interface RuleSummary {
  readonly rule: string;
  /** Trials the rule applied to. */
  readonly n: number;
  readonly coverage: Estimate;
  /** Share of intervals excluding the null (0 on the log scale): type-I error or power. */
  readonly rejection: Estimate;
  readonly meanSe: Estimate;
  /** Mean interval width on the HR scale, exp(upper) − exp(lower) (RMST: upper − lower, months). */
  readonly width: Estimate;
  /** Share of trials where the rule fell back from its main formula. */
  readonly fallback: number;
  /** Intervals with an infinite limit (left in coverage and rejection, shown apart from width). */
  readonly infinite: number;
}

export interface AnalysisSummary {
  readonly cell: string;
  /** The cell's conditional treatment effect (HR, OR or mean shift). */
  readonly effect: number;
  /** Whether that effect is "none" (HR or OR 1, shift 0): rejections are then type-I errors. */
  readonly noEffect: boolean;
  readonly method: string;
  /** Target on the analysis's combining scale (log HR, log RR, log OR; RMST or risk difference). */
  readonly target: number;
  /** Trials with a result; failed trials are left out of every measure. */
  readonly n: number;
  readonly failed: number;
  /**
   * Trials in which this (secondary) analysis could not be carried out in some replicate and was
   * left out, as the pipeline leaves it out of a run (TrialRecord.notEstimable); not in `n`.
   */
  readonly notEstimable: number;
  /** Of the combined estimate q̄ (on the combining scale); the same for every rule. */
  readonly bias: Estimate;
  readonly empSd: Estimate;
  readonly rmse: Estimate;
  /** Means over trials of ū and b, and (when reported) of ū_control. */
  readonly meanWithin: number;
  readonly meanBetween: number;
  readonly meanWithinControl: number | null;
  readonly rules: readonly RuleSummary[];
}

/** The marginal estimands of each truth under each effect (`targetKey`). */
export type Targets = ReadonlyMap<string, number>;

export function targetKey(truth: string, effect: number, estimand: MarginalEstimand): string {
  return `${truth}:${effect}:${estimand}`;
}

/** Analyses whose combining scale is a log ratio (their widths are reported on the ratio scale). */
const RATIO_METHODS = new Set(['cox-iptw', 'cox-unadjusted', 'cox-adjusted', 'risk-ratio', 'odds-ratio']);

const qbarOf = (r: Replicates): number => r.q.reduce((a, b) => a + b, 0) / r.q.length;

/** The performance of every rule on every analysis of every cell. */
export function summarise(
  records: readonly TrialRecord[],
  cells: readonly Cell[],
  rules: readonly CombiningRule[],
  targets: Targets,
  context: RuleContext,
): AnalysisSummary[] {
  const out: AnalysisSummary[] = [];
  for (const cell of cells) {
    const all = records.filter((r) => r.cell === cell.id);
    const ok = all.filter((r) => r.analyses !== undefined);
    const failed = all.length - ok.length;
    // in order of first appearance: a secondary analysis may be missing from some trials
    const methods = [...new Set(ok.flatMap((r) => Object.keys(r.analyses!)))];
    const marginal = (e: MarginalEstimand): number => targets.get(targetKey(cell.truth, cell.effect, e)) ?? NaN;
    for (const method of methods) {
      const target = targetFor(method, cell.effect, marginal, TRUTHS[cell.truth].effect.none);
      // RMST and the risk difference are differences; the Cox models and RR, OR log ratios
      const ratio = RATIO_METHODS.has(method);
      const reps = ok.flatMap((r) => (r.analyses![method] ? [r.analyses![method]] : []));
      const notEstimable = ok.length - reps.length;
      const qbar = reps.map(qbarOf);
      const within = reps.map((r) => r.u.reduce((a, b) => a + b, 0) / r.u.length);
      const between = reps.map((r, i) => r.q.reduce((a, x) => a + (x - qbar[i]!) ** 2, 0) / (r.q.length - 1));
      const withControl = reps.filter((r) => r.uControl !== undefined);
      const ruleSummaries = rules.map((rule) => {
        const used = reps.filter(rule.applies);
        const iv = used.map((r) => rule.combine(r, context));
        const finite = iv.filter((c) => Number.isFinite(c.lower) && Number.isFinite(c.upper));
        return {
          rule: rule.id,
          n: used.length,
          coverage: Number.isNaN(target)
            ? { value: NaN, mcse: NaN }
            : proportion(iv.filter((c) => c.lower <= target && target <= c.upper).length, iv.length),
          rejection: proportion(iv.filter((c) => c.lower > 0 || c.upper < 0).length, iv.length),
          meanSe: meanOf(iv.map((c) => c.se)),
          width: meanOf(finite.map((c) => (ratio ? Math.exp(c.upper) - Math.exp(c.lower) : c.upper - c.lower))),
          fallback: iv.filter((c) => c.fallback).length / iv.length,
          infinite: iv.length - finite.length,
        };
      });
      out.push({
        cell: cell.id,
        effect: cell.effect,
        noEffect: isNoEffect(cell.truth, cell.effect),
        method,
        target,
        n: reps.length,
        failed,
        notEstimable,
        bias: bias(qbar, target),
        empSd: empiricalSd(qbar),
        rmse: rmse(qbar, target),
        meanWithin: within.reduce((a, b) => a + b, 0) / within.length,
        meanBetween: between.reduce((a, b) => a + b, 0) / between.length,
        meanWithinControl:
          withControl.length === reps.length && reps.length > 0
            ? withControl.reduce((a, r) => a + r.uControl!.reduce((x, y) => x + y, 0) / r.uControl!.length, 0) /
              reps.length
            : null,
        rules: ruleSummaries,
      });
    }
  }
  return out;
}

const pct = (e: Estimate, digits = 1): string =>
  Number.isNaN(e.value) ? '—' : `${(100 * e.value).toFixed(digits)}% (${(100 * e.mcse).toFixed(digits)})`;
const num = (e: Estimate, digits = 3): string =>
  Number.isNaN(e.value) ? '—' : Number.isFinite(e.value) ? `${e.value.toFixed(digits)} (${e.mcse.toFixed(digits)})` : '∞';

function table(head: readonly string[], body: readonly string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((b) => `| ${b.join(' | ')} |`),
  ].join('\n');
}

/** The rule-independent table: what the combined estimate q̄ does, and the variance components. */
export function estimationTable(rows: readonly AnalysisSummary[]): string {
  return table(
    ['cell', 'analysis', 'trials (failed; not estimable)', 'target (HR, RR, OR; RMST, RD: difference)', 'bias (log scale; RMST, RD: difference)', 'emp. SD', 'RMSE', 'mean ū', 'mean b', 'mean ū_C'],
    rows.map((r) => [
      r.cell,
      r.method,
      `${r.n} (${r.failed}${r.notEstimable > 0 ? `; ${r.notEstimable}` : ''})`,
      Number.isNaN(r.target) ? '—' : RATIO_METHODS.has(r.method) ? Math.exp(r.target).toFixed(4) : r.target.toFixed(4),
      num(r.bias, 4),
      num(r.empSd, 4),
      num(r.rmse, 4),
      r.meanWithin.toFixed(5),
      r.meanBetween.toFixed(5),
      r.meanWithinControl === null ? '—' : r.meanWithinControl.toFixed(5),
    ]),
  );
}

/** One row per cell, analysis and rule: coverage, type-I error or power, SE and width. */
export function rulesTable(rows: readonly AnalysisSummary[]): string {
  const body: string[][] = [];
  for (const r of rows)
    for (const s of r.rules.filter((x) => x.n > 0))
      body.push([
        r.cell,
        r.method,
        s.rule,
        pct(s.coverage),
        `${pct(s.rejection)} ${r.noEffect ? 'type I' : 'power'}`,
        `${num(s.meanSe, 4)} vs RMSE ${r.rmse.value.toFixed(4)}`,
        num(s.width) + (s.infinite > 0 ? `, ${s.infinite} ∞` : ''),
        `${(100 * s.fallback).toFixed(0)}%`,
      ]);
  return table(
    ['cell', 'analysis', 'rule', 'coverage (MC SE)', 'reject H0: no effect (MC SE)', 'mean SE (MC SE)', 'mean CI width (MC SE)', 'fallback'],
    body,
  );
}

/** Compact: coverage and rejection of each rule side by side, to choose a rule by. */
export function compareTable(rows: readonly AnalysisSummary[]): string {
  const ids = rows[0]?.rules.map((s) => s.rule) ?? [];
  return table(
    ['cell', 'analysis', ...ids.map((id) => `${id}: coverage / reject`)],
    rows.map((r) => [
      r.cell,
      r.method,
      ...r.rules.map(
        (s) =>
          s.n === 0
            ? '—'
            : `${(100 * s.coverage.value).toFixed(1)} / ${(100 * s.rejection.value).toFixed(1)}`,
      ),
    ]),
  );
}
