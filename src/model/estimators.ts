/**
 * Maximum-likelihood estimators behind `ecasim fit`: probability tables with their counts,
 * ordinary least squares, Poisson regression (log link, IRLS), and proportional-hazards survival
 * models with a Weibull, exponential or piecewise-exponential baseline. Pure functions over column
 * arrays; numeric covariates are used as given (the caller centres them), an intercept is added.
 * Logistic regression is `fitLogistic` (src/stats/logistic.ts), not repeated here.
 */
import { StatsError, type StatsWarning } from '../stats/errors.js';
import { cholesky, choleskyInverse, choleskySolve } from '../stats/linalg.js';

/** Counts of a categorical child per configuration of its categorical parents. */
export interface TableCounts {
  /** Row-major nConfig × k counts; configuration index mixed-radix, last parent fastest. */
  readonly counts: Float64Array;
  readonly nConfig: number;
  readonly k: number;
}

/**
 * Counts of `child` (codes 0..k−1) per configuration of `parents` (codes, with `parentK` levels
 * each), the configuration index mixed-radix with the last parent fastest (the order of
 * `parentConfigurations` in network.ts). O(n · (1 + parents)).
 *
 * @example
 * tableCounts(Int32Array.of(0, 1, 1), 2, [Int32Array.of(0, 0, 1)], [2]).counts; // [1, 1, 0, 1]
 */
export function tableCounts(
  child: ArrayLike<number>,
  k: number,
  parents: readonly ArrayLike<number>[],
  parentK: readonly number[],
): TableCounts {
  const n = child.length;
  let nConfig = 1;
  const strides = new Array<number>(parents.length);
  for (let j = parents.length - 1; j >= 0; j--) {
    strides[j] = nConfig;
    nConfig *= parentK[j]!;
  }
  const counts = new Float64Array(nConfig * k);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < parents.length; j++) c += parents[j]![i]! * strides[j]!;
    counts[c * k + child[i]!]! += 1;
  }
  return { counts, nConfig, k };
}

/** Σ n_jk log(n_jk / n_j): the maximised log-likelihood of a probability table. */
export function tableLogLik(t: TableCounts): number {
  let ll = 0;
  for (let c = 0; c < t.nConfig; c++) {
    let tot = 0;
    for (let l = 0; l < t.k; l++) tot += t.counts[c * t.k + l]!;
    if (tot === 0) continue;
    for (let l = 0; l < t.k; l++) {
      const m = t.counts[c * t.k + l]!;
      if (m > 0) ll += m * Math.log(m / tot);
    }
  }
  return ll;
}

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

/** A linear-Gaussian fit: adds the residual standard deviation. */
export interface OlsFit extends RegressionFit {
  /** Residual SD with R's lm divisor n − p (p coefficients incl. the intercept). */
  readonly sd: number;
  /** Residual SD with the ML divisor n (used in the log-likelihood). */
  readonly sdML: number;
  readonly rss: number;
}

function validateColumns(
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
function crossprods(
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

function collinearError(
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

/** A proportional-hazards survival fit with a parametric baseline. */
export interface SurvivalFit {
  readonly baseline:
    | { distribution: 'weibull'; shape: number; scale: number }
    | { distribution: 'exponential'; rate: number }
    | { distribution: 'piecewise-exponential'; breaks: number[]; rates: number[] };
  /** Log-hazard ratios, in the order of `names`. */
  readonly names: readonly string[];
  readonly logHazardRatios: Float64Array;
  readonly se: Float64Array;
  /**
   * Covariance of (baseline parameters on the log scale, log-HRs): Weibull (log shape, log scale,
   * β); exponential (log rate, β); piecewise (log rate per interval, β). Row-major.
   */
  readonly covariance: Float64Array;
  readonly parameterNames: readonly string[];
  readonly logLik: number;
  readonly n: number;
  readonly events: number;
  readonly warnings: StatsWarning[];
}

function validateSurvival(time: ArrayLike<number>, status: ArrayLike<number>): number {
  const n = time.length;
  if (status.length !== n) {
    throw new StatsError('length-mismatch', `${n} times but ${status.length} event indicators`);
  }
  let events = 0;
  for (let i = 0; i < n; i++) {
    if (!(time[i]! > 0 && Number.isFinite(time[i]!))) {
      throw new StatsError(
        'invalid-time',
        `invalid time at observation ${i}: expected a finite number > 0, found ${time[i]}`,
        { field: 'time', index: i },
      );
    }
    if (status[i] !== 0 && status[i] !== 1) {
      throw new StatsError(
        'invalid-status',
        `invalid status at observation ${i}: expected 0 or 1, found ${status[i]}`,
        { field: 'status', index: i },
      );
    }
    events += status[i]!;
  }
  if (events === 0) throw new StatsError('no-events', 'cannot fit a survival model: no events');
  return events;
}

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
  options: { exponential?: boolean; maxit?: number } = {},
): SurvivalFit {
  const { exponential = false, maxit = 100 } = options;
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

/** J·V·Jᵀ for q×q row-major matrices. */
function sandwich(j: Float64Array, v: Float64Array, q: number): Float64Array {
  const t = new Float64Array(q * q);
  for (let r = 0; r < q; r++)
    for (let c = 0; c < q; c++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += j[r * q + k]! * v[k * q + c]!;
      t[r * q + c] = s;
    }
  const out = new Float64Array(q * q);
  for (let r = 0; r < q; r++)
    for (let c = 0; c < q; c++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += t[r * q + k]! * j[c * q + k]!;
      out[r * q + c] = s;
    }
  return out;
}

/**
 * Exposure and events of each subject in each interval [breaks[j], breaks[j+1]) (the last open):
 * the person-period split of `survSplit`. Returns rows with their interval, exposure and event.
 */
export function splitIntervals(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  breaks: readonly number[],
): { subject: Int32Array; interval: Int32Array; exposure: Float64Array; event: Float64Array } {
  const subject: number[] = [];
  const interval: number[] = [];
  const exposure: number[] = [];
  const event: number[] = [];
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    for (let j = 0; j < breaks.length && t > breaks[j]!; j++) {
      const end = j + 1 < breaks.length ? breaks[j + 1]! : Infinity;
      subject.push(i);
      interval.push(j);
      exposure.push(Math.min(t, end) - breaks[j]!);
      event.push(t <= end ? status[i]! : 0);
    }
  }
  return {
    subject: Int32Array.from(subject),
    interval: Int32Array.from(interval),
    exposure: Float64Array.from(exposure),
    event: Float64Array.from(event),
  };
}

/**
 * Piecewise-exponential proportional hazards by maximum likelihood: hazard rates[j]·exp(xβ) on
 * [breaks[j], breaks[j+1]). The likelihood is that of a Poisson regression of the events in each
 * person-interval on interval indicators and x with offset log(exposure) (Holford 1980; Laird &
 * Olivier 1981), fitted by {@link fitPoisson}; R: `glm(event ~ 0 + factor(interval) + x +
 * offset(log(exposure)), poisson, data = survSplit(...))`. An interval without events has no
 * finite ML rate: an error names it (merge it with its neighbour).
 * Complexity O(iterations · n · intervals · (intervals + p)²).
 *
 * @example
 * fitPiecewiseExponential(time, status, [x], ['x'], [0, 6, 12]).baseline.rates; // 3 rates
 */
export function fitPiecewiseExponential(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  breaks: readonly number[],
): SurvivalFit {
  const events = validateSurvival(time, status);
  validateColumns(time.length, x, names, 2);
  const split = splitIntervals(time, status, breaks);
  const m = split.subject.length;
  const J = breaks.length;
  const perInterval = new Float64Array(J);
  for (let r = 0; r < m; r++) perInterval[split.interval[r]!]! += split.event[r]!;
  const empty = [...perInterval].findIndex((d) => d === 0);
  if (empty >= 0) {
    throw new StatsError(
      'no-events',
      `no events in the interval starting at ${breaks[empty]}: its rate has no finite estimate; merge it with a neighbour`,
      { field: 'breaks', index: empty },
    );
  }
  const cols: Float64Array[] = [];
  for (let j = 0; j < J; j++)
    cols.push(Float64Array.from(split.interval, (iv) => (iv === j ? 1 : 0)));
  for (const col of x) cols.push(Float64Array.from(split.subject, (s) => col[s]!));
  const intervalNames = breaks.map((b) => `log(rate[${b}])`);
  const fit = fitPoisson(split.event, cols, [...intervalNames, ...names], {
    intercept: false,
    offset: Float64Array.from(split.exposure, Math.log),
  });
  const p = x.length;
  // the Poisson likelihood differs from the survival one by Σ d·log(exposure), constant in θ
  let offsetTerm = 0;
  for (let r = 0; r < m; r++) offsetTerm += split.event[r]! * Math.log(split.exposure[r]!);
  return {
    baseline: {
      distribution: 'piecewise-exponential',
      breaks: [...breaks],
      rates: Array.from(fit.coefficients.slice(0, J), Math.exp),
    },
    names,
    logHazardRatios: fit.coefficients.slice(J),
    se: fit.se.slice(J, J + p),
    covariance: fit.covariance,
    parameterNames: fit.names,
    logLik: fit.logLik - offsetTerm,
    n: time.length,
    events,
    warnings: fit.warnings,
  };
}

// ---- score-only kernels for structure search ------------------------------------------------
// The searches of structure learning need only the maximised log-likelihood, thousands of times:
// these kernels take a dense row-major design (n × q, first column the intercept where there is
// one), skip standard errors and validation, and stop at a log-likelihood change below 1e-9
// relative. They agree with the full fits above (tested); −Infinity means "cannot be fitted".

const SCORE_TOL = 1e-9;

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
  const g = new Float64Array(q);
  const h = new Float64Array(q * q);
  const prev = new Float64Array(q);
  let step: Float64Array = new Float64Array(q);
  let s = 1;
  let prevLL = -Infinity;
  let ll = -Infinity;
  // One pass per iteration computes ℓ, the gradient and the information at β; a step that
  // lowers ℓ is halved from the previous β (rare for canonical links from this start).
  for (let it = 0; it < maxit + 30; it++) {
    g.fill(0);
    h.fill(0);
    ll = 0;
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
    if (!Number.isFinite(ll)) return -Infinity;
    const tol = SCORE_TOL * (Math.abs(ll) + 1);
    if (ll < prevLL - tol) {
      s /= 2;
      if (s < 1e-9) break;
      for (let a = 0; a < q; a++) beta[a] = prev[a]! + s * step[a]!;
      continue;
    }
    if (ll - prevLL < tol) break;
    prevLL = ll;
    prev.set(beta);
    const chol = cholesky(h, q, 1e-12);
    if (chol.singular.length > 0) return -Infinity;
    step = choleskySolve(chol, g);
    s = 1;
    for (let a = 0; a < q; a++) beta[a] = prev[a]! + step[a]!;
  }
  ll = Math.max(ll, prevLL);
  if (!binomial && subtractLogFactorial) for (let i = 0; i < n; i++) ll -= logFactorial(y[i]!);
  return ll;
}

/**
 * Newton–Raphson maximisation of a concave log-likelihood in θ (modified in place), with step
 * halving when ℓ falls: `evaluate(g, h)` fills the gradient and the upper triangle of the
 * information at the current θ (both zeroed before each call) and returns ℓ. Returns the
 * maximised ℓ, or −Infinity when the information is singular. Shared by the Weibull scorers.
 */
function newtonLogLik(
  th: Float64Array,
  maxit: number,
  evaluate: (g: Float64Array, h: Float64Array) => number,
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
    if (!Number.isFinite(ll)) ll = -Infinity;
    const tol = SCORE_TOL * (Math.abs(prevLL) + 1);
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

/**
 * Maximised log-likelihood of the Weibull (or, with `exponential`, exponential) PH model of
 * `fitWeibull` for a row-major design with the intercept first. O(iterations · n · q²).
 */
export function weibullLogLik(
  time: Float64Array,
  status: Float64Array,
  x: Float64Array,
  q: number,
  exponential = false,
  maxit = 100,
): number {
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
  if (events === 0) return -Infinity;
  const th = new Float64Array(m);
  th[free] = Math.log(events / sumT);
  // as glmLogLik: one pass per evaluation gives ℓ, gradient and information at θ
  return newtonLogLik(th, maxit, (g, h) => {
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
  });
}

/**
 * `weibullLogLik` for rows in G groups sharing a design row (categorical parents only): the
 * per-row work is one exp(shape·log t) accumulated into Σ t^k, Σ log t·t^k, Σ log² t·t^k per
 * group, so each Newton iteration costs O(n + G·q²) instead of O(n·q²).
 *
 * @param group - group of each row, 0..G−1
 * @param z - row-major G × q design, the intercept first
 */
export function weibullLogLikGrouped(
  time: Float64Array,
  status: Float64Array,
  group: Int32Array,
  z: Float64Array,
  q: number,
  exponential = false,
  maxit = 100,
): number {
  const n = time.length;
  const G = z.length / q;
  const free = exponential ? 0 : 1;
  const m = free + q;
  const u = new Float64Array(n);
  const D = new Float64Array(G);
  let sumT = 0;
  let events = 0;
  let sumDu = 0;
  for (let i = 0; i < n; i++) {
    u[i] = Math.log(time[i]!);
    sumT += time[i]!;
    events += status[i]!;
    sumDu += status[i]! * u[i]!;
    D[group[i]!]! += status[i]!;
  }
  if (events === 0) return -Infinity;
  const S0 = new Float64Array(G);
  const S1 = new Float64Array(G);
  const S2 = new Float64Array(G);
  const th = new Float64Array(m);
  th[free] = Math.log(events / sumT);
  let lastK = NaN;
  return newtonLogLik(th, maxit, (g, h) => {
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
  });
}
