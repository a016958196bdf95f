/**
 * Propensity scores and the balancing weights built from them, for comparing the treated arm with
 * (synthetic or external) controls.
 */
import { StatsError, type StatsWarning } from './errors.js';
import { fitLogistic, type LogisticFit } from './logistic.js';
import { checkOneOf, checkValue, countOnes, TREATED, WEIGHT } from './validate.js';

/** Target population of the weights. */
export type Estimand = 'ATT' | 'ATE' | 'ATO';

/** Options of {@link propensityWeights}. */
export interface PropensityWeightOptions {
  /** 'ATT' (default): the treated population; 'ATE': everyone; 'ATO': the overlap population. */
  estimand?: Estimand;
  /**
   * Trimming (Crump, Hotz, Imbens & Mitnik 2009): units whose score lies outside [lo, hi] get
   * weight 0. A number t in (0, 0.5) means [t, 1 − t].
   */
  trim?: number | readonly [number, number];
}

/** Result of {@link propensityWeights}. */
export interface PropensityWeightsResult {
  readonly weights: Float64Array;
  /** 1 for units kept, 0 for units trimmed away. */
  readonly kept: Uint8Array;
  /** Number of trimmed units per arm. */
  readonly trimmed: { readonly treated: number; readonly control: number };
  readonly estimand: Estimand;
  /** The trimming bounds applied, or null. */
  readonly trim: readonly [number, number] | null;
  readonly warnings: StatsWarning[];
}

/** Quantile summary of the scores in one arm (type-7 quantiles, as R's `quantile`). */
export interface ScoreSummary {
  readonly n: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly mean: number;
  readonly q3: number;
  readonly max: number;
}

/** Options of {@link estimatePropensity}. */
export interface EstimatePropensityOptions extends PropensityWeightOptions {
  /** Case weights for the propensity model (e.g. sampling weights), > 0. */
  modelWeights?: ArrayLike<number>;
  /** Warn `low-ess` when an arm's ESS is below this fraction of its size (default 0.3). */
  essWarnFraction?: number;
  /**
   * Warn `poor-overlap` when more than this fraction of an arm lies outside the other arm's range
   * of scores (default 0.05).
   */
  overlapWarnFraction?: number;
}

/** Result of {@link estimatePropensity}. */
export interface PropensityResult {
  /** The propensity model, P(treated | x), by logistic regression. */
  readonly model: LogisticFit;
  /** Propensity scores (the model's fitted probabilities). */
  readonly scores: Float64Array;
  readonly weights: Float64Array;
  readonly kept: Uint8Array;
  readonly estimand: Estimand;
  readonly trim: readonly [number, number] | null;
  /** Effective sample size per arm, (Σw)²/Σw² (Kish 1965). */
  readonly ess: { readonly treated: number; readonly control: number };
  /** Size of each arm. */
  readonly n: { readonly treated: number; readonly control: number };
  /** Distribution of the scores per arm (all units, before trimming). */
  readonly summary: { readonly treated: ScoreSummary; readonly control: ScoreSummary };
  /** Units outside the other arm's score range, per arm. */
  readonly outsideSupport: { readonly treated: number; readonly control: number };
  readonly method: 'logistic';
  readonly warnings: StatsWarning[];
}

function checkTreated(treated: ArrayLike<number>, n: number): { n1: number; n0: number } {
  if (treated.length !== n) {
    throw new StatsError(
      'length-mismatch',
      `length mismatch: ${treated.length} treatment indicators for ${n} units`,
      {
        field: 'treated',
      },
    );
  }
  const n1 = countOnes(treated, TREATED);
  if (n1 === 0 || n1 === n) {
    throw new StatsError(
      'empty-arm',
      `cannot weight: the ${n1 === 0 ? 'treated' : 'control'} arm is empty`,
      {
        field: 'treated',
      },
    );
  }
  return { n1, n0: n - n1 };
}

function resolveTrim(trim: PropensityWeightOptions['trim']): [number, number] | null {
  if (trim === undefined) return null;
  if (typeof trim === 'number') {
    if (!(trim > 0 && trim < 0.5)) {
      throw new StatsError(
        'invalid-option',
        `invalid option. \`trim\` must be a number in (0, 0.5) or [lo, hi]. Value: \`${trim}\`.`,
        {
          field: 'trim',
        },
      );
    }
    return [trim, 1 - trim];
  }
  const [lo, hi] = trim;
  if (!(lo >= 0 && hi <= 1 && lo < hi)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`trim\` must satisfy 0 <= lo < hi <= 1. Value: \`[${lo}, ${hi}]\`.`,
      {
        field: 'trim',
      },
    );
  }
  return [lo, hi];
}

/**
 * Balancing weights from propensity scores e(x) = P(treated | x) (Rosenbaum & Rubin 1983; Hirano,
 * Imbens & Ridder 2003): ATT — treated 1, controls e/(1 − e); ATE — treated 1/e, controls
 * 1/(1 − e); ATO, the overlap weights of Li, Morgan & Zaslavsky (2018, JASA 113:390–400) —
 * treated 1 − e, controls e. With `trim`, units whose score is outside [lo, hi] get weight 0
 * (Crump, Hotz, Imbens & Mitnik 2009, Biometrika 96:187–199).
 *
 * Complexity: O(n).
 * @example
 * propensityWeights([0.5, 0.8, 0.2, 0.4], [1, 1, 0, 0]).weights; // → [1, 1, 0.25, 0.6667] (ATT)
 */
export function propensityWeights(
  ps: ArrayLike<number>,
  treated: ArrayLike<number>,
  options: PropensityWeightOptions = {},
): PropensityWeightsResult {
  const { estimand = 'ATT' } = options;
  checkOneOf('estimand', estimand, ['ATT', 'ATE', 'ATO']);
  const trim = resolveTrim(options.trim);
  const n = ps.length;
  checkTreated(treated, n);
  for (let i = 0; i < n; i++) {
    const e = ps[i]!;
    if (!(e > 0 && e < 1)) {
      throw new StatsError(
        'invalid-propensity',
        `invalid propensity score at observation ${i}: expected a number in (0, 1), found ${e}`,
        {
          field: 'ps',
          index: i,
        },
      );
    }
  }
  const weights = new Float64Array(n);
  const kept = new Uint8Array(n);
  let trimmed1 = 0;
  let trimmed0 = 0;
  let kept1 = 0;
  let kept0 = 0;
  for (let i = 0; i < n; i++) {
    const e = ps[i]!;
    const t = treated[i] === 1;
    if (trim !== null && (e < trim[0] || e > trim[1])) {
      if (t) trimmed1++;
      else trimmed0++;
      continue;
    }
    kept[i] = 1;
    if (t) kept1++;
    else kept0++;
    if (estimand === 'ATT') weights[i] = t ? 1 : e / (1 - e);
    else if (estimand === 'ATE') weights[i] = t ? 1 / e : 1 / (1 - e);
    else weights[i] = t ? 1 - e : e;
  }
  if (kept1 === 0 || kept0 === 0) {
    throw new StatsError(
      'empty-arm',
      `trimming to [${trim![0]}, ${trim![1]}] removes every ${kept1 === 0 ? 'treated' : 'control'} unit`,
      { field: 'trim' },
    );
  }
  const warnings: StatsWarning[] = [];
  if (trimmed1 + trimmed0 > 0) {
    warnings.push({
      code: 'trimmed',
      message: `${trimmed1} treated and ${trimmed0} control units with scores outside [${trim![0]}, ${trim![1]}] were given weight 0`,
    });
    if (estimand === 'ATT' && trimmed1 > 0) {
      warnings.push({
        code: 'estimand-changed',
        message:
          'trimming removed treated units: the weighted comparison no longer targets the whole treated arm (ATT)',
      });
    }
  }
  return {
    weights,
    kept,
    trimmed: { treated: trimmed1, control: trimmed0 },
    estimand,
    trim,
    warnings,
  };
}

/**
 * Kish's effective sample size (Σw)²/Σw² (Kish 1965, Survey Sampling): the number of equally
 * weighted units carrying the same information. Zero weights count as absent.
 *
 * Complexity: O(n).
 * @example
 * effectiveSampleSize([1, 1, 2, 4]); // → 2.909 (64 / 22)
 */
export function effectiveSampleSize(w: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    checkValue(v, i, 'non-negative', WEIGHT);
    s += v;
    s2 += v * v;
  }
  if (s2 === 0) {
    throw new StatsError(
      'zero-weights',
      'the effective sample size is undefined: every weight is 0',
      { field: 'weights' },
    );
  }
  return (s * s) / s2;
}

/**
 * {@link effectiveSampleSize} within each arm (Kish 1965), as reported by cobalt's `bal.tab`
 * ("Effective sample sizes").
 *
 * Complexity: O(n).
 * @example
 * effectiveSampleSizeByArm([1, 1, 0.5, 2], [1, 1, 0, 0]); // → { treated: 2, control: 1.4706 }
 */
export function effectiveSampleSizeByArm(
  w: ArrayLike<number>,
  treated: ArrayLike<number>,
): { treated: number; control: number } {
  checkTreated(treated, w.length);
  const w1: number[] = [];
  const w0: number[] = [];
  for (let i = 0; i < w.length; i++) (treated[i] === 1 ? w1 : w0).push(w[i]!);
  return { treated: effectiveSampleSize(w1), control: effectiveSampleSize(w0) };
}

/** Type-7 quantile (R's default) of sorted values. */
function quantile7(sorted: Float64Array, prob: number): number {
  const h = (sorted.length - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function summarise(values: Float64Array): ScoreSummary {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return {
    n: s.length,
    min: s[0]!,
    q1: quantile7(s, 0.25),
    median: quantile7(s, 0.5),
    mean: sum / s.length,
    q3: quantile7(s, 0.75),
    max: s[s.length - 1]!,
  };
}

/**
 * Estimates propensity scores by logistic regression of `treated` on the covariates
 * ({@link fitLogistic}, as R's `glm(treated ~ x, family = binomial)`), then the weights of
 * {@link propensityWeights}, the effective sample size per arm, the score distribution per arm, and
 * warnings: the model's own (separation, non-convergence), `poor-overlap` (more than
 * `overlapWarnFraction` of an arm outside the other arm's score range), `extreme-scores` (kept
 * scores outside [0.01, 0.99]) and `low-ess` (an arm's ESS below `essWarnFraction` of its size).
 *
 * Complexity: O(iterations · n · p²) for the model, O(n log n) for the summaries.
 * @example
 * const treated = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
 * const age = [70, 58, 72, 61, 60, 71, 66, 55, 64, 68];
 * const ecog = [1, 0, 0, 1, 0, 1, 1, 0, 0, 1];
 * const r = estimatePropensity(treated, [age, ecog], ['age', 'ecog']);
 * r.ess.control; // e.g. 212.4 of r.n.control = 400 controls
 */
export function estimatePropensity(
  treated: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  options: EstimatePropensityOptions = {},
): PropensityResult {
  const { essWarnFraction = 0.3, overlapWarnFraction = 0.05, modelWeights } = options;
  for (const [name, v] of [
    ['essWarnFraction', essWarnFraction],
    ['overlapWarnFraction', overlapWarnFraction],
  ] as const) {
    if (!(v >= 0 && v <= 1)) {
      throw new StatsError(
        'invalid-option',
        `invalid option. \`${name}\` must be a number in [0, 1]. Value: \`${v}\`.`,
        {
          field: name,
        },
      );
    }
  }
  const n = treated.length;
  const { n1, n0 } = checkTreated(treated, n);
  const model = fitLogistic(
    treated,
    x,
    names,
    modelWeights === undefined ? {} : { weights: modelWeights },
  );
  const scores = model.fitted;
  if (model.warnings.some((w) => w.code === 'fitted-probabilities-0-1')) {
    throw new StatsError(
      'separation',
      'cannot weight: the propensity model separates the arms (fitted scores numerically 0 or 1); remove or coarsen the separating covariates',
      { field: 'x' },
    );
  }
  const pw = propensityWeights(scores, treated, options);
  const warnings: StatsWarning[] = [...model.warnings, ...pw.warnings];

  // per-arm copies in typed arrays (one pass; no per-unit objects)
  const s1 = new Float64Array(n1);
  const s0 = new Float64Array(n0);
  const w1 = new Float64Array(n1);
  const w0 = new Float64Array(n0);
  for (let i = 0, k1 = 0, k0 = 0; i < n; i++) {
    if (treated[i] === 1) {
      s1[k1] = scores[i]!;
      w1[k1++] = pw.weights[i]!;
    } else {
      s0[k0] = scores[i]!;
      w0[k0++] = pw.weights[i]!;
    }
  }
  const summary = { treated: summarise(s1), control: summarise(s0) };
  let out1 = 0;
  let out0 = 0;
  const { min: min0, max: max0 } = summary.control;
  const { min: min1, max: max1 } = summary.treated;
  for (let i = 0; i < n1; i++) if (s1[i]! < min0 || s1[i]! > max0) out1++;
  for (let i = 0; i < n0; i++) if (s0[i]! < min1 || s0[i]! > max1) out0++;
  if (out1 > overlapWarnFraction * n1 || out0 > overlapWarnFraction * n0) {
    warnings.push({
      code: 'poor-overlap',
      message:
        `${out1} of ${n1} treated units lie outside the controls' range of propensity scores ` +
        `[${summary.control.min.toPrecision(3)}, ${summary.control.max.toPrecision(3)}] and ${out0} of ${n0} ` +
        'controls outside the treated range: comparisons there rest on extrapolation',
    });
  }
  let extreme = 0;
  for (let i = 0; i < n; i++)
    if (pw.kept[i] === 1 && (scores[i]! < 0.01 || scores[i]! > 0.99)) extreme++;
  if (extreme > 0) {
    warnings.push({
      code: 'extreme-scores',
      message: `${extreme} propensity scores lie outside [0.01, 0.99]: their weights may dominate; consider trimming`,
    });
  }
  const ess = { treated: effectiveSampleSize(w1), control: effectiveSampleSize(w0) };
  for (const [arm, e, m] of [
    ['treated', ess.treated, n1],
    ['control', ess.control, n0],
  ] as const) {
    if (e < essWarnFraction * m) {
      warnings.push({
        code: 'low-ess',
        message: `the ${arm} arm's effective sample size is ${e.toFixed(1)} of ${m} units (below ${Math.round(essWarnFraction * 100)}%): the weights are highly variable`,
      });
    }
  }
  return {
    model,
    scores,
    weights: pw.weights,
    kept: pw.kept,
    estimand: pw.estimand,
    trim: pw.trim,
    ess,
    n: { treated: n1, control: n0 },
    summary,
    outsideSupport: { treated: out1, control: out0 },
    method: 'logistic',
    warnings,
  };
}
