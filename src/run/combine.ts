/**
 * Pooling over the m replicates: each analysis combined on its combining scale with the rule for
 * a real treated arm against synthetic arms from a finite registry (combineExternalControl,
 * docs/combining.md) — `combine()` is the one place that does it — and the replicates' balance
 * tables and warnings gathered into one of each.
 */
import type { BalanceRowResult, CombinedAnalysis, Results, Warning } from '../results.js';
import {
  combineExternalControl,
  combineRiskDifference,
  monteCarloPlan,
  twinControlVariance,
} from '../stats/combine.js';
import { AnalysisError } from '../errors.js';
import type { AnalysisEstimate } from './analyses.js';
import type { PreparedRun } from './prepare.js';
import type { ReplicateOutput } from './replicate.js';

/** How the replicates are combined: the registry's information and the synthetic arms' size. */
export interface CombineSettings {
  confLevel: number;
  /** The replicates drew the model parameters from their posterior. */
  parameterUncertainty: boolean;
  /** Patients in each synthetic arm; null in twin mode (one twin per treated patient, fixed). */
  controlSize: number | null;
}

/** Why the pipeline combines as it does, for results.json and the dossier. */
const COMBINING_RULE =
  'the real treated arm is the same in every replicate and the synthetic arms come from a model ' +
  'estimated from a finite registry, so the variance is split into the treated arm (ū_T), the ' +
  "registry (V̂_P = max(0, b − ū_C)) and Monte-Carlo noise ((ū_C + V̂_P)/m), with each replicate's " +
  'variance divided between the arms by its influence functions (docs/combining.md). Chosen over ' +
  "Raghunathan–Reiter–Rubin's T (never positive here), ū (misses the registry's error and counts " +
  'the synthetic noise in full) and ū − (1 − 1/m)·b (drops the registry) by the coverage study ' +
  'in docs/validation.md. In twin mode the control part is the variance over replicates of each ' +
  "pair's control-twin influence (twins share their patient's covariates, which are the same in " +
  'every replicate).';

/** Added to the rule where the analysis reports the treated part's degrees of freedom. */
const TREATED_DF =
  "The t reference counts that ū_T is itself estimated from the treated patients (Satterthwaite's " +
  'sum with ν_T = 2·d₁ for a hazard ratio, n₁ − 1 for an RMST or mean difference): with tens of ' +
  'treated patients the normal reference was up to 1 point liberal (docs/combining.md).';

/** How a risk difference's interval is formed, for results.json and the dossier. */
const HYBRID_LIMITS =
  "The risk difference's interval and p are Newcombe's (1998) hybrid score construction, as a " +
  "single analysis's: the treated arm's Wilson limits with the combined control proportion's " +
  "t limits from its part of T, (1 + 1/m)·V̂_P + ū_C/m (df is that part's); q̄ ± t·√T with " +
  "the treated arm's Wald variance was 1–2 points liberal for arms of tens of patients " +
  '(docs/validation.md).';

/**
 * Each replicate's control-arm part of its variance, as the combining rule uses it: the
 * analysis's own split (`uControl`), or in twin mode, where every replicate reports its pairs'
 * control influences, the twin arm's Monte-Carlo variance estimated across the replicates
 * (`twinControlVariance`), the same for every replicate (at most its variance).
 */
export function controlVariances(per: readonly AnalysisEstimate[]): number[] {
  const influence = per.map((a) => a.controlInfluence);
  if (per.length < 2 || influence.some((d) => d === undefined)) return per.map((a) => a.uControl);
  const vc = twinControlVariance(influence as Float64Array[]);
  return per.map((a) => Math.min(a.u, vc));
}

/**
 * ν_T of the treated arm's part of the variance: the replicates' mean (the same treated patients
 * in each; only balancing weights other than ATT's make it vary); Infinity when the analysis
 * reports none (or when it is not positive, e.g. no treated event under trimming).
 */
export function meanTreatedDf(per: readonly AnalysisEstimate[]): number {
  let sum = 0;
  for (const a of per) {
    if (a.treatedDf === undefined || !(a.treatedDf > 0)) return Infinity;
    sum += a.treatedDf;
  }
  return sum / per.length;
}

/** The combining settings of a run. */
export function combineSettings(prepared: PreparedRun, confLevel: number): CombineSettings {
  return {
    confLevel,
    parameterUncertainty: prepared.loaded.protocol.control.parameterUncertainty,
    controlSize: prepared.twin !== null ? null : prepared.controlSize,
  };
}

type Detail = string | number | boolean | null;

/**
 * One analysis's details over its replicates, so that results.json never shows replicate 1's
 * values beside pooled estimates: a flag holds when it holds in every replicate (`converged`
 * false if any replicate did not converge); a number or text the replicates share is kept; a
 * number that varies is their mean, with `<key>Min` and `<key>Max`; text that varies lists the
 * distinct values ("a | b"). `pooled` says over how many replicates.
 */
export function poolDetails(
  per: readonly Readonly<Record<string, Detail>>[],
): Record<string, Detail> {
  const out: Record<string, Detail> = {};
  const keys = [...new Set(per.flatMap((d) => Object.keys(d)))];
  for (const key of keys) {
    const values = per.map((d) => (key in d ? d[key]! : null));
    const distinct = [...new Set(values)];
    if (distinct.length === 1) {
      out[key] = distinct[0]!;
      continue;
    }
    if (values.every((v) => typeof v === 'boolean' || v === null)) {
      out[key] = values.every((v) => v === true);
    } else if (values.every((v) => typeof v === 'number' || v === null)) {
      const nums = values.filter((v): v is number => typeof v === 'number');
      out[key] = nums.reduce((a, b) => a + b, 0) / nums.length;
      out[`${key}Min`] = Math.min(...nums);
      out[`${key}Max`] = Math.max(...nums);
    } else {
      out[key] = distinct.map((v) => String(v)).join(' | ');
    }
  }
  out['pooled'] = `over ${per.length} replicate${per.length === 1 ? '' : 's'}`;
  return out;
}

/** exp of a log-scale limit overflows beyond this (e^709.78 is the largest double). */
const MAX_LOG_LIMIT = 709;

/**
 * A combined interval that cannot be reported: a limit beyond every number on the reporting scale
 * (a log-scale limit above 709), which only a near-degenerate fit gives (an SE in the hundreds on
 * the log scale: a monotone likelihood, e.g. a level without events in one arm).
 */
function requireBounded(
  name: string,
  measure: string,
  c: { estimate: number; lower: number; upper: number; se: number },
): void {
  const ratio = measure === 'hazard-ratio' || measure === 'risk-ratio' || measure === 'odds-ratio';
  const worst = Math.max(Math.abs(c.lower), Math.abs(c.upper), Math.abs(c.estimate));
  if (Number.isFinite(worst) && (!ratio || worst <= MAX_LOG_LIMIT)) return;
  throw new AnalysisError(
    `${name}: the combined interval is unbounded (estimate ${c.estimate.toPrecision(4)}, SE ${c.se.toPrecision(4)} on the combining scale): the model is near-degenerate in the replicates`,
    {
      hint: 'a coefficient is running off to infinity (monotone likelihood), e.g. a covariate level with no events in one arm; drop or merge that covariate, or leave this analysis out',
    },
  );
}

/** Combines one analysis over the replicates on its combining scale. */
export function combine(
  key: string,
  name: string,
  per: readonly AnalysisEstimate[],
  settings: CombineSettings,
): CombinedAnalysis {
  const first = per[0]!;
  const { confLevel, parameterUncertainty, controlSize } = settings;
  const uControl = controlVariances(per);
  const args = [per.map((a) => a.q), per.map((a) => a.u), uControl] as const;
  const treatedDf = meanTreatedDf(per);
  const c =
    first.measure === 'risk-difference' && first.treated !== undefined
      ? combineRiskDifference(...args, first.treated, { confLevel, parameterUncertainty })
      : combineExternalControl(...args, { confLevel, parameterUncertainty, treatedDf });
  const hybrid = 'limits' in c;
  requireBounded(name, first.measure, c);
  const plan = monteCarloPlan(c, controlSize);
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
    details: poolDetails(per.map((a) => a.details)),
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
      rule: [
        COMBINING_RULE,
        ...(Number.isFinite(treatedDf) ? [TREATED_DF] : []),
        ...(hybrid ? [HYBRID_LIMITS] : []),
      ].join(' '),
      limits: hybrid ? 'hybrid-score' : 't',
      m: c.m,
      parameterUncertainty: c.parameterUncertainty,
      treatedDf: Number.isFinite(c.treatedDf) ? c.treatedDf : null,
      between: c.between,
      within: c.within,
      withinTreated: c.withinTreated,
      withinControl: c.withinControl,
      parameterVariance: c.parameterVariance,
      totalVariance: c.totalVariance,
      decomposition: {
        treated: { variance: c.components.treated, share: c.components.treated / c.totalVariance },
        registry: {
          variance: c.components.registry,
          share: c.components.registry / c.totalVariance,
        },
        monteCarlo: {
          variance: c.components.monteCarlo,
          share: c.components.monteCarlo / c.totalVariance,
        },
      },
      recommendation: {
        target: plan.target,
        met: plan.share < plan.target,
        replicates: plan.replicates,
        controlSize: plan.controlSize,
        currentControlSize: controlSize,
      },
    },
    replicates: per.map((a, r) => ({
      estimate: a.estimate,
      lower: a.lower,
      upper: a.upper,
      p: a.p,
      q: a.q,
      variance: a.u,
      controlVariance: uControl[r]!,
    })),
    ess,
  };
}

/**
 * Every analysis of the plan combined over the replicates, in plan order. An analysis that failed
 * in some replicate (only a secondary one can) is left out with a warning.
 */
export function combineAnalyses(
  prepared: PreparedRun,
  replicates: readonly ReplicateOutput[],
  confLevel: number,
  warnings: Warning[],
): CombinedAnalysis[] {
  const settings = combineSettings(prepared, confLevel);
  const combined: CombinedAnalysis[] = [];
  prepared.analyses.forEach((a, k) => {
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
    try {
      combined.push(combine(a.key, a.name, per, settings));
    } catch (err) {
      // a secondary analysis is dropped with a warning; the primary cannot be
      if (k === 0 || !(err instanceof AnalysisError)) throw err;
      warnings.push({ code: 'analysis-not-estimable', source: a.key, message: err.message });
    }
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
