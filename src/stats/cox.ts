/**
 * Cox proportional hazards regression, matching R's `survival::coxph` (right-censored data).
 *
 * Cox DR (1972), "Regression models and life-tables", JRSS B 34:187–220; ties by Efron B (1977),
 * JASA 72:557–565 or Breslow NE (1974), Biometrics 30:89–99; robust (sandwich) variance by
 * Lin DY & Wei LJ (1989), JASA 84:1074–1078. The Newton–Raphson iteration, centring and scaling,
 * step halving, coefficient cap, convergence rule and rank check are those of survival's
 * `coxph.fit` / C routine `coxfit6` (Therneau, survival 3.5), so results agree with R to rounding.
 */
import { pchisq, pTwoSidedNormal, qnorm } from './distributions.js';
import { checkConfLevel, StatsError, type StatsWarning } from './errors.js';
import { cholesky, choleskyInverse, choleskySolve, type CholeskyFactor } from './linalg.js';
import { matMul } from './matrix-products.js';

/** Right-censored survival data with covariates (column-major). */
export interface CoxData {
  /** Follow-up times, finite and > 0. */
  time: ArrayLike<number>;
  /** 1 = event, 0 = censored. */
  status: ArrayLike<number>;
  /** Covariates, one array per column (column-major), each of length n. */
  x: readonly ArrayLike<number>[];
  /** One name per covariate column. */
  names: readonly string[];
  /** Stratum codes (integers); each stratum has its own baseline hazard. */
  strata?: ArrayLike<number>;
  /** Fixed offset added to the linear predictor. */
  offset?: ArrayLike<number>;
  /** Case weights, finite and > 0. */
  weights?: ArrayLike<number>;
  /** Cluster codes (integers) for the robust variance, as R's `cluster(id)`. */
  cluster?: ArrayLike<number>;
}

export type CoxTies = 'efron' | 'breslow';

export interface CoxOptions {
  /** Tie handling; R's default `'efron'`. */
  ties?: CoxTies;
  /**
   * Robust (sandwich) variance. Default as R's `coxph`: true when `cluster` is given or when any
   * weight is non-integer, otherwise false.
   */
  robust?: boolean;
  /** Initial coefficients (default 0); the score and Wald tests are relative to them, as in R. */
  init?: ArrayLike<number>;
  /** Maximum Newton–Raphson iterations (R's `iter.max`, default 20). */
  maxIter?: number;
  /** Convergence tolerance on |1 − L_old/L_new| (R's `eps`, default 1e-9). */
  eps?: number;
  /**
   * Relative pivot tolerance for the rank check: R's `toler.chol`, default
   * `.Machine$double.eps^0.75` = 2⁻³⁹ ≈ 1.82e-12 (not 1e-9: with 1e-9 a monotone-likelihood fit
   * that R reports would be refused as collinear).
   */
  tolerChol?: number;
  /** Tolerance of the infinite-coefficient check (R's `toler.inf`, default √eps). */
  tolerInf?: number;
  /** Confidence level of the hazard-ratio intervals (default 0.95). */
  confLevel?: number;
  /**
   * Group codes (integers, one per observation, e.g. the arm): when given, the fit reports in
   * `groupVariance` how much of each coefficient's variance each group contributes — the
   * infinitesimal-jackknife decomposition Σ_{i∈g} (V·Uᵢ)², Uᵢ the score residual of observation i
   * and V the model-based variance (Lin & Wei 1989), per observation even when `cluster` is set.
   */
  varianceGroups?: ArrayLike<number>;
  /**
   * Report every observation's dfbeta residual Dᵢ = V·Uᵢ in `dfbeta` (R's
   * `residuals(fit, type = "dfbeta")`, per observation even when `cluster` is set).
   */
  dfbeta?: boolean;
}

/** A chi-square test: statistic, degrees of freedom, upper-tail p-value. */
export interface CoxTest {
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
}

/** Internals kept for diagnostics such as {@link coxZph}; not serialised (non-enumerable). */
export interface CoxInternal {
  /** 0-based indices of the observations sorted by (stratum, time). */
  readonly order: Int32Array;
  /** Linear predictor x·β + offset per observation (input order), centred as R's. */
  readonly linearPredictor: Float64Array;
}

export interface CoxFit {
  readonly method: 'coxph';
  readonly ties: CoxTies;
  /** Which variance the intervals, z, p and the Wald test use (robust ones as R's `summary`). */
  readonly variance: 'model' | 'robust';
  readonly names: readonly string[];
  /** Log hazard ratios β̂. */
  readonly coef: Float64Array;
  /**
   * The standard errors in use — those of `lower`, `upper`, `z` and `p`: robust when `variance`
   * is robust, else model-based. (R's `summary` prints both; this is the one its z uses.)
   */
  readonly se: Float64Array;
  /** Model-based (naive) standard errors √diag(I⁻¹): R's `se(coef)`. */
  readonly seModel: Float64Array;
  /** Robust standard errors (R's `robust se`), when the variance is robust. */
  readonly seRobust: Float64Array | undefined;
  /** Hazard ratios exp(β̂) and their limits exp(β̂ ± z·SE), SE robust when `variance` is. */
  readonly hr: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Wald z = β̂ / SE and two-sided p-values, SE as for the limits. */
  readonly z: Float64Array;
  readonly p: Float64Array;
  /** Variance matrix in use, row-major p×p. */
  readonly var: Float64Array;
  /** Model-based variance I⁻¹, row-major p×p (R's `naive.var` when robust). */
  readonly naiveVar: Float64Array;
  /** Partial log-likelihood at `init` and at β̂. */
  readonly loglik: readonly [number, number];
  /** Newton–Raphson iterations performed (R reports `iter.max + 1` when it runs out; we report `maxIter`). */
  readonly iterations: number;
  /** False when `maxIter` ran out (a `cox-not-converged` warning is then attached). */
  readonly converged: boolean;
  readonly tests: {
    /**
     * Wald test of β = `init` as R's `summary(coxph)$waldtest`: a column whose variance is below
     * `tolerChol` × the largest one is left out of the statistic (coxph.wtest), yet df is the
     * number of coefficients, as R's.
     */
    readonly wald: CoxTest;
    /** Score (log-rank) test at `init`, model-based. */
    readonly score: CoxTest;
    readonly likelihoodRatio: CoxTest;
    /** Robust score test (R's `rscore`), when robust. */
    readonly robustScore: CoxTest | undefined;
  };
  readonly n: number;
  /** Number of events (unweighted, as R's `nevent`). */
  readonly events: number;
  /** Number of clusters used by the robust variance (n without `cluster`), when robust. */
  readonly clusters: number | undefined;
  /**
   * With `varianceGroups`: per group code, the group's part Σ_{i∈g} Dᵢⱼ² of each coefficient's
   * infinitesimal-jackknife variance (Dᵢ the dfbeta residual of observation i, unclustered; the
   * parts add up to the unclustered robust variance).
   */
  readonly groupVariance?: ReadonlyMap<number, Float64Array>;
  /** With `dfbeta: true`: Dᵢⱼ row-major (n × p, observation order), in the covariates' units. */
  readonly dfbeta?: Float64Array;
  readonly confLevel: number;
  readonly warnings: readonly StatsWarning[];
  /** Non-enumerable: for diagnostics, not part of the serialised result. */
  readonly internal: CoxInternal;
}

/** Sorted, centred and scaled working copy of the data: flat typed arrays, no per-row objects. */
interface Work {
  n: number;
  p: number;
  order: Int32Array;
  time: Float64Array;
  status: Uint8Array;
  weight: Float64Array;
  offset: Float64Array;
  /** Row-major n×p covariates, centred and scaled as coxfit6. */
  x: Float64Array;
  /** 1 at the last observation (in sorted order) of each stratum. */
  stratEnd: Uint8Array;
  /**
   * First observation of each observation's tie set: the run of equal times within its stratum
   * that enters the risk set together (the backward passes go from tie set to tie set).
   */
  tieStart: Int32Array;
  means: Float64Array;
  scale: Float64Array;
}

interface PassResult {
  loglik: number;
  u: Float64Array;
  imat: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// validation

function fail(code: string, message: string, field?: string, index?: number): never {
  const opts: { field?: string; index?: number } = {};
  if (field !== undefined) opts.field = field;
  if (index !== undefined) opts.index = index;
  throw new StatsError(code, message, opts);
}

function checkColumn(
  name: string,
  v: ArrayLike<number> | undefined,
  n: number,
  ok: (x: number) => boolean,
  expected: string,
  code: string,
): void {
  if (v === undefined) return;
  if (v.length !== n)
    fail(
      'length-mismatch',
      `${name} has length ${v.length}, expected ${n} (the length of time)`,
      name,
    );
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!ok(x))
      fail(code, `invalid ${name} at observation ${i}: expected ${expected}, found ${x}`, name, i);
  }
}

function validate(data: CoxData): void {
  const n = data.time.length;
  if (n < 2)
    fail('too-few-observations', `the Cox model needs at least 2 observations, found ${n}`, 'time');
  checkColumn(
    'time',
    data.time,
    n,
    (t) => Number.isFinite(t) && t > 0,
    'a finite number > 0',
    'invalid-time',
  );
  checkColumn('status', data.status, n, (s) => s === 0 || s === 1, '0 or 1', 'invalid-status');
  checkColumn(
    'weights',
    data.weights,
    n,
    (w) => Number.isFinite(w) && w > 0,
    'a finite number > 0',
    'invalid-weight',
  );
  checkColumn('offset', data.offset, n, Number.isFinite, 'a finite number', 'invalid-offset');
  checkColumn('strata', data.strata, n, Number.isInteger, 'an integer code', 'invalid-strata');
  checkColumn('cluster', data.cluster, n, Number.isInteger, 'an integer code', 'invalid-cluster');
  const p = data.x.length;
  if (p === 0) fail('no-covariates', 'the Cox model needs at least one covariate', 'x');
  if (data.names.length !== p) {
    fail(
      'length-mismatch',
      `names has ${data.names.length} entries, expected ${p} (one per covariate column)`,
      'names',
    );
  }
  for (let j = 0; j < p; j++) {
    const name = data.names[j]!;
    checkColumn(
      `covariate \`${name}\``,
      data.x[j],
      n,
      Number.isFinite,
      'a finite number',
      'invalid-covariate',
    );
  }
  let events = 0;
  for (let i = 0; i < n; i++) events += data.status[i]!;
  if (events === 0)
    fail(
      'no-events',
      `the Cox model needs at least one event; all ${n} observations are censored`,
      'status',
    );
  const constant: string[] = [];
  for (let j = 0; j < p; j++) {
    const col = data.x[j]!;
    let same = true;
    for (let i = 1; i < n && same; i++) same = col[i] === col[0];
    if (same) constant.push(data.names[j]!);
  }
  if (constant.length > 0) {
    fail(
      'constant-covariate',
      `cannot fit the Cox model: ${constant.map((s) => `\`${s}\``).join(', ')} ${constant.length > 1 ? 'are' : 'is'} constant; remove ${constant.length > 1 ? 'them' : 'it'}`,
      constant[0],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// data preparation

/**
 * Index order by (stratum, time), stable. Comparator sorts of an index array cost ~0.5 s at
 * n = 1e6, so: a native sort of the times, a binary search for each time's rank among the distinct
 * values, then counting sorts (LSD radix) by time rank and by stratum. O(n log n) with small
 * constants; ties keep input order (coxfit6 treats a tied set together, so any order would do).
 */
function sortOrder(time: ArrayLike<number>, strata?: ArrayLike<number>): Int32Array {
  const n = time.length;
  const keys = Float64Array.from(time);
  const sorted = Float64Array.from(time).sort();
  let nu = 0;
  for (let k = 0; k < n; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[nu++] = sorted[k]!;
  const uniq = sorted.subarray(0, nu);
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = keys[i]!;
    let lo = 0;
    let hi = nu - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (uniq[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
  }
  let order = countingSort(rank, nu, null);
  if (strata !== undefined) {
    const codes = Float64Array.from(strata).sort();
    let ns = 0;
    for (let k = 0; k < n; k++) if (k === 0 || codes[k] !== codes[k - 1]) codes[ns++] = codes[k]!;
    const dense = new Map<number, number>();
    for (let k = 0; k < ns; k++) dense.set(codes[k]!, k);
    const srank = new Int32Array(n);
    for (let i = 0; i < n; i++) srank[i] = dense.get(strata[i]!)!;
    order = countingSort(srank, ns, order);
  }
  return order;
}

/** Stable counting sort of `within` (or 0..n−1) by integer keys in [0, m). */
function countingSort(key: Int32Array, m: number, within: Int32Array | null): Int32Array {
  const n = key.length;
  const start = new Int32Array(m + 1);
  for (let i = 0; i < n; i++) start[key[i]! + 1]++;
  for (let k = 0; k < m; k++) start[k + 1] += start[k]!;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = within === null ? r : within[r]!;
    out[start[key[i]!]!++] = i;
  }
  return out;
}

function prepare(data: CoxData, order: Int32Array): Work {
  const n = order.length;
  const p = data.x.length;
  const { weights, strata } = data;
  // R's coxph centres a non-zero offset by its (unweighted) mean; the likelihood is unchanged.
  let offsetMean = 0;
  if (data.offset !== undefined) {
    for (let i = 0; i < n; i++) offsetMean += data.offset[i]!;
    offsetMean /= n;
  }
  let wsum = 0;
  if (weights === undefined) wsum = n;
  else for (let i = 0; i < n; i++) wsum += weights[i]!;
  const means = new Float64Array(p);
  const scale = new Float64Array(p).fill(1);
  for (let j = 0; j < p; j++) {
    const col = data.x[j]!;
    // R's nocenter = c(-1, 0, 1): such columns are neither centred nor scaled.
    let zeroOne = true;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v !== 0 && v !== 1 && v !== -1) zeroOne = false;
      m += (weights === undefined ? 1 : weights[i]!) * v;
    }
    if (zeroOne) continue;
    m /= wsum;
    means[j] = m;
    let mad = 0;
    for (let i = 0; i < n; i++)
      mad += (weights === undefined ? 1 : weights[i]!) * Math.abs(col[i]! - m);
    scale[j] = mad > 0 ? wsum / mad : 1;
  }
  // Permute by scattering (sequential reads, random writes): stores do not stall the CPU as the
  // random loads of a gather do, which matters at n = 1e6.
  const pos = new Int32Array(n);
  for (let k = 0; k < n; k++) pos[order[k]!] = k;
  const time = new Float64Array(n);
  const status = new Uint8Array(n);
  const weight = new Float64Array(n);
  const offset = new Float64Array(n);
  const stratEnd = new Uint8Array(n);
  const x = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const col = data.x[j]!;
    const m = means[j]!;
    const sc = scale[j]!;
    for (let i = 0; i < n; i++) x[pos[i]! * p + j] = (col[i]! - m) * sc;
  }
  for (let i = 0; i < n; i++) {
    const k = pos[i]!;
    time[k] = data.time[i]!;
    status[k] = data.status[i]!;
    weight[k] = weights === undefined ? 1 : weights[i]!;
    offset[k] = data.offset === undefined ? 0 : data.offset[i]! - offsetMean;
  }
  if (strata !== undefined) {
    for (let k = 0; k < n - 1; k++)
      if (strata[order[k + 1]!] !== strata[order[k]!]) stratEnd[k] = 1;
  }
  stratEnd[n - 1] = 1;
  const tieStart = new Int32Array(n);
  for (let k = 1; k < n; k++)
    tieStart[k] = time[k] === time[k - 1] && stratEnd[k - 1] !== 1 ? tieStart[k - 1]! : k;
  return { n, p, order, time, status, weight, offset, x, stratEnd, tieStart, means, scale };
}

// ---------------------------------------------------------------------------------------------
// one pass: log-likelihood, score and information (coxfit6's accumulation loop)

function pass(
  w: Work,
  beta: Float64Array,
  efron: boolean,
  ws: Float64Array,
  out: PassResult,
): void {
  const { n, p, status, weight, offset, x, stratEnd, tieStart } = w;
  const u = out.u;
  const imat = out.imat;
  u.fill(0);
  imat.fill(0);
  // Workspace: a, a2, xr (p each); cmat, cmat2 as packed lower triangles (element (i, j ≤ i) at
  // i(i+1)/2 + j). a/cmat hold the risk set so far, a2/cmat2 the deaths at the current time.
  const tri = (p * (p + 1)) / 2;
  const a = ws.subarray(0, p);
  const a2 = ws.subarray(p, 2 * p);
  const xr = ws.subarray(2 * p, 3 * p);
  const cmat = ws.subarray(3 * p, 3 * p + tri);
  const cmat2 = ws.subarray(3 * p + tri, 3 * p + 2 * tri);
  a2.fill(0);
  cmat2.fill(0);
  let loglik = 0;
  let denom = 0;
  for (let last = n - 1; last >= 0; last = tieStart[last]! - 1) {
    if (stratEnd[last] === 1) {
      denom = 0;
      a.fill(0);
      cmat.fill(0);
    }
    let ndead = 0;
    let deadwt = 0;
    let denom2 = 0;
    for (let person = last; person >= tieStart[last]!; person--) {
      const row = person * p;
      let zb = offset[person]!;
      for (let i = 0; i < p; i++) {
        const v = x[row + i]!;
        xr[i] = v;
        zb += beta[i]! * v;
      }
      const wt = weight[person]!;
      const risk = Math.exp(zb) * wt;
      if (status[person] === 0) {
        denom += risk;
        let t = 0;
        for (let i = 0; i < p; i++) {
          const xi = risk * xr[i]!;
          a[i] += xi;
          for (let j = 0; j <= i; j++) cmat[t++] += xi * xr[j]!;
        }
      } else {
        ndead++;
        deadwt += wt;
        denom2 += risk;
        loglik += wt * zb;
        let t = 0;
        for (let i = 0; i < p; i++) {
          const xv = xr[i]!;
          u[i] += wt * xv;
          const xi = risk * xv;
          a2[i] += xi;
          for (let j = 0; j <= i; j++) cmat2[t++] += xi * xr[j]!;
        }
      }
    }
    if (ndead > 0) {
      // Efron: the m tied deaths enter the sums in m equal steps, the k-th with fraction
      // f = k/m of their risk (denominator D + f·d2). coxfit6 loops over the steps at O(m·p²);
      // the sums over k are separable, so the same terms cost O(m + p²):
      //   Σ_k C_k/D_k = C·s0 + C2·s1,   Σ_k a_k a_kᵀ/D_k² = a aᵀ·t0 + (a a2ᵀ + a2 aᵀ)·t1 + a2 a2ᵀ·t2.
      // Breslow is the case of one step with f = 1.
      const m = efron ? ndead : 1;
      const wtave = deadwt / m;
      let s0 = 0;
      let s1 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let logs = 0;
      for (let k = 1; k <= m; k++) {
        const f = k / m;
        const dk = denom + f * denom2;
        const inv = 1 / dk;
        const inv2 = inv * inv;
        logs += Math.log(dk);
        s0 += inv;
        s1 += f * inv;
        t0 += inv2;
        t1 += f * inv2;
        t2 += f * f * inv2;
      }
      loglik -= wtave * logs;
      let t = 0;
      for (let i = 0; i < p; i++) {
        const ai = a[i]!;
        const a2i = a2[i]!;
        u[i] -= wtave * (ai * s0 + a2i * s1);
        for (let j = 0; j <= i; j++) {
          const aj = a[j]!;
          const a2j = a2[j]!;
          const c = cmat[t]! * s0 + cmat2[t]! * s1;
          const aa = ai * aj * t0 + (ai * a2j + a2i * aj) * t1 + a2i * a2j * t2;
          imat[j * p + i] += wtave * (c - aa);
          cmat[t] += cmat2[t]!;
          t++;
        }
      }
      for (let i = 0; i < p; i++) a[i] += a2[i]!;
      denom += denom2;
      a2.fill(0);
      cmat2.fill(0);
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) imat[i * p + j] = imat[j * p + i]!;
  out.loglik = loglik;
}

// ---------------------------------------------------------------------------------------------
// score residuals, collapsed by cluster, in O(n·p): a backward pass collects per-death-time sums,
// a forward pass accumulates the cumulative hazard terms C1(t) = Σ dΛ and C2(t) = Σ x̄ dΛ.

/**
 * Weighted score residuals Σ_{i in cluster c} wᵢ Uᵢ (in the working scale) for the linear
 * predictor `eta` (sorted order), row-major nClusters×p.
 */
function collapsedScoreResiduals(
  w: Work,
  eta: Float64Array,
  efron: boolean,
  clusterOf: Int32Array,
  nClusters: number,
): Float64Array {
  const { n, p, time, status, weight, x, stratEnd, tieStart } = w;
  // Per tied-time group with deaths: hFull, hDead, gFull (p), gDead (p), xbarAvg (p).
  const rec = 2 + 3 * p;
  // Count the tie sets (same stratum and time) that hold a death.
  let groups = 0;
  for (let k = 0; k < n;) {
    let end = k;
    let dead = status[k]!;
    while (end + 1 < n && time[end + 1] === time[k] && stratEnd[end] !== 1) dead += status[++end]!;
    if (dead > 0) groups++;
    k = end + 1;
  }
  const g = new Float64Array(groups * rec);
  const groupOf = new Int32Array(n).fill(-1); // tie-set index per row, −1 where the set has no death
  const risk = new Float64Array(n);
  for (let k = 0; k < n; k++) risk[k] = Math.exp(eta[k]!);
  const a = new Float64Array(p);
  const a2 = new Float64Array(p);
  const xbar = new Float64Array(p);
  let gi = 0;
  let denom = 0;
  for (let last = n - 1; last >= 0; last = tieStart[last]! - 1) {
    if (stratEnd[last] === 1) {
      denom = 0;
      a.fill(0);
    }
    const first = tieStart[last]!;
    let ndead = 0;
    let deadwt = 0;
    let denom2 = 0;
    a2.fill(0);
    for (let person = last; person >= first; person--) {
      const r = risk[person]! * weight[person]!;
      const row = person * p;
      if (status[person] === 0) {
        denom += r;
        for (let i = 0; i < p; i++) a[i] += r * x[row + i]!;
      } else {
        ndead++;
        deadwt += weight[person]!;
        denom2 += r;
        for (let i = 0; i < p; i++) a2[i] += r * x[row + i]!;
      }
    }
    if (ndead > 0) {
      const base = gi * rec;
      for (let k = first; k <= last; k++) groupOf[k] = gi;
      if (!efron || ndead === 1) {
        denom += denom2;
        const h = deadwt / denom;
        g[base] = h;
        g[base + 1] = h;
        for (let i = 0; i < p; i++) {
          a[i] += a2[i]!;
          const m = a[i]! / denom;
          g[base + 2 + i] = h * m;
          g[base + 2 + p + i] = h * m;
          g[base + 2 + 2 * p + i] = m;
        }
      } else {
        const wtave = deadwt / ndead;
        xbar.fill(0);
        for (let k = 0; k < ndead; k++) {
          // The k-th step has fraction f = (k+1)/ndead of the deaths' risk in the sums.
          const f = (k + 1) / ndead;
          denom += denom2 / ndead;
          const h = wtave / denom;
          g[base] += h;
          g[base + 1] += f * h;
          for (let i = 0; i < p; i++) {
            a[i] += a2[i]! / ndead;
            const m = a[i]! / denom;
            g[base + 2 + i] += h * m;
            g[base + 2 + p + i] += f * h * m;
            xbar[i] += m / ndead;
          }
        }
        for (let i = 0; i < p; i++) g[base + 2 + 2 * p + i] = xbar[i]!;
      }
      gi++;
    }
  }
  // Forward pass (ascending time): cumulative sums within each stratum.
  const out = new Float64Array(nClusters * p);
  const c2 = new Float64Array(p);
  let c1 = 0;
  let k = 0;
  while (k < n) {
    // start of a tie set
    const dtime = time[k]!;
    let end = k;
    while (end + 1 < n && time[end + 1] === dtime && stratEnd[end] !== 1) end++;
    const grp = groupOf[k]!;
    const base = grp * rec;
    if (grp >= 0) {
      c1 += g[base]!;
      for (let i = 0; i < p; i++) c2[i] += g[base + 2 + i]!;
    }
    for (let r = k; r <= end; r++) {
      const row = r * p;
      const orow = clusterOf[r]! * p;
      const wt = weight[r]!;
      const rk = risk[r]!;
      if (status[r] === 1) {
        const h1 = c1 - g[base]! + g[base + 1]!;
        for (let i = 0; i < p; i++) {
          const h2 = c2[i]! - g[base + 2 + i]! + g[base + 2 + p + i]!;
          const xv = x[row + i]!;
          out[orow + i] += wt * (xv - g[base + 2 + 2 * p + i]! - rk * (xv * h1 - h2));
        }
      } else {
        for (let i = 0; i < p; i++) {
          out[orow + i] += wt * -rk * (x[row + i]! * c1 - c2[i]!);
        }
      }
    }
    if (stratEnd[end] === 1) {
      c1 = 0;
      c2.fill(0);
    }
    k = end + 1;
  }
  return out;
}

/** Σ_c D_cᵀ D_c for a row-major nClusters×p matrix, scaled back to original covariate units. */
function crossprodUnscaled(
  d: Float64Array,
  nClusters: number,
  p: number,
  scale: Float64Array,
): Float64Array {
  const m = new Float64Array(p * p);
  for (let c = 0; c < nClusters; c++) {
    const row = c * p;
    for (let i = 0; i < p; i++) {
      const di = d[row + i]!;
      if (di === 0) continue;
      for (let j = 0; j <= i; j++) m[i * p + j] += di * d[row + j]!;
    }
  }
  for (let i = 0; i < p; i++)
    for (let j = 0; j <= i; j++) {
      const v = m[i * p + j]! * scale[i]! * scale[j]!;
      m[i * p + j] = v;
      m[j * p + i] = v;
    }
  return m;
}

/**
 * V·B·V, the robust variance's bread-meat-bread, for the model-based variance V and the meat B.
 * Not `sandwich`'s V·B·Vᵀ: V is symmetric only to rounding (entry (i, j) is scaled by sᵢ·sⱼ, (j, i)
 * by sⱼ·sᵢ), so reading the last V by columns could move the robust SEs in their last bits.
 */
function symMul3(v: Float64Array, b: Float64Array, p: number): Float64Array {
  return matMul(matMul(v, b, p), v, p);
}

/** Score residuals of every observation on its own (no clusters), in the sorted order. */
function observationResiduals(w: Work, etaSorted: Float64Array, efron: boolean): Float64Array {
  const identity = new Int32Array(w.n);
  for (let k = 0; k < w.n; k++) identity[k] = k;
  return collapsedScoreResiduals(w, etaSorted, efron, identity, w.n);
}

/** What the per-observation residuals of a converged fit are computed from. */
interface FittedParts {
  readonly w: Work;
  readonly etaSorted: Float64Array;
  readonly efron: boolean;
  readonly naiveVar: Float64Array;
  readonly scale: Float64Array;
  readonly order: Int32Array;
}

/**
 * Each group's part of the infinitesimal-jackknife variance of every coefficient: with the dfbeta
 * residuals Dᵢ = V·Uᵢ per observation (unclustered), Σ_{i∈g} Dᵢ². O(n·p + G·p³).
 */
function varianceShares(fitted: FittedParts, groups: ArrayLike<number>): Map<number, Float64Array> {
  const { w, etaSorted, efron, naiveVar, scale, order } = fitted;
  const { n, p } = w;
  if (groups.length !== n) {
    fail(
      'length-mismatch',
      `varianceGroups has ${groups.length} values for ${n} observations`,
      'varianceGroups',
    );
  }
  const d = observationResiduals(w, etaSorted, efron);
  const inv = invertScale(scale);
  const rowsOf = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const g = groups[order[k]!]!;
    if (!Number.isInteger(g))
      fail(
        'invalid-group',
        `varianceGroups must be integers, found ${g}`,
        'varianceGroups',
        order[k]!,
      );
    let rows = rowsOf.get(g);
    if (rows === undefined) rowsOf.set(g, (rows = []));
    rows.push(k);
  }
  const diag = new Map<number, Float64Array>();
  for (const [g, rows] of [...rowsOf].sort((a, b) => a[0] - b[0])) {
    const dg = new Float64Array(rows.length * p);
    rows.forEach((k, r) => dg.set(d.subarray(k * p, k * p + p), r * p));
    const vg = symMul3(naiveVar, crossprodUnscaled(dg, rows.length, p, inv), p);
    const dv = Float64Array.from({ length: p }, (_, j) => vg[j * p + j]!);
    diag.set(g, dv);
  }
  return diag;
}

/**
 * The dfbeta residuals Dᵢ = V·Uᵢ of every observation (unclustered), row-major n × p in the
 * caller's observation order: R's `residuals(fit, type = "dfbeta")`. O(n·p²).
 */
function dfbetaResiduals(fitted: FittedParts): Float64Array {
  const { w, etaSorted, efron, naiveVar, scale, order } = fitted;
  const { n, p } = w;
  const d = observationResiduals(w, etaSorted, efron);
  const inv = invertScale(scale);
  const out = new Float64Array(n * p);
  for (let k = 0; k < n; k++) {
    const row = order[k]! * p;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let l = 0; l < p; l++) s += naiveVar[j * p + l]! * d[k * p + l]! * inv[l]!;
      out[row + j] = s;
    }
  }
  return out;
}

/**
 * R's coxph.wtest: bᵀ V⁻¹ b by the generalised Cholesky, whose tolerance is relative to the
 * largest diagonal of V, so a column with a tiny variance (a covariate in large units) is dropped
 * from the statistic. The test's df is not this rank: summary.coxph reports the number of
 * coefficients (`df <- length(beta2)`), and so do we.
 */
function wtest(v: Float64Array, b: ArrayLike<number>, p: number, toler: number): number {
  const f: CholeskyFactor = cholesky(v, p, toler);
  const s = choleskySolve(f, b);
  let stat = 0;
  for (let i = 0; i < p; i++) stat += b[i]! * s[i]!;
  return stat;
}

function chiTest(statistic: number, df: number): CoxTest {
  return { statistic, df, p: pchisq(statistic, df) };
}

// ---------------------------------------------------------------------------------------------

/**
 * Fits a Cox proportional hazards model by Newton–Raphson, as R's
 * `coxph(Surv(time, status) ~ x1 + ... + strata(s) + offset(o), weights = w, cluster = id,
 * ties = "efron")` with its default `coxph.control()`.
 *
 * Maximises the partial likelihood (Cox 1972) with Efron's (1977, default) or Breslow's (1974)
 * handling of tied event times: covariates centred by their weighted means and scaled by their
 * mean absolute deviation (except −1/0/1 columns), convergence when |1 − L_old/L_new| ≤ eps,
 * step halving (more aggressive each time) when the log-likelihood falls or is not finite, and
 * the last good iterate returned when iterations run out — all as survival 3.5's `coxfit6`.
 * Efron's tied-death sums are evaluated in closed form (O(m + p²) per tie set rather than
 * coxfit6's O(m·p²)), which agrees with R to rounding. The robust variance (Lin & Wei 1989) is D̂ᵀD̂ with D̂ the weighted dfbeta residuals
 * summed by cluster, computed from score residuals in one backward and one forward pass.
 *
 * Defaults follow R: `variance` is robust when `cluster` is given or any weight is non-integer.
 * Differences from R, deliberately: a constant or collinear covariate throws a `StatsError`
 * (`constant-covariate` / `collinear`, naming the columns) instead of an NA coefficient; zero
 * events throw `no-events`. Non-convergence and infinite coefficients are warnings
 * (`cox-not-converged`, `cox-infinite-coefficient`) naming the variables.
 *
 * Complexity: O(n log n) for the sort, then O(n·p²) per iteration and O(n·p + C·p²) for the
 * robust variance (C clusters); memory O(n·p).
 *
 * @example
 * const fit = fitCox({
 *   time: [5, 8, 12, 3, 9, 15], status: [1, 1, 0, 1, 1, 0],
 *   x: [[0, 1, 1, 0, 0, 1]], names: ['treated'],
 * });
 * fit.coef[0]; // log hazard ratio, as coef(coxph(Surv(time, status) ~ treated))
 */
export function fitCox(data: CoxData, options: CoxOptions = {}): CoxFit {
  validate(data);
  const ties: CoxTies = options.ties ?? 'efron';
  if (ties !== 'efron' && ties !== 'breslow') {
    fail(
      'invalid-option',
      `invalid option. \`ties\` must be "efron" or "breslow". Value: \`${String(ties)}\``,
      'ties',
    );
  }
  const maxIter = options.maxIter ?? 20;
  if (!Number.isInteger(maxIter) || maxIter < 0) {
    fail(
      'invalid-option',
      `invalid option. \`maxIter\` must be a non-negative integer. Value: \`${maxIter}\``,
      'maxIter',
    );
  }
  const eps = options.eps ?? 1e-9;
  const tolerChol = options.tolerChol ?? 2 ** -39;
  const tolerInf = options.tolerInf ?? Math.sqrt(eps);
  const confLevel = options.confLevel ?? 0.95;
  checkConfLevel(confLevel);
  const n = data.time.length;
  const p = data.x.length;
  const init = new Float64Array(p);
  if (options.init !== undefined) {
    if (options.init.length !== p) {
      fail(
        'invalid-option',
        `invalid option. \`init\` must have ${p} values (one per covariate). Value length: \`${options.init.length}\``,
        'init',
      );
    }
    for (let j = 0; j < p; j++) init[j] = options.init[j]!;
  }
  let nonInteger = false;
  if (data.weights !== undefined) {
    for (let i = 0; i < n && !nonInteger; i++)
      nonInteger = data.weights[i] !== Math.floor(data.weights[i]!);
  }
  const robust = options.robust ?? (data.cluster !== undefined || nonInteger);
  const efron = ties === 'efron';
  const warnings: StatsWarning[] = [];
  if (data.cluster !== undefined && !robust) {
    warnings.push({
      code: 'cluster-ignored',
      message: 'cluster specified with robust = false: cluster ignored (as R)',
    });
  }

  const order = sortOrder(data.time, data.strata);
  const w = prepare(data, order);
  const { scale } = w;
  let events = 0;
  for (let k = 0; k < n; k++) events += w.status[k]!;

  // --- Newton–Raphson as coxfit6 (survival 3.5) ---
  const ws = new Float64Array(3 * p + p * (p + 1));
  const res: PassResult = { loglik: 0, u: new Float64Array(p), imat: new Float64Array(p * p) };
  const beta = new Float64Array(p);
  for (let j = 0; j < p; j++) beta[j] = init[j]! / scale[j]!;
  pass(w, beta, efron, ws, res);
  const loglik0 = res.loglik;
  if (!Number.isFinite(loglik0)) {
    fail(
      'non-finite-loglik',
      'cannot fit the Cox model: the log-likelihood at `init` is not finite; use smaller initial values',
      'init',
    );
  }
  let chol = cholesky(res.imat, p, tolerChol);
  if (chol.rank < p) throwCollinear(data.names, chol.singular);
  const step0 = choleskySolve(chol, res.u);
  let sctest = 0;
  for (let j = 0; j < p; j++) sctest += res.u[j]! * step0[j]!;
  const newbeta = new Float64Array(p);
  for (let j = 0; j < p; j++) newbeta[j] = beta[j]! + step0[j]!;

  let loglik = loglik0;
  let iterations = 0;
  let converged = maxIter === 0;
  let finalBeta = beta;
  if (maxIter > 0) {
    let halving = 0;
    for (iterations = 1; iterations <= maxIter; iterations++) {
      pass(w, newbeta, efron, ws, res);
      const newlk = res.loglik;
      chol = cholesky(res.imat, p, tolerChol);
      let finite = Number.isFinite(newlk);
      for (let j = 0; j < p && finite; j++) finite = Number.isFinite(res.u[j]!);
      for (let j = 0; j < p * p && finite; j++) finite = Number.isFinite(res.imat[j]!);
      if (finite && Math.abs(1 - loglik / newlk) <= eps) {
        loglik = newlk;
        converged = true;
        finalBeta = newbeta;
        break;
      }
      if (!finite || newlk < loglik) {
        // not improving: step back towards the last good β, more aggressively each time
        halving++;
        for (let j = 0; j < p; j++) newbeta[j] = (newbeta[j]! + halving * beta[j]!) / (halving + 1);
      } else {
        halving = 0;
        loglik = newlk;
        const step = choleskySolve(chol, res.u);
        for (let j = 0; j < p; j++) {
          beta[j] = newbeta[j]!;
          newbeta[j] = newbeta[j]! + step[j]!;
        }
      }
    }
    if (!converged) {
      // R returns the last successful iterate; we also return the information there (R
      // inverts an unfactored matrix in this case, giving a diagonal variance: not copied).
      iterations = maxIter;
      finalBeta = beta;
      if (maxIter > 1) {
        pass(w, beta, efron, ws, res);
        loglik = res.loglik;
        chol = cholesky(res.imat, p, tolerChol);
      }
    }
  }
  const uFinal = res.u;
  if (chol.rank < p) throwCollinear(data.names, chol.singular);
  const invScaled = choleskyInverse(chol);

  // Back to the original scale.
  const coef = new Float64Array(p);
  const naiveVar = new Float64Array(p * p);
  const uOrig = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    coef[i] = finalBeta[i]! * scale[i]!;
    uOrig[i] = uFinal[i]! / scale[i]!;
    for (let j = 0; j < p; j++) naiveVar[i * p + j] = invScaled[i * p + j]! * scale[i]! * scale[j]!;
  }

  // Warnings, as coxph.fit.
  if (maxIter > 1) {
    if (!converged) {
      warnings.push({
        code: 'cox-not-converged',
        message: `Ran out of iterations and did not converge (${maxIter} Newton–Raphson iterations); estimates may be unreliable`,
      });
    } else {
      const inf: string[] = [];
      for (let i = 0; i < p; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += uOrig[j]! * naiveVar[j * p + i]!;
        const v = Math.abs(s);
        if (!Number.isFinite(uOrig[i]!) || (v > eps && v > tolerInf * Math.abs(coef[i]!)))
          inf.push(data.names[i]!);
      }
      if (inf.length > 0) {
        warnings.push({
          code: 'cox-infinite-coefficient',
          message: `Loglik converged before variable ${inf.map((s) => `\`${s}\``).join(', ')}; coefficient may be infinite (monotone likelihood)`,
        });
      }
    }
  }

  // Linear predictor in input order, centred as R's (x − mean)·β + offset.
  const etaSorted = new Float64Array(n);
  const lp = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = w.offset[k]!;
    for (let j = 0; j < p; j++) s += finalBeta[j]! * w.x[k * p + j]!;
    etaSorted[k] = s;
    lp[order[k]!] = s;
  }

  // Robust variance.
  let robustVar: Float64Array | undefined;
  let robustScore: CoxTest | undefined;
  let nClusters: number | undefined;
  if (robust) {
    const clusterOf = new Int32Array(n);
    if (data.cluster === undefined) {
      for (let k = 0; k < n; k++) clusterOf[k] = k;
      nClusters = n;
    } else {
      const codes = new Map<number, number>();
      for (let k = 0; k < n; k++) {
        const c = data.cluster[order[k]!]!;
        let id = codes.get(c);
        if (id === undefined) {
          id = codes.size;
          codes.set(c, id);
        }
        clusterOf[k] = id;
      }
      nClusters = codes.size;
    }
    const d = collapsedScoreResiduals(w, etaSorted, efron, clusterOf, nClusters);
    const b = crossprodUnscaled(d, nClusters, p, invertScale(scale));
    robustVar = symMul3(naiveVar, b, p);
    // Robust score test at init, as coxph: residuals at lp = X·init (R drops the offset there).
    const eta0 = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += (init[j]! / scale[j]!) * w.x[k * p + j]!;
      eta0[k] = s;
    }
    const d0 = collapsedScoreResiduals(w, eta0, efron, clusterOf, nClusters);
    const b0 = crossprodUnscaled(d0, nClusters, p, invertScale(scale));
    const u0 = new Float64Array(p);
    for (let c = 0; c < nClusters; c++)
      for (let j = 0; j < p; j++) u0[j] += d0[c * p + j]! / scale[j]!;
    robustScore = chiTest(wtest(b0, u0, p, tolerChol), p);
  }

  const fitted: FittedParts = { w, etaSorted, efron, naiveVar, scale, order };
  let groupVariance: Map<number, Float64Array> | undefined;
  if (options.varianceGroups !== undefined) {
    groupVariance = varianceShares(fitted, options.varianceGroups);
  }

  const dfbeta = options.dfbeta ? dfbetaResiduals(fitted) : undefined;

  const vUse = robustVar ?? naiveVar;
  const zq = qnorm(1 - (1 - confLevel) / 2);
  const seUse = new Float64Array(p);
  const seModel = new Float64Array(p);
  const seRobust = robustVar === undefined ? undefined : new Float64Array(p);
  const hr = new Float64Array(p);
  const lower = new Float64Array(p);
  const upper = new Float64Array(p);
  const z = new Float64Array(p);
  const pv = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    seModel[j] = Math.sqrt(naiveVar[j * p + j]!);
    if (seRobust !== undefined) seRobust[j] = Math.sqrt(robustVar![j * p + j]!);
    seUse[j] = Math.sqrt(vUse[j * p + j]!);
    hr[j] = Math.exp(coef[j]!);
    lower[j] = Math.exp(coef[j]! - zq * seUse[j]!);
    upper[j] = Math.exp(coef[j]! + zq * seUse[j]!);
    z[j] = coef[j]! / seUse[j]!;
    pv[j] = pTwoSidedNormal(z[j]!);
  }
  const diff = new Float64Array(p);
  for (let j = 0; j < p; j++) diff[j] = coef[j]! - init[j]!;
  const wald = wtest(vUse, diff, p, tolerChol);
  const fit: CoxFit = {
    method: 'coxph',
    ties,
    variance: robustVar === undefined ? 'model' : 'robust',
    names: [...data.names],
    coef,
    se: seUse,
    seModel,
    seRobust,
    hr,
    lower,
    upper,
    z,
    p: pv,
    var: vUse,
    naiveVar,
    loglik: [loglik0, loglik],
    iterations,
    converged,
    tests: {
      wald: chiTest(wald, p),
      score: chiTest(sctest, p),
      likelihoodRatio: chiTest(2 * (loglik - loglik0), p),
      robustScore,
    },
    n,
    events,
    clusters: nClusters,
    ...(groupVariance !== undefined ? { groupVariance } : {}),
    ...(dfbeta !== undefined ? { dfbeta } : {}),
    confLevel,
    warnings,
    internal: undefined as unknown as CoxInternal,
  };
  Object.defineProperty(fit, 'internal', {
    value: { order, linearPredictor: lp } satisfies CoxInternal,
    enumerable: false,
  });
  return Object.freeze(fit);
}

function invertScale(scale: Float64Array): Float64Array {
  // Score residuals in the working scale are s·U; dividing by s returns them to original units.
  return scale.map((s) => 1 / s);
}

function throwCollinear(names: readonly string[], singular: readonly number[]): never {
  const cols = singular.map((j) => `\`${names[j]!}\``).join(', ');
  fail(
    'collinear',
    `cannot fit the Cox model: ${cols} ${singular.length > 1 ? 'are' : 'is'} collinear with the other covariates (or constant within strata); remove ${singular.length > 1 ? 'them' : 'it'}`,
    names[singular[0]!],
  );
}
