/**
 * Weibull and exponential proportional-hazards models by maximum likelihood (R's `survreg`,
 * reparameterised to log-hazard ratios), and their score-only kernels for structure learning.
 */
import { StatsError, type StatsWarning } from '../errors.js';
import { cholesky, choleskyInverse, choleskySolve } from '../linalg.js';
import { sandwich } from '../matrix-products.js';
import { collinearError, validateColumns } from './design.js';
import { newtonLogLik } from './newton.js';
import { validateSurvival, type SurvivalFit } from './survival.js';

/**
 * Weibull proportional hazards by maximum likelihood: h(t | x) = h₀(t)·exp(xβ) with
 * S₀(t) = exp(−(t/scale)^shape). Newton–Raphson with step halving on θ = (log shape, c, β) where
 * H(t | x) = t^shape·exp(c + xβ), then scale = exp(−c/shape) and the covariance of (log shape,
 * log scale, β) by the delta method. The same model as R's `survreg(dist = "weibull")`
 * (Kalbfleisch & Prentice 2002, §2.2.2): shape = 1/σ, scale = exp(μ), β = −γ/σ.
 * With `shape` fixed at 1 (`exponential: true`) it is the exponential model, rate = exp(c).
 * Complexity O(iterations · n · p²).
 *
 * @example
 * const f = fitWeibull(time, status, [ageCentred], ['age']);
 * f.baseline; // { distribution: 'weibull', shape: 1.2, scale: 14.1 }
 */
export function fitWeibull(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  options: {
    exponential?: boolean;
    maxit?: number;
    /**
     * Start Newton–Raphson at this fit of the same model (same covariates) instead of the
     * exponential intercept-only start: a bootstrap resample converges in a few iterations from
     * the full-data estimate. The maximum is the same; only the path to it changes.
     */
    start?: SurvivalFit;
  } = {},
): SurvivalFit {
  const { exponential = false, maxit = 100, start } = options;
  const n = time.length;
  const events = validateSurvival(time, status);
  validateColumns(n, x, names, 2);
  const p = x.length;
  const free = exponential ? 0 : 1; // index offset of c in θ
  const q = free + 1 + p;
  const u = Float64Array.from(time, Math.log);
  let sumT = 0;
  for (let i = 0; i < n; i++) sumT += time[i]!;
  const theta = new Float64Array(q);
  theta[free] = Math.log(events / sumT);
  if (start !== undefined) {
    const b = start.baseline;
    if (
      b.distribution !== (exponential ? 'exponential' : 'weibull') ||
      start.logHazardRatios.length !== p
    ) {
      throw new StatsError(
        'invalid-option',
        `start must be a ${exponential ? 'exponential' : 'Weibull'} fit with ${p} log-hazard ratios, ` +
          `found a ${b.distribution} fit with ${start.logHazardRatios.length}`,
        { field: 'start' },
      );
    }
    // θ = (log shape, c, β) with c = −shape·log(scale) (exponential: c = log rate)
    if (b.distribution === 'weibull') {
      theta[0] = Math.log(b.shape);
      theta[1] = -b.shape * Math.log(b.scale);
    } else if (b.distribution === 'exponential') theta[0] = Math.log(b.rate);
    theta.set(start.logHazardRatios, free + 1);
  }
  const lp = new Float64Array(n);
  const loglik = (th: Float64Array): number => {
    const k = exponential ? 1 : Math.exp(th[0]!);
    const logk = exponential ? 0 : th[0]!;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      let e = th[free]!;
      for (let j = 0; j < p; j++) e += th[free + 1 + j]! * x[j]![i]!;
      lp[i] = e;
      if (status[i] === 1) ll += logk + (k - 1) * u[i]! + e;
      ll -= Math.exp(k * u[i]! + e);
    }
    return ll;
  };
  // gradient and negative Hessian at θ (lp must hold θ's linear predictors)
  const derivs = (th: Float64Array): { g: Float64Array; h: Float64Array } => {
    const k = exponential ? 1 : Math.exp(th[0]!);
    const g = new Float64Array(q);
    const h = new Float64Array(q * q);
    const zi = new Float64Array(1 + p);
    for (let i = 0; i < n; i++) {
      const d = status[i]!;
      const ku = k * u[i]!;
      const e = Math.exp(ku + lp[i]!);
      zi[0] = 1;
      for (let j = 0; j < p; j++) zi[1 + j] = x[j]![i]!;
      for (let a = 0; a <= p; a++) {
        g[free + a] += zi[a]! * (d - e);
        for (let b = a; b <= p; b++) h[(free + a) * q + free + b] += zi[a]! * zi[b]! * e;
      }
      if (!exponential) {
        g[0] += d * (1 + ku) - ku * e;
        h[0] += ku * e * (1 + ku) - d * ku;
        for (let a = 0; a <= p; a++) h[free + a] += zi[a]! * ku * e;
      }
    }
    for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) h[a * q + b] = h[b * q + a]!;
    return { g, h };
  };
  let ll = loglik(theta);
  let converged = false;
  let it = 0;
  for (; it < maxit; it++) {
    const { g, h } = derivs(theta);
    const chol = cholesky(h, q, 1e-12);
    if (chol.singular.length > 0) {
      const allNames = [...(exponential ? [] : ['log(shape)']), '(Intercept)', ...names];
      throw collinearError('survival model', allNames, chol.singular);
    }
    const step = choleskySolve(chol, g);
    let s = 1;
    let next = theta.map((t, j) => t + s * step[j]!);
    let llNext = loglik(next);
    for (let half = 0; half < 30 && !(llNext >= ll - 1e-12 * Math.abs(ll)); half++) {
      s /= 2;
      next = theta.map((t, j) => t + s * step[j]!);
      llNext = loglik(next);
    }
    theta.set(next);
    const change = Math.abs(llNext - ll);
    ll = llNext;
    let maxStep = 0;
    for (let j = 0; j < q; j++) maxStep = Math.max(maxStep, Math.abs(s * step[j]!));
    if (change / (Math.abs(ll) + 0.1) < 1e-13 || maxStep < 1e-10) {
      converged = true;
      break;
    }
  }
  loglik(theta);
  const { h } = derivs(theta);
  const covTheta = choleskyInverse(cholesky(h, q, 1e-14));
  const k = exponential ? 1 : Math.exp(theta[0]!);
  const c = theta[free]!;
  // Jacobian of (log shape, log scale | log rate, β) with respect to θ
  const jac = new Float64Array(q * q);
  for (let j = 0; j < q; j++) jac[j * q + j] = 1;
  if (!exponential) {
    // log scale = −c/k = −c·exp(−a): ∂/∂a = c/k, ∂/∂c = −1/k
    jac[1 * q + 0] = c / k;
    jac[1 * q + 1] = -1 / k;
  }
  const covariance = sandwich(jac, covTheta, q);
  const beta = theta.slice(free + 1);
  const se = Float64Array.from({ length: p }, (_, j) =>
    Math.sqrt(covariance[(free + 1 + j) * q + free + 1 + j]!),
  );
  const warnings: StatsWarning[] = converged
    ? []
    : [
        {
          code: 'not-converged',
          message: `Newton–Raphson did not converge in ${maxit} iterations`,
        },
      ];
  return {
    baseline: exponential
      ? { distribution: 'exponential', rate: Math.exp(c) }
      : { distribution: 'weibull', shape: k, scale: Math.exp(-c / k) },
    names,
    logHazardRatios: beta,
    se,
    covariance,
    parameterNames: [...(exponential ? ['log(rate)'] : ['log(shape)', 'log(scale)']), ...names],
    logLik: ll,
    n,
    events,
    warnings,
  };
}

/**
 * What both Weibull scorers start from, for θ = (log shape unless `exponential`, the q
 * coefficients): u = log t, the number of events and Σ d·u (the separable part of ℓ), and θ at
 * the exponential intercept-only fit, log rate = log(events / Σ t), as fitWeibull starts.
 */
interface WeibullStart {
  /** Index of the intercept in θ (0 for the exponential model, which has no shape). */
  free: number;
  /** Length of θ. */
  m: number;
  u: Float64Array;
  events: number;
  sumDu: number;
  th: Float64Array;
}

/** The {@link WeibullStart} of a data set; null when there is no event (cannot be fitted). */
function weibullStart(
  time: Float64Array,
  status: Float64Array,
  q: number,
  exponential: boolean,
): WeibullStart | null {
  const n = time.length;
  const free = exponential ? 0 : 1;
  const m = free + q;
  const u = new Float64Array(n);
  let sumT = 0;
  let events = 0;
  let sumDu = 0;
  for (let i = 0; i < n; i++) {
    u[i] = Math.log(time[i]!);
    sumT += time[i]!;
    events += status[i]!;
    sumDu += status[i]! * u[i]!;
  }
  if (events === 0) return null;
  const th = new Float64Array(m);
  th[free] = Math.log(events / sumT);
  return { free, m, u, events, sumDu, th };
}

/**
 * The design of a Weibull score: `x` row-major with `q` columns (the intercept first), one row per
 * observation — or, with `group` (each observation's group, 0..G−1), one row per group of
 * observations that share it (categorical parents only): the per-row work is then one
 * exp(shape·log t) accumulated into Σ t^k, Σ log t·t^k, Σ log² t·t^k per group, so each Newton
 * iteration costs O(n + G·q²) instead of O(n·q²).
 */
export interface WeibullDesign {
  readonly x: Float64Array;
  readonly q: number;
  readonly group?: Int32Array;
}

/**
 * Maximised log-likelihood of the Weibull (or, with `exponential`, exponential) PH model of
 * `fitWeibull` for a design (see {@link WeibullDesign}); −Infinity without events.
 * O(iterations · n · q²), or O(iterations · (n + G·q²)) grouped.
 */
export function weibullLogLik(
  time: Float64Array,
  status: Float64Array,
  design: WeibullDesign,
  exponential = false,
  maxit = 100,
): number {
  const start = weibullStart(time, status, design.q, exponential);
  if (start === null) return -Infinity;
  // as glmLogLik: one pass per evaluation gives ℓ, gradient and information at θ
  const score: ScoreData = { time, status, design, exponential, start };
  const step = design.group === undefined ? rowsStep(score) : groupedStep(score, design.group);
  return newtonLogLik(start.th, maxit, step);
}

type Step = (g: Float64Array, h: Float64Array) => number;

/** What one Newton evaluation reads. */
interface ScoreData {
  readonly time: Float64Array;
  readonly status: Float64Array;
  readonly design: WeibullDesign;
  readonly exponential: boolean;
  readonly start: WeibullStart;
}

/** One Newton evaluation over the rows of a row-major design. */
function rowsStep(score: ScoreData): Step {
  const { time, status, exponential } = score;
  const { x, q } = score.design;
  const { free, m, u, events, sumDu, th } = score.start;
  const n = time.length;
  return (g, h) => {
    const k = exponential ? 1 : Math.exp(th[0]!);
    // Σ d·(log k + (k − 1)·u) is separable; the rest per row
    let ll = exponential ? 0 : events * th[0]! + (k - 1) * sumDu;
    for (let i = 0; i < n; i++) {
      const o = i * q;
      let lp = 0;
      for (let a = 0; a < q; a++) lp += x[o + a]! * th[free + a]!;
      const d = status[i]!;
      const ku = k * u[i]!;
      const e = Math.exp(ku + lp);
      ll += d * lp - e;
      const r = d - e;
      for (let a = 0; a < q; a++) {
        const xa = x[o + a]!;
        g[free + a] += xa * r;
        const ea = e * xa;
        for (let b = a; b < q; b++) h[(free + a) * m + free + b] += ea * x[o + b]!;
        if (!exponential) h[free + a] += xa * ku * e;
      }
      if (!exponential) {
        g[0] += d * (1 + ku) - ku * e;
        h[0] += ku * e * (1 + ku) - d * ku;
      }
    }
    return ll;
  };
}

/** One Newton evaluation over G groups sharing a design row (z, row-major G × q). */
function groupedStep(score: ScoreData, group: Int32Array): Step {
  const { time, status, exponential } = score;
  const { x: z, q } = score.design;
  const { free, m, u, events, sumDu, th } = score.start;
  const n = time.length;
  const G = z.length / q;
  const D = new Float64Array(G); // events per group
  for (let i = 0; i < n; i++) D[group[i]!]! += status[i]!;
  const S0 = new Float64Array(G);
  const S1 = new Float64Array(G);
  const S2 = new Float64Array(G);
  let lastK = NaN;
  return (g, h) => {
    const k = exponential ? 1 : Math.exp(th[0]!);
    if (k !== lastK) {
      S0.fill(0);
      S1.fill(0);
      S2.fill(0);
      for (let i = 0; i < n; i++) {
        const e = Math.exp(k * u[i]!);
        const j = group[i]!;
        S0[j]! += e;
        S1[j]! += u[i]! * e;
        S2[j]! += u[i]! * u[i]! * e;
      }
      lastK = k;
    }
    let ll = exponential ? 0 : events * th[0]! + (k - 1) * sumDu;
    let a1 = 0;
    let a2 = 0;
    for (let c = 0; c < G; c++) {
      const o = c * q;
      let lp = 0;
      for (let a = 0; a < q; a++) lp += z[o + a]! * th[free + a]!;
      const el = Math.exp(lp);
      const e0 = el * S0[c]!;
      const e1 = el * S1[c]!;
      ll += D[c]! * lp - e0;
      a1 += e1;
      a2 += el * S2[c]!;
      const r = D[c]! - e0;
      for (let a = 0; a < q; a++) {
        const za = z[o + a]!;
        g[free + a] += za * r;
        for (let b = a; b < q; b++) h[(free + a) * m + free + b] += e0 * za * z[o + b]!;
        if (!exponential) h[free + a] += za * k * e1;
      }
    }
    if (!exponential) {
      g[0] = events + k * sumDu - k * a1;
      h[0] = k * a1 + k * k * a2 - k * sumDu;
    }
    return ll;
  };
}
