/**
 * The k-sample log-rank test and its Fleming–Harrington G-rho family, as R's
 * `survdiff(Surv(time, status) ~ group + strata(s), rho = rho)` (survival 3.5, survdiff2.c).
 *
 * Mantel N (1966). Evaluation of survival data and two new rank order statistics arising in its
 * consideration. Cancer Chemotherapy Reports 50:163–170.
 * Harrington DP, Fleming TR (1982). A class of rank test procedures for censored survival data.
 * Biometrika 69:553–566.
 */
import { pchisq } from './distributions.js';
import { StatsError, type StatsWarning } from './errors.js';
import { argsortNonNegative, validateCodes, validateTimeStatus } from './km.js';

export interface LogRankOptions {
  /** Fleming–Harrington exponent: weights S(t−)^rho; 0 (default) is the log-rank test. */
  rho?: number;
  /** Stratum codes (integers ≥ 0, need not be contiguous): a stratified test. */
  strata?: ArrayLike<number>;
}

export interface LogRankResult {
  readonly method: 'log-rank' | 'fleming-harrington';
  readonly rho: number;
  /** Number of groups k. */
  readonly groups: number;
  /**
   * The group codes as given, increasing: the per-group arrays below are in this order (any
   * finite codes are accepted, mapped in increasing order as R's `factor()`).
   */
  readonly groupCodes: number[];
  /** Observations per group. */
  readonly n: Int32Array;
  /** Observed (weighted when rho ≠ 0, as R) events per group, summed over strata. */
  readonly observed: Float64Array;
  /** Expected events per group, summed over strata. */
  readonly expected: Float64Array;
  /** Per stratum (in increasing code order) observed and expected, `[stratum][group]`. */
  readonly observedByStratum: Float64Array[];
  readonly expectedByStratum: Float64Array[];
  /** The stratum codes in the order of the `...ByStratum` rows. */
  readonly strata: number[];
  /** k × k variance matrix of observed − expected, `variance[i][j]`. */
  readonly variance: Float64Array[];
  /** Chi-square statistic on `df` degrees of freedom. */
  readonly statistic: number;
  /** Groups with expected > 0, minus 1 (R); 0 with a warning when fewer than 2. */
  readonly df: number;
  readonly p: number;
  readonly warnings: StatsWarning[];
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small, k − 1 square). */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  let scale = 0;
  for (const row of a) for (const v of row) scale = Math.max(scale, Math.abs(v));
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (!(Math.abs(m[piv]![c]!) > scale * 1e-14)) return null;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/**
 * Log-rank (rho = 0) or Fleming–Harrington G-rho test of equal survival in k groups, optionally
 * stratified, with R `survdiff`'s definitions: at each event time the weight is
 * w = S(t−)^rho from the pooled left-continuous Kaplan–Meier within the stratum (unweighted);
 * observed O_g = Σ w·d_g, expected E_g = Σ w·d·Y_g/Y, variance
 * V_gh = Σ w²·d·(Y − d)/(Y − 1)·(Y_g/Y)(δ_gh − Y_h/Y), summed over strata. The statistic is
 * (O − E)' V⁻ (O − E) over the groups with E > 0, dropping the first of them, on
 * (their number − 1) df. Unlike R, zero events give statistic 0, df 0 and p 1 with a
 * warning (R returns df −1 and p NaN), and near-equal times are not merged (`timefix`). Group
 * codes may be any finite numbers (1/2, 2/4/6/8, ...): they are taken in increasing order, as R's
 * `factor()`, and `groupCodes` says which code each per-group entry belongs to.
 *
 * Complexity: O(n + k²·m) for n observations and m event times (one radix argsort, one counting
 * sort by stratum).
 *
 * @example
 * const r = logRank([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], [0, 0, 0, 1, 1, 1]);
 * r.statistic; // → 5.0517 (R: survdiff(Surv(t, e) ~ g)$chisq)
 */
export function logRank(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  group: ArrayLike<number>,
  options: LogRankOptions = {},
): LogRankResult {
  const rho = options.rho ?? 0;
  if (!(typeof rho === 'number' && Number.isFinite(rho))) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`rho\` must be a finite number. Value: \`${String(rho)}\`.`,
      { field: 'rho' },
    );
  }
  const v = validateTimeStatus(time, status);
  const n = v.time.length;
  const g = validateCodes(group, n, 'group', 'any');
  if (g.levels < 2) {
    throw new StatsError('single-group', 'there is only 1 group: a test needs at least 2', {
      field: 'group',
    });
  }
  const byTime = argsortNonNegative(v.time);
  let order = byTime;
  let stratumStart = [0, n];
  let strataCodes = [0];
  if (options.strata != null) {
    const s = validateCodes(options.strata, n, 'strata', 'integer');
    // stable counting sort by stratum keeps time order within each
    const pos = new Int32Array(s.levels + 1);
    for (let lv = 0; lv < s.levels; lv++) pos[lv + 1] = pos[lv]! + s.counts[lv]!;
    stratumStart = [];
    strataCodes = [];
    for (let lv = 0; lv < s.levels; lv++) {
      if (s.counts[lv]! > 0) {
        stratumStart.push(pos[lv]!);
        strataCodes.push(s.labels[lv]!);
      }
    }
    stratumStart.push(n);
    order = new Uint32Array(n);
    const next = pos.slice(0, s.levels);
    for (let k = 0; k < n; k++) {
      const i = byTime[k]!;
      order[next[s.codes[i]!]!++] = i;
    }
  }
  return survdiffSorted(
    v.time,
    v.status,
    g.codes,
    g.labels,
    g.counts,
    order,
    stratumStart,
    strataCodes,
    rho,
  );
}

/** @internal The test over `order` (sorted by stratum then time); inputs trusted. */
export function survdiffSorted(
  time: Float64Array,
  status: Uint8Array,
  group: Int32Array,
  groupCodes: number[],
  counts: Int32Array,
  order: Uint32Array,
  stratumStart: number[],
  strataCodes: number[],
  rho: number,
): LogRankResult {
  const k = groupCodes.length;
  const nstrat = strataCodes.length;
  const variance = Array.from({ length: k }, () => new Float64Array(k));
  const obsBy: Float64Array[] = [];
  const expBy: Float64Array[] = [];
  const risk = new Float64Array(k);
  let totalEvents = 0;
  for (let s = 0; s < nstrat; s++) {
    const lo = stratumStart[s]!;
    const hi = stratumStart[s + 1]!;
    const obs = new Float64Array(k);
    const exp = new Float64Array(k);
    risk.fill(0);
    // pooled left-continuous Kaplan–Meier at each tie run, only for rho ≠ 0
    let kaplan: Float64Array | null = null;
    if (rho !== 0) {
      kaplan = new Float64Array(hi - lo);
      let km = 1;
      for (let i = lo; i < hi;) {
        const t = time[order[i]!]!;
        let deaths = 0;
        let j = i;
        for (; j < hi && time[order[j]!] === t; j++) {
          kaplan[j - lo] = km;
          deaths += status[order[j]!]!;
        }
        const nrisk = hi - i;
        km = (km * (nrisk - deaths)) / nrisk;
        i = j;
      }
    }
    for (let i = hi - 1; i >= lo;) {
      const wt = kaplan === null ? 1 : Math.pow(kaplan[i - lo]!, rho);
      const t = time[order[i]!]!;
      let deaths = 0;
      let j = i;
      for (; j >= lo && time[order[j]!] === t; j--) {
        const idx = order[j]!;
        const gi = group[idx]!;
        deaths += status[idx]!;
        risk[gi]!++;
        obs[gi]! += status[idx]! * wt;
      }
      const first = j + 1;
      const nrisk = hi - first;
      i = j;
      if (deaths > 0) {
        totalEvents += deaths;
        for (let a = 0; a < k; a++) exp[a]! += (wt * deaths * risk[a]!) / nrisk;
        if (nrisk === 1) continue;
        const w2 = wt * wt;
        for (let a = 0; a < k; a++) {
          const tmp = (w2 * deaths * risk[a]! * (nrisk - deaths)) / (nrisk * (nrisk - 1));
          const row = variance[a]!;
          row[a]! += tmp;
          for (let b = 0; b < k; b++) row[b]! -= (tmp * risk[b]!) / nrisk;
        }
      }
    }
    obsBy.push(obs);
    expBy.push(exp);
  }
  const observed = new Float64Array(k);
  const expected = new Float64Array(k);
  for (let s = 0; s < nstrat; s++) {
    for (let a = 0; a < k; a++) {
      observed[a]! += obsBy[s]![a]!;
      expected[a]! += expBy[s]![a]!;
    }
  }
  const warnings: StatsWarning[] = [];
  const keep: number[] = [];
  for (let a = 0; a < k; a++) if (expected[a]! > 0) keep.push(a);
  let statistic = 0;
  let df = keep.length - 1;
  let p: number;
  if (keep.length < 2) {
    df = 0;
    p = 1;
    warnings.push(
      totalEvents === 0
        ? {
            code: 'no-events',
            message: 'no events: the test has no information (statistic 0, p 1)',
          }
        : {
            code: 'no-comparison',
            message:
              'only one group has subjects at risk at the event times: nothing to compare (statistic 0, p 1)',
          },
    );
  } else {
    const idx = keep.slice(1);
    const diff = idx.map((a) => observed[a]! - expected[a]!);
    const vv = idx.map((a) => idx.map((b) => variance[a]![b]!));
    const x = solve(vv, diff);
    if (x === null) {
      throw new StatsError(
        'singular-variance',
        'the variance matrix of observed − expected is singular: the groups cannot be compared',
        { field: 'group' },
      );
    }
    for (let a = 0; a < idx.length; a++) statistic += x[a]! * diff[a]!;
    p = pchisq(statistic, df);
    if (keep.length < k) {
      warnings.push({
        code: 'group-not-at-risk',
        message: `group(s) ${groupCodes.filter((_, a) => !keep.includes(a)).join(', ')} have no subjects at risk at any event time (expected 0) and are left out of the test (df ${df})`,
      });
    }
  }
  return {
    method: rho === 0 ? 'log-rank' : 'fleming-harrington',
    rho,
    groups: k,
    groupCodes,
    n: counts,
    observed,
    expected,
    observedByStratum: obsBy,
    expectedByStratum: expBy,
    strata: strataCodes,
    variance,
    statistic,
    df,
    p,
    warnings,
  };
}
