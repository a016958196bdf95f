/**
 * Logistic regression by iteratively reweighted least squares, reproducing R's
 * `glm(y ~ x, family = binomial)`: same start, same convergence rule, same clamping of the
 * inverse link, same standard errors (from the weights of the last iteration).
 */
import { pTwoSidedNormal } from './distributions.js';
import { StatsError, type StatsWarning } from './errors.js';
import { cholesky, choleskyInverse, choleskySolve, matVec } from './linalg.js';
import { sandwich } from './matrix-products.js';
import {
  checkAtLeast,
  checkColumns,
  checkNames,
  checkPositiveOption,
  countOnes,
} from './validate.js';

/** Options of {@link fitLogistic}. */
export interface LogisticOptions {
  /** Prior (case) weights, > 0; as glm's `weights`. Standard errors stay model-based. */
  weights?: ArrayLike<number>;
  /** Maximum number of IRLS iterations (R's default 25). */
  maxit?: number;
  /** Convergence tolerance on |dev − dev_old|/(|dev| + 0.1) (R's default 1e-8). */
  epsilon?: number;
}

/** A fitted logistic regression; coefficient arrays are in the order of `names`. */
export interface LogisticFit {
  /** '(Intercept)' followed by the covariate names. */
  readonly names: readonly string[];
  readonly coefficients: Float64Array;
  readonly se: Float64Array;
  /** Wald z = coefficient / se. */
  readonly statistic: Float64Array;
  /** Two-sided p-values of the Wald z. */
  readonly p: Float64Array;
  /** Row-major covariance matrix of the coefficients (inverse Fisher information). */
  readonly covariance: Float64Array;
  /** Fitted probabilities. */
  readonly fitted: Float64Array;
  /** Linear predictor. */
  readonly linearPredictor: Float64Array;
  /** Residual deviance −2·log-likelihood (weighted). */
  readonly deviance: number;
  /** Deviance of the intercept-only model. */
  readonly nullDeviance: number;
  /** n − number of coefficients. */
  readonly dfResidual: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly method: 'irls';
  readonly warnings: StatsWarning[];
}

// R's binomial()$linkinv / $mu.eta clamping (src/library/stats/src/family.c).
const THRESH = 30;
const MTHRESH = -30;
const DBL_EPSILON = Number.EPSILON;
const INVEPS = 1 / DBL_EPSILON;

function linkinv(eta: number): number {
  const t = eta < MTHRESH ? DBL_EPSILON : eta > THRESH ? INVEPS : Math.exp(eta);
  return t / (1 + t);
}

function muEta(eta: number): number {
  const opexp = 1 + Math.exp(eta);
  return eta > THRESH || eta < MTHRESH ? DBL_EPSILON : Math.exp(eta) / (opexp * opexp);
}

/** y·log(y/mu), 0 at y = 0 (R's binomial dev.resids). */
function ylogy(y: number, mu: number): number {
  return y > 0 ? y * Math.log(y / mu) : 0;
}

function deviance(y: ArrayLike<number>, mu: Float64Array, w: Float64Array): number {
  let dev = 0;
  for (let i = 0; i < mu.length; i++) {
    dev += 2 * w[i]! * (ylogy(y[i]!, mu[i]!) + ylogy(1 - y[i]!, 1 - mu[i]!));
  }
  return dev;
}

/**
 * The 0/1 indicator columns whose 2 × 2 table with the outcome has an empty cell, each as a
 * sentence. Such a cell is a quasi-complete separation (Albert & Anderson 1984, Biometrika
 * 71:1–10): if no observation with xⱼ = 1 has the outcome (or every one has), the likelihood
 * increases without bound as βⱼ → −∞ (+∞) with the other coefficients fixed; if the cell is
 * among xⱼ = 0, along the intercept with βⱼ compensating. The maximum-likelihood estimate does not
 * exist, however the iterations end. Sufficient, not necessary: separation by a combination of
 * columns is caught by `diverging` coefficients only. Complexity O(n · p).
 */
function emptyIndicatorCells(
  y: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
): string[] {
  const out: string[] = [];
  x.forEach((col, j) => {
    // counts[x][y]
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < col.length; i++) {
      const v = col[i]!;
      if (v !== 0 && v !== 1) return;
      counts[2 * v + (y[i]! === 1 ? 1 : 0)]! += 1;
    }
    for (const v of [1, 0]) {
      const [no, yes] = [counts[2 * v]!, counts[2 * v + 1]!];
      if (no + yes > 0 && (no === 0 || yes === 0)) {
        out.push(
          `${yes === 0 ? 'no' : 'every'} observation with \`${names[j]}\` = ${v} (${no + yes}) has the outcome`,
        );
        return;
      }
    }
  });
  return out;
}

/** Pivot tolerance for collinearity on the standardised Gram matrix: 1 − R² below 1e-12. */
const COLLINEAR_TOL = 1e-12;

/**
 * Fits a logistic regression with an intercept, P(y = 1) = 1/(1 + exp(−(β₀ + Σ βⱼxⱼ))), by the
 * iteratively reweighted least squares of Nelder & Wedderburn (1972, "Generalized linear models",
 * JRSS A 135:370–384) exactly as R's `glm.fit` runs it: start μ = (w·y + ½)/(w + 1); converged when
 * |dev − dev_old|/(|dev| + 0.1) < epsilon (1e-8), at most `maxit` (25) iterations; the inverse link
 * clamped at |η| > 30; standard errors from the weighted cross-product of the last iteration.
 * Internally the covariates are centred and scaled (IRLS is affine-equivariant, so the iterates are
 * R's) and the normal equations solved by Cholesky (`linalg.ts`).
 *
 * Warnings: `fitted-probabilities-0-1` (R's "fitted probabilities numerically 0 or 1 occurred":
 * some μ within 10·ε of 0 or 1), `separation` (a coefficient diverging: more than 15 standard
 * deviations of its covariate per unit of log-odds, or no convergence with such fits),
 * `not-converged`. A column collinear with the others (or constant) is an error naming it, where R
 * would silently report NA.
 *
 * Complexity: O(iterations · n · p²) time, O(n · p) memory.
 * @example
 * const fit = fitLogistic([0, 0, 1, 1, 0, 1], [[1, 2, 3, 4, 5, 6]], ['age']);
 * fit.coefficients; // → Float64Array [-2.3578, 0.6736] (as glm)
 * fit.iterations; // → 4
 */
export function fitLogistic(
  y: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  options: LogisticOptions = {},
): LogisticFit {
  const { weights, maxit = 25, epsilon = 1e-8 } = options;
  const n = y.length;
  const p = x.length;
  const q = p + 1;
  // ---- validation, once -------------------------------------------------------------------
  if (!(Number.isInteger(maxit) && maxit >= 1)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`maxit\` must be an integer >= 1. Value: \`${maxit}\`.`,
      {
        field: 'maxit',
      },
    );
  }
  checkPositiveOption('epsilon', epsilon);
  checkNames(x, names);
  const seen = new Set<string>();
  for (const nm of names) {
    if (nm === '(Intercept)' || seen.has(nm)) {
      throw new StatsError(
        'invalid-name',
        `invalid covariate name \`${nm}\`: names must be unique and not '(Intercept)'`,
        {
          field: 'names',
        },
      );
    }
    seen.add(nm);
  }
  checkAtLeast(n, 2, 'y');
  const events = countOnes(y, { code: 'invalid-outcome', what: 'outcome', field: 'y' });
  checkColumns(x, names, n, 'observations');
  const w = new Float64Array(n);
  if (weights !== undefined) {
    if (weights.length !== n) {
      throw new StatsError(
        'length-mismatch',
        `length mismatch: ${weights.length} weights for ${n} observations`,
        {
          field: 'weights',
        },
      );
    }
    for (let i = 0; i < n; i++) {
      const v = weights[i]!;
      if (!(Number.isFinite(v) && v > 0)) {
        throw new StatsError(
          'invalid-weight',
          `invalid weight at observation ${i}: expected a finite number > 0, found ${v}`,
          {
            field: 'weights',
            index: i,
          },
        );
      }
      w[i] = v;
    }
  } else {
    w.fill(1);
  }
  if (events === 0 || events === n) {
    throw new StatsError(
      'constant-outcome',
      `cannot fit a logistic model: ${events === 0 ? 'no observation has' : 'every observation has'} the outcome`,
      { field: 'y' },
    );
  }

  // ---- standardised design: column 0 the intercept, then (x − mean)/sd ---------------------
  const z = new Float64Array(q * n);
  const centre = new Float64Array(q);
  const scale = new Float64Array(q).fill(1);
  z.fill(1, 0, n);
  for (let j = 0; j < p; j++) {
    const col = x[j]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += col[i]!;
    const m = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (col[i]! - m) ** 2;
    const sd = Math.sqrt(ss / n);
    if (!(sd > 1e-12 * Math.max(1, Math.abs(m)))) {
      throw new StatsError(
        'collinear',
        `cannot fit the logistic model: covariate \`${names[j]}\` is constant, so collinear with the intercept`,
        { field: names[j]! },
      );
    }
    centre[j + 1] = m;
    scale[j + 1] = sd;
    const off = (j + 1) * n;
    for (let i = 0; i < n; i++) z[off + i] = (col[i]! - m) / sd;
  }
  const gram = crossprod(z, n, q, null);
  for (let k = 0; k < q * q; k++) gram[k]! /= n;
  const rank = cholesky(gram, q, COLLINEAR_TOL);
  if (rank.singular.length > 0) {
    const bad = rank.singular.map((j) => names[j - 1]!);
    throw new StatsError(
      'collinear',
      `cannot fit the logistic model: ${bad.map((b) => `\`${b}\``).join(', ')} ${bad.length > 1 ? 'are' : 'is'} ` +
        'a linear combination of the preceding covariates; drop ' +
        (bad.length > 1 ? 'them' : 'it'),
      { field: bad[0]! },
    );
  }

  // ---- IRLS as glm.fit ----------------------------------------------------------------------
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m0 = (w[i]! * y[i]! + 0.5) / (w[i]! + 1);
    eta[i] = Math.log(m0 / (1 - m0));
    mu[i] = linkinv(eta[i]!);
  }
  let devOld = deviance(y, mu, w);
  let dev = devOld;
  const wt = new Float64Array(n);
  const work = new Float64Array(n);
  let gamma: Float64Array = new Float64Array(q);
  let info: Float64Array = new Float64Array(q * q);
  let converged = false;
  let iter: number;
  for (iter = 1; iter <= maxit; iter++) {
    for (let i = 0; i < n; i++) {
      const me = muEta(eta[i]!);
      const v = mu[i]! * (1 - mu[i]!);
      wt[i] = (w[i]! * me * me) / v;
      work[i] = wt[i]! * (eta[i]! + (y[i]! - mu[i]!) / me);
    }
    info = crossprod(z, n, q, wt);
    const rhs = new Float64Array(q);
    for (let j = 0; j < q; j++) {
      let s = 0;
      const off = j * n;
      for (let i = 0; i < n; i++) s += z[off + i]! * work[i]!;
      rhs[j] = s;
    }
    const chol = cholesky(info, q, 1e-14);
    gamma = choleskySolve(chol, rhs);
    eta.fill(0);
    for (let j = 0; j < q; j++) {
      const g = gamma[j]!;
      const off = j * n;
      for (let i = 0; i < n; i++) eta[i] += g * z[off + i]!;
    }
    for (let i = 0; i < n; i++) mu[i] = linkinv(eta[i]!);
    dev = deviance(y, mu, w);
    if (Math.abs(dev - devOld) / (Math.abs(dev) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devOld = dev;
  }
  if (iter > maxit) iter = maxit;

  // ---- back to the original scale -------------------------------------------------------------
  // β = A·γ with β₀ = γ₀ − Σ γⱼ mⱼ/sⱼ, βⱼ = γⱼ/sⱼ; Cov(β) = A·Cov(γ)·Aᵀ.
  const covGamma = choleskyInverse(cholesky(info, q, 1e-14));
  const a = new Float64Array(q * q);
  a[0] = 1;
  for (let j = 1; j < q; j++) {
    a[j] = -centre[j]! / scale[j]!;
    a[j * q + j] = 1 / scale[j]!;
  }
  const coefficients = matVec(a, q, gamma);
  const covariance = sandwich(a, covGamma, q);
  const se = new Float64Array(q);
  const statistic = new Float64Array(q);
  const pv = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    se[j] = Math.sqrt(covariance[j * q + j]!);
    statistic[j] = coefficients[j]! / se[j]!;
    pv[j] = pTwoSidedNormal(statistic[j]!);
  }

  // ---- null deviance and warnings -----------------------------------------------------------
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i]!;
    swy += w[i]! * y[i]!;
  }
  const nullMu = new Float64Array(n).fill(swy / sw);
  const nullDeviance = deviance(y, nullMu, w);
  const warnings: StatsWarning[] = [];
  if (!converged) {
    warnings.push({
      code: 'not-converged',
      message: `IRLS did not converge in ${maxit} iterations`,
    });
  }
  const eps = 10 * DBL_EPSILON;
  let extreme = false;
  for (let i = 0; i < n && !extreme; i++) if (mu[i]! > 1 - eps || mu[i]! < eps) extreme = true;
  if (extreme) {
    warnings.push({
      code: 'fitted-probabilities-0-1',
      message:
        'fitted probabilities numerically 0 or 1 occurred: the covariates (nearly) separate the outcome',
    });
  }
  const diverging: string[] = [];
  for (let j = 1; j < q; j++) if (Math.abs(gamma[j]!) > 15) diverging.push(names[j - 1]!);
  if (diverging.length > 0) {
    warnings.push({
      code: 'separation',
      message: `coefficients of ${diverging.map((d) => `\`${d}\``).join(', ')} are diverging (more than 15 log-odds per standard deviation): quasi-complete separation; estimates and standard errors are unreliable`,
    });
  }
  const empty = emptyIndicatorCells(y, x, names);
  if (empty.length > 0 && diverging.length === 0) {
    warnings.push({
      code: 'separation',
      message: `${empty.join('; ')}: quasi-complete separation, so the maximum-likelihood estimate does not exist (R's glm reports a large coefficient with a huge standard error); estimates and standard errors are unreliable. Merge sparse levels or drop the covariate`,
    });
  }
  return {
    names: ['(Intercept)', ...names],
    coefficients,
    se,
    statistic,
    p: pv,
    covariance,
    fitted: mu,
    linearPredictor: eta,
    deviance: dev,
    nullDeviance,
    dfResidual: n - q,
    iterations: iter,
    converged,
    method: 'irls',
    warnings,
  };
}

/** Zᵀ·diag(w)·Z for column-major Z (q columns of length n); w = null for unweighted. */
function crossprod(z: Float64Array, n: number, q: number, w: Float64Array | null): Float64Array {
  const out = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    const oj = j * n;
    for (let k = j; k < q; k++) {
      const ok = k * n;
      let s = 0;
      if (w === null) for (let i = 0; i < n; i++) s += z[oj + i]! * z[ok + i]!;
      else for (let i = 0; i < n; i++) s += w[i]! * z[oj + i]! * z[ok + i]!;
      out[j * q + k] = s;
      out[k * q + j] = s;
    }
  }
  return out;
}
