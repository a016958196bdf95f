/**
 * Pooling over the m replicates: each analysis combined on its combining scale with the rules
 * for fully synthetic data (Raghunathan, Reiter & Rubin 2003) — `combine()` is the one place that
 * does it — and the replicates' balance tables and warnings gathered into one of each.
 */
import type { BalanceRowResult, CombinedAnalysis, Results, Warning } from '../results.js';
import { combineSynthetic } from '../stats/combine.js';
import type { AnalysisEstimate } from './analyses.js';
import type { PreparedRun } from './prepare.js';
import type { ReplicateOutput } from './replicate.js';

/** Combines one analysis over the replicates on its combining scale. */
export function combine(
  key: string,
  name: string,
  per: readonly AnalysisEstimate[],
  confLevel: number,
  warnings: Warning[],
): CombinedAnalysis {
  const first = per[0]!;
  // The treated arm is real and the same in every replicate: its variance is in ū but not in b,
  // so the total variance is floored at ū (docs/validation.md).
  const c = combineSynthetic(
    per.map((a) => a.q),
    per.map((a) => a.u),
    { confLevel, floor: 'within' },
  );
  // The floor is the rule here, not a caveat: results.combining says which variance was used.
  for (const w of c.warnings) {
    if (w.code === 'within-floor' || w.code === 'nonpositive-variance') continue;
    warnings.push({ ...w, source: key, message: `${name}: ${w.message}` });
  }
  const ratio =
    first.measure === 'hazard-ratio' ||
    first.measure === 'risk-ratio' ||
    first.measure === 'odds-ratio';
  const back = ratio ? Math.exp : (x: number) => x;
  const ess = per.every((a) => a.ess)
    ? {
        treated: per.reduce((s, a) => s + a.ess!.treated, 0) / per.length,
        control: per.reduce((s, a) => s + a.ess!.control, 0) / per.length,
      }
    : null;
  return {
    key,
    name,
    measure: first.measure,
    method: first.method,
    details: first.details,
    confLevel,
    estimate: back(c.estimate),
    lower: back(c.lower),
    upper: back(c.upper),
    logEstimate: c.estimate,
    ...(first.measure === 'hazard-ratio' ? { hr: back(c.estimate), logHr: c.estimate } : {}),
    se: c.se,
    df: Number.isFinite(c.df) ? c.df : null,
    p: c.p,
    combining: {
      method: c.method,
      m: c.m,
      between: c.between,
      within: c.within,
      totalVariance: c.totalVariance,
    },
    replicates: per.map((a) => ({ estimate: a.estimate, lower: a.lower, upper: a.upper, p: a.p })),
    ess,
  };
}

/**
 * Every analysis of the plan combined over the replicates, in plan order. An analysis that failed
 * in some replicate (only a secondary one can) is left out with a warning.
 */
export function combineAnalyses(
  analyses: PreparedRun['analyses'],
  replicates: readonly ReplicateOutput[],
  confLevel: number,
  warnings: Warning[],
): CombinedAnalysis[] {
  const combined: CombinedAnalysis[] = [];
  analyses.forEach((a, k) => {
    const failures = replicates.flatMap((r) =>
      r.failed.filter((f) => f.key === a.key).map((f) => ({ r: r.index, ...f })),
    );
    if (failures.length > 0) {
      warnings.push({
        code: 'analysis-not-estimable',
        source: a.key,
        message: `${a.name} could not be carried out in ${failures.length} of ${replicates.length} replicates and is not reported (e.g. replicate ${failures[0]!.r}: ${failures[0]!.message})`,
      });
      return;
    }
    const per = replicates.map((r) => r.analyses[k]!);
    combined.push(combine(a.key, a.name, per, confLevel, warnings));
  });
  return combined;
}

/** Averages the replicates' balance tables (the same covariates in every replicate). */
export function combineBalance(
  replicates: readonly ReplicateOutput[],
  weighted: boolean,
  estimand: string,
): Results['balance'] {
  const tables = replicates.map((r) => r.balance).filter((b) => b !== null);
  const hists = replicates.map((r) => r.analyses[0]!.scoreHistogram).filter((h) => h !== undefined);
  const average = (pick: (h: (typeof hists)[number]) => number[]): number[] =>
    pick(hists[0]!).map((_, b) => hists.reduce((s, h) => s + pick(h)[b]!, 0) / hists.length);
  const propensity =
    hists.length > 0 && hists.length === replicates.length
      ? {
          breaks: Array.from({ length: 21 }, (_, k) => k / 20),
          treated: average((h) => h.treated),
          control: average((h) => h.control),
        }
      : null;
  if (tables.length === 0) {
    return {
      method: 'cobalt',
      estimand,
      weighted,
      threshold: 0.1,
      maxAbsSmd: 0,
      rows: [],
      propensity,
    };
  }
  const mean = (xs: (number | null)[]): number | null =>
    xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + x!, 0) / xs.length;
  const threshold = tables[0]!.threshold;
  const rows: BalanceRowResult[] = tables[0]!.rows.map((row, j) => {
    const col = tables.map((t) => t.rows[j]!);
    const smdAfter = weighted ? mean(col.map((r) => r.diff)) : null;
    const smdBefore = mean(col.map((r) => r.diffUnadjusted));
    const shown = weighted ? smdAfter : smdBefore;
    return {
      name: row.name,
      type: row.type,
      meanTreated: mean(col.map((r) => r.mean1Unadjusted))!,
      meanControl: mean(col.map((r) => r.mean0Unadjusted))!,
      smdBefore,
      smdAfter,
      varianceRatioBefore: mean(col.map((r) => r.varianceRatioUnadjusted)),
      varianceRatioAfter: weighted ? mean(col.map((r) => r.varianceRatio)) : null,
      flagged: shown !== null && Math.abs(shown) >= threshold,
    };
  });
  const maxAbsSmd = rows.reduce(
    (m, r) => Math.max(m, Math.abs((weighted ? r.smdAfter : r.smdBefore) ?? 0)),
    0,
  );
  return { method: 'cobalt', estimand, weighted, threshold, maxAbsSmd, rows, propensity };
}

/**
 * One warning per (code, source) over all replicates, saying in how many replicates it arose;
 * when the messages differ (e.g. numbers), the first replicate's is shown as an example.
 */
export function aggregateWarnings(replicates: readonly ReplicateOutput[]): Warning[] {
  const groups = new Map<string, { w: Warning; first: number; count: number; same: boolean }>();
  for (const r of replicates) {
    const seen = new Set<string>();
    for (const w of r.warnings) {
      const key = `${w.code}\u0000${w.source ?? ''}`;
      const g = groups.get(key);
      if (!g) groups.set(key, { w, first: r.index, count: 1, same: true });
      else {
        if (!seen.has(key)) g.count++;
        if (g.w.message !== w.message) g.same = false;
      }
      seen.add(key);
    }
  }
  const m = replicates.length;
  return [...groups.values()].map(({ w, first, count, same }) => ({
    ...w,
    message: same
      ? `${w.message} (in ${count} of ${m} replicates)`
      : `in ${count} of ${m} replicates, e.g. replicate ${first}: ${w.message}`,
  }));
}
