/**
 * Shared pieces of the regression fitters: the fit type, column validation, weighted cross-products
 * and the message for collinear designs.
 */
import { StatsError, type StatsWarning } from '../errors.js';

/** A fitted regression: coefficient arrays in the order of `names` ('(Intercept)' first when present). */
export interface RegressionFit {
  readonly names: readonly string[];
  readonly coefficients: Float64Array;
  readonly se: Float64Array;
  /** Row-major covariance of the coefficients. */
  readonly covariance: Float64Array;
  /** Maximised log-likelihood. */
  readonly logLik: number;
  readonly n: number;
  readonly warnings: StatsWarning[];
}

export function validateColumns(
  n: number,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  minN: number,
): void {
  if (names.length !== x.length) {
    throw new StatsError(
      'length-mismatch',
      `${x.length} covariate columns but ${names.length} names`,
    );
  }
  if (n < minN) {
    throw new StatsError(
      'too-few-observations',
      `at least ${minN} observations are needed, found ${n}`,
    );
  }
  x.forEach((col, j) => {
    if (col.length !== n) {
      throw new StatsError(
        'length-mismatch',
        `covariate \`${names[j]}\` has ${col.length} values, the outcome ${n}`,
        { field: names[j]! },
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i]!)) {
        throw new StatsError(
          'invalid-covariate',
          `invalid value of \`${names[j]}\` at observation ${i}: expected a finite number, found ${col[i]}`,
          { field: names[j]!, index: i },
        );
      }
    }
  });
}

/** Xᵀ·diag(w)·X and Xᵀ·diag(w)·r for column-major X (columns of length n). */
export function crossprods(
  x: readonly ArrayLike<number>[],
  w: ArrayLike<number> | null,
  r: ArrayLike<number>,
): { xtx: Float64Array; xtr: Float64Array } {
  const q = x.length;
  const n = r.length;
  const xtx = new Float64Array(q * q);
  const xtr = new Float64Array(q);
  for (let a = 0; a < q; a++) {
    const xa = x[a]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += (w ? w[i]! : 1) * xa[i]! * r[i]!;
    xtr[a] = s;
    for (let b = a; b < q; b++) {
      const xb = x[b]!;
      let t = 0;
      if (w) for (let i = 0; i < n; i++) t += w[i]! * xa[i]! * xb[i]!;
      else for (let i = 0; i < n; i++) t += xa[i]! * xb[i]!;
      xtx[a * q + b] = t;
      xtx[b * q + a] = t;
    }
  }
  return { xtx, xtr };
}

export function collinearError(
  what: string,
  names: readonly string[],
  singular: readonly number[],
): StatsError {
  const bad = singular.map((j) => `\`${names[j]}\``);
  return new StatsError(
    'collinear',
    `cannot fit the ${what}: ${bad.join(', ')} ${bad.length > 1 ? 'are' : 'is'} constant or a linear combination of the other terms`,
    { field: names[singular[0]!]! },
  );
}
