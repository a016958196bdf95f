/**
 * The RMST comparison of stacked arms, as both `ecasim run` and `ecasim analyze` make it:
 * survRM2's `rmst2` (src/stats/rmst.ts) without weights; with case weights, the area under each
 * arm's weighted Kaplan–Meier curve to τ with the standard error R's `print(survfit(...,
 * weights = w), rmean = τ)` reports — the same computation, `rmstArea` of src/stats/rmst.ts, on
 * the weighted counts d_j, Y_j (R survival's `survmean`) — and Wald intervals as rmst2 makes them.
 *
 * Royston P, Parmar MKB (2013). Restricted mean survival time: an alternative to the hazard
 * ratio for the design and analysis of randomized trials. BMC Med Res Methodol 13:152.
 */
import type { StatsWarning } from '../stats/errors.js';
import { pnorm, qnorm } from '../stats/distributions.js';
import { kaplanMeier } from '../stats/km.js';
import { rmst, rmstArea, rmstInfluence } from '../stats/rmst.js';
import { inAnalysis } from './errors.js';
import type { StackedArms } from './stacked.js';

export interface RmstArmSummary {
  estimate: number;
  se: number;
}

export interface RmstComparison {
  tau: number;
  tauDefault: boolean;
  /**
   * 'greenwood', 'greenwood (weighted counts)' with case weights (R's survmean), or
   * 'robust (clusters)' when the arms carry cluster codes (twin mode's pairs).
   */
  variance: string;
  weighted: boolean;
  treated: RmstArmSummary;
  control: RmstArmSummary;
  difference: { estimate: number; se: number; lower: number; upper: number; p: number };
  ratio: { estimate: number; lower: number; upper: number };
  /**
   * With cluster codes: every cluster's summed influence of the control arm on the difference
   * (−Σ Dᵢ over its control observations; 0 for a cluster without any), by cluster code, and
   * the control arm's own variance Σ Dᵢ² (its Greenwood variance).
   */
  clusters?: { controlInfluence: Float64Array; controlVariance: number };
  warnings: StatsWarning[];
}

function pick(arms: StackedArms, g: number): { time: number[]; status: number[]; w: number[] } {
  const out = { time: [] as number[], status: [] as number[], w: [] as number[] };
  for (let i = 0; i < arms.group.length; i++) {
    if (arms.group[i] !== g) continue;
    out.time.push(arms.time[i]!);
    out.status.push(arms.status[i]!);
    out.w.push(arms.weights![i]!);
  }
  return out;
}

/** Wald limits of the difference (natural scale) and the ratio (log scale), as rmst2 makes them. */
function waldContrasts(
  diff: number,
  se: number,
  logRatio: number,
  seLog: number,
  z: number,
): Pick<RmstComparison, 'difference' | 'ratio'> {
  return {
    difference: {
      estimate: diff,
      se,
      lower: diff - z * se,
      upper: diff + z * se,
      p: 2 * pnorm(-Math.abs(diff) / se),
    },
    ratio: {
      estimate: Math.exp(logRatio),
      lower: Math.exp(logRatio - z * seLog),
      upper: Math.exp(logRatio + z * seLog),
    },
  };
}

/**
 * RMST to τ by arm, their difference and ratio (treated vs control). τ and its default follow
 * survRM2 (they depend on the largest times only, so weights do not change them). `what` names
 * the analysis in errors. Complexity O(n log n).
 */
export function rmstComparison(
  arms: StackedArms,
  what: string,
  options: { tau?: number; confLevel?: number; keepField?: boolean } = {},
): RmstComparison {
  const { keepField = false } = options;
  const r = inAnalysis(
    what,
    () =>
      rmst(arms.time, arms.status, arms.group, {
        ...(options.tau !== undefined ? { tau: options.tau } : {}),
        ...(options.confLevel !== undefined ? { confLevel: options.confLevel } : {}),
      }),
    { keepField },
  );
  if (!arms.weights && arms.cluster) return clustered(arms, r, what, keepField);
  if (!arms.weights) {
    return {
      tau: r.tau,
      tauDefault: r.tauDefault,
      variance: r.variance,
      weighted: false,
      treated: { estimate: r.treated.rmst.estimate, se: r.treated.rmst.se },
      control: { estimate: r.control.rmst.estimate, se: r.control.rmst.se },
      difference: { ...r.difference },
      ratio: { estimate: r.ratio.estimate, lower: r.ratio.lower, upper: r.ratio.upper },
      warnings: r.warnings,
    };
  }
  const [control, treated] = [0, 1].map((g) => {
    const a = pick(arms, g);
    const fit = inAnalysis(what, () => kaplanMeier(a.time, a.status, { weights: a.w }), {
      keepField,
    });
    const { estimate, se } = rmstArea(fit, r.tau);
    return { estimate, se };
  }) as [RmstArmSummary, RmstArmSummary];
  const z = qnorm(1 - (1 - r.confLevel) / 2);
  const diff = treated.estimate - control.estimate;
  const se = Math.sqrt(treated.se ** 2 + control.se ** 2);
  const logRatio = Math.log(treated.estimate) - Math.log(control.estimate);
  const seLog = Math.sqrt(
    (treated.se / treated.estimate) ** 2 + (control.se / control.estimate) ** 2,
  );
  return {
    tau: r.tau,
    tauDefault: r.tauDefault,
    variance: 'greenwood (weighted counts)',
    weighted: true,
    treated,
    control,
    ...waldContrasts(diff, se, logRatio, seLog, z),
    // the unweighted fit's warnings (no events before τ) hold for the weighted one too
    warnings: r.warnings,
  };
}

/**
 * The comparison when observations come in clusters (twin mode: a treated patient and the twins
 * that copy its covariates): the same estimates, with the cluster-robust variance of the
 * difference, Σ_c (Σ_{i∈c} ±Dᵢ)² for the influences Dᵢ of each observation on its arm's RMST
 * (`rmstInfluence`; + treated, − control), and of the log ratio with Dᵢ / RMST of the arm.
 * Unclustered, these sums are the Greenwood variances of `rmst`; pairs with positively
 * correlated outcomes make them smaller.
 */
function clustered(
  arms: StackedArms,
  r: ReturnType<typeof rmst>,
  what: string,
  keepField: boolean,
): RmstComparison {
  const cluster = arms.cluster!;
  const n = arms.group.length;
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, cluster[i]! + 1);
  const diff = new Float64Array(k);
  const logRatio = new Float64Array(k);
  const controlInfluence = new Float64Array(k);
  let controlVariance = 0;
  const arm = [r.control.rmst.estimate, r.treated.rmst.estimate];
  for (const g of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (arms.group[i] === g) rows.push(i);
    const time = rows.map((i) => arms.time[i]!);
    const status = rows.map((i) => arms.status[i]!);
    const fit = inAnalysis(what, () => kaplanMeier(time, status), { keepField });
    const d = rmstInfluence(fit, time, status, r.tau);
    const sign = g === 1 ? 1 : -1;
    rows.forEach((i, j) => {
      const c = cluster[i]!;
      diff[c]! += sign * d[j]!;
      logRatio[c]! += (sign * d[j]!) / arm[g]!;
      if (g === 0) {
        controlInfluence[c]! -= d[j]!;
        controlVariance += d[j]! * d[j]!;
      }
    });
  }
  let v = 0;
  let vLog = 0;
  for (let c = 0; c < k; c++) {
    v += diff[c]! * diff[c]!;
    vLog += logRatio[c]! * logRatio[c]!;
  }
  const z = qnorm(1 - (1 - r.confLevel) / 2);
  const est = r.difference.estimate;
  const se = Math.sqrt(v);
  const seLog = Math.sqrt(vLog);
  const lr = Math.log(r.ratio.estimate);
  return {
    tau: r.tau,
    tauDefault: r.tauDefault,
    variance: 'robust (clusters)',
    weighted: false,
    treated: { estimate: r.treated.rmst.estimate, se: r.treated.rmst.se },
    control: { estimate: r.control.rmst.estimate, se: r.control.rmst.se },
    ...waldContrasts(est, se, lr, seLog, z),
    clusters: { controlInfluence, controlVariance },
    warnings: r.warnings,
  };
}
