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
import { rmst, rmstArea } from '../stats/rmst.js';
import { inAnalysis } from './errors.js';
import type { StackedArms } from './stacked.js';

export interface RmstArmSummary {
  estimate: number;
  se: number;
}

export interface RmstComparison {
  tau: number;
  tauDefault: boolean;
  /** 'greenwood', or 'greenwood (weighted counts)' with case weights (R's survmean). */
  variance: string;
  weighted: boolean;
  treated: RmstArmSummary;
  control: RmstArmSummary;
  difference: { estimate: number; se: number; lower: number; upper: number; p: number };
  ratio: { estimate: number; lower: number; upper: number };
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
    // the unweighted fit's warnings (no events before τ) hold for the weighted one too
    warnings: r.warnings,
  };
}
