/** Poisson regression with log link by IRLS (R's `glm(family = poisson)`), optional offset. */
import { StatsError, type StatsWarning } from '../errors.js';
import { cholesky, choleskyInverse, choleskySolve } from '../linalg.js';
import { collinearError, crossprods, validateColumns, type RegressionFit } from './design.js';

/** Options of {@link fitPoisson}. */
export interface PoissonOptions {
  /** Known log-exposure per observation (glm's `offset`). */
  offset?: ArrayLike<number>;
  /** Add an intercept column (default true). */
  intercept?: boolean;
  maxit?: number;
  /** Convergence on |dev − dev_old|/(|dev| + 0.1), as glm (default 1e-10, tighter than R's 1e-8). */
  epsilon?: number;
}

/**
 * Poisson regression with log link, log μ = offset + Σ βⱼxⱼ (+ β₀), by iteratively reweighted
 * least squares as R's `glm.fit` (Nelder & Wedderburn 1972): start μ = y + 0.1, working weights μ,
 * working response η + (y − μ)/μ, convergence on the relative deviance change. `y` need not be
 * integer (noisy counts under differential privacy). Covariance: the inverse Fisher information.
 * Complexity O(iterations · n · p²).
 *
 * @example
 * fitPoisson([1, 2, 4, 8], [[0, 1, 2, 3]], ['x']).coefficients; // ≈ [0.03, 0.66]
 */
export function fitPoisson(
  y: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  options: PoissonOptions = {},
): RegressionFit {
  const { offset, intercept = true, maxit = 50, epsilon = 1e-10 } = options;
  const n = y.length;
  validateColumns(n, x, names, 2);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(y[i]! >= 0 && Number.isFinite(y[i]!))) {
      throw new StatsError(
        'invalid-outcome',
        `invalid count at observation ${i}: expected a finite number >= 0, found ${y[i]}`,
        { index: i },
      );
    }
    total += y[i]!;
  }
  if (total === 0)
    throw new StatsError('no-events', 'cannot fit a Poisson model: every count is 0');
  const cols = intercept ? [new Float64Array(n).fill(1), ...x] : [...x];
  const allNames = intercept ? ['(Intercept)', ...names] : [...names];
  const q = cols.length;
  const off = offset ?? new Float64Array(n);
  const mu = new Float64Array(n);
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mu[i] = y[i]! + 0.1;
    eta[i] = Math.log(mu[i]!);
  }
  const dev = (): number => {
    let d = 0;
    for (let i = 0; i < n; i++)
      d += 2 * ((y[i]! > 0 ? y[i]! * Math.log(y[i]! / mu[i]!) : 0) - (y[i]! - mu[i]!));
    return d;
  };
  let devOld = dev();
  const z = new Float64Array(n);
  let beta: Float64Array = new Float64Array(q);
  let converged = false;
  for (let it = 0; it < maxit; it++) {
    for (let i = 0; i < n; i++) z[i] = eta[i]! - off[i]! + (y[i]! - mu[i]!) / mu[i]!;
    const { xtx, xtr } = crossprods(cols, mu, z);
    const chol = cholesky(xtx, q, 1e-12);
    if (chol.singular.length > 0) throw collinearError('Poisson model', allNames, chol.singular);
    beta = choleskySolve(chol, xtr);
    for (let i = 0; i < n; i++) {
      let e = off[i]!;
      for (let j = 0; j < q; j++) e += beta[j]! * cols[j]![i]!;
      eta[i] = e;
      mu[i] = Math.exp(e);
    }
    const d = dev();
    if (Math.abs(d - devOld) / (Math.abs(d) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devOld = d;
  }
  const { xtx } = crossprods(cols, mu, z);
  const covariance = choleskyInverse(cholesky(xtx, q, 1e-12));
  const se = Float64Array.from({ length: q }, (_, j) => Math.sqrt(covariance[j * q + j]!));
  // log-likelihood without the −log(y!) constant for non-integer y; with it for counts
  let logLik = 0;
  for (let i = 0; i < n; i++) logLik += y[i]! * eta[i]! - mu[i]! - logFactorial(y[i]!);
  const warnings: StatsWarning[] = converged
    ? []
    : [{ code: 'not-converged', message: `IRLS did not converge in ${maxit} iterations` }];
  return { names: allNames, coefficients: beta, se, covariance, logLik, n, warnings };
}

/** log(y!) for integer y, 0 otherwise (the term is constant in the parameters). */
export function logFactorial(y: number): number {
  if (!Number.isInteger(y)) return 0;
  let s = 0;
  for (let k = 2; k <= y; k++) s += Math.log(k);
  return s;
}
