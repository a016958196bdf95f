/**
 * Kaplan–Meier estimator with R `survival`'s conventions (survfit, summary.survfit,
 * quantile.survfit), plus the input validation and the O(n) radix argsort that the log-rank test
 * and RMST share.
 *
 * Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations. JASA 53:457–481.
 * Greenwood M (1926). The natural duration of cancer. Reports on Public Health and Medical Subjects 33.
 * Therneau TM (2023). survival: A Package for Survival Analysis in R, version 3.5 (the reference).
 */
import { qnorm } from './distributions.js';
import { checkConfLevel, StatsError, type StatsWarning } from './errors.js';
import { checkAtLeast, checkValue, describe, WEIGHT, type Subject } from './validate.js';

/** Confidence-interval transformations of `survfit(conf.type = )`. */
export type ConfType = 'log' | 'log-log' | 'plain' | 'logit' | 'arcsin' | 'none';

const CONF_TYPES: readonly ConfType[] = ['log', 'log-log', 'plain', 'logit', 'arcsin', 'none'];
const QUANTILE_TOL = Math.sqrt(2 ** -52); // sqrt(.Machine$double.eps), quantile.survfit's default

export interface KaplanMeierOptions {
  /** Case weights (> 0). Non-integer weights switch the variance to R's robust one (see below). */
  weights?: ArrayLike<number>;
  /** Interval transformation; R's default 'log'. */
  confType?: ConfType;
  /** Two-sided confidence level; default 0.95. */
  confLevel?: number;
}

/** A point estimate with its confidence limits; `null` where R reports NA (not reached). */
export interface QuantileEstimate {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}

export interface KaplanMeierFit {
  readonly method: 'kaplan-meier';
  readonly confType: ConfType;
  readonly confLevel: number;
  /** 'greenwood' (R's default), or 'robust' (infinitesimal jackknife) when weights are non-integer. */
  readonly variance: 'greenwood' | 'robust';
  /** Number of observations (unweighted). */
  readonly n: number;
  /** Distinct observed times (events or censorings), increasing. */
  readonly time: Float64Array;
  /** Weighted number at risk just before each time (R `n.risk`). */
  readonly nRisk: Float64Array;
  /** Weighted number of events at each time (R `n.event`). */
  readonly nEvent: Float64Array;
  /** Weighted number censored at each time (R `n.censor`). */
  readonly nCensor: Float64Array;
  /** Survival just after each time. */
  readonly surv: Float64Array;
  /** Nelson–Aalen cumulative hazard (R `cumhaz`). */
  readonly cumhaz: Float64Array;
  /**
   * R's `std.err`, exactly: with the Greenwood variance it is the standard error of the cumulative
   * hazard (of −log S), `logse = true`; with the robust variance R reports the standard error of S
   * itself, `logse = false`. It is `Infinity` where R's is (every subject at risk dies).
   */
  readonly stdErr: Float64Array;
  /** Whether `stdErr` is on the log scale (R `logse`). */
  readonly logse: boolean;
  /** Standard error of S at each time (R `summary(fit)$std.err`). */
  readonly se: Float64Array;
  /** Lower / upper confidence limits; NaN where R gives NA (e.g. S = 0 on the log scale). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /**
   * Median survival and its limits as print.survfit reports them; `null` where not reached. Equal
   * to `kmQuantile(fit, [0.5])` except where a confidence limit is not monotone (see printMedian).
   */
  readonly median: QuantileEstimate;
  readonly warnings: StatsWarning[];
}

/* ------------------------------------------------------------------------------------------ */
/* Validation shared by km.ts, logrank.ts and rmst.ts (internal).                              */
/* ------------------------------------------------------------------------------------------ */

const TIME: Subject = { code: 'invalid-time', what: 'time', field: 'time' };

/** @internal Checks time (> 0, finite) and status (0/1); returns Float64Array / Uint8Array copies. */
export function validateTimeStatus(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
): { time: Float64Array; status: Uint8Array } {
  if (time == null || status == null) {
    throw new StatsError('empty-input', 'time and status are required', { field: 'time' });
  }
  const n = time.length;
  if (n === 0)
    throw new StatsError('empty-input', 'no observations: time is empty', { field: 'time' });
  if (status.length !== n) {
    throw new StatsError(
      'length-mismatch',
      `status has ${status.length} values but time has ${n}: they must have the same length`,
      { field: 'status' },
    );
  }
  checkAtLeast(n, 2, 'time');
  const t = new Float64Array(n);
  const s = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const ti = time[i]!;
    checkValue(ti, i, 'positive', TIME);
    t[i] = ti;
    const si = status[i];
    if (si !== 0 && si !== 1) {
      throw new StatsError(
        'invalid-status',
        `invalid status at observation ${i}: expected 0 (censored) or 1 (event), found ${describe(si)}`,
        { field: 'status', index: i },
      );
    }
    s[i] = si;
  }
  return { time: t, status: s };
}

/** @internal Checks weights (> 0, finite, same length); returns a copy and whether all are integers. */
export function validateWeights(
  weights: ArrayLike<number>,
  n: number,
): { weights: Float64Array; integer: boolean } {
  if (weights.length !== n) {
    throw new StatsError(
      'length-mismatch',
      `weights has ${weights.length} values but time has ${n}: they must have the same length`,
      { field: 'weights' },
    );
  }
  const w = new Float64Array(n);
  let integer = true;
  for (let i = 0; i < n; i++) {
    const wi = weights[i]!;
    checkValue(wi, i, 'positive', WEIGHT);
    if (wi !== Math.floor(wi)) integer = false;
    w[i] = wi;
  }
  return { weights: w, integer };
}

/**
 * @internal Checks the codes of `field` and maps them to level indices 0..levels−1, with the count
 * of each level and its original code (`labels`, increasing). `'any'` (group vectors) accepts any
 * finite numbers, mapped in increasing order as R's `factor()` (so 1/2 coding is two groups);
 * `'integer'` (strata) requires integer codes ≥ 0, and may leave levels with count 0 when the
 * codes are not contiguous.
 */
export function validateCodes(
  codes: ArrayLike<number>,
  n: number,
  field: string,
  kind: 'any' | 'integer',
): { codes: Int32Array; levels: number; counts: Int32Array; labels: number[] } {
  if (codes.length !== n) {
    throw new StatsError(
      'length-mismatch',
      `${field} has ${codes.length} values but time has ${n}: they must have the same length`,
      { field },
    );
  }
  const c = new Int32Array(n);
  if (kind === 'any') {
    const index = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const v = codes[i]!;
      if (!(typeof v === 'number' && Number.isFinite(v))) {
        throw new StatsError(
          `invalid-${field}`,
          `invalid ${field} at observation ${i}: expected a finite number code, found ${describe(v)}`,
          { field, index: i },
        );
      }
      index.set(v, 0); // a Map keys by SameValueZero: -0 and 0 are one code
    }
    const labels = Array.from(index.keys()).sort((a, b) => a - b);
    labels.forEach((v, l) => index.set(v, l));
    const counts = new Int32Array(labels.length);
    for (let i = 0; i < n; i++) {
      const l = index.get(codes[i]!)!;
      c[i] = l;
      counts[l]!++;
    }
    return { codes: c, levels: labels.length, counts, labels };
  }
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = codes[i]!;
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31)) {
      throw new StatsError(
        `invalid-${field}`,
        `invalid ${field} at observation ${i}: expected an integer code >= 0, found ${describe(v)}`,
        { field, index: i },
      );
    }
    c[i] = v;
    if (v > max) max = v;
  }
  if (max >= n) {
    // more levels than observations: compress the sparse code set
    const present = Array.from(new Set(c)).sort((a, b) => a - b);
    const index = new Map(present.map((v, l) => [v, l]));
    const counts = new Int32Array(present.length);
    for (let i = 0; i < n; i++) {
      const l = index.get(c[i]!)!;
      c[i] = l;
      counts[l]!++;
    }
    return { codes: c, levels: present.length, counts, labels: present };
  }
  const levels = max + 1;
  const counts = new Int32Array(levels);
  for (let i = 0; i < n; i++) counts[c[i]!]!++;
  return { codes: c, levels, counts, labels: Array.from({ length: levels }, (_, l) => l) };
}

function validateConf(confType: unknown, confLevel: unknown): void {
  if (!CONF_TYPES.includes(confType as ConfType)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`confType\` must be one of ${CONF_TYPES.join(', ')}. Value: \`${describe(confType)}\`.`,
      { field: 'confType' },
    );
  }
  checkConfLevel(confLevel);
}

/* ------------------------------------------------------------------------------------------ */
/* Sorting                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/**
 * @internal Stable argsort of non-negative finite doubles by LSD radix sort on their IEEE-754 bits
 * (for x ≥ 0 the bit pattern orders as the number): four 16-bit passes, those with a single
 * bucket skipped. O(n) time, two Uint32Array of n. Ties keep input order.
 */
export function argsortNonNegative(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const hist = new Uint32Array(4 * 65536);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    hist[lo & 0xffff]!++;
    hist[65536 + (lo >>> 16)]!++;
    hist[131072 + (hi & 0xffff)]!++;
    hist[196608 + (hi >>> 16)]!++;
  }
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  let dst = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const off = pass * 65536;
    // a pass whose digit is the same for every value moves nothing
    const first = pass < 2 ? words[0]! : words[1]!;
    const digit0 = pass % 2 === 0 ? first & 0xffff : first >>> 16;
    if (n === 0 || hist[off + digit0] === n) continue;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = hist[off + b]!;
      hist[off + b] = sum;
      sum += c;
    }
    const wordOff = pass < 2 ? 0 : 1;
    const shift = pass % 2 === 0 ? 0 : 16;
    for (let i = 0; i < n; i++) {
      const idx = src[i]!;
      const d = (words[2 * idx + wordOff]! >>> shift) & 0xffff;
      dst[hist[off + d]!++] = idx;
    }
    const tmp = src;
    src = dst;
    dst = tmp;
  }
  return src;
}

/* ------------------------------------------------------------------------------------------ */
/* Confidence intervals                                                                        */
/* ------------------------------------------------------------------------------------------ */

/**
 * @internal R's `survfit_confint` (survival 3.5) for one point: `se` is on the log scale when
 * `logse`, else the standard error of `p`. NaN where R gives NA.
 */
export function confLimits(
  p: number,
  se: number,
  logse: boolean,
  confType: ConfType,
  z: number,
): [number, number] {
  if (!logse) se = se === 0 ? 0 : se / p;
  // Math.max/min propagate NaN as R's pmax/pmin do
  switch (confType) {
    case 'plain': {
      const se2 = se * p * z;
      return [Math.max(p - se2, 0), Math.min(p + se2, 1)];
    }
    case 'log': {
      const xx = p === 0 ? NaN : p;
      const se2 = z * se;
      return [Math.exp(Math.log(xx) - se2), Math.min(Math.exp(Math.log(xx) + se2), 1)];
    }
    case 'log-log': {
      const xx = p === 0 || p === 1 ? NaN : p;
      const se2 = (z * se) / Math.log(xx);
      const ll = Math.log(-Math.log(xx));
      return [Math.exp(-Math.exp(ll - se2)), Math.exp(-Math.exp(ll + se2))];
    }
    case 'logit': {
      const xx = p === 0 ? NaN : p;
      const se2 = z * se * (1 + xx / (1 - xx));
      const lg = Math.log(p / (1 - p));
      return [1 - 1 / (1 + Math.exp(lg - se2)), 1 - 1 / (1 + Math.exp(lg + se2))];
    }
    case 'arcsin': {
      const xx = p === 0 ? NaN : p;
      const se2 = 0.5 * z * se * Math.sqrt(xx / (1 - xx));
      const a = Math.asin(Math.sqrt(xx));
      const lo = Math.sin(Math.max(0, a - se2));
      const hi = Math.sin(Math.min(Math.PI / 2, a + se2));
      return [lo * lo, hi * hi];
    }
    default:
      return [NaN, NaN];
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Kaplan–Meier                                                                                */
/* ------------------------------------------------------------------------------------------ */

/**
 * Kaplan–Meier estimate of the survival function, as R's `survfit(Surv(time, status) ~ 1)`.
 *
 * S(t) = ∏_{t_j ≤ t} (1 − d_j / Y_j) over distinct times t_j with (weighted) events d_j and
 * number at risk Y_j (Kaplan & Meier 1958). Variance: Greenwood (1926),
 * Var(−log S(t)) = Σ d_j / (Y_j (Y_j − d_j)), with weighted counts when weights are integers.
 * With non-integer case weights R switches to the infinitesimal-jackknife (robust) variance
 * (survfitKM: `robust` defaults to TRUE when any weight is not an integer, each observation its
 * own cluster) and then reports `std.err` as the standard error of S, not of −log S; this
 * function does the same, computing the jackknife sum in closed form in O(n) rather than R's
 * O(n × times). Confidence limits: `survfit_confint`, including its NA rules.
 * Unlike R, near-equal times are not merged (`timefix`): times are compared exactly.
 *
 * Complexity: O(n) (one radix argsort) time, O(n) memory; typed arrays only.
 *
 * @example
 * const fit = kaplanMeier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0]);
 * fit.surv;            // → ≈ Float64Array [0.8, 0.6, 0.3, 0.3]
 * fit.median.estimate; // → 3
 */
export function kaplanMeier(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  options: KaplanMeierOptions = {},
): KaplanMeierFit {
  const confType = options.confType ?? 'log';
  const confLevel = options.confLevel ?? 0.95;
  validateConf(confType, confLevel);
  const v = validateTimeStatus(time, status);
  let w: Float64Array | null = null;
  let integer = true;
  if (options.weights != null) {
    const vw = validateWeights(options.weights, v.time.length);
    w = vw.weights;
    integer = vw.integer;
  }
  const order = argsortNonNegative(v.time);
  return kmSorted(v.time, v.status, w, order, !integer, confType, confLevel);
}

/**
 * @internal Kaplan–Meier over `order` (indices sorted by time, any subset). Inputs are trusted.
 */
export function kmSorted(
  time: Float64Array,
  status: Uint8Array,
  weights: Float64Array | null,
  order: Uint32Array,
  robust: boolean,
  confType: ConfType,
  confLevel: number,
): KaplanMeierFit {
  const n = order.length;
  // pass 1: distinct times
  let ntime = 0;
  let prev = NaN;
  for (let k = 0; k < n; k++) {
    const t = time[order[k]!]!;
    if (t !== prev) {
      ntime++;
      prev = t;
    }
  }
  const times = new Float64Array(ntime);
  const nRisk = new Float64Array(ntime);
  const nEvent = new Float64Array(ntime);
  const nCensor = new Float64Array(ntime);
  const start = new Uint32Array(ntime + 1); // first sorted position of each distinct time
  // pass 2: events and censorings per time
  let j = -1;
  prev = NaN;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const t = time[i]!;
    if (t !== prev) {
      j++;
      times[j] = t;
      start[j] = k;
      prev = t;
    }
    const wi = weights === null ? 1 : weights[i]!;
    if (status[i] === 1) nEvent[j] += wi;
    else nCensor[j] += wi;
  }
  start[ntime] = n;
  // risk sets summed from the end, as R does
  let atRisk = 0;
  for (let m = ntime - 1; m >= 0; m--) {
    atRisk += nEvent[m]! + nCensor[m]!;
    nRisk[m] = atRisk;
  }
  const surv = new Float64Array(ntime);
  const cumhaz = new Float64Array(ntime);
  const stdErr = new Float64Array(ntime);
  let km = 1;
  let na = 0;
  let greenwood = 0;
  let events = 0;
  for (let m = 0; m < ntime; m++) {
    const d = nEvent[m]!;
    const y = nRisk[m]!;
    if (d > 0) {
      km *= (y - d) / y;
      na += d / y;
      greenwood += d / (y * (y - d));
      events++;
    }
    surv[m] = km;
    cumhaz[m] = na;
    stdErr[m] = Math.sqrt(greenwood);
  }
  if (robust && weights !== null)
    robustStdErr(status, weights, order, start, nRisk, nEvent, surv, stdErr);

  const logse = !robust;
  const se = new Float64Array(ntime);
  const lower = new Float64Array(ntime);
  const upper = new Float64Array(ntime);
  const z = qnorm(1 - (1 - confLevel) / 2);
  let undefinedLimits = 0;
  for (let m = 0; m < ntime; m++) {
    se[m] = logse ? stdErr[m]! * surv[m]! : stdErr[m]!;
    if (confType === 'none') {
      lower[m] = NaN;
      upper[m] = NaN;
      continue;
    }
    const [lo, hi] = confLimits(surv[m]!, stdErr[m]!, logse, confType, z);
    lower[m] = lo;
    upper[m] = hi;
    if (Number.isNaN(lo) || Number.isNaN(hi)) undefinedLimits++;
  }
  const warnings: StatsWarning[] = [];
  if (events === 0) {
    warnings.push({
      code: 'no-events',
      message: `no events among ${n} observations: survival stays at 1 and quantiles are not reached`,
    });
  }
  if (undefinedLimits > 0 && confType !== 'none') {
    warnings.push({
      code: 'ci-undefined',
      message: `the ${confType} confidence limits are undefined (NaN, R's NA) at ${undefinedLimits} of ${ntime} times, where survival is 0${confType === 'logit' || confType === 'log-log' ? ' or 1' : ''}`,
    });
  }
  const base = {
    method: 'kaplan-meier' as const,
    confType,
    confLevel,
    variance: robust ? ('robust' as const) : ('greenwood' as const),
    n,
    time: times,
    nRisk,
    nEvent,
    nCensor,
    surv,
    cumhaz,
    stdErr,
    logse,
    se,
    lower,
    upper,
    warnings,
  };
  const median: QuantileEstimate = {
    estimate: printMedian(surv, times),
    lower: confType === 'none' ? null : printMedian(lower, times),
    upper: confType === 'none' ? null : printMedian(upper, times),
  };
  return { ...base, median };
}

/**
 * The median as print.survfit shows it (survival:::survmean's `minmin`): the first time the curve
 * is below 0.5 + √ε; if it sits at 0.5 there, the midpoint to the next lower step. It differs from
 * quantile.survfit only where a confidence limit is not monotone (then findq sorts the knots).
 */
function printMedian(y: Float64Array, x: Float64Array): number | null {
  const tol = QUANTILE_TOL;
  let first = -1;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isNaN(y[i]!) && y[i]! < 0.5 + tol) {
      if (first < 0) {
        first = i;
        if (!(Math.abs(y[i]! - 0.5) < tol)) return x[i]!;
      } else if (y[i]! < y[first]!) {
        return (x[first]! + x[i]!) / 2;
      }
    }
  }
  return first < 0 ? null : x[first]!;
}

/**
 * Infinitesimal-jackknife standard error of S(t), each observation its own cluster, as
 * survfitkm.c computes it. Its influence on S(t) is S(t)·w_k·A_k(t) with
 * A_k(t) = G(min(t, T_k)) − δ_k·1[T_k ≤ t]/(Y_k − d_k), G(t) = Σ_{t_j ≤ t} d_j/(Y_j (Y_j − d_j)),
 * so Var = S(t)² (Σ_{T_k ≤ t} w_k² A_k² + G(t)² Σ_{T_k > t} w_k²): one pass, O(n).
 */
function robustStdErr(
  status: Uint8Array,
  weights: Float64Array,
  order: Uint32Array,
  start: Uint32Array,
  nRisk: Float64Array,
  nEvent: Float64Array,
  surv: Float64Array,
  stdErr: Float64Array,
): void {
  const ntime = nRisk.length;
  // Σ w² of those still at risk after each time, summed from the end
  const laterW2 = new Float64Array(ntime + 1);
  for (let m = ntime - 1; m >= 0; m--) {
    let s = 0;
    for (let k = start[m]!; k < start[m + 1]!; k++) {
      const w = weights[order[k]!]!;
      s += w * w;
    }
    laterW2[m] = laterW2[m + 1]! + s;
  }
  let g = 0;
  let done = 0; // Σ w_k² A_k² over observations already past
  let current = 0;
  for (let m = 0; m < ntime; m++) {
    const d = nEvent[m]!;
    const y = nRisk[m]!;
    if (d > 0) {
      if (y - d <= 0) {
        // everyone at risk dies: every influence is 0 from here on (survfitkm.c)
        current = 0;
      } else {
        g += d / (y * (y - d));
        const inv = 1 / (y - d);
        for (let k = start[m]!; k < start[m + 1]!; k++) {
          const i = order[k]!;
          const a = status[i] === 1 ? g - inv : g;
          done += weights[i]! * weights[i]! * a * a;
        }
        const s = surv[m]!;
        current = Math.sqrt(s * s * (done + g * g * laterW2[m + 1]!));
      }
    } else {
      for (let k = start[m]!; k < start[m + 1]!; k++) {
        const wi = weights[order[k]!]!;
        done += wi * wi * g * g;
      }
    }
    stdErr[m] = current;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Quantiles                                                                                   */
/* ------------------------------------------------------------------------------------------ */

type CurveLike = Pick<KaplanMeierFit, 'time' | 'surv' | 'lower' | 'upper' | 'confType'>;

/**
 * R's `approx(x, y = 1:n, v, method = "constant", f = 1)` for one `v`: the 1-based index of the
 * knot at or just right of v, NaN outside [min x, max x]. NaN knots are dropped, and knots are
 * taken in increasing order as `approx` (regularize.values) sorts them.
 */
function approxIndex(xs: Float64Array, idx: Int32Array, v: number): number {
  const n = xs.length;
  if (n === 0 || !(v >= xs[0]!) || !(v <= xs[n - 1]!)) return NaN;
  let i = 0;
  let j = n - 1;
  while (i < j - 1) {
    const ij = (i + j) >> 1;
    if (v < xs[ij]!) j = ij;
    else i = ij;
  }
  if (v === xs[j]) return idx[j]!;
  if (v === xs[i]) return idx[i]!;
  return idx[j]!;
}

/** survival:::findq — quantile of a step function y = 1 − S at probabilities p. */
function findq(
  xIn: Float64Array,
  yIn: Float64Array,
  probs: readonly number[],
  tol: number,
): number[] {
  let maxY = -Infinity;
  for (let i = 0; i < yIn.length; i++) if (yIn[i]! > maxY) maxY = yIn[i]!;
  let minP = Infinity;
  for (const p of probs) if (p < minP) minP = p;
  if (maxY < minP) return probs.map(() => NaN);
  const xmax = xIn[xIn.length - 1]!;
  // drop duplicated y (NaN counts as a value, as in R's duplicated())
  const seen = new Set<number>();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < yIn.length; i++) {
    const y = yIn[i]!;
    const key = Number.isNaN(y) ? NaN : y;
    if (seen.has(key)) continue;
    seen.add(key);
    xs.push(xIn[i]!);
    ys.push(y);
  }
  const n = ys.length;
  const knots = (shift: number): { xs: Float64Array; idx: Int32Array } => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) if (!Number.isNaN(ys[i]!)) pairs.push([ys[i]! + shift, i + 1]);
    pairs.sort((a, b) => a[0] - b[0]);
    return { xs: Float64Array.from(pairs, (p) => p[0]), idx: Int32Array.from(pairs, (p) => p[1]) };
  };
  const k1 = knots(tol);
  const k2 = knots(-tol);
  const lastY = ys[n - 1]!;
  return probs.map((p) => {
    const i1 = approxIndex(k1.xs, k1.idx, p);
    const i2 = approxIndex(k2.xs, k2.idx, p);
    const at = (i: number): number => (Number.isNaN(i) ? NaN : xs[i - 1]!);
    // R applies the last-point rule after the p = 0 rule, so it wins
    if (!Number.isNaN(lastY) && Math.abs(p - lastY) < tol) return (at(i1) + xmax) / 2;
    if (p === 0) return xs[0]!;
    return (at(i1) + at(i2)) / 2;
  });
}

function quantilesOf(fit: CurveLike, probs: readonly number[]): QuantileEstimate[] {
  const m = fit.time.length;
  const x = new Float64Array(m + 1);
  x.set(fit.time, 1);
  const oneMinus = (a: Float64Array): Float64Array => {
    const y = new Float64Array(m + 1);
    for (let i = 0; i < m; i++) y[i + 1] = 1 - a[i]!;
    return y;
  };
  const est = findq(x, oneMinus(fit.surv), probs, QUANTILE_TOL);
  const hasCi = fit.confType !== 'none';
  // the band: the lower survival limit reaches 1 − p first, giving the lower limit of the quantile
  const lo = hasCi ? findq(x, oneMinus(fit.lower), probs, QUANTILE_TOL) : null;
  const up = hasCi ? findq(x, oneMinus(fit.upper), probs, QUANTILE_TOL) : null;
  const nul = (v: number | undefined): number | null =>
    v === undefined || Number.isNaN(v) ? null : v;
  return probs.map((_, i) => ({
    estimate: nul(est[i]),
    lower: lo ? nul(lo[i]) : null,
    upper: up ? nul(up[i]) : null,
  }));
}

/**
 * Quantiles of the survival distribution with confidence limits, as R's
 * `quantile(fit, probs)`: the time where 1 − S(t) first reaches p; where S is flat at exactly
 * 1 − p (within √ε) the midpoint of the flat segment; the limits are where the confidence band
 * reaches p (Brookmeyer & Crowley 1982). `null` where not reached (R's NA).
 *
 * Complexity: O(m log m) for m distinct times.
 *
 * @example
 * const fit = kaplanMeier([1, 2, 3, 4], [1, 1, 1, 1]);
 * kmQuantile(fit, [0.5]); // → [{ estimate: 2.5, lower: 1, upper: null, ... }]
 */
export function kmQuantile(fit: KaplanMeierFit, probs: readonly number[]): QuantileEstimate[] {
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) {
      throw new StatsError(
        'invalid-option',
        `invalid option. \`probs\` must hold numbers in [0,1]. Value: \`${describe(p)}\` at ${i}.`,
        { field: 'probs', index: i },
      );
    }
  }
  if (probs.length === 0) return [];
  return quantilesOf(fit, probs);
}

/* ------------------------------------------------------------------------------------------ */
/* Survival at given times                                                                     */
/* ------------------------------------------------------------------------------------------ */

export interface SurvivalAtResult {
  /** The requested times that were kept, sorted (times beyond the last follow-up are dropped). */
  readonly time: Float64Array;
  readonly surv: Float64Array;
  /** Standard error of S (R `summary(fit, times)$std.err`). */
  readonly se: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Number at risk at each time (R `n.risk`). */
  readonly nRisk: Float64Array;
  /** Events and censorings since the previous requested time (R `n.event`, `n.censor`). */
  readonly nEvent: Float64Array;
  readonly nCensor: Float64Array;
  readonly warnings: StatsWarning[];
}

function validateTimes(times: ArrayLike<number>): void {
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!(typeof t === 'number' && Number.isFinite(t))) {
      throw new StatsError(
        'invalid-time',
        `invalid time at position ${i} of \`times\`: expected a finite number, found ${describe(t)}`,
        { field: 'times', index: i },
      );
    }
  }
}

/**
 * @internal Number of `times` (increasing) ≤ t, R's findInterval: the step of a right-continuous
 * curve in force at t (0: before the first).
 */
export function countLE(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of fit times < t (R findInterval(left.open = TRUE)). */
function countLT(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Survival, its standard error and confidence limits, number at risk, and events and
 * censorings in between, at chosen times, as R's `summary(fit, times = times)` (extend = FALSE):
 * times are sorted, times past the last observed time are dropped (with a warning), and a time
 * before the first is reported at S = 1 with the first risk set.
 *
 * Complexity: O(k log m) for k times and m distinct fit times.
 *
 * @example
 * const fit = kaplanMeier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0]);
 * survivalAt(fit, [2.5]).surv; // → ≈ Float64Array [0.6]
 */
export function survivalAt(fit: KaplanMeierFit, times: ArrayLike<number>): SurvivalAtResult {
  validateTimes(times);
  const m = fit.time.length;
  const maxTime = m > 0 ? fit.time[m - 1]! : -Infinity;
  const sorted = Array.from(times).sort((a, b) => a - b);
  const kept = sorted.filter((t) => t <= maxTime);
  const k = kept.length;
  const warnings: StatsWarning[] = [];
  if (k < sorted.length) {
    warnings.push({
      code: 'times-beyond-follow-up',
      message: `${sorted.length - k} requested time(s) are after the last observed time ${maxTime} and were dropped`,
    });
  }
  const out = {
    time: Float64Array.from(kept),
    surv: new Float64Array(k),
    se: new Float64Array(k),
    lower: new Float64Array(k),
    upper: new Float64Array(k),
    nRisk: new Float64Array(k),
    nEvent: new Float64Array(k),
    nCensor: new Float64Array(k),
    warnings,
  };
  // cumulative events and censorings, for the between-times deltas
  const cumE = new Float64Array(m + 1);
  const cumC = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    cumE[i + 1] = cumE[i]! + fit.nEvent[i]!;
    cumC[i + 1] = cumC[i]! + fit.nCensor[i]!;
  }
  let prevIdx = 0;
  for (let r = 0; r < k; r++) {
    const t = kept[r]!;
    const i1 = countLE(fit.time, t); // rows of the fit at or before t (0 = before the first)
    const i2 = countLT(fit.time, t); // the row whose risk set applies
    if (i1 === 0) {
      out.surv[r] = 1;
      out.se[r] = 0;
      out.lower[r] = fit.confType === 'none' ? NaN : 1;
      out.upper[r] = fit.confType === 'none' ? NaN : 1;
    } else {
      out.surv[r] = fit.surv[i1 - 1]!;
      out.se[r] = fit.se[i1 - 1]!;
      out.lower[r] = fit.lower[i1 - 1]!;
      out.upper[r] = fit.upper[i1 - 1]!;
    }
    out.nRisk[r] = i2 < m ? fit.nRisk[i2]! : 0;
    out.nEvent[r] = cumE[i1]! - cumE[prevIdx]!;
    out.nCensor[r] = cumC[i1]! - cumC[prevIdx]!;
    prevIdx = i1;
  }
  return out;
}

/**
 * Number at risk (weighted) just before each of `times`, in the order given: Σ w_i·1[T_i ≥ t];
 * 0 after the last observed time. R: `summary(fit, times, extend = TRUE)$n.risk`.
 *
 * Complexity: O(k log m).
 *
 * @example
 * const fit = kaplanMeier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0]);
 * nRiskAt(fit, [0, 2, 5]); // → Float64Array [5, 4, 0]
 */
export function nRiskAt(fit: KaplanMeierFit, times: ArrayLike<number>): Float64Array {
  validateTimes(times);
  const m = fit.time.length;
  const out = new Float64Array(times.length);
  for (let r = 0; r < times.length; r++) {
    const i2 = countLT(fit.time, times[r]!);
    out[r] = i2 < m ? fit.nRisk[i2]! : 0;
  }
  return out;
}
