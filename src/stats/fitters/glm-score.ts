/**
 * Score-only kernels for structure search: the maximised log-likelihood of a canonical-link GLM,
 * thousands of times, without standard errors or validation.
 */
import { newtonLogLik } from './newton.js';
import { logFactorial } from './poisson.js';

/** Options of {@link glmLogLik}. */
export interface GlmScoreOptions {
  /** Known offset of the linear predictor (Poisson: log exposure). */
  offset?: Float64Array;
  /**
   * Case weights: a row stands for `weights[i]` identical observations whose mean response is
   * `y[i]` (aggregated data give the same likelihood as the rows they replace).
   */
  weights?: Float64Array;
  /** Poisson: subtract Σ log(y!) (R's logLik; default true). Off for aggregated counts. */
  logFactorial?: boolean;
  maxit?: number;
}

/**
 * Maximised log-likelihood of a canonical-link GLM (logistic for y in [0, 1], Poisson with
 * optional offset) by Newton's method with step halving, from the intercept-only start (the
 * first column must be the intercept, or an interval indicator for piecewise models).
 * O(iterations · n · q²).
 */
export function glmLogLik(
  family: 'binomial' | 'poisson',
  y: Float64Array,
  x: Float64Array,
  q: number,
  options: GlmScoreOptions = {},
): number {
  const { offset, weights, logFactorial: subtractLogFactorial = true, maxit = 50 } = options;
  const n = y.length;
  const beta = new Float64Array(q);
  let sw = 0;
  let swy = 0;
  let swe = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    sw += w;
    swy += w * y[i]!;
    swe += w * (offset ? Math.exp(offset[i]!) : 1);
  }
  const ybar = swy / sw;
  if (family === 'binomial') {
    if (ybar <= 0 || ybar >= 1) return -Infinity;
    beta[0] = Math.log(ybar / (1 - ybar));
  } else {
    if (ybar <= 0) return -Infinity;
    beta[0] = Math.log(swy / swe);
  }
  const binomial = family === 'binomial';
  // One pass per evaluation computes ℓ, the gradient and the information at β; a step that
  // lowers ℓ is halved from the previous β (rare for canonical links from this start).
  let logLik = newtonLogLik(
    beta,
    maxit,
    (g, h) => {
      let ll = 0;
      for (let i = 0; i < n; i++) {
        const o = i * q;
        let eta = offset ? offset[i]! : 0;
        for (let a = 0; a < q; a++) eta += x[o + a]! * beta[a]!;
        let mu: number;
        let w: number;
        const yi = y[i]!;
        const ci = weights ? weights[i]! : 1;
        if (binomial) {
          // y·η − log(1 + e^η), stably
          const e = Math.exp(-Math.abs(eta));
          const l1p = Math.log1p(e);
          ll += ci * (yi * eta - (eta > 0 ? eta + l1p : l1p));
          mu = eta > 0 ? 1 / (1 + e) : e / (1 + e);
          w = ci * mu * (1 - mu);
        } else {
          mu = Math.exp(eta);
          w = ci * mu;
          ll += ci * (yi * eta - mu);
        }
        const r = ci * (yi - mu);
        for (let a = 0; a < q; a++) {
          const xa = x[o + a]!;
          g[a] += xa * r;
          const wa = w * xa;
          for (let b = a; b < q; b++) h[a * q + b] += wa * x[o + b]!;
        }
      }
      return ll;
    },
    'fail',
  );
  if (!binomial && subtractLogFactorial) for (let i = 0; i < n; i++) logLik -= logFactorial(y[i]!);
  return logLik;
}
