/**
 * Covariate balance between the treated arm and (weighted) controls, with the conventions of the
 * R package cobalt (Greifer, "cobalt: Covariate Balance Tables and Plots"; its FAQ vignette "How are
 * standardized mean differences computed in cobalt?" and `col_w_smd` / `col_w_vr`). cobalt is not
 * installed here: the reference fixture (test/reference/propensity.R) evaluates those documented
 * formulas directly.
 */
import { StatsError, type StatsWarning } from './errors.js';

/** Options of {@link standardizedDifferences}. */
export interface BalanceOptions {
  /** Balancing weights (≥ 0, at least 2 positive per arm); absent: only the unadjusted balance. */
  weights?: ArrayLike<number>;
  /** Chooses the standardisation factor: 'ATT' (default) the treated SD, else the pooled SD. */
  estimand?: 'ATT' | 'ATE' | 'ATO';
  /** Names of covariates to treat as binary; by default, every column whose values are all 0 or 1. */
  binary?: readonly string[];
  /** |difference| at or above this is flagged (default 0.1). */
  threshold?: number;
}

/** Balance of one covariate. */
export interface BalanceRow {
  readonly name: string;
  readonly type: 'binary' | 'continuous';
  /** Weighted means (the unadjusted ones when no weights were given). */
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
  /** The standardisation factor s* (the same before and after weighting); null for binary. */
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

/**
 * Standardised mean differences and variance ratios, treated vs control, as cobalt's `bal.tab`
 * computes them (Austin 2009, "Balance diagnostics for comparing the distribution of baseline
 * covariates between treatment groups in propensity-score matched samples", Stat Med 28:3083–3107;
 * Stuart 2008): SMD = (x̄₁ʷ − x̄₀ʷ)/s*, with s* computed on the *unweighted* arms and kept the same
 * after weighting — the treated SD for the ATT, √((s₁² + s₀²)/2) for the ATE and ATO (cobalt's
 * `s.d.denom` "treated" / "pooled"). Binary (0/1) covariates get the raw difference in proportions
 * (cobalt's default `binary = "raw"`). Variance ratios treated/control for continuous covariates
 * use cobalt's weighted variance Σw(x − x̄ʷ)²·Σw/((Σw)² − Σw²). |diff| ≥ threshold (0.1) is flagged.
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
  if (estimand !== 'ATT' && estimand !== 'ATE' && estimand !== 'ATO') {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`estimand\` must be 'ATT', 'ATE' or 'ATO'. Value: \`${String(estimand)}\`.`,
      {
        field: 'estimand',
      },
    );
  }
  if (!(threshold > 0 && Number.isFinite(threshold))) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`threshold\` must be a number > 0. Value: \`${threshold}\`.`,
      {
        field: 'threshold',
      },
    );
  }
  if (names.length !== x.length) {
    throw new StatsError(
      'length-mismatch',
      `length mismatch: ${x.length} covariate columns but ${names.length} names`,
      {
        field: 'names',
      },
    );
  }
  const n = treated.length;
  const idx1: number[] = [];
  const idx0: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = treated[i];
    if (t !== 0 && t !== 1) {
      throw new StatsError(
        'invalid-group',
        `invalid treatment indicator at observation ${i}: expected 0 or 1, found ${t}`,
        {
          field: 'treated',
          index: i,
        },
      );
    }
    (t === 1 ? idx1 : idx0).push(i);
  }
  if (idx1.length < 2 || idx0.length < 2) {
    throw new StatsError(
      'too-few-observations',
      `each arm needs at least 2 units, found ${idx1.length} treated and ${idx0.length} controls`,
      { field: 'treated' },
    );
  }
  for (let j = 0; j < x.length; j++) {
    const col = x[j]!;
    if (col.length !== n) {
      throw new StatsError(
        'length-mismatch',
        `length mismatch: covariate \`${names[j]}\` has ${col.length} values for ${n} units`,
        {
          field: names[j]!,
        },
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i])) {
        throw new StatsError(
          'invalid-covariate',
          `invalid value of \`${names[j]}\` at observation ${i}: expected a finite number, found ${col[i]}`,
          { field: names[j]!, index: i },
        );
      }
    }
  }
  if (weights !== undefined) {
    if (weights.length !== n) {
      throw new StatsError(
        'length-mismatch',
        `length mismatch: ${weights.length} weights for ${n} units`,
        { field: 'weights' },
      );
    }
    let pos1 = 0;
    let pos0 = 0;
    for (let i = 0; i < n; i++) {
      const v = weights[i]!;
      if (!(Number.isFinite(v) && v >= 0)) {
        throw new StatsError(
          'invalid-weight',
          `invalid weight at observation ${i}: expected a finite number >= 0, found ${v}`,
          {
            field: 'weights',
            index: i,
          },
        );
      }
      if (v > 0) {
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
  const isBinary = x.map((col) => {
    for (let i = 0; i < n; i++) if (col[i] !== 0 && col[i] !== 1) return false;
    return true;
  });
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
          `invalid option. \`binary\` covariate \`${b}\` has values other than 0 and 1.`,
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
  const rows: BalanceRow[] = x.map((col, j) => {
    const name = names[j]!;
    const u1 = moments(col, idx1, null);
    const u0 = moments(col, idx0, null);
    const a1 = w === null ? u1 : moments(col, idx1, w);
    const a0 = w === null ? u0 : moments(col, idx0, w);
    const rawU = u1.mean - u0.mean;
    const rawA = a1.mean - a0.mean;
    if (isBinary[j]) {
      return {
        name,
        type: 'binary',
        mean1: a1.mean,
        mean0: a0.mean,
        mean1Unadjusted: u1.mean,
        mean0Unadjusted: u0.mean,
        diff: rawA,
        diffUnadjusted: rawU,
        sdDenominator: null,
        varianceRatio: null,
        varianceRatioUnadjusted: null,
        flagged: Math.abs(rawA) >= threshold,
        flaggedUnadjusted: Math.abs(rawU) >= threshold,
      };
    }
    const sd =
      estimand === 'ATT' ? Math.sqrt(u1.variance) : Math.sqrt((u1.variance + u0.variance) / 2);
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
        message: `\`${name}\` is constant ${estimand === 'ATT' ? 'in the treated arm' : 'in both arms'}: its standardised difference is undefined`,
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
