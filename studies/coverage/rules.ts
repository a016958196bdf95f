/**
 * Combining rules the study compares, each a function of one trial's m replicate estimates q_r,
 * their variances u_r and — once the analyses report it — the synthetic control arm's part of
 * u_r (uControl). Every rule sees the same replicates, so the study's tables compare rules, not
 * draws. Intervals are on the combining scale (log HR).
 *
 * Notation (docs/validation.md, "Why: where the variance comes from"): q̄ = Σq_r/m,
 * b = Σ(q_r − q̄)²/(m − 1), ū = Σu_r/m.
 */
import {
  combineExternalControl,
  combineRiskDifference,
  combineSynthetic,
} from '../../src/stats/combine.js';
import { qnorm } from '../../src/stats/distributions.js';

/** One analysis of one trial: what each replicate gave. */
export interface Replicates {
  readonly q: readonly number[];
  readonly u: readonly number[];
  /** The control arm's part of each u (absent until the analyses report it). */
  readonly uControl?: readonly number[];
  /** ν_T of the treated arm's part, as the pipeline passes it (`meanTreatedDf`); absent: ∞. */
  readonly treatedDf?: number;
  /** Risk difference: the treated arm's responders and size (its interval's hybrid score limits). */
  readonly treated?: { readonly events: number; readonly n: number };
}

export interface Combined {
  readonly estimate: number;
  readonly se: number;
  readonly lower: number;
  readonly upper: number;
  /** Degrees of freedom of the reference distribution (Infinity: normal). */
  readonly df: number;
  /** The rule fell back from its main formula (e.g. RRR's T ≤ 0). */
  readonly fallback: boolean;
}

/** What a rule may know of the run besides the replicates. */
export interface RuleContext {
  readonly confLevel: number;
  /** Whether the replicates drew the model parameters from their posterior. */
  readonly parameterUncertainty: boolean;
}

export interface CombiningRule {
  readonly id: string;
  readonly label: string;
  /** Replicates the rule cannot use (e.g. without uControl) are skipped, not failed. */
  readonly applies: (r: Replicates) => boolean;
  readonly combine: (r: Replicates, context: RuleContext) => Combined;
}

function moments(r: Replicates): { m: number; qbar: number; ubar: number; b: number } {
  const m = r.q.length;
  let qbar = 0;
  let ubar = 0;
  for (let i = 0; i < m; i++) [qbar, ubar] = [qbar + r.q[i]!, ubar + r.u[i]!];
  qbar /= m;
  ubar /= m;
  let b = 0;
  for (let i = 0; i < m; i++) b += (r.q[i]! - qbar) ** 2;
  return { m, qbar, ubar, b: b / (m - 1) };
}

function normal(estimate: number, t: number, confLevel: number, fallback: boolean): Combined {
  const se = Math.sqrt(t);
  const z = qnorm(1 - (1 - confLevel) / 2);
  return {
    estimate,
    se,
    lower: estimate - z * se,
    upper: estimate + z * se,
    df: Infinity,
    fallback,
  };
}

function fromCombineSynthetic(
  r: Replicates,
  confLevel: number,
  floor: 'none' | 'within',
): Combined {
  const c = combineSynthetic(r.q, r.u, { confLevel, floor });
  return {
    estimate: c.estimate,
    se: c.se,
    lower: c.lower,
    upper: c.upper,
    df: c.df,
    fallback: c.method !== 'raghunathan-2003',
  };
}

const always = (): boolean => true;

/**
 * The pipeline's rule from 2026-11-23 until "Honest intervals" (src/run/index.ts then called
 * `combineSynthetic(..., { floor: 'within' })`):
 * Raghunathan, Reiter & Rubin (2003)'s T where T ≥ ū, else T* = ū with a normal reference.
 */
export const WITHIN_FLOOR: CombiningRule = {
  id: 'within-floor',
  label: "RRR's T floored at ū",
  applies: always,
  combine: (r, { confLevel }) => fromCombineSynthetic(r, confLevel, 'within'),
};

/**
 * Raghunathan, Reiter & Rubin (2003, J. Official Statistics 19:1–16) for fully synthetic data as
 * published: T = (1 + 1/m)·b − ū with ν = (m − 1)(1 − ū/((1 + 1/m)b))², and Reiter (2002)'s
 * T* = ū when T ≤ 0 (counted as fallback).
 */
export const RRR: CombiningRule = {
  id: 'rrr',
  label: "RRR's T (Reiter's ū when T ≤ 0)",
  applies: always,
  combine: (r, { confLevel }) => fromCombineSynthetic(r, confLevel, 'none'),
};

/**
 * ū − (1 − 1/m)·b with a normal reference: unbiased for V_T + V_C/m when the replicates differ
 * only by the control arm's Monte-Carlo error (no parameter uncertainty), the rule the first
 * study's 1:1 runs suggested. Floored at ū/m (counted as fallback), where it would go below.
 */
export const UBAR_MINUS_B: CombiningRule = {
  id: 'ubar-b',
  label: 'ū − (1 − 1/m)·b',
  applies: always,
  combine: (r, { confLevel }) => {
    const { m, qbar, ubar, b } = moments(r);
    const t = ubar - (1 - 1 / m) * b;
    return t >= ubar / m
      ? normal(qbar, t, confLevel, false)
      : normal(qbar, ubar / m, confLevel, true);
  },
};

/**
 * `combineExternalControl` (src/stats/combine.ts, "Honest intervals"), called as `runProtocol`
 * calls it (src/run/combine.ts `combine`): T = ū_T + (1 + 1/m)·V̂_P + ū_C/m with
 * V̂_P = max(0, b − ū_C) and a Satterthwaite t reference — needs each replicate's uControl; for
 * a risk difference with the treated arm's counts, `combineRiskDifference` (hybrid score limits),
 * as the pipeline does. Fallback counts the trials where V̂_P = 0 (normal reference).
 */
export const EXTERNAL: CombiningRule = {
  id: 'external',
  label: 'external control (ū_T + (1 + 1/m)·V̂_P + ū_C/m)',
  applies: (r) => r.uControl !== undefined,
  combine: (r, { confLevel, parameterUncertainty }) => {
    const o = { confLevel, parameterUncertainty };
    const c =
      r.treated !== undefined
        ? combineRiskDifference(r.q, r.u, r.uControl!, r.treated, o)
        : combineExternalControl(r.q, r.u, r.uControl!, {
            ...o,
            ...(r.treatedDf !== undefined ? { treatedDf: r.treatedDf } : {}),
          });
    return {
      estimate: c.estimate,
      se: c.se,
      lower: c.lower,
      upper: c.upper,
      df: c.df,
      fallback: c.parameterVariance === 0,
    };
  },
};

/** The rules the study evaluates, in table order. */
export const RULES: readonly CombiningRule[] = [WITHIN_FLOOR, EXTERNAL, RRR, UBAR_MINUS_B];

/**
 * The rule `runProtocol` combines with (src/run/index.ts): keep in step with it, so the study
 * measures the pipeline as it is (`within-floor` until "Honest intervals").
 */
export const PIPELINE_RULE = EXTERNAL.id;

/** The rules named by `ids` (comma-separated), or all. */
export function selectRules(ids: string | undefined): CombiningRule[] {
  if (ids === undefined || ids === '') return [...RULES];
  return ids.split(',').map((id) => {
    const rule = RULES.find((r) => r.id === id.trim());
    if (rule === undefined)
      throw new Error(`--rules: no rule "${id}"; rules are ${RULES.map((r) => r.id).join(', ')}`);
    return rule;
  });
}
