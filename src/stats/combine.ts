/**
 * Combining rules across the m synthetic replicates, and the interval-overlap utility measure.
 */
import { wilson } from './binary.js';
import { pt, qnorm, qt, pTwoSidedNormal } from './distributions.js';
import { checkConfLevel, StatsError, type StatsWarning } from './errors.js';
import type { Estimate } from './estimate.js';
import {
  checkAtLeast,
  checkPositiveOption,
  checkValue,
  checkValues,
  type Subject,
} from './validate.js';

/** Options of {@link combineSynthetic}. */
export interface CombineSyntheticOptions {
  /** Confidence level of the interval (default 0.95). */
  confLevel?: number;
  /**
   * Size of each synthetic data set (n_syn) and of the original data (n) for the fallback
   * T* = (n_syn / n)·ū (Reiter 2002). Both default to 1, i.e. T* = ū.
   */
  nSyn?: number;
  nObs?: number;
  /**
   * 'within': never let the total variance fall below ū — use T only when T ≥ ū, else T* = ū with
   * a normal reference (method 'within-floor'). For designs where part of every replicate is
   * the same real data (ecasim's treated arm), whose sampling variance is in ū but not in b, so
   * that T = (1 + 1/m)·b − ū understates the variance or is ≤ 0 (docs/validation.md). Default
   * 'none': the published rule with Reiter's fallback only when T ≤ 0.
   */
  floor?: 'none' | 'within';
}

/**
 * What every combining rule reports: `estimate` q̄, the mean of the replicate estimates; `se` √ of
 * the total variance; `statistic` q̄ / se, referred to t(df) (normal when df is `Infinity`); `p`
 * its two-sided p-value for q = 0.
 */
export interface CombinedEstimate extends Estimate {
  /** Degrees of freedom of the t reference; `Infinity` for a normal reference. */
  readonly df: number;
  /** Number of replicates m. */
  readonly m: number;
  /** b, the between-replicate variance (divisor m − 1). */
  readonly between: number;
  /** ū, the mean within-replicate variance. */
  readonly within: number;
  /** The variance of the combined estimate. */
  readonly totalVariance: number;
  readonly confLevel: number;
  readonly warnings: StatsWarning[];
}

/** Result of {@link combineSynthetic}: T = (1 + 1/m)·b − ū, or T* under the fallback. */
export interface CombineSyntheticResult extends CombinedEstimate {
  /** 'raghunathan-2003' when T > 0, else 'reiter-2002-fallback'. */
  readonly method: 'raghunathan-2003' | 'reiter-2002-fallback' | 'within-floor';
}

/** q̄ ± crit·√T with a t(df) reference (normal when df is Infinity), and its test of q = 0. */
function interval(
  qbar: number,
  total: number,
  df: number,
  confLevel: number,
): Pick<CombinedEstimate, 'estimate' | 'se' | 'lower' | 'upper' | 'statistic' | 'p' | 'df'> {
  const se = Math.sqrt(total);
  const tail = 1 - (1 - confLevel) / 2;
  const normal = !Number.isFinite(df);
  const half = (normal ? qnorm(tail) : qt(tail, df)) * se;
  const statistic = qbar / se;
  return {
    estimate: qbar,
    se,
    lower: qbar - half,
    upper: qbar + half,
    statistic,
    p: normal ? pTwoSidedNormal(statistic) : 2 * pt(-Math.abs(statistic), df),
    df,
  };
}

const ESTIMATE: Subject = {
  code: 'invalid-estimate',
  what: 'estimate',
  field: 'estimates',
  unit: 'replicate',
};
const VARIANCE: Subject = {
  code: 'invalid-variance',
  what: 'variance',
  field: 'variances',
  unit: 'replicate',
};

/** q̄, ū and b of m replicates, after checking them (shared by the combining rules). */
function replicateMoments(
  estimates: ArrayLike<number>,
  variances: ArrayLike<number>,
): { m: number; qbar: number; ubar: number; b: number } {
  const m = estimates.length;
  if (variances.length !== m) {
    throw new StatsError(
      'length-mismatch',
      `length mismatch: ${m} estimates but ${variances.length} variances`,
      { field: 'variances' },
    );
  }
  checkAtLeast(m, 2, 'estimates', 'replicates');
  checkValues(estimates, 'finite', ESTIMATE);
  checkValues(variances, 'non-negative', VARIANCE);
  const qbar = meanOf(estimates);
  const ubar = meanOf(variances);
  let b = 0;
  for (let i = 0; i < m; i++) b += (estimates[i]! - qbar) ** 2;
  return { m, qbar, ubar, b: b / (m - 1) };
}

/**
 * Combines estimates from m fully synthetic data sets by the rules of Raghunathan, Reiter & Rubin
 * (2003, "Multiple imputation for statistical disclosure limitation", J. Official Statistics 19:1–16):
 * q̄ = Σqᵢ/m, b = Σ(qᵢ − q̄)²/(m − 1), ū = Σuᵢ/m, T = (1 + 1/m)·b − ū and
 * ν = (m − 1)·(1 − ū / ((1 + 1/m)·b))², the interval q̄ ± t_ν·√T.
 *
 * T can be ≤ 0 (between-replicate spread smaller than the within variance). Then this uses the
 * always-positive alternative of Reiter (2002, "Satisfying disclosure restrictions with synthetic
 * data sets", J. Official Statistics 18:531–543), T* = (n_syn / n)·ū, with a normal reference
 * distribution, says so in `method` and adds a `nonpositive-variance` warning.
 *
 * Complexity: O(m).
 * @example
 * combineSynthetic([1.1, 0.9, 1.3, 0.7], [0.01, 0.01, 0.01, 0.01]);
 * // → { estimate: 1, between: 0.0667, within: 0.01, totalVariance: 0.0733, df: 2.32, method: 'raghunathan-2003', ... }
 */
export function combineSynthetic(
  estimates: ArrayLike<number>,
  variances: ArrayLike<number>,
  options: CombineSyntheticOptions = {},
): CombineSyntheticResult {
  const { confLevel = 0.95, nSyn = 1, nObs = 1, floor = 'none' } = options;
  checkConfLevel(confLevel);
  const { m, qbar, ubar, b } = replicateMoments(estimates, variances);
  checkPositiveOption('nSyn', nSyn);
  checkPositiveOption('nObs', nObs);

  const inflatedB = (1 + 1 / m) * b;
  const t = inflatedB - ubar;
  const warnings: StatsWarning[] = [];
  if (t > 0 && (floor === 'none' || t >= ubar)) {
    const df = (m - 1) * (1 - ubar / inflatedB) ** 2;
    return {
      ...interval(qbar, t, df, confLevel),
      m,
      between: b,
      within: ubar,
      totalVariance: t,
      method: 'raghunathan-2003',
      confLevel,
      warnings,
    };
  }
  const floored = floor === 'within' && t > 0;
  const tStar = floored ? ubar : (nSyn / nObs) * ubar;
  warnings.push(
    floored
      ? {
          code: 'within-floor',
          message:
            `the synthetic-data variance T = (1 + 1/m)·b − ū = ${t.toPrecision(4)} is below ū; ` +
            `used T* = ū = ${tStar.toPrecision(4)} with a normal reference instead`,
        }
      : {
          code: 'nonpositive-variance',
          message:
            `the synthetic-data variance T = (1 + 1/m)·b − ū = ${t.toPrecision(4)} is not positive; ` +
            `used Reiter (2002)'s T* = (n_syn/n)·ū = ${tStar.toPrecision(4)} with a normal reference instead`,
        },
  );
  if (tStar === 0) {
    throw new StatsError(
      'zero-variance',
      'cannot combine: every replicate has the same estimate and zero within-replicate variance',
      { field: 'variances' },
    );
  }
  return {
    ...interval(qbar, tStar, Infinity, confLevel),
    m,
    between: b,
    within: ubar,
    totalVariance: tStar,
    method: floored ? 'within-floor' : 'reiter-2002-fallback',
    confLevel,
    warnings,
  };
}

/**
 * Confidence-interval overlap of Karr, Kohnen, Oganian, Reiter & Sanil (2006, "A framework for
 * evaluating the utility of data altered to protect confidentiality", The American Statistician
 * 60:224–232): with the overlap [L, U] = [max(l₁, l₂), min(u₁, u₂)],
 * J = ½·[(U − L)/(u₁ − l₁) + (U − L)/(u₂ − l₂)].
 *
 * Convention: J is 1 for identical intervals and 0 when they just touch; when they do not overlap
 * U − L is negative and so is J (its size tells how far apart they are), as in the formula. It is
 * not truncated at 0, so callers wanting Karr et al.'s [0, 1] score should use max(J, 0).
 *
 * Complexity: O(1).
 * @example
 * ciOverlap(0, 2, 1, 3); // → 0.5
 * ciOverlap(0, 1, 2, 3); // → -1
 */
export function ciOverlap(lower1: number, upper1: number, lower2: number, upper2: number): number {
  const args = [lower1, upper1, lower2, upper2];
  const names = ['lower1', 'upper1', 'lower2', 'upper2'];
  for (let i = 0; i < 4; i++) {
    if (!Number.isFinite(args[i])) {
      throw new StatsError(
        'invalid-interval',
        `invalid interval limit \`${names[i]}\`: expected a finite number, found ${args[i]}`,
        {
          field: names[i]!,
        },
      );
    }
  }
  if (!(upper1 > lower1) || !(upper2 > lower2)) {
    const which = upper1 > lower1 ? 2 : 1;
    throw new StatsError(
      'invalid-interval',
      `invalid interval ${which}: the upper limit must exceed the lower limit, found [${which === 1 ? lower1 : lower2}, ${which === 1 ? upper1 : upper2}]`,
      { field: `interval${which}` },
    );
  }
  const overlap = Math.min(upper1, upper2) - Math.max(lower1, lower2);
  return 0.5 * (overlap / (upper1 - lower1) + overlap / (upper2 - lower2));
}

/** Options of {@link combineExternalControl}. */
export interface CombineExternalOptions {
  /** Confidence level of the interval (default 0.95). */
  confLevel?: number;
  /**
   * Whether each replicate drew the model's parameters from their posterior (default true). When
   * false the registry's sampling error is taken as zero: the interval then ignores it, and
   * `components.registry` is 0.
   */
  parameterUncertainty?: boolean;
  /**
   * Degrees of freedom ν_T of the treated arm's part ū_T, an estimate from the real treated
   * patients alone (e.g. n₁ − 1 for a mean, 2·d₁ for a log hazard ratio). Default Infinity: ū_T
   * taken as known, the rule of docs/combining.md before the treated arm's degrees of freedom.
   */
  treatedDf?: number;
}

/** Result of {@link combineExternalControl}: T = ū_T + (1 + 1/m)·V̂_P + ū_C/m. */
export interface CombineExternalResult extends CombinedEstimate {
  /** ū_C, the mean of the synthetic arm's part of the within-replicate variance. */
  readonly withinControl: number;
  /** ū_T = ū − ū_C, the real treated arm's part. */
  readonly withinTreated: number;
  /** V̂_P = max(0, b − ū_C), the between-replicate variance the parameter draws add. */
  readonly parameterVariance: number;
  /**
   * T split by source: the treated arm's sampling (ū_T), the registry's sampling (V̂_P), and the
   * Monte-Carlo noise of averaging m replicates ((ū_C + V̂_P)/m). They sum to `totalVariance`.
   */
  readonly components: {
    readonly treated: number;
    readonly registry: number;
    readonly monteCarlo: number;
  };
  readonly method: 'external-control';
  readonly parameterUncertainty: boolean;
  /** ν_T, the degrees of freedom of ū_T (Infinity when ū_T was taken as known). */
  readonly treatedDf: number;
}

/**
 * Combines m analyses of one real treated arm against m synthetic control arms, each drawn from a
 * covariate model whose parameters replicate r drew from their posterior given a finite registry
 * (docs/combining.md has the derivation). Replicate r's estimate is
 * q_r = θ + e_T + e_R + e_P,r + e_C,r: e_T the treated arm's sampling error (the same real
 * patients in every replicate), e_R the registry's (the fitted model's error, shared), e_P,r the
 * parameter draw about the fitted model and e_C,r the synthetic arm's Monte-Carlo error. With
 * Var(e_P,r) = V_P ≈ Var(e_R) (the posterior mimics the sampling distribution) and V_C the
 * control arm's variance,
 * Var(q̄ − θ) = V_T + (1 + 1/m)·V_P + V_C/m.
 * Each replicate's variance u_r ≈ V_T + V_C is split by the analysis into its treated and control
 * parts (`controlVariances`: the influence-function decomposition of u_r by arm), so
 * ū_T estimates V_T and ū_C estimates V_C without any between-replicate noise, while
 * b = V_C + V_P gives V̂_P = max(0, b − ū_C) (Shen 2000 and Reiter 2004 separate the same two
 * components with nested replicates instead). Then
 * T = ū_T + (1 + 1/m)·V̂_P + ū_C/m,
 * bounded below by ū_T + V̂_P however large the synthetic arms: more virtual patients shrink
 * only the Monte-Carlo part. The reference is t(ν) with
 * ν = T² / (ū_T²/ν_T + (1 + 1/m)²·V̂_P·(V̂_P + 2·ū_C)/(m − 1)) (normal when both terms are 0):
 * Satterthwaite's (1946) approximation with Var(V̂_P) ≈ 2·(V_P² + 2·V_P·V_C)/(m − 1), the part
 * of Var(b) that does not survive V_P → 0 under the positive part (chosen by simulation), and
 * Var(ū_T) = 2·ū_T²/ν_T, ū_T being itself estimated from the treated patients with ν_T degrees
 * of freedom (`treatedDf`; docs/combining.md).
 *
 * Without parameter uncertainty V̂_P is 0 by declaration (b is still reported).
 *
 * Complexity: O(m).
 * @example
 * combineExternalControl([0.1, -0.1, 0.3, -0.3], [0.02, 0.02, 0.02, 0.02], [0.01, 0.01, 0.01, 0.01]);
 * // { estimate: 0, between: 0.0667, parameterVariance: 0.0567, totalVariance: 0.0833, df: 3.07, ... }
 */
export function combineExternalControl(
  estimates: ArrayLike<number>,
  variances: ArrayLike<number>,
  controlVariances: ArrayLike<number>,
  options: CombineExternalOptions = {},
): CombineExternalResult {
  const { confLevel = 0.95, parameterUncertainty = true, treatedDf = Infinity } = options;
  checkConfLevel(confLevel);
  if (!(treatedDf > 0)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`treatedDf\` must be a positive number or Infinity. Value: \`${String(treatedDf)}\`.`,
      { field: 'treatedDf' },
    );
  }
  const { m, qbar, ubar, b } = replicateMoments(estimates, variances);
  if (controlVariances.length !== m) {
    throw new StatsError(
      'length-mismatch',
      `length mismatch: ${m} estimates but ${controlVariances.length} control variances`,
      { field: 'controlVariances' },
    );
  }
  let ucbar = 0;
  for (let i = 0; i < m; i++) {
    const u = variances[i]!;
    const uc = controlVariances[i]!;
    if (!(Number.isFinite(uc) && uc >= 0 && uc <= u)) {
      throw new StatsError(
        'invalid-variance',
        `invalid control variance at replicate ${i}: expected a number in [0, ${u}] (the replicate's variance), found ${uc}`,
        { field: 'controlVariances', index: i },
      );
    }
    ucbar += uc;
  }
  ucbar /= m;
  const utbar = ubar - ucbar;
  const vp = parameterUncertainty ? Math.max(0, b - ucbar) : 0;
  const c = 1 + 1 / m;
  const total = utbar + c * vp + ucbar / m;
  if (!(total > 0)) {
    throw new StatsError(
      'zero-variance',
      'cannot combine: every replicate has the same estimate and zero within-replicate variance',
      { field: 'variances' },
    );
  }
  const df = satterthwaiteDf(total, vp, ucbar, m, utbar, treatedDf);
  return {
    ...interval(qbar, total, df, confLevel),
    m,
    between: b,
    within: ubar,
    withinControl: ucbar,
    withinTreated: utbar,
    parameterVariance: vp,
    components: { treated: utbar, registry: vp, monteCarlo: (ucbar + vp) / m },
    totalVariance: total,
    method: 'external-control',
    parameterUncertainty,
    treatedDf,
    confLevel,
    warnings: [],
  };
}

/**
 * Degrees of freedom of a variance v that contains (1 + 1/m)·V̂_P, V̂_P = max(0, b − ū_C), and
 * optionally ū_T with ν_T degrees of freedom:
 * ν = v²/(ū_T²/ν_T + (1 + 1/m)²·V̂_P·(V̂_P + 2·ū_C)/(m − 1)), Satterthwaite (1946) with
 * Var(V̂_P) ≈ 2(V_P² + 2·V_P·V_C)/(m − 1) and Var(ū_T) = 2·ū_T²/ν_T (docs/combining.md);
 * Infinity when both terms are 0.
 */
function satterthwaiteDf(
  v: number,
  vp: number,
  uc: number,
  m: number,
  ut = 0,
  treatedDf = Infinity,
): number {
  const k = 1 + 1 / m;
  const spread = (vp > 0 ? (k * k * vp * (vp + 2 * uc)) / (m - 1) : 0) + (ut * ut) / treatedDf;
  return spread > 0 ? (v * v) / spread : Infinity;
}

/** Result of {@link combineRiskDifference}. */
export interface CombineRiskDifferenceResult extends CombineExternalResult {
  /** How `lower`, `upper` and `p` were formed: the hybrid score construction (below). */
  readonly limits: 'hybrid-score';
  /** The treated arm's proportion p̂₁ and the combined control proportion p̄₀ = p̂₁ − q̄. */
  readonly risk1: number;
  readonly risk0: number;
  /** Variance of p̄₀: (1 + 1/m)·V̂_P + ū_C/m, the part of T that is not the treated arm's. */
  readonly controlVariance: number;
}

/** Smallest p-value the test inversion resolves; below it the t test's p is reported. */
const MIN_INVERTED_P = 1e-12;

/**
 * The risk difference p₁ − p₀ of a real treated arm (`events` of `n`, the same in every
 * replicate) against m synthetic arms, combined as {@link combineExternalControl} combines it, but
 * with the interval of Newcombe's hybrid score method (1998, Stat Med 17:873–890, method 10; the
 * "MOVER" of Zou & Donner 2008, Stat Med 27:1693–1702), the interval a single analysis reports:
 *   [q̄ − √((p̂₁ − l₁)² + (u₀ − p̄₀)²), q̄ + √((u₁ − p̂₁)² + (p̄₀ − l₀)²)],
 * (l₁, u₁) the Wilson limits of the treated proportion and (l₀, u₀) = p̄₀ ∓ t_ν₀·√T₀ (clipped to
 * [0, 1]) the limits of the combined control proportion, T₀ = (1 + 1/m)·V̂_P + ū_C/m with
 * ν₀ = (m − 1)·T₀²/((1 + 1/m)²·V̂_P·(V̂_P + 2·ū_C)) (normal when V̂_P = 0; `df` reports ν₀).
 *
 * Why: q̄ ± t·√T uses the treated arm's Wald variance p̂₁(1 − p̂₁)/n₁, and the Wald interval of a
 * proportion from tens of patients covers 92–95% (exactly: 92.2% at n = 60, p = 0.2); the coverage
 * study found the combined risk difference 5.8–7.0% liberal at every registry size with it, and
 * 2.8–4.3% with this construction (docs/validation.md, "Binary endpoints"). `p` is the test that
 * agrees with the interval: the α at which the 1 − α interval has 0 as a limit (bisection on
 * log α; below 10⁻¹², the t test's p). `se` and `statistic` stay the Wald ones (√T, q̄/√T).
 *
 * Complexity: O(m) plus 60 bisection steps for p.
 * @example
 * combineRiskDifference([0.2, 0.25, 0.22], [0.006, 0.0062, 0.0061], [0.002, 0.0022, 0.0021],
 *   { events: 27, n: 60 });
 * // { estimate: 0.2233, lower: 0.0935, upper: 0.3587, p: 0.0003, ... } (q̄ ± 1.96·√T: 0.0890 to 0.3577)
 */
export function combineRiskDifference(
  estimates: ArrayLike<number>,
  variances: ArrayLike<number>,
  controlVariances: ArrayLike<number>,
  treated: { readonly events: number; readonly n: number },
  options: CombineExternalOptions = {},
): CombineRiskDifferenceResult {
  const { events, n } = treated;
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(events) && events >= 0 && events <= n)) {
    throw new StatsError(
      'invalid-count',
      `invalid treated arm: expected whole numbers 0 <= events <= n, n >= 1; found ${events} of ${n}`,
      { field: 'treated' },
    );
  }
  const c = combineExternalControl(estimates, variances, controlVariances, options);
  const { m, parameterVariance: vp, withinControl: uc } = c;
  const k = 1 + 1 / m;
  const t0 = k * vp + uc / m;
  const df = satterthwaiteDf(t0, vp, uc, m);
  const p1 = events / n;
  const p0 = p1 - c.estimate;
  const q = c.estimate;
  const limits = (alpha: number): [number, number] => {
    const z = qnorm(1 - alpha / 2);
    const h = (Number.isFinite(df) ? qt(1 - alpha / 2, df) : z) * Math.sqrt(t0);
    const w = wilson(events, n, z);
    const l0 = Math.max(0, p0 - h);
    const u0 = Math.min(1, p0 + h);
    return [
      q - Math.sqrt((p1 - w.lower) ** 2 + (u0 - p0) ** 2),
      q + Math.sqrt((w.upper - p1) ** 2 + (p0 - l0) ** 2),
    ];
  };
  const confLevel = c.confLevel;
  const [lower, upper] = limits(1 - confLevel);
  // The limit nearer 0 moves towards q̄ as α grows: find the α at which it reaches 0.
  const gap = (alpha: number): number => {
    const [lo, hi] = limits(alpha);
    return q > 0 ? lo : -hi;
  };
  let p = 1;
  if (q !== 0) {
    if (gap(MIN_INVERTED_P) > 0) p = c.p;
    else {
      let a = Math.log(MIN_INVERTED_P);
      let b = 0;
      for (let i = 0; i < 60; i++) {
        const mid = (a + b) / 2;
        if (gap(Math.exp(mid)) > 0) b = mid;
        else a = mid;
      }
      p = Math.exp((a + b) / 2);
    }
  }
  return {
    ...c,
    lower,
    upper,
    p,
    df,
    limits: 'hybrid-score',
    risk1: p1,
    risk0: p0,
    controlVariance: t0,
  };
}

const INFLUENCE: Subject = {
  code: 'invalid-influence',
  what: 'dfbeta residual',
  field: 'influence',
  unit: 'pair',
};

/**
 * The Monte-Carlo variance V_C of a matched (twin) synthetic arm: Σᵢ sᵢ², sᵢ² the variance over
 * the m replicates of pair i's control-twin dfbeta residual Dᵢ,ᵣ (`influence[r][i]`).
 *
 * Why not Σᵢ Dᵢ² of one replicate, as for a population arm: a twin copies its treated patient's
 * covariates xᵢ, so part of Dᵢ (its mean given xᵢ) is the same in every replicate. That part is
 * the treated sample's (the covariates are fixed across replicates), and the variance the
 * replicates average away is only Var(Dᵢ | xᵢ) = E Dᵢ² − Var(E[Dᵢ | xᵢ]). Σᵢ Dᵢ² overstates it by
 * Σᵢ Var(E[Dᵢ | xᵢ]) and so understates the treated arm's part ū − V̂_C (by 10–20% in the ALS twin
 * design, docs/combining.md). Each pair is re-drawn in every replicate, so Var(Dᵢ | xᵢ) is
 * estimated pair by pair, with n(m − 1) degrees of freedom. O(m·n).
 *
 * @example
 * twinControlVariance([[0.1, -0.2], [-0.1, 0.0], [0.0, 0.2]]); // 0.01 + 0.04 = 0.05
 */
export function twinControlVariance(influence: readonly ArrayLike<number>[]): number {
  const m = influence.length;
  checkAtLeast(m, 2, 'influence', 'replicates');
  const n = influence[0]!.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let r = 0; r < m; r++) {
      const d = influence[r]!;
      if (d.length !== n) {
        throw new StatsError(
          'length-mismatch',
          `length mismatch: replicate 0 has ${n} pairs, replicate ${r} has ${d.length}`,
          { field: 'influence', index: r },
        );
      }
      checkValue(d[i], i, 'finite', INFLUENCE);
      mean += d[i]!;
    }
    mean /= m;
    let ss = 0;
    for (let r = 0; r < m; r++) ss += (influence[r]![i]! - mean) ** 2;
    total += ss / (m - 1);
  }
  return total;
}

/** What {@link monteCarloPlan} recommends. */
export interface MonteCarloPlan {
  /** Share of the total variance that is Monte-Carlo noise now: components.monteCarlo / T. */
  readonly share: number;
  /** The target share (default 0.1). */
  readonly target: number;
  /** The fewest replicates m that meet the target with the current synthetic-arm size. */
  readonly replicates: number;
  /**
   * The smallest synthetic-arm size that meets the target with the current m, assuming the
   * control arm's variance falls as 1/size; null when no size can (the parameter draws' own
   * noise V̂_P/m is already too large: only more replicates help) or when the size is fixed.
   */
  readonly controlSize: number | null;
}

/**
 * How many replicates, or how large a synthetic arm, would make the Monte-Carlo part of a
 * {@link combineExternalControl} variance a small share of it. With ū_C scaling as n/n′ for a
 * synthetic arm of n′ instead of n patients, the Monte-Carlo part is (ū_C·n/n′ + V̂_P)/m′, and
 * its share of T = ū_T + V̂_P + (Monte-Carlo part) is below `target` exactly when the part is
 * below target/(1 − target)·(ū_T + V̂_P).
 *
 * Complexity: O(1).
 * @example
 * monteCarloPlan(combineExternalControl(q, u, uc), 400); // { share: 0.04, replicates: 5, controlSize: 180, target: 0.1 }
 */
export function monteCarloPlan(
  combined: Pick<CombineExternalResult, 'components' | 'withinControl' | 'parameterVariance' | 'm'>,
  controlSize: number | null,
  target = 0.1,
): MonteCarloPlan {
  if (!(target > 0 && target < 1)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`target\` must be a number in (0,1). Value: \`${target}\`.`,
      {
        field: 'target',
      },
    );
  }
  const { components, withinControl: uc, parameterVariance: vp, m } = combined;
  const total = components.treated + components.registry + components.monteCarlo;
  const allowed = (target / (1 - target)) * (components.treated + vp);
  const replicates = Math.max(2, Math.floor((uc + vp) / allowed) + 1);
  let size: number | null = null;
  if (controlSize !== null) {
    const room = m * allowed - vp;
    size = room > 0 ? Math.max(1, Math.floor((uc * controlSize) / room) + 1) : null;
  }
  return { share: components.monteCarlo / total, target, replicates, controlSize: size };
}

/** The arithmetic mean of `x` (non-empty), summed in order. */
function meanOf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}
