/**
 * Ordinary least squares (R's `lm`): coefficients, covariance, residual SD; and the score-only
 * log-likelihood kernel used by structure learning.
 */
import { StatsError, type StatsWarning } from '../errors.js';
import { cholesky, choleskyInverse, choleskySolve } from '../linalg.js';
import { collinearError, crossprods, validateColumns, type RegressionFit } from './design.js';

/** A linear-Gaussian fit: adds the residual standard deviation. */
export interface OlsFit extends RegressionFit {
  /** Residual SD with R's lm divisor n − p (p coefficients incl. the intercept). */
  readonly sd: number;
  /** Residual SD with the ML divisor n (used in the log-likelihood). */
  readonly sdML: number;
  readonly rss: number;
}

/**
 * Ordinary least squares with an intercept, y = β₀ + Σ βⱼxⱼ + e, e ~ N(0, σ²), by the normal
 * equations solved with a Cholesky factor (linalg.ts); covariates should be centred by the caller
 * for conditioning. σ is reported with R's `lm` divisor n − p (`sd`) and the ML divisor n (`sdML`);
 * the covariance is σ²(XᵀX)⁻¹ with the n − p divisor, as `vcov(lm(...))`.
 * Reference: R Core Team, `lm`; Seber & Lee (2003) *Linear Regression Analysis*, ch. 3.
 * Complexity O(n · p²).
 *
 * @example
 * fitOls([1, 3, 2, 5], [[0, 1, 2, 3]], ['x']).coefficients; // [1.1, 1.1]
 */
export function fitOls(
  y: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
): OlsFit {
  const n = y.length;
  validateColumns(n, x, names, x.length + 2);
  const ones = new Float64Array(n).fill(1);
  const cols = [ones, ...x];
  const allNames = ['(Intercept)', ...names];
  const q = cols.length;
  const { xtx, xtr } = crossprods(cols, null, y);
  const chol = cholesky(xtx, q, 1e-12);
  if (chol.singular.length > 0) throw collinearError('linear model', allNames, chol.singular);
  const beta = choleskySolve(chol, xtr);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < q; j++) f += beta[j]! * cols[j]![i]!;
    rss += (y[i]! - f) ** 2;
  }
  const sigma2 = rss / (n - q);
  const inv = choleskyInverse(chol);
  const covariance = inv.map((v) => v * sigma2);
  const se = Float64Array.from({ length: q }, (_, j) => Math.sqrt(covariance[j * q + j]!));
  const sdML = Math.sqrt(rss / n);
  const logLik = -0.5 * n * (Math.log(2 * Math.PI * (rss / n)) + 1);
  const warnings: StatsWarning[] = [];
  if (!(rss > 0)) {
    throw new StatsError('perfect-fit', 'the linear model fits exactly (residual SD 0)');
  }
  return {
    names: allNames,
    coefficients: beta,
    se,
    covariance,
    logLik,
    n,
    warnings,
    sd: Math.sqrt(sigma2),
    sdML,
    rss,
  };
}

/** Maximised Gaussian log-likelihood of OLS of y on X (row-major n × q, ML variance). O(n·q²). */
export function olsLogLik(y: Float64Array, x: Float64Array, q: number): number {
  const n = y.length;
  const xtx = new Float64Array(q * q);
  const xty = new Float64Array(q);
  let yy = 0;
  for (let i = 0; i < n; i++) {
    const o = i * q;
    const yi = y[i]!;
    yy += yi * yi;
    for (let a = 0; a < q; a++) {
      const xa = x[o + a]!;
      xty[a] += xa * yi;
      for (let b = a; b < q; b++) xtx[a * q + b] += xa * x[o + b]!;
    }
  }
  const chol = cholesky(xtx, q, 1e-10);
  if (chol.singular.length > 0) return -Infinity;
  const beta = choleskySolve(chol, xty);
  let fitted = 0;
  for (let a = 0; a < q; a++) fitted += beta[a]! * xty[a]!;
  const rss = yy - fitted;
  if (!(rss > 0)) return -Infinity;
  return -0.5 * n * (Math.log((2 * Math.PI * rss) / n) + 1);
}
