/**
 * Test of the proportional-hazards assumption of a Cox model, as R's `survival::cox.zph`
 * (survival ≥ 3.0): the score test for adding the time-varying terms x·g(t) to the fitted model,
 * per covariate and globally.
 *
 * Grambsch PM & Therneau TM (1994), "Proportional hazards tests and diagnostics based on weighted
 * residuals", Biometrika 81:515–526; Therneau & Grambsch (2000), Modeling Survival Data, §6.2.
 */
import type { CoxData, CoxFit } from './cox.js';
import { pchisq } from './distributions.js';
import { StatsError } from './errors.js';
import { cholesky, choleskySolve } from './linalg.js';

/** g(t): R's `transform`; `'km'` is 1 − KM(t−) of the pooled data (R's default). */
export type ZphTransform = 'km' | 'rank' | 'log' | 'identity';

export interface CoxZphOptions {
  /** Time transform g(t) (default `'km'`). */
  transform?: ZphTransform;
  /**
   * R's `terms = TRUE`: one test per model term. Here each covariate column is its own term, so
   * `true` and `false` give the same table; accepted for symmetry with R.
   */
  terms?: boolean;
}

export interface ZphTest {
  /** Covariate name, or `'GLOBAL'`. */
  readonly term: string;
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
}

export interface CoxZphResult {
  readonly method: 'cox.zph';
  readonly transform: ZphTransform;
  /** One score test per covariate, in the model's order. */
  readonly terms: readonly ZphTest[];
  /** The joint test over all covariates (R's `GLOBAL` row). */
  readonly global: ZphTest;
}

/** R's `toler.chol` (`.Machine$double.eps^0.75`), relative to each column's own information. */
const ZPH_TOLER = 2 ** -39;

function fail(code: string, message: string, field?: string): never {
  throw new StatsError(code, message, field === undefined ? {} : { field });
}

/** 1 − KM(t−) per observation for the pooled, unweighted data (R: survfitKM + findInterval). */
function kmTransform(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  order: Int32Array,
): Float64Array {
  // Order by time alone (the fit's order is by stratum first).
  const n = time.length;
  const byTime = Int32Array.from(order).sort((a, b) => time[a]! - time[b]!);
  const out = new Float64Array(n);
  let surv = 1;
  let atRisk = n;
  let k = 0;
  while (k < n) {
    const t = time[byTime[k]!]!;
    let end = k;
    let deaths = 0;
    while (end < n && time[byTime[end]!] === t) {
      deaths += status[byTime[end]!]!;
      end++;
    }
    // observations at t see S(t−): the survival before this time's deaths
    for (let r = k; r < end; r++) out[byTime[r]!] = 1 - surv;
    surv *= 1 - deaths / atRisk;
    atRisk -= end - k;
    k = end;
  }
  return out;
}

/** R's rank(): average ranks for ties, 1-based. */
function averageRanks(time: ArrayLike<number>): Float64Array {
  const n = time.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => time[a]! - time[b]!);
  const out = new Float64Array(n);
  let k = 0;
  while (k < n) {
    let end = k;
    while (end + 1 < n && time[idx[end + 1]!] === time[idx[k]!]) end++;
    const r = (k + end) / 2 + 1;
    for (let j = k; j <= end; j++) out[idx[j]!] = r;
    k = end + 1;
  }
  return out;
}

/**
 * The proportional-hazards score test of R's `cox.zph(fit, transform)`: for each covariate j,
 * the score test of γ_j = 0 in the model with added term γ_j·x_j·g(t), evaluated at (β̂, 0), and
 * the global test of all γ = 0 (Grambsch & Therneau 1994). g is centred at its mean over events.
 * Ties follow the fit (Efron or Breslow), as survival's C routine `zph1`.
 *
 * `data` must be the data `fit` was fitted on (same rows, same order).
 *
 * The rank check of each test's information matrix is R's cholesky2 with `toler.chol` = 2⁻³⁹
 * relative to each column's own diagonal (the matrix is scaled to unit diagonal first), so it
 * does not depend on the covariates' units; a singular test throws `singular-information`
 * naming the column that is a linear combination of the others.
 *
 * Complexity: O(n log n) for the transform, O(n·p²) for the information, O(p⁴) for the tests.
 *
 * @example
 * const data = { time: [5, 8, 12, 3, 9, 15], status: [1, 1, 0, 1, 1, 0], x: [[0, 1, 1, 0, 0, 1]], names: ['treated'] };
 * const fit = fitCox(data);
 * const zph = coxZph(fit, data); // zph.global.p as cox.zph(fit)$table["GLOBAL", "p"]
 * zph.global.df; // → 1
 */
export function coxZph(fit: CoxFit, data: CoxData, options: CoxZphOptions = {}): CoxZphResult {
  const transform = options.transform ?? 'km';
  if (!['km', 'rank', 'log', 'identity'].includes(transform)) {
    fail(
      'invalid-option',
      `invalid option. \`transform\` must be one of km, rank, log, identity. Value: \`${String(transform)}\``,
      'transform',
    );
  }
  const n = data.time.length;
  const p = data.x.length;
  if (n !== fit.n || p !== fit.names.length) {
    fail(
      'data-mismatch',
      `cox.zph needs the data the model was fitted on: found ${n} rows and ${p} covariates, the fit has ${fit.n} and ${fit.names.length}`,
      'data',
    );
  }
  const { order, linearPredictor: eta } = fit.internal;
  const { time, status, weights, strata } = data;

  let g: Float64Array;
  if (transform === 'km') g = kmTransform(time, status, order);
  else if (transform === 'rank') g = averageRanks(time);
  else if (transform === 'log') g = Float64Array.from(time, Math.log);
  else g = Float64Array.from(time);
  let gsum = 0;
  let nev = 0;
  for (let i = 0; i < n; i++) {
    if (status[i] === 1) {
      gsum += g[i]!;
      nev++;
    }
  }
  const gmean = gsum / nev;

  // Covariates centred by their unweighted means (zph1), row-major in sorted order.
  const x = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const col = data.x[j]!;
    let m = 0;
    for (let i = 0; i < n; i++) m += col[i]!;
    m /= n;
    for (let k = 0; k < n; k++) x[k * p + j] = col[order[k]!]! - m;
  }

  const q = 2 * p;
  const u = new Float64Array(q);
  const imat = new Float64Array(q * q); // upper blocks filled as zph1, mirrored below
  const a = new Float64Array(p);
  const a2 = new Float64Array(p);
  const cmat = new Float64Array(p * p);
  const cmat2 = new Float64Array(p * p);
  const efron = fit.ties === 'efron';
  let denom = 0;
  let cstrat = NaN;
  let ip = n - 1;
  while (ip >= 0) {
    let person = order[ip]!;
    const sNow = strata === undefined ? 0 : strata[person]!;
    if (sNow !== cstrat) {
      cstrat = sNow;
      denom = 0;
      a.fill(0);
      cmat.fill(0);
    }
    const dtime = time[person]!;
    const timewt = g[person]! - gmean;
    let ndead = 0;
    let deadwt = 0;
    let denom2 = 0;
    for (; ip >= 0; ip--) {
      person = order[ip]!;
      if (time[person] !== dtime || (strata === undefined ? 0 : strata[person]!) !== cstrat) break;
      const wt = weights === undefined ? 1 : weights[person]!;
      const risk = Math.exp(eta[person]!) * wt;
      const row = ip * p;
      if (status[person] === 0) {
        denom += risk;
        for (let i = 0; i < p; i++) {
          a[i] += risk * x[row + i]!;
          for (let j = 0; j <= i; j++) cmat[i * p + j] += risk * x[row + i]! * x[row + j]!;
        }
      } else {
        ndead++;
        deadwt += wt;
        denom2 += risk;
        for (let i = 0; i < p; i++) {
          u[i] += wt * x[row + i]!;
          u[i + p] += timewt * wt * x[row + i]!;
          a2[i] += risk * x[row + i]!;
          for (let j = 0; j <= i; j++) cmat2[i * p + j] += risk * x[row + i]! * x[row + j]!;
        }
      }
    }
    if (ndead > 0) {
      const steps = efron ? ndead : 1;
      const wtave = deadwt / steps;
      for (let k = 0; k < steps; k++) {
        denom += denom2 / steps;
        for (let i = 0; i < p; i++) {
          a[i] += a2[i]! / steps;
          const temp2 = a[i]! / denom;
          u[i] -= wtave * temp2;
          u[i + p] -= timewt * wtave * temp2;
          for (let j = 0; j <= i; j++) {
            cmat[i * p + j] += cmat2[i * p + j]! / steps;
            const temp = (wtave * (cmat[i * p + j]! - temp2 * a[j]!)) / denom;
            imat[j * q + i] += temp;
            imat[j * q + i + p] += temp * timewt;
            imat[(j + p) * q + i + p] += temp * timewt * timewt;
          }
        }
      }
      a2.fill(0);
      cmat2.fill(0);
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) {
      imat[i * q + j] = imat[j * q + i]!;
      imat[i * q + j + p] = imat[j * q + i + p]!;
      imat[(i + p) * q + j + p] = imat[(j + p) * q + i + p]!;
    }
  }
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) imat[(i + p) * q + j] = imat[j * q + i + p]!;

  // Column names for messages: β of a covariate, or its time-varying term x·g(t).
  const colName = (c: number): string =>
    c < p ? `\`${fit.names[c]!}\`` : `\`${fit.names[c - p]!}\`·g(t)`;
  const scoreTest = (cols: number[], test: string): number => {
    const m = cols.length;
    // Scaled to unit diagonal, so the pivot tolerance is relative to each column's own
    // information (a pivot is then 1 − R² of the column on those before it) and the check does
    // not depend on the covariates' units: with the tolerance relative to the largest diagonal,
    // x·g(t) for x in the thousands and g(t) in days swamped every other column, where R's
    // solve() computes the test.
    const d = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const diag = imat[cols[r]! * q + cols[r]!]!;
      d[r] = diag > 0 && Number.isFinite(diag) ? Math.sqrt(diag) : 0;
    }
    const sub = new Float64Array(m * m);
    const v = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      // the β part of the score is 0 at β̂
      v[r] = d[r] === 0 || cols[r]! < p ? 0 : u[cols[r]!]! / d[r]!;
      for (let c = 0; c < m; c++) {
        sub[r * m + c] =
          d[r] === 0 || d[c] === 0 ? 0 : imat[cols[r]! * q + cols[c]!]! / (d[r]! * d[c]!);
      }
    }
    const f = cholesky(sub, m, ZPH_TOLER);
    if (f.rank < m) {
      const bad = f.singular.map((r) => colName(cols[r]!)).join(', ');
      fail(
        'singular-information',
        `cox.zph (transform ${transform}): cannot compute the test for ${test}: the information matrix of the model coefficients and the time-varying term${m > p + 1 ? 's' : ''} is singular at ${bad} (a linear combination of the columns before it, to relative tolerance 2^-39): covariates collinear over the risk sets, or g(t) nearly constant over the event times`,
        fit.names[cols[f.singular[0]!]! % p],
      );
    }
    const s = choleskySolve(f, v);
    let t = 0;
    for (let r = 0; r < m; r++) t += s[r]! * v[r]!;
    return t;
  };
  const base = Array.from({ length: p }, (_, i) => i);
  const terms: ZphTest[] = fit.names.map((term, j) => {
    const statistic = scoreTest([...base, p + j], `\`${term}\``);
    return { term, statistic, df: 1, p: pchisq(statistic, 1) };
  });
  const gstat = scoreTest(
    Array.from({ length: q }, (_, i) => i),
    'GLOBAL',
  );
  return Object.freeze({
    method: 'cox.zph',
    transform,
    terms,
    global: { term: 'GLOBAL', statistic: gstat, df: p, p: pchisq(gstat, p) },
  });
}
