/**
 * Covariate balance between the treated arm and (weighted) controls, with the conventions of the
 * R package cobalt (Greifer, "cobalt: Covariate Balance Tables and Plots"; its FAQ vignette "How are
 * standardized mean differences computed in cobalt?" and `col_w_smd` / `col_w_vr`). cobalt is not
 * installed here: the reference fixtures (test/reference/propensity.R and parity.R) evaluate the
 * conventions of cobalt's source (read at 5.0.0) in base R.
 */
import { StatsError, type StatsWarning } from './errors.js';
import {
  checkColumns,
  checkNames,
  checkOneOf,
  checkPositiveOption,
  checkValue,
  checkWeights,
  TREATED,
} from './validate.js';

/** Options of {@link standardizedDifferences}. */
export interface BalanceOptions {
  /** Balancing weights (≥ 0, at least 2 positive per arm); absent: only the unadjusted balance. */
  weights?: ArrayLike<number>;
  /**
   * Chooses the standardisation factor as cobalt's default `s.d.denom` for the estimand: 'ATT'
   * (default) the treated SD, 'ATE' the pooled SD, 'ATO' the weighted SD of the whole sample.
   */
  estimand?: 'ATT' | 'ATE' | 'ATO';
  /**
   * Names of covariates to treat as binary (each must take exactly two distinct values, or only
   * 0/1); by default, as cobalt, every column with two distinct values in any coding, or only 0/1.
   */
  binary?: readonly string[];
  /** |difference| at or above this is flagged (default 0.1). */
  threshold?: number;
}

/** Balance of one covariate. */
export interface BalanceRow {
  readonly name: string;
  readonly type: 'binary' | 'continuous';
  /**
   * Binary covariates: the value whose proportion is compared — the larger of the two (1 for a
   * 0/1 column), as cobalt keeps the dummy of the second level; null for continuous ones.
   */
  readonly level: number | null;
  /** cobalt's row name: `name`, or `name_level` for a binary covariate not coded 0/1. */
  readonly cobaltName: string;
  /** Weighted means (the unadjusted ones when no weights were given); proportions of `level` for binary. */
  readonly mean1: number;
  readonly mean0: number;
  readonly mean1Unadjusted: number;
  readonly mean0Unadjusted: number;
  /**
   * Weighted difference: standardised (continuous) or raw difference in proportions (binary);
   * null when the standardisation factor is 0 (see warnings).
   */
  readonly diff: number | null;
  readonly diffUnadjusted: number | null;
  /**
   * The standardisation factor s* (the same before and after weighting): the treated SD (ATT),
   * the pooled SD (ATE) or the weighted whole-sample SD (ATO); null for binary.
   */
  readonly sdDenominator: number | null;
  /** Weighted variance ratio treated/control; null for binary covariates or a zero control variance. */
  readonly varianceRatio: number | null;
  readonly varianceRatioUnadjusted: number | null;
  /** |diff| ≥ threshold (after weighting). */
  readonly flagged: boolean;
  readonly flaggedUnadjusted: boolean;
}

/** Result of {@link standardizedDifferences}. */
export interface BalanceResult {
  readonly rows: readonly BalanceRow[];
  readonly estimand: 'ATT' | 'ATE' | 'ATO';
  readonly threshold: number;
  /** Largest |diff| after weighting, and before. */
  readonly maxAbsDiff: number;
  readonly maxAbsDiffUnadjusted: number;
  /** Number of covariates flagged after weighting. */
  readonly nFlagged: number;
  readonly method: 'cobalt';
  readonly warnings: StatsWarning[];
}

interface Moments {
  mean: number;
  /** cobalt's weighted variance Σw(x − m)²·Σw/((Σw)² − Σw²); the usual var() for unit weights. */
  variance: number;
}

function moments(
  x: ArrayLike<number>,
  idx: readonly number[],
  w: ArrayLike<number> | null,
): Moments {
  let sw = 0;
  let sw2 = 0;
  let swx = 0;
  for (const i of idx) {
    const wi = w === null ? 1 : w[i]!;
    sw += wi;
    sw2 += wi * wi;
    swx += wi * x[i]!;
  }
  const mean = swx / sw;
  let ss = 0;
  for (const i of idx) {
    const wi = w === null ? 1 : w[i]!;
    ss += wi * (x[i]! - mean) ** 2;
  }
  return { mean, variance: (ss * sw) / (sw * sw - sw2) };
}

function isZeroOne(col: ArrayLike<number>): boolean {
  for (let i = 0; i < col.length; i++) if (col[i] !== 0 && col[i] !== 1) return false;
  return true;
}

/**
 * Standardised mean differences and variance ratios, treated vs control, as cobalt's `bal.tab`
 * computes them (Austin 2009, "Balance diagnostics for comparing the distribution of baseline
 * covariates between treatment groups in propensity-score matched samples", Stat Med 28:3083–3107;
 * Stuart 2008): SMD = (x̄₁ʷ − x̄₀ʷ)/s*, with s* kept the same before and after weighting and chosen
 * as cobalt's default `s.d.denom` for the estimand: ATT "treated", s* = s₁ of the unweighted
 * treated arm; ATE "pooled", s* = √((s₁² + s₀²)/2) of the unweighted arms; ATO "weighted", s* =
 * the SD of the whole sample (both arms together) under the balancing weights — the unweighted
 * whole-sample SD when no weights are given. Binary covariates — exactly two distinct values in
 * any coding (cobalt's `is_binary`), or only 0/1 — get the raw difference in the proportions of
 * the larger value (cobalt's default `binary = "raw"`) and no variance ratio. Variance ratios
 * treated/control for continuous covariates, and the ATO s*, use cobalt's weighted variance
 * Σw(x − x̄ʷ)²·Σw/((Σw)² − Σw²). |diff| ≥ threshold (0.1) is flagged.
 *
 * Complexity: O(n·p).
 * @example
 * const treated = [1, 1, 1, 0, 0, 0, 0, 0];
 * const age = [70, 65, 72, 60, 58, 66, 61, 55];
 * const ecog = [1, 0, 1, 0, 0, 1, 0, 0];
 * const weights = [1, 1, 1, 1, 1, 1, 1, 1];
 * const b = standardizedDifferences([age, ecog], ['age', 'ecog'], treated, { weights, estimand: 'ATT' });
 * b.rows.length; // → 2
 * b.rows[0]; // { name: 'age', type: 'continuous', diffUnadjusted: 0.42, diff: 0.03, flagged: false, ... }
 */
export function standardizedDifferences(
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  treated: ArrayLike<number>,
  options: BalanceOptions = {},
): BalanceResult {
  const { weights, estimand = 'ATT', binary, threshold = 0.1 } = options;
  checkOneOf('estimand', estimand, ['ATT', 'ATE', 'ATO']);
  checkPositiveOption('threshold', threshold);
  checkNames(x, names);
  const n = treated.length;
  const idx1: number[] = [];
  const idx0: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = treated[i];
    checkValue(t, i, 'binary', TREATED);
    (t === 1 ? idx1 : idx0).push(i);
  }
  if (idx1.length < 2 || idx0.length < 2) {
    throw new StatsError(
      'too-few-observations',
      `each arm needs at least 2 units, found ${idx1.length} treated and ${idx0.length} controls`,
      { field: 'treated' },
    );
  }
  checkColumns(x, names, n, 'units');
  if (weights !== undefined) {
    checkWeights(weights, n, 'non-negative', 'units');
    let pos1 = 0;
    let pos0 = 0;
    for (let i = 0; i < n; i++) {
      if (weights[i]! > 0) {
        if (treated[i] === 1) pos1++;
        else pos0++;
      }
    }
    if (pos1 < 2 || pos0 < 2) {
      throw new StatsError(
        'too-few-observations',
        `each arm needs at least 2 units with positive weight, found ${pos1} treated and ${pos0} controls`,
        { field: 'weights' },
      );
    }
  }
  // The value whose proportion a binary row compares (cobalt: the second of two sorted levels;
  // a 0/1 column, even constant, is 0/1), or null when the column has more than two values.
  const binaryLevel = x.map((col): number | null => {
    if (isZeroOne(col)) return 1;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v !== lo && v !== hi) {
        if (lo === Infinity) lo = v;
        else if (hi === -Infinity) hi = v;
        else return null;
      }
    }
    return hi === -Infinity ? null : Math.max(lo, hi);
  });
  const isBinary = binaryLevel.map((l) => l !== null);
  if (binary !== undefined) {
    for (const b of binary) {
      const j = names.indexOf(b);
      if (j < 0) {
        throw new StatsError(
          'invalid-option',
          `invalid option. \`binary\` names an unknown covariate \`${b}\`.`,
          { field: 'binary' },
        );
      }
      if (!isBinary[j]) {
        throw new StatsError(
          'invalid-option',
          `invalid option. \`binary\` covariate \`${b}\` must take exactly two distinct values (or only 0 and 1).`,
          {
            field: 'binary',
          },
        );
      }
    }
    for (let j = 0; j < names.length; j++) isBinary[j] = binary.includes(names[j]!);
  }

  const warnings: StatsWarning[] = [];
  const w = weights ?? null;
  const all = Array.from({ length: n }, (_, i) => i);
  const rows: BalanceRow[] = x.map((col, j) => {
    const name = names[j]!;
    if (isBinary[j]) {
      const level = binaryLevel[j]!;
      const ind = Float64Array.from(col, (v) => (v === level ? 1 : 0));
      const m1 = moments(ind, idx1, null).mean;
      const m0 = moments(ind, idx0, null).mean;
      const w1 = w === null ? m1 : moments(ind, idx1, w).mean;
      const w0 = w === null ? m0 : moments(ind, idx0, w).mean;
      const rawU = m1 - m0;
      const rawA = w1 - w0;
      return {
        name,
        type: 'binary',
        level,
        cobaltName: isZeroOne(col) ? name : `${name}_${level}`,
        mean1: w1,
        mean0: w0,
        mean1Unadjusted: m1,
        mean0Unadjusted: m0,
        diff: rawA,
        diffUnadjusted: rawU,
        sdDenominator: null,
        varianceRatio: null,
        varianceRatioUnadjusted: null,
        flagged: Math.abs(rawA) >= threshold,
        flaggedUnadjusted: Math.abs(rawU) >= threshold,
      };
    }
    const u1 = moments(col, idx1, null);
    const u0 = moments(col, idx0, null);
    const a1 = w === null ? u1 : moments(col, idx1, w);
    const a0 = w === null ? u0 : moments(col, idx0, w);
    const rawU = u1.mean - u0.mean;
    const rawA = a1.mean - a0.mean;
    const sd =
      estimand === 'ATT'
        ? Math.sqrt(u1.variance)
        : estimand === 'ATE'
          ? Math.sqrt((u1.variance + u0.variance) / 2)
          : Math.sqrt(moments(col, all, w).variance);
    let diff: number | null;
    let diffU: number | null;
    if (sd > 0) {
      diff = rawA / sd;
      diffU = rawU / sd;
    } else {
      // cobalt leaves a zero difference unstandardised; any other is infinite: report null
      diff = rawA === 0 ? 0 : null;
      diffU = rawU === 0 ? 0 : null;
      warnings.push({
        code: 'zero-sd',
        message: `\`${name}\` is constant ${estimand === 'ATT' ? 'in the treated arm' : estimand === 'ATE' ? 'in both arms' : 'in the weighted sample'}: its standardised difference is undefined`,
      });
    }
    const vr = (v1: number, v0: number): number | null => (v0 > 0 ? v1 / v0 : null);
    const varianceRatio = vr(a1.variance, a0.variance);
    const varianceRatioUnadjusted = vr(u1.variance, u0.variance);
    if (varianceRatio === null || varianceRatioUnadjusted === null) {
      warnings.push({
        code: 'zero-variance',
        message: `\`${name}\` is constant among the controls: no variance ratio`,
      });
    }
    return {
      name,
      type: 'continuous',
      level: null,
      cobaltName: name,
      mean1: a1.mean,
      mean0: a0.mean,
      mean1Unadjusted: u1.mean,
      mean0Unadjusted: u0.mean,
      diff,
      diffUnadjusted: diffU,
      sdDenominator: sd,
      varianceRatio,
      varianceRatioUnadjusted,
      flagged: diff === null || Math.abs(diff) >= threshold,
      flaggedUnadjusted: diffU === null || Math.abs(diffU) >= threshold,
    };
  });
  const maxAbs = (k: 'diff' | 'diffUnadjusted'): number =>
    rows.reduce((m, r) => (r[k] === null ? Infinity : Math.max(m, Math.abs(r[k]!))), 0);
  return {
    rows,
    estimand,
    threshold,
    maxAbsDiff: maxAbs('diff'),
    maxAbsDiffUnadjusted: maxAbs('diffUnadjusted'),
    nFlagged: rows.filter((r) => r.flagged).length,
    method: 'cobalt',
    warnings,
  };
}
