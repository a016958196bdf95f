/**
 * Effect measures for a continuous endpoint, treated (arm 1) vs control (arm 0): the Welch mean
 * difference and Hedges' g.
 */
import { lgamma, pt, qnorm, qt } from './distributions.js';
import { checkConfLevel, StatsError, type StatsWarning } from './errors.js';
import type { Estimate } from './estimate.js';
import { checkAtLeast, checkValue, type Subject } from './validate.js';

/** Options of the continuous effect measures. */
export interface ContinuousOptions {
  /** Confidence level (default 0.95). */
  confLevel?: number;
}

/**
 * Result of {@link meanDifference}: `estimate` mean₁ − mean₀, `se` √(s₁²/n₁ + s₀²/n₀),
 * `statistic` estimate / se and `p` its two-sided p-value from t(df).
 */
export interface MeanDifferenceResult extends Estimate {
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  readonly mean1: number;
  readonly mean0: number;
  readonly method: 'welch';
  readonly confLevel: number;
  readonly warnings: StatsWarning[];
}

/** Result of {@link hedgesG}. */
export interface HedgesGResult {
  /** g = J·d. */
  readonly estimate: number;
  /** √v with v = (n₁ + n₀)/(n₁n₀) + g²/(2(n₁ + n₀)). */
  readonly se: number;
  /** g ± z·se. */
  readonly lower: number;
  readonly upper: number;
  /** Cohen's d with the pooled SD, before the small-sample correction. */
  readonly d: number;
  /** The exact small-sample correction J = Γ(m/2) / (√(m/2)·Γ((m − 1)/2)), m = n₁ + n₀ − 2. */
  readonly correction: number;
  /** The pooled standard deviation √(((n₁ − 1)s₁² + (n₀ − 1)s₀²)/(n₁ + n₀ − 2)). */
  readonly sdPooled: number;
  readonly method: 'hedges-g';
  readonly confLevel: number;
  readonly warnings: StatsWarning[];
}

interface Arm {
  n: number;
  mean: number;
  /** Unbiased variance. */
  variance: number;
}

function summarise(x: ArrayLike<number>, name: string): Arm {
  const n = x.length;
  checkAtLeast(n, 2, name);
  const subject: Subject = { code: 'invalid-value', what: `value in \`${name}\``, field: name };
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    checkValue(v, i, 'finite', subject);
    s += v;
  }
  const mean = s / n;
  // two passes, with the compensation term of Chan, Golub & LeVeque (1983)
  let ss = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    ss += d * d;
    comp += d;
  }
  return { n, mean: mean + comp / n, variance: (ss - (comp * comp) / n) / (n - 1) };
}

/** The prologue of both measures: the options checked, then each arm's summary. */
function twoArms(
  x1: ArrayLike<number>,
  x0: ArrayLike<number>,
  options: ContinuousOptions,
): { confLevel: number; a: Arm; b: Arm } {
  const { confLevel = 0.95 } = options;
  checkConfLevel(confLevel);
  return { confLevel, a: summarise(x1, 'x1'), b: summarise(x0, 'x0') };
}

/**
 * Throws when `spread` (a standard error or SD) is zero up to rounding relative to the means: the
 * data of both arms are then constant and the measure is undefined; `what` says what cannot be done.
 */
function checkSpread(spread: number, a: Arm, b: Arm, what: string): void {
  if (!(spread > 10 * Number.EPSILON * Math.max(Math.abs(a.mean), Math.abs(b.mean)))) {
    throw new StatsError('constant-data', `cannot ${what}: both arms are (essentially) constant`, {
      field: 'x1',
    });
  }
}

/**
 * Difference in means with Welch's unequal-variance t interval (Welch 1947, "The generalization of
 * 'Student's' problem when several different population variances are involved", Biometrika
 * 34:28–35), as R's `t.test(x1, x0, var.equal = FALSE)`: se = √(s₁²/n₁ + s₀²/n₀),
 * df = se⁴ / ((s₁²/n₁)²/(n₁ − 1) + (s₀²/n₀)²/(n₀ − 1)).
 *
 * Complexity: O(n₁ + n₀).
 * @example
 * meanDifference([5.1, 6.3, 7.2, 5.9], [4.2, 5.0, 4.8, 3.9, 4.4]);
 * // → { estimate: 1.665, se: 0.4798, df: 4.24, p: 0.0233, lower: 0.3619, upper: 2.9681, ... }
 */
export function meanDifference(
  x1: ArrayLike<number>,
  x0: ArrayLike<number>,
  options: ContinuousOptions = {},
): MeanDifferenceResult {
  const { confLevel, a, b } = twoArms(x1, x0, options);
  const v1 = a.variance / a.n;
  const v0 = b.variance / b.n;
  const se = Math.sqrt(v1 + v0);
  const estimate = a.mean - b.mean;
  checkSpread(se, a, b, 'compare means');
  const df = (v1 + v0) ** 2 / (v1 ** 2 / (a.n - 1) + v0 ** 2 / (b.n - 1));
  const statistic = estimate / se;
  const half = qt(1 - (1 - confLevel) / 2, df) * se;
  return {
    estimate,
    se,
    df,
    statistic,
    p: 2 * pt(-Math.abs(statistic), df),
    lower: estimate - half,
    upper: estimate + half,
    mean1: a.mean,
    mean0: b.mean,
    method: 'welch',
    confLevel,
    warnings: [],
  };
}

/**
 * Hedges' g, the standardised mean difference with the small-sample bias correction (Hedges 1981,
 * "Distribution theory for Glass's estimator of effect size and related estimators", J Educ Stat
 * 6:107–128; Hedges & Olkin 1985, Statistical Methods for Meta-Analysis, ch. 5):
 * d = (mean₁ − mean₀)/s_pooled, g = J·d with the exact J = Γ(m/2)/(√(m/2)·Γ((m − 1)/2)),
 * m = n₁ + n₀ − 2 (≈ 1 − 3/(4m − 1)), and the large-sample variance
 * v = (n₁ + n₀)/(n₁n₀) + g²/(2(n₁ + n₀)) (Hedges & Olkin 1985, eq. 5.15 with g for d; the same as
 * metafor's `escalc("SMD", vtype = "LS")`). The interval is g ± z_{1−α/2}·√v.
 *
 * Complexity: O(n₁ + n₀).
 * @example
 * hedgesG([5.1, 6.3, 7.2, 5.9], [4.2, 5.0, 4.8, 3.9, 4.4]);
 * // → { estimate: 2.2296, se: 0.8522, lower: 0.5594, upper: 3.8999, d: 2.5103, correction: 0.8882, ... }
 */
export function hedgesG(
  x1: ArrayLike<number>,
  x0: ArrayLike<number>,
  options: ContinuousOptions = {},
): HedgesGResult {
  const { confLevel, a, b } = twoArms(x1, x0, options);
  const m = a.n + b.n - 2;
  const sdPooled = Math.sqrt(((a.n - 1) * a.variance + (b.n - 1) * b.variance) / m);
  checkSpread(sdPooled, a, b, 'standardise');
  const d = (a.mean - b.mean) / sdPooled;
  const correction = Math.exp(lgamma(m / 2) - 0.5 * Math.log(m / 2) - lgamma((m - 1) / 2));
  const g = correction * d;
  const n = a.n + b.n;
  const se = Math.sqrt(n / (a.n * b.n) + (g * g) / (2 * n));
  const z = qnorm(1 - (1 - confLevel) / 2);
  return {
    estimate: g,
    se,
    lower: g - z * se,
    upper: g + z * se,
    d,
    correction,
    sdPooled,
    method: 'hedges-g',
    confLevel,
    warnings: [],
  };
}
