/**
 * Restricted mean survival time (RMST) to a horizon τ in two arms, as survRM2's `rmst2`
 * (unadjusted analysis, version 1.0-4): the area under each arm's Kaplan–Meier curve on [0, τ]
 * with the Greenwood plug-in variance, and the difference, ratio and ratio of restricted mean
 * time lost (RMTL) between the arms.
 *
 * Uno H, Claggett B, Tian L, et al. (2014). Moving beyond the hazard ratio in quantifying the
 * between-group difference in survival analysis. J Clin Oncol 32:2380–2385.
 * Royston P, Parmar MKB (2013). Restricted mean survival time: an alternative to the hazard
 * ratio for the design and analysis of randomized trials. BMC Med Res Methodol 13:152.
 */
import { pnorm, qnorm } from './distributions.js';
import { checkConfLevel, StatsError, type StatsWarning } from './errors.js';
import {
  argsortNonNegative,
  kmSorted,
  validateCodes,
  validateTimeStatus,
  type KaplanMeierFit,
} from './km.js';

export interface RmstOptions {
  /** Truncation time; default survRM2's (see `rmst`). */
  tau?: number;
  /** Two-sided confidence level; default 0.95 (survRM2's alpha = 0.05). */
  confLevel?: number;
}

export interface RmstEstimate {
  estimate: number;
  se: number;
  lower: number;
  upper: number;
}

export interface RmstArm {
  /** Observations in the arm. */
  n: number;
  /** Events at or before τ. */
  events: number;
  /** Restricted mean survival time ∫₀^τ S(t) dt. */
  rmst: RmstEstimate;
  /** Restricted mean time lost τ − RMST (same se; limits τ − upper, τ − lower). */
  rmtl: RmstEstimate;
  /** Greenwood plug-in variance of the RMST. */
  variance: number;
}

export interface RmstContrast {
  estimate: number;
  lower: number;
  upper: number;
  p: number;
  /** For ratios, the standard error of the log ratio; for the difference, of the difference. */
  se: number;
}

export interface RmstResult {
  readonly method: 'rmst-km';
  readonly variance: 'greenwood';
  readonly tau: number;
  /** Whether τ was chosen by the default rule rather than given. */
  readonly tauDefault: boolean;
  readonly confLevel: number;
  /** The group codes of the control and treated arms, as given (`[0, 1]` for 0/1 coding). */
  readonly groupCodes: readonly [number, number];
  /** The arm with the lower group code (0 in 0/1 coding). */
  readonly control: RmstArm;
  /** The arm with the higher group code (1 in 0/1 coding). */
  readonly treated: RmstArm;
  /** RMST treated − control. */
  readonly difference: RmstContrast;
  /** RMST treated / control (inference on the log scale). */
  readonly ratio: RmstContrast;
  /** RMTL treated / control (log scale); `null` when an arm loses no time before τ. */
  readonly rmtlRatio: RmstContrast | null;
  readonly warnings: StatsWarning[];
}

/** The largest follow-up time of an arm and whether its last observation(s) are all events. */
function lastObservation(fit: KaplanMeierFit): { max: number; event: boolean } {
  const m = fit.time.length - 1;
  // survRM2: min(status at the max time) == 1, i.e. no censoring at the last time
  return { max: fit.time[m]!, event: fit.nCensor[m] === 0 };
}

/**
 * survRM2 1.0-4's rule for τ: with x0, x1 the arms' largest times, τ may go up to max(x0, x1)
 * when the arm with the smaller maximum ends in an event (its curve is then 0 beyond), else only
 * up to min(x0, x1); the default is that bound.
 */
function tauBound(c: { max: number; event: boolean }, t: { max: number; event: boolean }): number {
  const ttmax = Math.max(c.max, t.max);
  const ttmin = Math.min(c.max, t.max);
  if (c.event && t.event) return ttmax; // case 1
  if ((!c.event && t.event && c.max >= t.max) || (c.event && !t.event && t.max > c.max)) {
    return ttmax; // case 2
  }
  return ttmin; // cases 3 and 4
}

/** The area under a Kaplan–Meier curve to τ, with its variance and the events before τ. */
export interface RmstArea {
  /** ∫₀^τ Ŝ(t) dt. */
  estimate: number;
  /** √variance. */
  se: number;
  /** Σ_j (∫_{t_j}^τ Ŝ)² d_j / (Y_j (Y_j − d_j)) over t_j ≤ τ (0 where Y_j = d_j). */
  variance: number;
  /** Σ d_j over t_j ≤ τ. */
  events: number;
}

/**
 * @internal The RMST of one Kaplan–Meier fit to τ and its Greenwood plug-in variance: survRM2's
 * `rmst1` for an unweighted fit, and for a weighted one the area and standard error that R's
 * `print(survfit(..., weights = w), rmean = τ)` reports (survival's `survmean`, on the weighted
 * counts d_j, Y_j). One pass over the steps up to τ: rectangles under the step function, then the
 * tail areas ∫_{t_j}^τ Ŝ summed from τ back.
 */
export function rmstArea(fit: KaplanMeierFit, tau: number): RmstArea {
  const m = fit.time.length;
  let k = 0;
  while (k < m && fit.time[k]! <= tau) k++;
  const areas = new Float64Array(k + 1);
  let prevT = 0;
  let prevS = 1;
  let events = 0;
  for (let j = 0; j < k; j++) {
    areas[j] = (fit.time[j]! - prevT) * prevS;
    prevT = fit.time[j]!;
    prevS = fit.surv[j]!;
    events += fit.nEvent[j]!;
  }
  areas[k] = (tau - prevT) * prevS;
  let estimate = 0;
  for (let j = 0; j <= k; j++) estimate += areas[j]!;
  let variance = 0;
  let tail = 0;
  for (let j = k - 1; j >= 0; j--) {
    tail += areas[j + 1]!;
    const y = fit.nRisk[j]!;
    const d = fit.nEvent[j]!;
    const hh = y - d === 0 ? 0 : d / (y * (y - d));
    variance += tail * tail * hh;
  }
  return { estimate, se: Math.sqrt(variance), variance, events };
}

/**
 * Each observation's influence on the RMST of an unweighted Kaplan–Meier fit to τ: the
 * derivative of ∫₀^τ Ŝ(t) dt with respect to the observation's case weight at weight 1, R
 * survival's `resid(survfit(Surv(time, status) ~ 1), times = tau, type = "sojourn")`. With
 * A_j = ∫_{t_j}^τ Ŝ(t) dt, d_j events and Y_j at risk at the distinct times t_j ≤ τ,
 *
 *   Dᵢ = Σ_{t_j ≤ min(tᵢ, τ)} A_j·d_j / (Y_j (Y_j − d_j)) − δᵢ·1{tᵢ ≤ τ}·A(tᵢ) / (Y(tᵢ) − d(tᵢ)),
 *
 * (terms with Y_j = d_j are 0: there A_j = 0). Σ Dᵢ = 0, and Σ Dᵢ² is the Greenwood variance of
 * `rmstArea`. Summed within clusters (a patient and the twins that copy it), Σ_c (Σ_{i∈c} Dᵢ)² is
 * the cluster-robust variance; the per-observation values also let a variance be estimated across
 * replicates (`twinControlVariance`). `time` and `status` are the observations `fit` was made of,
 * in the caller's order. Complexity O(n log m) for m distinct times.
 *
 * @example
 * const time = [1, 2, 2, 3, 4, 5, 6, 6, 7, 8];
 * const status = [1, 1, 0, 1, 0, 1, 1, 1, 0, 1];
 * const d = rmstInfluence(kaplanMeier(time, status), time, status, 5.5);
 * d[0]; // → -0.33457 (R: resid(survfit(...), times = 5.5, type = "sojourn")[1])
 */
export function rmstInfluence(
  fit: KaplanMeierFit,
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  tau: number,
): Float64Array {
  const n = time.length;
  if (status.length !== n || n !== fit.n) {
    throw new StatsError(
      'length-mismatch',
      `time has ${n} values, status ${status.length} and the fit ${fit.n}: they must be the same observations`,
      { field: 'status' },
    );
  }
  const m = fit.time.length;
  let k = 0;
  while (k < m && fit.time[k]! <= tau) k++;
  // tail areas A_j = ∫_{t_j}^τ Ŝ, then the cumulative compensator sums C_j
  const tail = new Float64Array(k);
  let area = 0;
  for (let j = k - 1; j >= 0; j--) {
    const next = j + 1 < k ? fit.time[j + 1]! : tau;
    area += (next - fit.time[j]!) * fit.surv[j]!;
    tail[j] = area;
  }
  const comp = new Float64Array(k);
  let c = 0;
  for (let j = 0; j < k; j++) {
    const y = fit.nRisk[j]!;
    const d = fit.nEvent[j]!;
    if (y > d) c += (tail[j]! * d) / (y * (y - d));
    comp[j] = c;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    // the last distinct time ≤ t (every observed time is one of fit.time)
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fit.time[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    const j = lo - 1;
    if (j < 0) continue;
    let v = comp[Math.min(j, k - 1)] ?? 0;
    if (status[i] === 1 && j < k && fit.time[j] === t) {
      const y = fit.nRisk[j]!;
      const d = fit.nEvent[j]!;
      if (y > d) v -= tail[j]! / (y - d);
    }
    out[i] = v;
  }
  return out;
}

function armRmst(fit: KaplanMeierFit, tau: number, z: number): RmstArm {
  const { estimate: rmst, se, variance, events } = rmstArea(fit, tau);
  const lower = rmst - z * se;
  const upper = rmst + z * se;
  return {
    n: fit.n,
    events,
    rmst: { estimate: rmst, se, lower, upper },
    rmtl: { estimate: tau - rmst, se, lower: tau - upper, upper: tau - lower },
    variance,
  };
}

function logRatio(a: number, b: number, varA: number, varB: number, z: number): RmstContrast {
  const est = Math.log(a) - Math.log(b);
  const se = Math.sqrt(varA / a / a + varB / b / b);
  return {
    estimate: Math.exp(est),
    lower: Math.exp(est - z * se),
    upper: Math.exp(est + z * se),
    p: 2 * pnorm(-Math.abs(est) / se),
    se,
  };
}

/**
 * Restricted mean survival time to τ in the control (group 0) and treated (group 1) arms, their
 * difference and ratios, as survRM2's `rmst2(time, status, arm, tau)` without covariates. Any two
 * finite group codes are accepted: the lower is the control arm, the higher the treated one (as
 * R's `factor()` orders them; `groupCodes` reports them).
 * RMST = ∫₀^τ Ŝ(t) dt for each arm's Kaplan–Meier Ŝ; its variance is the Greenwood plug-in
 * Σ_{t_j ≤ τ} (∫_{t_j}^τ Ŝ)² d_j / (Y_j (Y_j − d_j)), the same as R survival's
 * `print(survfit(...), rmean = τ)` "se(rmean)". Intervals and p are Wald: the difference on the
 * natural scale, the ratios on the log scale.
 *
 * Default τ and its limit follow survRM2 1.0-4 exactly: with x0, x1 the largest observed times
 * of the arms, τ may be up to max(x0, x1) when the arm with the smaller maximum ends with an
 * event, otherwise up to min(x0, x1); the default is that limit, and a larger τ is an error.
 *
 * Complexity: O(n) (one radix argsort shared by both arms).
 *
 * @example
 * const r = rmst([2, 4, 6, 8, 3, 5, 9, 10], [1, 1, 0, 1, 1, 0, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1]);
 * r.tau;                  // → 10 (the control arm's last time, 8, is an event, so up to max(8, 10))
 * r.difference.estimate;  // RMST(treated) − RMST(control)
 */
export function rmst(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  group: ArrayLike<number>,
  options: RmstOptions = {},
): RmstResult {
  const confLevel = options.confLevel ?? 0.95;
  checkConfLevel(confLevel);
  const tauGiven = options.tau;
  if (
    tauGiven !== undefined &&
    !(typeof tauGiven === 'number' && tauGiven > 0 && tauGiven < Infinity)
  ) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`tau\` must be a finite number > 0. Value: \`${String(tauGiven)}\`.`,
      { field: 'tau' },
    );
  }
  const v = validateTimeStatus(time, status);
  const n = v.time.length;
  const g = validateCodes(group, n, 'group', 'any');
  if (g.levels !== 2) {
    throw new StatsError(
      g.levels < 2 ? 'single-group' : 'invalid-group',
      g.levels < 2
        ? `only group ${g.labels[0]} is present: RMST comparison needs two groups, control (the lower code, e.g. 0) and treated (the higher, e.g. 1)`
        : `RMST compares two groups, found ${g.levels} group codes (${g.labels.join(', ')}): code control and treated arms with two values, e.g. 0 and 1`,
      { field: 'group' },
    );
  }
  const order = argsortNonNegative(v.time);
  const orders = [new Uint32Array(g.counts[0]!), new Uint32Array(g.counts[1]!)];
  const fill = [0, 0];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const a = g.codes[i]!;
    orders[a]![fill[a]!++] = i;
  }
  const fits = orders.map((o) => kmSorted(v.time, v.status, null, o, false, 'none', 0.95));
  const bound = tauBound(lastObservation(fits[0]!), lastObservation(fits[1]!));
  if (tauGiven !== undefined && tauGiven > bound) {
    throw new StatsError(
      'tau-out-of-range',
      `tau = ${tauGiven} is beyond the follow-up: it must be <= ${bound} (survRM2's limit: the smaller of the arms' largest times, or the larger when the arm with the smaller one ends with an event)`,
      { field: 'tau' },
    );
  }
  const tau = tauGiven ?? bound;
  const z = qnorm(1 - (1 - confLevel) / 2);
  const control = armRmst(fits[0]!, tau, z);
  const treated = armRmst(fits[1]!, tau, z);
  const warnings: StatsWarning[] = [];
  const diff = treated.rmst.estimate - control.rmst.estimate;
  const diffSe = Math.sqrt(treated.variance + control.variance);
  if (!(diffSe > 0)) {
    throw new StatsError(
      'no-events',
      `no events before tau = ${tau} in either arm with anyone left at risk: the RMST difference has no variance`,
      { field: 'status' },
    );
  }
  for (const [name, arm] of [
    ['control', control],
    ['treated', treated],
  ] as const) {
    if (arm.events === 0) {
      warnings.push({
        code: 'no-events',
        message: `no events before tau = ${tau} in the ${name} arm: its RMST is tau with standard error 0`,
      });
    }
  }
  const difference: RmstContrast = {
    estimate: diff,
    lower: diff - z * diffSe,
    upper: diff + z * diffSe,
    p: 2 * pnorm(-Math.abs(diff) / diffSe),
    se: diffSe,
  };
  const ratio = logRatio(
    treated.rmst.estimate,
    control.rmst.estimate,
    treated.variance,
    control.variance,
    z,
  );
  let rmtlRatio: RmstContrast | null = null;
  if (treated.rmtl.estimate > 0 && control.rmtl.estimate > 0) {
    rmtlRatio = logRatio(
      treated.rmtl.estimate,
      control.rmtl.estimate,
      treated.variance,
      control.variance,
      z,
    );
  } else {
    warnings.push({
      code: 'rmtl-zero',
      message: 'an arm loses no time before tau (RMTL = 0): the RMTL ratio is not estimable',
    });
  }
  return {
    method: 'rmst-km',
    variance: 'greenwood',
    tau,
    tauDefault: tauGiven === undefined,
    confLevel,
    groupCodes: [g.labels[0]!, g.labels[1]!],
    control,
    treated,
    difference,
    ratio,
    rmtlRatio,
    warnings,
  };
}
