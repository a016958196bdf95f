/**
 * Effect measures for a binary endpoint from the 2×2 table of events per arm (treated vs control):
 * risk difference, risk ratio, odds ratio, and Fisher's exact test with the conditional MLE of the
 * odds ratio. Arm 1 is treated, arm 0 is control, as everywhere in ecasim.
 */
import { qnorm, pTwoSidedNormal } from './distributions.js';
import { checkConfLevel, StatsError, type StatsWarning } from './errors.js';
import type { Estimate } from './estimate.js';
import { checkOneOf } from './validate.js';

/** Options shared by the 2×2 effect measures. */
export interface BinaryOptions {
  /** Confidence level (default 0.95). */
  confLevel?: number;
}

/** An interval. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Result of {@link riskDifference}: `estimate` p₁ − p₀; `se` the unpooled Wald standard error
 * √(p₁q₁/n₁ + p₀q₀/n₀); `lower`/`upper` the limits of the interval named by `method`;
 * `statistic` the pooled z (R's `prop.test(correct = FALSE)` is its square) and `p` its
 * two-sided p-value.
 */
export interface RiskDifferenceResult extends Estimate {
  readonly risk1: number;
  readonly risk0: number;
  readonly method: 'newcombe-hybrid-score' | 'wald';
  /** Both intervals, whichever `method` put in lower/upper. */
  readonly intervals: { readonly newcombe: Interval; readonly wald: Interval };
  readonly confLevel: number;
  readonly warnings: StatsWarning[];
}

/** Options of {@link riskRatio} and {@link oddsRatio}. */
export interface RatioOptions extends BinaryOptions {
  /** Which interval goes in lower/upper: 'wald-log' (default) or 'miettinen-nurminen'. */
  interval?: 'wald-log' | 'miettinen-nurminen';
}

/**
 * Result of {@link riskRatio} and {@link oddsRatio}: a ratio with a Wald interval on the log scale
 * and the Miettinen–Nurminen score interval. `estimate` is the ratio (after the zero-cell
 * correction, when one was applied), `se` the standard error of its logarithm, `statistic` the
 * Wald z = log ratio / se.
 */
export interface RatioResult extends Estimate {
  /** The logarithm of the ratio. */
  readonly logEstimate: number;
  /** The interval in lower/upper. */
  readonly method: 'wald-log' | 'miettinen-nurminen';
  /**
   * Both intervals. The score interval uses the raw counts (no correction); its limit is 0 or
   * Infinity where the data cannot bound the ratio (zero events / zero cells).
   */
  readonly intervals: { readonly wald: Interval; readonly miettinenNurminen: Interval };
  /** 0, or 0.5 when every cell was incremented by ½ because of a zero cell (Wald only). */
  readonly correction: number;
  readonly confLevel: number;
  readonly warnings: StatsWarning[];
}

/** Result of {@link fisherExact}. */
export interface FisherResult {
  /** Two-sided p-value (R's: tables no more likely than the observed one, relative tolerance 1e-7). */
  readonly p: number;
  /** Conditional maximum-likelihood estimate of the odds ratio (0 or Infinity at the support's ends). */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly method: 'fisher-exact';
  readonly confLevel: number;
  readonly warnings: StatsWarning[];
}

function checkCount(name: string, v: number, min: number): void {
  if (!(Number.isSafeInteger(v) && v >= min)) {
    throw new StatsError(
      'invalid-count',
      `invalid \`${name}\`: expected an integer >= ${min}, found ${v}`,
      {
        field: name,
      },
    );
  }
}

function checkArms(events1: number, n1: number, events0: number, n0: number): void {
  checkCount('n1', n1, 1);
  checkCount('n0', n0, 1);
  checkCount('events1', events1, 0);
  checkCount('events0', events0, 0);
  if (events1 > n1) {
    throw new StatsError(
      'invalid-count',
      `invalid \`events1\`: ${events1} events among n1 = ${n1} patients`,
      {
        field: 'events1',
      },
    );
  }
  if (events0 > n0) {
    throw new StatsError(
      'invalid-count',
      `invalid \`events0\`: ${events0} events among n0 = ${n0} patients`,
      {
        field: 'events0',
      },
    );
  }
}

/** Wilson score interval without continuity correction (Wilson 1927), as R's `prop.test(correct = FALSE)`; `z` the normal quantile of the level. */
export function wilson(x: number, n: number, z: number): Interval {
  const p = x / n;
  const z22n = (z * z) / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z22n / (2 * n));
  return {
    lower: p <= 0 ? 0 : (p + z22n - half) / (1 + 2 * z22n),
    upper: p >= 1 ? 1 : (p + z22n + half) / (1 + 2 * z22n),
  };
}

/**
 * Risk difference p₁ − p₀ with the hybrid score interval of Newcombe (1998, "Interval estimation
 * for the difference between independent proportions: comparison of eleven methods", Stat Med
 * 17:873–890, method 10): with Wilson score limits (lᵢ, uᵢ) for each arm (no continuity correction),
 * [RD − √((p₁ − l₁)² + (u₀ − p₀)²), RD + √((u₁ − p₁)² + (p₀ − l₀)²)]. It stays inside [−1, 1] and
 * behaves at 0 and n events, where the Wald interval RD ± z·se (also returned) collapses.
 * The test is the pooled z test (R's `prop.test(..., correct = FALSE)`); when both arms are all
 * events or all non-events it is undefined and reported as statistic 0, p = 1 with a warning.
 *
 * Complexity: O(1).
 * @example
 * riskDifference(15, 40, 8, 42);
 * // → { estimate: 0.1845, lower: -0.0103, upper: 0.3638, p: 0.0630, method: 'newcombe-hybrid-score', ... }
 */
export function riskDifference(
  events1: number,
  n1: number,
  events0: number,
  n0: number,
  options: BinaryOptions & { interval?: 'newcombe' | 'wald' } = {},
): RiskDifferenceResult {
  const { confLevel = 0.95, interval = 'newcombe' } = options;
  checkConfLevel(confLevel);
  checkOneOf('interval', interval, ['newcombe', 'wald']);
  checkArms(events1, n1, events0, n0);
  const z = qnorm(1 - (1 - confLevel) / 2);
  const p1 = events1 / n1;
  const p0 = events0 / n0;
  const rd = p1 - p0;
  const warnings: StatsWarning[] = [];
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  if (se === 0) {
    warnings.push({
      code: 'degenerate-wald',
      message:
        'each arm has 0% or 100% events: the Wald standard error is 0 and its interval a point',
    });
  }
  const w1 = wilson(events1, n1, z);
  const w0 = wilson(events0, n0, z);
  const newcombe = {
    lower: rd - Math.sqrt((p1 - w1.lower) ** 2 + (w0.upper - p0) ** 2),
    upper: rd + Math.sqrt((w1.upper - p1) ** 2 + (p0 - w0.lower) ** 2),
  };
  const wald = { lower: rd - z * se, upper: rd + z * se };
  const pbar = (events1 + events0) / (n1 + n0);
  const sePooled = Math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n0));
  let statistic = 0;
  let p = 1;
  if (sePooled > 0) {
    statistic = rd / sePooled;
    p = pTwoSidedNormal(statistic);
  } else {
    warnings.push({
      code: 'degenerate-test',
      message:
        'no variation in the outcome (all events or none): the z test is undefined; reported p = 1',
    });
  }
  const chosen = interval === 'newcombe' ? newcombe : wald;
  return {
    estimate: rd,
    se,
    lower: chosen.lower,
    upper: chosen.upper,
    statistic,
    p,
    risk1: p1,
    risk0: p0,
    method: interval === 'newcombe' ? 'newcombe-hybrid-score' : 'wald',
    intervals: { newcombe, wald },
    confLevel,
    warnings,
  };
}

function ratioResult(
  logEstimate: number,
  se: number,
  correction: number,
  confLevel: number,
  warnings: StatsWarning[],
  score: Interval,
  interval: RatioOptions['interval'],
): RatioResult {
  const z = qnorm(1 - (1 - confLevel) / 2);
  const degenerate = se === 0;
  const statistic = degenerate ? 0 : logEstimate / se;
  const wald = degenerate
    ? { lower: Math.exp(logEstimate), upper: Math.exp(logEstimate) }
    : { lower: Math.exp(logEstimate - z * se), upper: Math.exp(logEstimate + z * se) };
  const chosen = interval === 'miettinen-nurminen' ? score : wald;
  return {
    estimate: Math.exp(logEstimate),
    logEstimate,
    se,
    lower: chosen.lower,
    upper: chosen.upper,
    statistic,
    p: degenerate ? 1 : pTwoSidedNormal(statistic),
    method: interval === 'miettinen-nurminen' ? 'miettinen-nurminen' : 'wald-log',
    intervals: { wald, miettinenNurminen: score },
    correction,
    confLevel,
    warnings,
  };
}

function checkRatioOptions(options: RatioOptions): {
  confLevel: number;
  interval: RatioOptions['interval'];
} {
  const { confLevel = 0.95, interval = 'wald-log' } = options;
  checkConfLevel(confLevel);
  checkOneOf('interval', interval, ['wald-log', 'miettinen-nurminen']);
  return { confLevel, interval };
}

/**
 * Inverts a score statistic z(θ), decreasing in θ, at ±z_{1−α/2}: the limits of
 * {θ : |z(θ)| ≤ z_{1−α/2}} on the ratio scale. `unboundedBelow/Above` give 0 / Infinity.
 */
function invertScore(
  score: (theta: number) => number,
  confLevel: number,
  unboundedBelow: boolean,
  unboundedAbove: boolean,
): Interval {
  const zc = qnorm(1 - (1 - confLevel) / 2);
  const lower = unboundedBelow ? 0 : Math.exp(solveTheta((t) => score(Math.exp(t)) - zc));
  const upper = unboundedAbove ? Infinity : Math.exp(solveTheta((t) => score(Math.exp(t)) + zc));
  return { lower, upper };
}

/**
 * Miettinen–Nurminen score statistic for the risk ratio θ = p₁/p₀ (Miettinen & Nurminen 1985,
 * "Comparative analysis of two rates", Stat Med 4:213–226): restricted MLE p̃₀ the root in (0, 1) of
 * Nθ·p² − (n₁θ + x₁ + n₀ + x₀θ)·p + (x₁ + x₀) = 0, p̃₁ = θp̃₀;
 * z = (p̂₁ − θp̂₀)/√((p̃₁q̃₁/n₁ + θ²p̃₀q̃₀/n₀)·N/(N − 1)).
 */
function mnRiskRatioZ(x1: number, n1: number, x0: number, n0: number, theta: number): number {
  const N = n1 + n0;
  const a = N * theta;
  const b = -(n1 * theta + x1 + n0 + x0 * theta);
  const c = x1 + x0;
  // the smaller root, (−b − √(b² − 4ac))/(2a), in the cancellation-free form 2c/(−b + √(b² − 4ac))
  const p0 = c === 0 ? 0 : (2 * c) / (-b + Math.sqrt(Math.max(0, b * b - 4 * a * c)));
  const p1 = theta * p0;
  const num = x1 / n1 - (theta * x0) / n0;
  const v = ((p1 * (1 - p1)) / n1 + (theta * theta * p0 * (1 - p0)) / n0) * (N / (N - 1));
  if (!(v > 0)) return num === 0 ? 0 : num > 0 ? Infinity : -Infinity;
  return num / Math.sqrt(v);
}

/**
 * Miettinen–Nurminen score statistic for the odds ratio ψ (Miettinen & Nurminen 1985): restricted
 * MLE p̃₀ the root in (0, 1) of n₀(ψ − 1)·p² + (n₁ψ + n₀ − x(ψ − 1))·p − x = 0 (x = x₁ + x₀),
 * p̃₁ = ψp̃₀/(1 + p̃₀(ψ − 1)); z = (x₁ − n₁p̃₁)·√((1/(n₁p̃₁q̃₁) + 1/(n₀p̃₀q̃₀))·(N − 1)/N).
 */
function mnOddsRatioZ(x1: number, n1: number, x0: number, n0: number, psi: number): number {
  const N = n1 + n0;
  const x = x1 + x0;
  let p0: number;
  if (Math.abs(psi - 1) < 1e-12) {
    p0 = x / N;
  } else {
    const a = n0 * (psi - 1);
    const b = n1 * psi + n0 - x * (psi - 1);
    const disc = Math.sqrt(Math.max(0, b * b + 4 * a * x));
    // the root in (0, 1), written to avoid cancellation for either sign of a
    p0 = b > 0 ? (2 * x) / (b + disc) : (disc - b) / (2 * a);
  }
  const p1 = (psi * p0) / (1 + p0 * (psi - 1));
  const u = x1 - n1 * p1;
  const info = 1 / (n1 * p1 * (1 - p1)) + 1 / (n0 * p0 * (1 - p0));
  if (!Number.isFinite(info)) return u === 0 ? 0 : u > 0 ? Infinity : -Infinity;
  return u * Math.sqrt(info * ((N - 1) / N));
}

/**
 * The 2×2 table [[a, b], [c, d]] (rows treated, control; columns events, non-events) and the arm
 * sizes m1 = a + b, m0 = c + d, after the zero-cell correction when it applied.
 */
interface Table {
  a: number;
  b: number;
  c: number;
  d: number;
  m1: number;
  m0: number;
}

/** The call of both ratio measures: events and patients of the treated arm, then the control's. */
export type RatioMeasure = (
  events1: number,
  n1: number,
  events0: number,
  n0: number,
  options?: RatioOptions,
) => RatioResult;

/**
 * A ratio measure from what is particular to it: its Miettinen–Nurminen score statistic, where the
 * data cannot bound the ratio (below, above), when the zero-cell correction applies and the
 * warning that says so, and the Wald log ratio and its se on the table. The checks, the score
 * interval, the correction — ½ added to every cell, so 1 to each arm — and the result are shared.
 */
function ratioMeasure(spec: {
  scoreZ: (x1: number, n1: number, x0: number, n0: number, theta: number) => number;
  unbounded: (x1: number, n1: number, x0: number, n0: number) => [boolean, boolean];
  zeroCell: (x1: number, n1: number, x0: number, n0: number) => boolean;
  zeroCellMessage: string;
  wald: (t: Table) => { logEstimate: number; se: number; warning?: StatsWarning };
}): RatioMeasure {
  return (events1, n1, events0, n0, options = {}) => {
    const { confLevel, interval } = checkRatioOptions(options);
    checkArms(events1, n1, events0, n0);
    const [below, above] = spec.unbounded(events1, n1, events0, n0);
    const score = invertScore(
      (t) => spec.scoreZ(events1, n1, events0, n0, t),
      confLevel,
      below,
      above,
    );
    const correct = spec.zeroCell(events1, n1, events0, n0);
    const k = correct ? 0.5 : 0;
    const w = spec.wald({
      a: events1 + k,
      b: n1 - events1 + k,
      c: events0 + k,
      d: n0 - events0 + k,
      m1: n1 + 2 * k,
      m0: n0 + 2 * k,
    });
    const warnings: StatsWarning[] = [];
    if (correct) warnings.push({ code: 'zero-cell-correction', message: spec.zeroCellMessage });
    if (w.warning) warnings.push(w.warning);
    return ratioResult(w.logEstimate, w.se, k, confLevel, warnings, score, interval);
  };
}

/**
 * Risk ratio p₁/p₀ with the Wald interval on the log scale (Katz, Baptista, Azen & Pike 1978,
 * "Obtaining confidence intervals for the risk ratio in cohort studies", Biometrics 34:469–474):
 * se(log RR) = √(1/a − 1/n₁ + 1/c − 1/n₀) with a, c the events. This equals R's
 * `glm(cbind(events, n − events) ~ arm, family = binomial(link = "log"))` for the arm coefficient.
 * Zero events in an arm: ½ is added to every cell (events + ½, n + 1) and a `zero-cell-correction`
 * warning is attached; the result reports `correction: 0.5`. Also returned: the Miettinen–Nurminen
 * (1985) score interval, better behaved in small samples and at zero cells (select it with
 * `interval: 'miettinen-nurminen'`).
 *
 * Complexity: O(1).
 * @example
 * riskRatio(15, 40, 8, 42); // → { estimate: 1.9688, lower: 0.9386, upper: 4.1297, p: 0.0731, ... }
 */
export const riskRatio: RatioMeasure = ratioMeasure({
  scoreZ: mnRiskRatioZ,
  unbounded: (events1, _n1, events0) => [events1 === 0, events0 === 0],
  zeroCell: (events1, _n1, events0) => events1 === 0 || events0 === 0,
  zeroCellMessage:
    'an arm has no events: 0.5 was added to every cell of the 2×2 table for the risk ratio',
  wald: ({ a, c, m1, m0 }) => {
    const logEstimate = Math.log(a / m1) - Math.log(c / m0);
    const se = Math.sqrt(1 / a - 1 / m1 + 1 / c - 1 / m0);
    if (se !== 0) return { logEstimate, se };
    // both arms all events: RR = 1 exactly with no sampling variability in the Wald sense
    const message = 'every patient had an event: the Wald standard error is 0; reported p = 1';
    return { logEstimate, se, warning: { code: 'degenerate-wald', message } };
  },
});

/**
 * Odds ratio (a·d)/(b·c) with the Wald interval on the log scale (Woolf 1955, "On estimating the
 * relation between blood group and disease", Ann Hum Genet 19:251–253): se = √(1/a + 1/b + 1/c + 1/d),
 * identical to R's `glm(cbind(events, n − events) ~ arm, family = binomial)` for the arm coefficient.
 * A zero cell gets the Haldane–Anscombe correction (½ added to every cell) with a
 * `zero-cell-correction` warning and `correction: 0.5`. Also returned: the Miettinen–Nurminen
 * (1985) score interval (select it with `interval: 'miettinen-nurminen'`).
 *
 * Complexity: O(1).
 * @example
 * oddsRatio(15, 40, 8, 42); // → { estimate: 2.55, lower: 0.9367, upper: 6.9417, p: 0.0669, ... }
 */
export const oddsRatio: RatioMeasure = ratioMeasure({
  scoreZ: mnOddsRatioZ,
  unbounded: (events1, n1, events0, n0) => [
    events1 === 0 || events0 === n0,
    events0 === 0 || events1 === n1,
  ],
  zeroCell: (events1, n1, events0, n0) =>
    events1 === 0 || events1 === n1 || events0 === 0 || events0 === n0,
  zeroCellMessage:
    'the 2×2 table has a zero cell: 0.5 was added to every cell for the odds ratio (Haldane–Anscombe)',
  wald: ({ a, b, c, d }) => ({
    logEstimate: Math.log(a) + Math.log(d) - Math.log(b) - Math.log(c),
    se: Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d),
  }),
});

/**
 * The hypergeometric distribution of the treated events given the margins, with odds ratio ψ
 * (Fisher's noncentral hypergeometric): support lo..hi, log of the central density.
 */
interface Hyper {
  lo: number;
  hi: number;
  x: number;
  /** Central (ψ = 1) log densities, up to a constant, over lo..hi. */
  logd: Float64Array;
}

function hyper(a: number, b: number, c: number, d: number): Hyper {
  // R's fisher.test: m = a + c (column 1), n = b + d, k = a + b (row 1), x = a.
  const m = a + c;
  const n = b + d;
  const k = a + b;
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const logd = new Float64Array(hi - lo + 1);
  // ratio of successive densities: f(x+1)/f(x) = (m − x)(k − x) / ((x + 1)(n − k + x + 1))
  for (let x = lo; x < hi; x++) {
    logd[x - lo + 1] = logd[x - lo]! + Math.log(((m - x) * (k - x)) / ((x + 1) * (n - k + x + 1)));
  }
  return { lo, hi, x: a, logd };
}

/** Normalised densities under log odds ratio `theta`. */
function dnhyper(h: Hyper, theta: number): Float64Array {
  const len = h.logd.length;
  const d = new Float64Array(len);
  let max = -Infinity;
  for (let i = 0; i < len; i++) {
    d[i] = h.logd[i]! + theta * (h.lo + i);
    if (d[i]! > max) max = d[i]!;
  }
  let s = 0;
  for (let i = 0; i < len; i++) {
    d[i] = Math.exp(d[i]! - max);
    s += d[i]!;
  }
  for (let i = 0; i < len; i++) d[i]! /= s;
  return d;
}

function mnhyper(h: Hyper, theta: number): number {
  const d = dnhyper(h, theta);
  let s = 0;
  for (let i = 0; i < d.length; i++) s += (h.lo + i) * d[i]!;
  return s;
}

/** P(X ≤ x) (or P(X ≥ x) when `upper`) under log odds ratio theta. */
function pnhyper(h: Hyper, theta: number, upper: boolean): number {
  const d = dnhyper(h, theta);
  let s = 0;
  const i0 = h.x - h.lo;
  if (upper) for (let i = i0; i < d.length; i++) s += d[i]!;
  else for (let i = 0; i <= i0; i++) s += d[i]!;
  return s;
}

/**
 * Root of an increasing or decreasing function on the log-odds-ratio scale by bisection, to
 * full double precision: the bracket is widened from [−1, 1] until the sign changes.
 */
function solveTheta(f: (theta: number) => number): number {
  let lo = -1;
  let hi = 1;
  let flo = f(lo);
  let fhi = f(hi);
  while (Math.sign(flo) === Math.sign(fhi) && hi < 700) {
    lo *= 2;
    hi *= 2;
    flo = f(lo);
    fhi = f(hi);
  }
  if (flo === 0) return lo;
  if (fhi === 0) return hi;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

/**
 * Fisher's exact test for the 2×2 table [[a, b], [c, d]] (rows: treated, control; columns: events,
 * non-events), two-sided as R's `fisher.test(matrix(c(a, c, b, d), 2))` (Fisher 1935; the p-value
 * sums the probabilities of the tables no more likely than the observed one, with R's relative
 * tolerance 1 + 1e-7). The odds ratio is the conditional MLE under Fisher's noncentral
 * hypergeometric distribution, and its interval inverts the two one-sided tests at (1 − confLevel)/2,
 * as R does. R solves these with `uniroot` at its default tolerance (≈ 1e-4 relative); here they are
 * solved to double precision, so estimates differ from R's printed ones beyond ~1e-4.
 *
 * Complexity: O(min(a + b, a + c, …)) per evaluation; about 60 evaluations per root.
 * @example
 * fisherExact(3, 1, 1, 3); // → { p: 0.4857, estimate: 6.4083, lower: 0.2117, upper: 626.24, ... }
 */
export function fisherExact(
  a: number,
  b: number,
  c: number,
  d: number,
  options: BinaryOptions = {},
): FisherResult {
  const { confLevel = 0.95 } = options;
  checkConfLevel(confLevel);
  checkCount('a', a, 0);
  checkCount('b', b, 0);
  checkCount('c', c, 0);
  checkCount('d', d, 0);
  if (a + b === 0 || c + d === 0) {
    throw new StatsError('empty-arm', 'invalid 2×2 table: an arm (row) has no patients', {
      field: a + b === 0 ? 'a' : 'c',
    });
  }
  const h = hyper(a, b, c, d);
  const warnings: StatsWarning[] = [];
  if (h.lo === h.hi) {
    warnings.push({
      code: 'degenerate-table',
      message:
        'a margin of the table is 0: the conditional distribution has one point; p = 1 and the odds ratio is not estimable (reported as 0 with interval [0, Inf], as R does)',
    });
  }
  const d1 = dnhyper(h, 0);
  const cut = d1[h.x - h.lo]! * (1 + 1e-7);
  let p = 0;
  for (let i = 0; i < d1.length; i++) if (d1[i]! <= cut) p += d1[i]!;
  p = Math.min(1, p);

  let estimate: number;
  // R's order of checks: with a one-point support the estimate is 0 and the interval [0, Inf].
  if (h.x === h.lo) estimate = 0;
  else if (h.x === h.hi) estimate = Infinity;
  else estimate = Math.exp(solveTheta((t) => mnhyper(h, t) - h.x));

  const alpha = (1 - confLevel) / 2;
  const lower = h.x === h.lo ? 0 : Math.exp(solveTheta((t) => pnhyper(h, t, true) - alpha));
  const upper = h.x === h.hi ? Infinity : Math.exp(solveTheta((t) => pnhyper(h, t, false) - alpha));
  return { p, estimate, lower, upper, method: 'fisher-exact', confLevel, warnings };
}
