/**
 * Replication: does the primary analysis reach the same answer with synthetic controls as with
 * real ones? The treated arm is compared with a real control arm and with a synthetic control arm
 * by the same Cox model, and the two hazard ratios are compared by the agreement metrics of the
 * RCT DUPLICATE initiative (Franklin et al. 2021, Circulation 143:1002–1013): regulatory
 * (decision) agreement, estimate agreement, standardized difference; plus the confidence-interval
 * overlap of Karr et al. (2006).
 */
import { ciOverlap } from '../stats/combine.js';
import { fitCox } from '../stats/cox.js';
import { pTwoSidedNormal, qnorm } from '../stats/distributions.js';

export interface Arm {
  time: ArrayLike<number>;
  event: ArrayLike<number>;
}

/** One treated-versus-control Cox analysis. */
export interface ArmComparison {
  /** Hazard ratio treated / control and its interval, log hazard ratio and its standard error. */
  hr: number;
  lower: number;
  upper: number;
  logHr: number;
  se: number;
  p: number;
  nControl: number;
  eventsControl: number;
  /** 'benefit' (significant HR < 1), 'harm' (significant HR > 1) or 'none'. */
  decision: 'benefit' | 'harm' | 'none';
}

export interface ReplicationResult {
  method: 'coxph';
  ties: 'efron';
  alpha: number;
  real: ArmComparison;
  synthetic: ArmComparison;
  /** Same decision (benefit, harm or no significant difference) with both controls. */
  decisionAgreement: boolean;
  /** The synthetic-control hazard ratio lies inside the real-control interval. */
  estimateAgreement: boolean;
  /** (log HR_syn − log HR_real) / √(se_syn² + se_real²), and its two-sided p-value. */
  standardizedDifference: { statistic: number; p: number; agreement: boolean };
  /** Karr et al. (2006) overlap J of the two log hazard-ratio intervals. */
  ciOverlap: number;
}

function compare(treated: Arm, control: Arm, alpha: number): ArmComparison {
  const nt = treated.time.length;
  const nc = control.time.length;
  const time = new Float64Array(nt + nc);
  const status = new Float64Array(nt + nc);
  const group = new Float64Array(nt + nc);
  for (let i = 0; i < nt; i++) {
    time[i] = treated.time[i]!;
    status[i] = treated.event[i]!;
    group[i] = 1;
  }
  let events = 0;
  for (let i = 0; i < nc; i++) {
    time[nt + i] = control.time[i]!;
    status[nt + i] = control.event[i]!;
    events += control.event[i]!;
  }
  const fit = fitCox({ time, status, x: [group], names: ['treated'] }, { confLevel: 1 - alpha });
  const logHr = fit.coef[0]!;
  const se = Math.sqrt(fit.var[0]!);
  const p = fit.p[0]!;
  const hr = fit.hr[0]!;
  return {
    hr,
    lower: fit.lower[0]!,
    upper: fit.upper[0]!,
    logHr,
    se,
    p,
    nControl: nc,
    eventsControl: events,
    decision: p < alpha ? (hr < 1 ? 'benefit' : 'harm') : 'none',
  };
}

/**
 * Compares treated vs real control and treated vs synthetic control with the unadjusted Cox model
 * (Efron ties, model-based variance), two-sided level `alpha` (default 0.05):
 *
 * - decision agreement: both analyses reach the same conclusion (significant benefit, significant
 *   harm, or no significant difference);
 * - estimate agreement: the synthetic-control HR lies inside the real-control confidence interval;
 * - standardized difference z = (log HR_s − log HR_r)/√(se_s² + se_r²), agreement when
 *   |z| ≤ z_{1−α/2};
 * - CI overlap J of the log-HR intervals (Karr et al. 2006).
 *
 * Throws `StatsError` when a Cox model cannot be fitted (e.g. no events). Complexity O(n log n).
 *
 * @example
 * replicationAnalysis(treated, realControl, syntheticControl).decisionAgreement; // true
 */
export function replicationAnalysis(
  treated: Arm,
  realControl: Arm,
  syntheticControl: Arm,
  alpha = 0.05,
): ReplicationResult {
  const real = compare(treated, realControl, alpha);
  const synthetic = compare(treated, syntheticControl, alpha);
  const z = (synthetic.logHr - real.logHr) / Math.sqrt(synthetic.se ** 2 + real.se ** 2);
  const crit = qnorm(1 - alpha / 2);
  const lr = Math.log(real.lower);
  const ur = Math.log(real.upper);
  const ls = Math.log(synthetic.lower);
  const us = Math.log(synthetic.upper);
  return {
    method: 'coxph',
    ties: 'efron',
    alpha,
    real,
    synthetic,
    decisionAgreement: real.decision === synthetic.decision,
    estimateAgreement: synthetic.hr >= real.lower && synthetic.hr <= real.upper,
    standardizedDifference: { statistic: z, p: pTwoSidedNormal(z), agreement: Math.abs(z) <= crit },
    ciOverlap: ciOverlap(lr, ur, ls, us),
  };
}
