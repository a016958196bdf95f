/**
 * Newton–Raphson maximisation shared by the score-only kernels of structure learning.
 *
 * The searches of structure learning need only the maximised log-likelihood, thousands of times:
 * these kernels take a dense row-major design (n × q, first column the intercept where there is
 * one), skip standard errors and validation, and stop at a log-likelihood change below 1e-9
 * relative. They agree with the full fits (tested); −Infinity means "cannot be fitted".
 */
import { cholesky, choleskySolve } from '../linalg.js';

export const SCORE_TOL = 1e-9;

/**
 * What {@link newtonLogLik} does with a non-finite ℓ. `'halve'` (the Weibull scorers): it counts
 * as a fall in ℓ and the step is halved; ℓ may then be −∞, so the tolerance is relative to the
 * previous ℓ. `'fail'` (glmLogLik, where it means exp(η) overflowed): the search ends with −∞;
 * every ℓ that reaches the tests is finite, and the tolerance is relative to the current one.
 * Each scorer keeps the rule it was written with, so that neither's results move.
 */
export type NonFiniteLogLik = 'halve' | 'fail';

/**
 * Newton–Raphson maximisation of a concave log-likelihood in θ (modified in place), with step
 * halving from the previous θ when ℓ falls: `evaluate(g, h)` fills the gradient and the upper
 * triangle of the information at the current θ (both zeroed before each call) and returns ℓ.
 * At most `maxit` + 30 evaluations (the 30 for halvings). Returns the maximised ℓ, or −Infinity
 * when the information is singular. Shared by glmLogLik and the Weibull scorers.
 */
export function newtonLogLik(
  th: Float64Array,
  maxit: number,
  evaluate: (g: Float64Array, h: Float64Array) => number,
  nonFinite: NonFiniteLogLik = 'halve',
): number {
  const m = th.length;
  const g = new Float64Array(m);
  const h = new Float64Array(m * m);
  const prev = new Float64Array(m);
  let step: Float64Array = new Float64Array(m);
  let s = 1;
  let prevLL = -Infinity;
  let ll = -Infinity;
  for (let it = 0; it < maxit + 30; it++) {
    g.fill(0);
    h.fill(0);
    ll = evaluate(g, h);
    let tol: number;
    if (nonFinite === 'fail') {
      if (!Number.isFinite(ll)) return -Infinity;
      tol = SCORE_TOL * (Math.abs(ll) + 1);
    } else {
      if (!Number.isFinite(ll)) ll = -Infinity;
      tol = SCORE_TOL * (Math.abs(prevLL) + 1);
    }
    if (!(ll >= prevLL - tol)) {
      s /= 2;
      if (s < 1e-9) break;
      for (let a = 0; a < m; a++) th[a] = prev[a]! + s * step[a]!;
      continue;
    }
    if (ll - prevLL < tol) break;
    prevLL = ll;
    prev.set(th);
    const chol = cholesky(h, m, 1e-12);
    if (chol.singular.length > 0) return -Infinity;
    step = choleskySolve(chol, g);
    s = 1;
    for (let a = 0; a < m; a++) th[a] = prev[a]! + step[a]!;
  }
  return Math.max(ll, prevLL);
}
