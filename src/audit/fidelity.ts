/**
 * Fidelity of synthetic to real records: univariate distances per variable, differences in
 * pairwise association with the confidence-interval overlap of Karr et al. (2006), and for a
 * time-to-event outcome the distance between Kaplan–Meier curves and the overlap of covariate
 * hazard-ratio intervals fitted on real versus synthetic data.
 */
import type { RandomSource } from '../random/index.js';
import type { Cohort, Column } from '../cohort.js';
import { ciOverlap } from '../stats/combine.js';
import { fitCox } from '../stats/cox.js';
import {
  cramersV,
  cramersVTable,
  hellinger,
  ksStatistic,
  pearson,
  quantileSorted,
  totalVariation,
  wasserstein1,
} from '../stats/distances.js';
import { qnorm } from '../stats/distributions.js';
import { StatsError, type StatsWarning } from '../stats/errors.js';
import { countLE, kaplanMeier } from '../stats/km.js';
import { levelCounts, type AuditData } from './data.js';

/** An estimate with its interval. */
export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

export interface UnivariateFidelity {
  variable: string;
  type: 'categorical' | 'numeric';
  /**
   * The headline difference, on a 0–1 scale: total variation for a categorical variable,
   * Wasserstein-1 divided by the real range (Gower's scale) for a numeric one.
   */
  difference: number;
  /** Whether `difference` exceeds the threshold (default 0.01, the "1%" of published validations). */
  exceedsThreshold: boolean;
  /** Categorical: each level's proportion in real and synthetic records. */
  levels?: { level: string; real: number; synthetic: number }[];
  totalVariation?: number;
  hellinger?: number;
  /** Numeric: Kolmogorov–Smirnov D, Wasserstein-1 (data units), and moments. */
  ks?: number;
  wasserstein?: number;
  real?: { mean: number; sd: number; min: number; max: number };
  synthetic?: { mean: number; sd: number; min: number; max: number };
}

/**
 * Univariate fidelity of one variable. Categorical: total variation (headline) and Hellinger
 * distances of the level proportions. Numeric: two-sample Kolmogorov–Smirnov D and Wasserstein-1,
 * whose ratio to the real range is the headline (so it reads as a share of the scale, like total
 * variation). Complexity O(n log n).
 */
export function univariateFidelity(
  variable: string,
  real: Column,
  synthetic: Column,
  threshold = 0.01,
): UnivariateFidelity {
  if (real.kind === 'categorical' && synthetic.kind === 'categorical') {
    const k = real.levels.length;
    const pr = levelCounts(real.codes, k);
    const ps = levelCounts(synthetic.codes, k);
    const tv = totalVariation(pr, ps);
    return {
      variable,
      type: 'categorical',
      difference: tv,
      exceedsThreshold: tv > threshold,
      levels: real.levels.map((level, j) => ({
        level,
        real: pr[j]! / real.codes.length,
        synthetic: ps[j]! / synthetic.codes.length,
      })),
      totalVariation: tv,
      hellinger: hellinger(pr, ps),
    };
  }
  if (real.kind === 'numeric' && synthetic.kind === 'numeric') {
    const r = moments(real.values);
    const s = moments(synthetic.values);
    const w = wasserstein1(real.values, synthetic.values);
    const range = r.max - r.min;
    const difference = range > 0 ? w / range : w > 0 ? 1 : 0;
    return {
      variable,
      type: 'numeric',
      difference,
      exceedsThreshold: difference > threshold,
      ks: ksStatistic(real.values, synthetic.values),
      wasserstein: w,
      real: r,
      synthetic: s,
    };
  }
  throw new Error(`internal: column "${variable}" has different kinds in real and synthetic data`);
}

function moments(x: Float64Array): { mean: number; sd: number; min: number; max: number } {
  let m = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    m += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  m /= x.length;
  let ss = 0;
  for (const v of x) ss += (v - m) * (v - m);
  return { mean: m, sd: x.length > 1 ? Math.sqrt(ss / (x.length - 1)) : 0, min: lo, max: hi };
}

export interface PairFidelity {
  a: string;
  b: string;
  /** Pearson correlation (two numeric variables) or Cramér's V (otherwise; numbers binned). */
  measure: 'pearson' | 'cramers-v';
  real: Interval;
  synthetic: Interval;
  /** |synthetic − real| association. */
  difference: number;
  /** Karr et al. (2006) interval overlap J (≤ 1; negative when the intervals are apart). */
  ciOverlap: number;
}

export interface BivariateFidelity {
  pairs: PairFidelity[];
  /** Mean |difference| over pairs. */
  meanDifference: number;
  /** Largest |difference|. */
  maxDifference: number;
  /** Mean of max(J, 0) over pairs. */
  meanCiOverlap: number;
  /** Share of pairs with J > 0.5 (the bivariate criterion of published validations). */
  shareOverlapAbove50: number;
  /** How Cramér's V intervals were obtained. */
  interval: { pearson: 'fisher-z'; cramersV: 'percentile-bootstrap'; bootstrap: number };
  /** Quantile bins used for numbers in Cramér's V. */
  bins: number;
  warnings: StatsWarning[];
}

/** Bin cut points of a numeric column: the distinct interior type-7 quantiles of the real data. */
export function binCuts(realValues: Float64Array, bins: number): number[] {
  const s = Float64Array.from(realValues).sort();
  const cuts: number[] = [];
  for (let j = 1; j < bins; j++) {
    const q = quantileSorted(s, j / bins);
    if (cuts.length === 0 || q > cuts[cuts.length - 1]!) cuts.push(q);
  }
  return cuts;
}

/** Codes 0..cuts.length: the number of cut points strictly below each value... (x ≤ cut goes left). */
export function binCodes(values: Float64Array, cuts: readonly number[]): Int32Array {
  return Int32Array.from(values, (v) => {
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v > cuts[mid]!) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

/**
 * Percentile-bootstrap interval of Cramér's V (Efron & Tibshirani 1993, *An Introduction to the
 * Bootstrap*, §13.3): B resamples of the records with replacement. The bootstrap is used because
 * V has no simple closed-form interval. Complexity O(B·n).
 */
export function cramersVInterval(
  a: Int32Array,
  b: Int32Array,
  rng: RandomSource,
  { bootstrap = 200, confLevel = 0.95 }: { bootstrap?: number; confLevel?: number } = {},
): Interval {
  const n = a.length;
  const estimate = cramersV(a, b);
  let ka = 0;
  let kb = 0;
  for (let i = 0; i < n; i++) {
    if (a[i]! >= ka) ka = a[i]! + 1;
    if (b[i]! >= kb) kb = b[i]! + 1;
  }
  // Resampling records only needs each record's cell of the table.
  const cell = Int32Array.from(a, (u, i) => u * kb + b[i]!);
  const table = new Float64Array(ka * kb);
  const rows = new Float64Array(ka);
  const cols = new Float64Array(kb);
  const vs = new Float64Array(bootstrap);
  for (let r = 0; r < bootstrap; r++) {
    table.fill(0);
    for (let i = 0; i < n; i++) {
      // One 32-bit draw per record: the bias of floor(u·n/2³²) is below n/2³², negligible here.
      const k = Math.floor((rng.uint32() * n) / 4294967296);
      table[cell[k]!]! += 1;
    }
    rows.fill(0);
    cols.fill(0);
    for (let x = 0; x < ka; x++) {
      for (let y = 0; y < kb; y++) {
        rows[x]! += table[x * kb + y]!;
        cols[y]! += table[x * kb + y]!;
      }
    }
    vs[r] = cramersVTable(table, rows, cols, n);
  }
  vs.sort();
  const alpha = 1 - confLevel;
  return {
    estimate,
    lower: quantileSorted(vs, alpha / 2),
    upper: quantileSorted(vs, 1 - alpha / 2),
  };
}

/**
 * Differences in pairwise association between real and synthetic data: for two numeric variables
 * Pearson's r with its Fisher-z interval, otherwise Cramér's V (numbers cut at the real data's
 * quantiles into `bins` groups) with a percentile-bootstrap interval; the difference
 * |synthetic − real| and the confidence-interval overlap J of Karr, Kohnen, Oganian, Reiter &
 * Sanil (2006, The American Statistician 60:224–232). Complexity O(p²·B·n).
 */
export function bivariateFidelity(
  real: Cohort,
  synthetic: Cohort,
  variables: readonly string[],
  rng: RandomSource,
  { bootstrap = 200, bins = 5 }: { bootstrap?: number; bins?: number } = {},
): BivariateFidelity {
  const warnings: StatsWarning[] = [];
  const coded = new Map<string, { real: Int32Array; synthetic: Int32Array }>();
  const codesOf = (name: string) => {
    let c = coded.get(name);
    if (!c) {
      const r = real.columns.get(name)!;
      const s = synthetic.columns.get(name)!;
      if (r.kind === 'categorical' && s.kind === 'categorical')
        c = { real: r.codes, synthetic: s.codes };
      else {
        const cuts = binCuts((r as { values: Float64Array }).values, bins);
        c = {
          real: binCodes((r as { values: Float64Array }).values, cuts),
          synthetic: binCodes((s as { values: Float64Array }).values, cuts),
        };
      }
      coded.set(name, c);
    }
    return c;
  };
  const pairs: PairFidelity[] = [];
  let pairIndex = 0;
  for (let i = 0; i < variables.length; i++) {
    for (let j = i + 1; j < variables.length; j++) {
      const a = variables[i]!;
      const b = variables[j]!;
      const ra = real.columns.get(a)!;
      const rb = real.columns.get(b)!;
      const sa = synthetic.columns.get(a)!;
      const sb = synthetic.columns.get(b)!;
      const stream = rng.substream(pairIndex++);
      try {
        let r: Interval;
        let s: Interval;
        let measure: PairFidelity['measure'];
        if (
          ra.kind === 'numeric' &&
          rb.kind === 'numeric' &&
          sa.kind === 'numeric' &&
          sb.kind === 'numeric'
        ) {
          measure = 'pearson';
          r = pearson(ra.values, rb.values);
          s = pearson(sa.values, sb.values);
        } else {
          measure = 'cramers-v';
          const ca = codesOf(a);
          const cb = codesOf(b);
          r = cramersVInterval(ca.real, cb.real, stream.substream(0), { bootstrap });
          s = cramersVInterval(ca.synthetic, cb.synthetic, stream.substream(1), { bootstrap });
        }
        const J =
          r.upper > r.lower && s.upper > s.lower
            ? ciOverlap(r.lower, r.upper, s.lower, s.upper)
            : r.lower === s.lower && r.upper === s.upper
              ? 1
              : 0;
        pairs.push({
          a,
          b,
          measure,
          real: pick(r),
          synthetic: pick(s),
          difference: Math.abs(s.estimate - r.estimate),
          ciOverlap: J,
        });
      } catch (e) {
        if (!(e instanceof StatsError)) throw e;
        warnings.push({
          code: 'pair-skipped',
          message: `association of ${a} and ${b} not compared: ${e.message}`,
        });
      }
    }
  }
  const m = pairs.length;
  const mean = (f: (p: PairFidelity) => number) =>
    m === 0 ? 0 : pairs.reduce((t, p) => t + f(p), 0) / m;
  return {
    pairs,
    meanDifference: mean((p) => p.difference),
    maxDifference: pairs.reduce((t, p) => Math.max(t, p.difference), 0),
    meanCiOverlap: mean((p) => Math.max(0, p.ciOverlap)),
    shareOverlapAbove50: mean((p) => (p.ciOverlap > 0.5 ? 1 : 0)),
    interval: { pearson: 'fisher-z', cramersV: 'percentile-bootstrap', bootstrap },
    bins,
    warnings,
  };
}

function pick(x: Interval): Interval {
  return { estimate: x.estimate, lower: x.lower, upper: x.upper };
}

/** Kaplan–Meier survival S(t) of a fit (step function, right-continuous). */
function stepAt(time: Float64Array, surv: Float64Array, t: number): number {
  const k = countLE(time, t);
  return k === 0 ? 1 : surv[k - 1]!;
}

/**
 * Distance between two Kaplan–Meier curves up to τ = the smaller of the two last follow-up
 * times: the largest vertical gap sup_{t ≤ τ} |S₁(t) − S₂(t)| (a Kolmogorov-type distance) and the
 * area between the curves divided by τ, ∫₀^τ |S₁ − S₂| dt / τ (the difference in restricted mean
 * survival per unit time, bounded by it; Royston & Parmar 2013, BMC Med Res Methodol 13:152).
 * Both in [0, 1]. Complexity O((n + m) log(n + m)).
 */
export function kmDistance(
  a: { time: Float64Array; event: ArrayLike<number> },
  b: { time: Float64Array; event: ArrayLike<number> },
): { supDifference: number; meanAbsDifference: number; tau: number } {
  const fa = kaplanMeier(a.time, a.event, { confType: 'none' });
  const fb = kaplanMeier(b.time, b.event, { confType: 'none' });
  const tau = Math.min(fa.time[fa.time.length - 1]!, fb.time[fb.time.length - 1]!);
  const grid = [...new Set([0, ...fa.time, ...fb.time])]
    .filter((t) => t <= tau)
    .sort((x, y) => x - y);
  let sup = 0;
  let area = 0;
  for (let k = 0; k < grid.length; k++) {
    const t = grid[k]!;
    const d = Math.abs(stepAt(fa.time, fa.surv, t) - stepAt(fb.time, fb.surv, t));
    if (d > sup) sup = d;
    const next = k + 1 < grid.length ? grid[k + 1]! : tau;
    area += d * (next - t);
  }
  return { supDifference: sup, meanAbsDifference: tau > 0 ? area / tau : 0, tau };
}

export interface HazardRatioFidelity {
  term: string;
  real: Interval;
  synthetic: Interval;
  /** Karr et al. overlap J of the log hazard-ratio intervals. */
  ciOverlap: number;
}

/** A Kaplan–Meier curve for display: its steps (at most ~300, evenly thinned). */
export interface CurvePoints {
  time: number[];
  surv: number[];
}

export interface OutcomeFidelity {
  km: { supDifference: number; meanAbsDifference: number; tau: number };
  curves: { real: CurvePoints; synthetic: CurvePoints };
  /** Cox models with the outcome's parents in the model as covariates, fitted on each data set. */
  hazardRatios: HazardRatioFidelity[];
  /** Mean of max(J, 0) over terms. */
  meanCiOverlap: number | null;
  warnings: StatsWarning[];
}

/** Cox design: numeric covariates as they are, categorical ones as indicators of non-reference levels present in both. */
function design(
  real: Cohort,
  synthetic: Cohort,
  covariates: readonly string[],
): { names: string[]; real: Float64Array[]; synthetic: Float64Array[] } {
  const names: string[] = [];
  const xr: Float64Array[] = [];
  const xs: Float64Array[] = [];
  for (const name of covariates) {
    const r = real.columns.get(name);
    const s = synthetic.columns.get(name);
    if (!r || !s) continue;
    if (r.kind === 'numeric' && s.kind === 'numeric') {
      names.push(name);
      xr.push(r.values);
      xs.push(s.values);
    } else if (r.kind === 'categorical' && s.kind === 'categorical') {
      for (let k = 1; k < r.levels.length; k++) {
        const ir = Float64Array.from(r.codes, (c) => (c === k ? 1 : 0));
        const is = Float64Array.from(s.codes, (c) => (c === k ? 1 : 0));
        const vary = (x: Float64Array) => x.some((v) => v === 1) && x.some((v) => v === 0);
        if (!vary(ir) || !vary(is)) continue;
        names.push(`${name}=${r.levels[k]}`);
        xr.push(ir);
        xs.push(is);
      }
    }
  }
  return { names, real: xr, synthetic: xs };
}

/**
 * Outcome fidelity: the distance between the real and synthetic Kaplan–Meier curves
 * ({@link kmDistance}), and the confidence-interval overlap (Karr et al. 2006) of each covariate's
 * log hazard ratio in Cox models (Efron ties) fitted on real and on synthetic data.
 */
export function outcomeFidelity(
  real: AuditData,
  synthetic: AuditData,
  covariates: readonly string[],
  confLevel = 0.95,
): OutcomeFidelity {
  const warnings: StatsWarning[] = [];
  const km = kmDistance(
    { time: real.time!, event: real.event! },
    { time: synthetic.time!, event: synthetic.event! },
  );
  const curve = (a: AuditData): CurvePoints => {
    const f = kaplanMeier(a.time!, a.event!, { confType: 'none' });
    const m = f.time.length;
    const step = Math.max(1, Math.ceil(m / 300));
    const time: number[] = [];
    const surv: number[] = [];
    for (let i = 0; i < m; i += step) {
      time.push(f.time[i]!);
      surv.push(f.surv[i]!);
    }
    if ((m - 1) % step !== 0) {
      time.push(f.time[m - 1]!);
      surv.push(f.surv[m - 1]!);
    }
    return { time, surv };
  };
  const curves = { real: curve(real), synthetic: curve(synthetic) };
  const hazardRatios: HazardRatioFidelity[] = [];
  const d = design(real.cohort, synthetic.cohort, covariates);
  if (d.names.length > 0) {
    try {
      const fr = fitCox(
        { time: real.time!, status: real.event!, x: d.real, names: d.names },
        { confLevel },
      );
      const fs = fitCox(
        { time: synthetic.time!, status: synthetic.event!, x: d.synthetic, names: d.names },
        { confLevel },
      );
      const z = qnorm(1 - (1 - confLevel) / 2);
      for (let j = 0; j < d.names.length; j++) {
        const iv = (coef: number, se: number): Interval => ({
          estimate: coef,
          lower: coef - z * se,
          upper: coef + z * se,
        });
        const r = iv(fr.coef[j]!, Math.sqrt(fr.var[j * d.names.length + j]!));
        const s = iv(fs.coef[j]!, Math.sqrt(fs.var[j * d.names.length + j]!));
        if (
          ![r.lower, r.upper, s.lower, s.upper].every(Number.isFinite) ||
          !(r.upper > r.lower) ||
          !(s.upper > s.lower)
        ) {
          warnings.push({
            code: 'hr-not-estimable',
            message: `hazard ratio of ${d.names[j]} is not estimable on both data sets`,
          });
          continue;
        }
        hazardRatios.push({
          term: d.names[j]!,
          real: r,
          synthetic: s,
          ciOverlap: ciOverlap(r.lower, r.upper, s.lower, s.upper),
        });
      }
      for (const w of [...fr.warnings, ...fs.warnings])
        warnings.push({ code: w.code, message: w.message });
    } catch (e) {
      if (!(e instanceof StatsError)) throw e;
      warnings.push({ code: 'cox-failed', message: `hazard ratios not compared: ${e.message}` });
    }
  }
  return {
    km,
    curves,
    hazardRatios,
    meanCiOverlap:
      hazardRatios.length === 0
        ? null
        : hazardRatios.reduce((t, h) => t + Math.max(0, h.ciOverlap), 0) / hazardRatios.length,
    warnings,
  };
}
