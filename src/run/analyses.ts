/**
 * One analysis of the treated arm against one synthetic control arm, as the protocol's analysis
 * plan names it: Cox unadjusted, Cox adjusted for covariates, Cox weighted by the propensity score
 * (robust variance), or the RMST difference. The estimate is returned on the scale the replicates
 * are combined on (log HR, or the difference itself) with its variance. The model fits, design
 * matrix and error wording are the shared analysis layer's (src/analysis/), as `ecasim analyze`'s.
 */
import { coxTerm, fitCoxModel, phTest as phTestOf } from '../analysis/cox.js';
import { inAnalysis } from '../analysis/errors.js';
import { rmstComparison } from '../analysis/rmst.js';
import { designMatrix, type StackedArms } from '../analysis/stacked.js';
import { AnalysisError } from '../errors.js';
import type { AnalysisSpec } from '../protocol/schema.js';
import type { Measure, Warning } from '../results.js';
import { standardizedDifferences, type BalanceResult } from '../stats/balance.js';
import { fitCox, type CoxData, type CoxFit } from '../stats/cox.js';
import { estimatePropensity } from '../stats/propensity.js';
import { oddsRatio, riskDifference, riskRatio } from '../stats/binary.js';
import { meanDifference } from '../stats/continuous.js';

export { designMatrix, type Design, type StackedArms } from '../analysis/stacked.js';

export interface AnalysisEstimate {
  measure: Measure;
  /** Combining scale: the log HR, or the RMST difference. */
  q: number;
  /** Variance of q. */
  u: number;
  /**
   * The synthetic control arm's part of `u` (the rest is the real treated arm's): by arm from
   * the variance formula, or for Cox models from the infinitesimal-jackknife shares of the fit
   * (`fitCox`'s `varianceGroups`). The combining rule separates Monte-Carlo noise with it.
   */
  uControl: number;
  estimate: number;
  lower: number;
  upper: number;
  p: number;
  method: string;
  details: Record<string, string | number | boolean | null>;
  /**
   * Degrees of freedom of the treated arm's part of `u` (u − uControl), an estimate from the real
   * treated patients alone: n₁ − 1 for a mean or an RMST, 2·d₁ for a hazard ratio (d₁ the treated
   * events, Kish-effective when weighted); absent for an analysis whose treated part is referred
   * to the normal (risk and odds ratios) or has its own limits (risk difference). The combining
   * rule's Satterthwaite degrees of freedom include it (docs/combining.md).
   */
  treatedDf?: number;
  /** Propensity weighting only: effective sample sizes and balance before/after weighting. */
  ess?: { treated: number; control: number };
  balance?: BalanceResult;
  /** Propensity weighting only: the balancing weight of every unit (0 when trimmed). */
  weights?: Float64Array;
  /** Propensity weighting only: counts of scores in 20 bins of width 0.05, by arm. */
  scoreHistogram?: { treated: number[]; control: number[] };
  /**
   * Twin mode (pair clusters): each pair's control-twin influence (the dfbeta residual of the log
   * HR, or the influence on the RMST difference), by pair (the treated patient's index). Its
   * variance over replicates estimates the synthetic arm's Monte-Carlo variance given the
   * treated patients' covariates (`twinControlVariance`).
   */
  controlInfluence?: Float64Array;
  /**
   * Risk difference only: the treated arm's responders and size (the same in every replicate),
   * for the combined interval's hybrid score limits (`combineRiskDifference`).
   */
  treated?: { events: number; n: number };
  /** Cox analyses: the cox.zph global test of this model, when asked for. */
  phTest?: { statistic: number; df: number; p: number };
  warnings: Warning[];
}

function hazardRatio(
  fit: CoxFit,
  method: string,
  details: AnalysisEstimate['details'],
  clustered: boolean,
  pairs?: { group: ArrayLike<number>; cluster: ArrayLike<number> },
): AnalysisEstimate {
  // The variance in use: robust when the fit is robust (weights, clusters), as its interval is.
  const { coef: logHr, se, hr, lower, upper, p } = coxTerm(fit, 0);
  if (!Number.isFinite(logHr) || !Number.isFinite(se)) {
    throw new AnalysisError(`the ${method} model gave no finite hazard ratio`, {
      hint: 'check that both arms have events',
    });
  }
  // The control arm's (group 0) part of the variance, from the fit's dfbeta decomposition:
  // unclustered, its share of the in-use variance; with pair clusters (twin mode) its own part
  // Σ D²ᵢ, the rest (the treated patients and what twins share through their covariates) being
  // the treated arm's.
  const parts = fit.groupVariance;
  const control = parts?.get(0)?.[0] ?? 0;
  const ij = control + (parts?.get(1)?.[0] ?? 0);
  const uControl = clustered ? Math.min(se * se, control) : ij > 0 ? (se * se * control) / ij : 0;
  let controlInfluence: Float64Array | undefined;
  if (pairs !== undefined && fit.dfbeta !== undefined) {
    const p = fit.dfbeta.length / pairs.group.length;
    let nPairs = 0;
    for (let i = 0; i < pairs.cluster.length; i++) nPairs = Math.max(nPairs, pairs.cluster[i]! + 1);
    controlInfluence = new Float64Array(nPairs);
    for (let i = 0; i < pairs.group.length; i++)
      if (pairs.group[i] === 0) controlInfluence[pairs.cluster[i]!]! += fit.dfbeta[i * p]!;
  }
  return {
    measure: 'hazard-ratio',
    q: logHr,
    u: se * se,
    uControl,
    ...(controlInfluence !== undefined ? { controlInfluence } : {}),
    estimate: hr,
    lower,
    upper,
    p,
    method,
    details: {
      ties: fit.ties,
      variance: fit.variance,
      iterations: fit.iterations,
      converged: fit.converged,
      ...details,
    },
    warnings: fit.warnings.map((w) => ({ ...w })),
  };
}

/** 0, 1, …, n − 1: each row its own cluster. */
function rowIndex(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * A time-to-event analysis needs events in both arms: without any, Cox's partial likelihood has
 * no maximum (the log HR runs off to ±∞ with a "converged" fit) and a Kaplan–Meier RMST has no
 * variance. Throws an AnalysisError naming the arm; `what` is what cannot be estimated.
 */
function requireEvents(arms: StackedArms, label: string, method: string, what: string): void {
  const { status, group } = arms;
  const events = [0, 0];
  const n = [0, 0];
  for (let i = 0; i < group.length; i++) {
    const g = group[i] === 1 ? 1 : 0;
    n[g]!++;
    if (status[i]! > 0) events[g]!++;
  }
  for (const g of [1, 0]) {
    if (events[g]! > 0) continue;
    const arm = g === 1 ? 'treated arm' : 'synthetic control arm';
    throw new AnalysisError(
      `${label} (${method}): the ${arm} has no events (all ${n[g]} patients censored), so ${what} cannot be estimated`,
      {
        expected: `at least one event in the ${arm}`,
        actual: `0 events among ${n[g]} patients`,
        hint:
          g === 1
            ? "check the treated dataset's censoring column and its coding (inputs.treated.columns.censor)"
            : 'check the follow-up (followUp) and the outcome model: the synthetic patients are all censored',
      },
    );
  }
}

/**
 * Runs `spec` on the stacked arms. `phTransform` adds the cox.zph test to Cox analyses. With
 * `estimatesOnly`, propensity weighting leaves out what only the dossier shows (the score
 * histogram, and the balance of the score model's covariates with its warnings): the estimate,
 * its variance and the weights are the same.
 */
export function runAnalysis(
  spec: AnalysisSpec,
  arms: StackedArms,
  label: string,
  phTransform?: 'km' | 'rank' | 'log' | 'identity',
  { estimatesOnly = false }: { estimatesOnly?: boolean } = {},
): AnalysisEstimate {
  const { time, status, group } = arms;
  if (spec.method === 'mean-difference') {
    // continuous endpoints: the values travel in `time`
    const x1: number[] = [];
    const x0: number[] = [];
    for (let i = 0; i < group.length; i++) (group[i] === 1 ? x1 : x0).push(time[i]!);
    const r = inAnalysis(`the mean difference (${label})`, () => meanDifference(x1, x0));
    let ss0 = 0;
    for (const x of x0) ss0 += (x - r.mean0) ** 2;
    return {
      measure: 'mean-difference',
      q: r.estimate,
      u: r.se ** 2,
      // s₀²/n₀ of the Welch variance s₁²/n₁ + s₀²/n₀
      uControl: Math.min(r.se ** 2, ss0 / (x0.length - 1) / x0.length),
      treatedDf: x1.length - 1,
      estimate: r.estimate,
      lower: r.lower,
      upper: r.upper,
      p: r.p,
      method: 'mean-difference',
      details: { variance: 'welch', mean1: r.mean1, mean0: r.mean0, df: r.df },
      warnings: [],
    };
  }
  if (
    spec.method === 'risk-difference' ||
    spec.method === 'risk-ratio' ||
    spec.method === 'odds-ratio'
  ) {
    let e1 = 0;
    let n1 = 0;
    let e0 = 0;
    let n0 = 0;
    for (let i = 0; i < group.length; i++) {
      if (group[i] === 1) [e1, n1] = [e1 + status[i]!, n1 + 1];
      else [e0, n0] = [e0 + status[i]!, n0 + 1];
    }
    if (spec.method === 'risk-difference') {
      const r = inAnalysis(`the risk difference (${label})`, () => riskDifference(e1, n1, e0, n0));
      return {
        measure: 'risk-difference',
        q: r.estimate,
        u: r.se ** 2,
        // p₀(1 − p₀)/n₀ of the unpooled Wald variance
        uControl: Math.min(r.se ** 2, (r.risk0 * (1 - r.risk0)) / n0),
        treated: { events: e1, n: n1 },
        estimate: r.estimate,
        lower: r.lower,
        upper: r.upper,
        p: r.p,
        method: 'risk-difference',
        details: {
          interval: r.method,
          variance: 'wald (unpooled)',
          risk1: r.risk1,
          risk0: r.risk0,
        },
        warnings: r.warnings.map((w) => ({ ...w })),
      };
    }
    const ratio = spec.method === 'risk-ratio' ? riskRatio : oddsRatio;
    const r = inAnalysis(`the ${spec.method.replace('-', ' ')} (${label})`, () =>
      ratio(e1, n1, e0, n0),
    );
    // the control arm's terms of the log-scale variance, with the same zero-cell correction
    const k = r.correction;
    const uControl =
      spec.method === 'risk-ratio'
        ? 1 / (e0 + k) - 1 / (n0 + 2 * k)
        : 1 / (e0 + k) + 1 / (n0 - e0 + k);
    return {
      measure: spec.method,
      q: r.logEstimate,
      u: r.se ** 2,
      uControl: Math.min(r.se ** 2, Math.max(0, uControl)),
      estimate: r.estimate,
      lower: r.lower,
      upper: r.upper,
      p: r.p,
      method: spec.method,
      details: { interval: r.method, correction: r.correction },
      warnings: r.warnings.map((w) => ({ ...w })),
    };
  }
  if (spec.method === 'rmst') {
    requireEvents(arms, label, 'rmst', 'the RMST difference');
    const r = rmstComparison(
      arms,
      `the RMST difference (${label})`,
      spec.tau !== undefined ? { tau: spec.tau } : {},
    );
    if (!(r.treated.se > 0) || !(r.control.se > 0)) {
      const arm = r.treated.se > 0 ? 'synthetic control arm' : 'treated arm';
      throw new AnalysisError(
        `${label} (rmst): the ${arm} has no events before τ = ${r.tau}, so its RMST has no variance and the RMST difference cannot be estimated`,
        { hint: 'choose an earlier tau, or leave this analysis out' },
      );
    }
    // Var(RMST₁ − RMST₀) = Var(RMST₁) + Var(RMST₀) for independent arms; in twin mode the
    // pair-robust variance, and each pair's control influence for the across-replicate V_C
    return {
      measure: 'rmst-difference',
      q: r.difference.estimate,
      u: r.difference.se ** 2,
      uControl: Math.min(r.difference.se ** 2, r.clusters?.controlVariance ?? r.control.se ** 2),
      ...(r.clusters ? { controlInfluence: r.clusters.controlInfluence } : {}),
      treatedDf: treatedCount(arms) - 1,
      estimate: r.difference.estimate,
      lower: r.difference.lower,
      upper: r.difference.upper,
      p: r.difference.p,
      method: 'rmst',
      details: { tau: r.tau, tauDefault: r.tauDefault, variance: r.variance },
      warnings: r.warnings.map((w) => ({ ...w })),
    };
  }
  requireEvents(arms, label, spec.method, 'a hazard ratio');
  const covariates = spec.method === 'cox-unadjusted' ? [] : spec.covariates;
  const design = designMatrix(arms.covariates, covariates);
  // A level no patient has (e.g. one the eligibility criteria exclude) simply has no indicator;
  // a numeric covariate without variation is worth a warning.
  const warnings: Warning[] = design.dropped
    .filter((d) => !d.includes('='))
    .map((d) => ({
      code: 'constant-covariate',
      message: `${d} is constant in these data and was left out of the ${label} model`,
    }));
  let est: AnalysisEstimate;
  let phTest: AnalysisEstimate['phTest'];
  if (spec.method === 'cox-iptw') {
    const ps = inAnalysis(`the propensity score model (${label})`, () =>
      estimatePropensity(group, design.x, design.names, {
        estimand: spec.weighting.estimand,
        ...(spec.weighting.trim !== undefined ? { trim: spec.weighting.trim } : {}),
      }),
    );
    // Trimmed units have weight 0; Cox needs positive weights, so they are left out.
    const keep: number[] = [];
    for (let i = 0; i < ps.weights.length; i++) if (ps.weights[i]! > 0) keep.push(i);
    const pick = (a: Float64Array): Float64Array => {
      if (keep.length === a.length) return a; // nothing trimmed (fitCox does not write its data)
      const out = new Float64Array(keep.length);
      for (let j = 0; j < keep.length; j++) out[j] = a[keep[j]!]!;
      return out;
    };
    const data: CoxData = {
      time: pick(time),
      status: pick(status),
      x: [pick(group)],
      names: ['treated'],
      weights: pick(ps.weights),
      cluster: arms.cluster
        ? Int32Array.from(keep, (i) => arms.cluster![i]!)
        : rowIndex(keep.length),
    };
    const fit = inAnalysis(`the weighted Cox model (${label})`, () =>
      fitCox(data, {
        ties: spec.ties,
        robust: true,
        varianceGroups: data.x[0]!,
        dfbeta: arms.cluster !== undefined,
      }),
    );
    if (phTransform) {
      const z = phTestOf({ fit, data }, phTransform, `the proportional-hazards test (${label})`);
      phTest = { statistic: z.global.statistic, df: z.global.df, p: z.global.p };
    }
    est = hazardRatio(
      fit,
      'cox-iptw',
      {
        estimand: ps.estimand,
        trimmed: keep.length < ps.weights.length ? ps.weights.length - keep.length : 0,
      },
      arms.cluster !== undefined,
      arms.cluster !== undefined ? { group: data.x[0]!, cluster: data.cluster! } : undefined,
    );
    est.ess = { treated: ps.ess.treated, control: ps.ess.control };
    est.weights = ps.weights;
    warnings.push(...ps.warnings.map((w) => ({ ...w })));
    if (!estimatesOnly) {
      const hist = {
        treated: new Array<number>(20).fill(0),
        control: new Array<number>(20).fill(0),
      };
      ps.scores.forEach((sc, i) => {
        const bin = Math.min(19, Math.floor(sc * 20));
        (group[i] === 1 ? hist.treated : hist.control)[bin]!++;
      });
      est.scoreHistogram = hist;
      est.balance = standardizedDifferences(design.x, design.names, group, {
        weights: ps.weights,
        estimand: spec.weighting.estimand,
      });
      warnings.push(...est.balance.warnings.map((w) => ({ ...w })));
    }
  } else {
    const byArm = spec.method === 'cox-adjusted' && spec.covariateEffects === 'by-arm';
    const model = fitCoxModel(arms, covariates, `the Cox model (${label})`, {
      ties: spec.ties,
      design,
      varianceGroups: group,
      dfbeta: arms.cluster !== undefined,
      ...(byArm ? { covariateEffects: 'by-arm' as const } : {}),
    });
    est = hazardRatio(
      model.fit,
      spec.method,
      {
        covariates: design.names.join(', ') || null,
        // the hazard ratio at the treated arm's mean profile, covariate effects by arm
        ...(byArm ? { covariateEffects: 'by-arm' } : {}),
      },
      arms.cluster !== undefined,
      arms.cluster !== undefined ? { group, cluster: arms.cluster } : undefined,
    );
    if (phTransform) {
      const z = phTestOf(model, phTransform, `the proportional-hazards test (${label})`);
      phTest = { statistic: z.global.statistic, df: z.global.df, p: z.global.p };
    }
  }
  if (phTest) est.phTest = phTest;
  est.treatedDf = 2 * treatedEvents(arms, est.weights);
  est.warnings.unshift(...warnings);
  return est;
}

/** Patients in the treated arm (group 1). */
function treatedCount(arms: StackedArms): number {
  let n = 0;
  for (let i = 0; i < arms.group.length; i++) if (arms.group[i] === 1) n++;
  return n;
}

/**
 * The treated arm's events d₁, Kish-effective under balancing weights ((Σw)²/Σw² over its events;
 * under ATT every treated weight is 1, so d₁ itself). Half the degrees of freedom of a log HR's
 * treated part: its variance is ≈ 1/d₁, and with d₁ Poisson the relative variance of 1/d₁ is
 * 1/d₁ = 2/ν (docs/combining.md, "The treated arm's degrees of freedom").
 */
function treatedEvents(arms: StackedArms, weights?: Float64Array): number {
  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < arms.group.length; i++) {
    if (arms.group[i] !== 1 || !(arms.status[i]! > 0)) continue;
    const w = weights?.[i] ?? 1;
    sw += w;
    sw2 += w * w;
  }
  return sw2 > 0 ? (sw * sw) / sw2 : 0;
}
