/**
 * Combining rules across the m synthetic replicates, and the interval-overlap utility measure.
 */
import { pt, qnorm, qt, pTwoSidedNormal } from './distributions.js';
import { checkConfLevel, StatsError, type StatsWarning } from './errors.js';

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

/** Result of {@link combineSynthetic}. */
export interface CombineSyntheticResult {
  /** q̄, the mean of the replicate estimates. */
  readonly estimate: number;
  /** √T (or √T* under the fallback). */
  readonly se: number;
  readonly lower: number;
  readonly upper: number;
  /** q̄ / se, referred to t(df) (normal under the fallback). */
  readonly statistic: number;
  /** Two-sided p-value for q = 0. */
  readonly p: number;
  /** Degrees of freedom; `Infinity` under the fallback (normal reference). */
  readonly df: number;
  /** Number of replicates m. */
  readonly m: number;
  /** b, the between-replicate variance (divisor m − 1). */
  readonly between: number;
  /** ū, the mean within-replicate variance. */
  readonly within: number;
  /** The variance used: T = (1 + 1/m)·b − ū, or T* under the fallback. */
  readonly totalVariance: number;
  /** 'raghunathan-2003' when T > 0, else 'reiter-2002-fallback'. */
  readonly method: 'raghunathan-2003' | 'reiter-2002-fallback' | 'within-floor';
  readonly confLevel: number;
  readonly warnings: StatsWarning[];
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
  const m = estimates.length;
  if (variances.length !== m) {
    throw new StatsError(
      'length-mismatch',
      `length mismatch: ${m} estimates but ${variances.length} variances`,
      { field: 'variances' },
    );
  }
  if (m < 2) {
    throw new StatsError(
      'too-few-replicates',
      `at least 2 replicates are needed to combine, found ${m}`,
      {
        field: 'estimates',
      },
    );
  }
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(estimates[i])) {
      throw new StatsError(
        'invalid-estimate',
        `invalid estimate at replicate ${i}: expected a finite number, found ${estimates[i]}`,
        { field: 'estimates', index: i },
      );
    }
    const v = variances[i]!;
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new StatsError(
        'invalid-variance',
        `invalid variance at replicate ${i}: expected a finite number >= 0, found ${v}`,
        { field: 'variances', index: i },
      );
    }
  }
  for (const [name, v] of [
    ['nSyn', nSyn],
    ['nObs', nObs],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new StatsError(
        'invalid-option',
        `invalid option. \`${name}\` must be a number > 0. Value: \`${v}\`.`,
        {
          field: name,
        },
      );
    }
  }

  let qbar = 0;
  let ubar = 0;
  for (let i = 0; i < m; i++) {
    qbar += estimates[i]!;
    ubar += variances[i]!;
  }
  qbar /= m;
  ubar /= m;
  let b = 0;
  for (let i = 0; i < m; i++) b += (estimates[i]! - qbar) ** 2;
  b /= m - 1;

  const inflatedB = (1 + 1 / m) * b;
  const t = inflatedB - ubar;
  const warnings: StatsWarning[] = [];
  const alpha = 1 - confLevel;
  if (t > 0 && (floor === 'none' || t >= ubar)) {
    const df = (m - 1) * (1 - ubar / inflatedB) ** 2;
    const se = Math.sqrt(t);
    const half = qt(1 - alpha / 2, df) * se;
    const statistic = qbar / se;
    return {
      estimate: qbar,
      se,
      lower: qbar - half,
      upper: qbar + half,
      statistic,
      p: 2 * pt(-Math.abs(statistic), df),
      df,
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
  const se = Math.sqrt(tStar);
  const half = qnorm(1 - alpha / 2) * se;
  const statistic = qbar / se;
  return {
    estimate: qbar,
    se,
    lower: qbar - half,
    upper: qbar + half,
    statistic,
    p: pTwoSidedNormal(statistic),
    df: Infinity,
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
