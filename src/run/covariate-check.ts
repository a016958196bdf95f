/**
 * The covariate-effects check of an adjusted Cox analysis with common covariate effects (R's
 * `coxph(Surv(t, e) ~ treated + x)`), run against synthetic control arms.
 *
 * Why it exists: a synthetic arm's covariate effects are the registry model's estimates (and, per
 * replicate, a draw around them), not the truth the treated patients follow. When the synthetic
 * arm outweighs the treated one, the pooled model's common coefficients are close to the
 * synthetic arm's, and the treated patients carry the difference as unmodelled heterogeneity,
 * which acts as a frailty in one arm and biases the hazard ratio towards benefit. At a registry of
 * 150 the coverage study measured −0.03 to −0.07 on the log scale (docs/validation.md, "The
 * adjusted Cox model at small registries"); with covariate effects by arm (each arm its own
 * coefficients, the HR at the treated arm's mean profile) most of it is gone.
 *
 * The check fits the by-arm model on the same replicates, combines it as the analysis is, and
 * reports it beside the common-effects estimate with the difference of the two log hazard ratios:
 * a sensitivity analysis of the covariate-effects assumption, read as the E-value is read. It
 * raises no verdict. A Hausman-type test of the difference (per-replicate variance
 * u_by − u_common, combined with the external-control rule) was tried and measured in the
 * coverage study (400 trials a cell, registries 150 to 3 840): it flagged 30% of trials at
 * registry 150 × 10:1, where the common model's bias is −0.07, but 45% at registries 1 000 and
 * 3 840, where it is −0.01 and −0.005 — there the two models differ by the by-arm model's own
 * small-sample bias (its interactions come from the treated arm alone), which such a test detects
 * as readily. A materiality rule (the difference above a fixed share of the SE) fared no better:
 * whatever share flags most trials at registry 150 also flags 20–40% of those at 1 000 and more.
 * docs/validation.md, "The adjusted Cox model at small registries".
 */
import { AnalysisError } from '../errors.js';
import type { AnalysisSpec } from '../protocol/schema.js';
import type { CombinedAnalysis, CovariateEffectsCheck } from '../results.js';
import type { AnalysisEstimate } from './analyses.js';
import { combine, type CombineSettings } from './combine.js';

/** A check to run in every replicate: the by-arm twin of analysis `of`. */
export interface CheckSpec {
  readonly key: string;
  /** The key of the common-effects analysis it checks. */
  readonly of: string;
  readonly name: string;
  readonly spec: AnalysisSpec;
}

/** How the check's test is described in results.json and the dossier. */
export const CHECK_METHOD =
  'the same adjusted Cox model with covariate effects by arm (each arm its own, the HR at the ' +
  "treated arm's mean profile), fitted on the same replicates and combined with the same rule; " +
  'difference = log HR(by arm) − log HR(common)';

/** The checks a plan needs: one for each cox-adjusted analysis with common covariate effects. */
export function covariateEffectsChecks(
  analyses: readonly { key: string; name: string; spec: AnalysisSpec }[],
): CheckSpec[] {
  return analyses
    .filter((a) => a.spec.method === 'cox-adjusted' && a.spec.covariateEffects !== 'by-arm')
    .map((a) => ({
      key: `covariateEffects.${a.key}`,
      of: a.key,
      name: `${a.name}, covariate effects by arm`,
      spec: { ...a.spec, covariateEffects: 'by-arm' },
    }));
}

/**
 * The combined check of one analysis: the by-arm estimate combined as the analysis is, and its
 * difference from the common-effects estimate. `common` and `byArm` are the replicates' estimates in replicate order
 * (`byArm[r]` null where the by-arm model could not be fitted); `combined` is the analysis's
 * combined result (null when it was not reported).
 */
export function combineCovariateCheck(
  check: CheckSpec,
  common: readonly (AnalysisEstimate | null)[],
  byArm: readonly (AnalysisEstimate | null)[],
  combined: CombinedAnalysis | null,
  settings: CombineSettings,
): CovariateEffectsCheck {
  const base = { analysis: check.of, name: check.name, method: CHECK_METHOD };
  const failed = byArm.filter((a) => a === null).length;
  if (combined === null || failed > 0 || common.some((a) => a === null)) {
    return {
      ...base,
      assessed: false,
      reason:
        combined === null
          ? 'the common-effects analysis is not reported'
          : `the by-arm model could not be fitted in ${failed} of ${byArm.length} replicates`,
      byArm: null,
      difference: null,
    };
  }
  const c = common as readonly AnalysisEstimate[];
  const b = byArm as readonly AnalysisEstimate[];
  let by: CombinedAnalysis;
  try {
    by = combine(check.key, check.name, b, settings);
  } catch (err) {
    if (!(err instanceof AnalysisError)) throw err;
    return { ...base, assessed: false, reason: err.message, byArm: null, difference: null };
  }
  return {
    ...base,
    assessed: true,
    reason: null,
    byArm: summary(by),
    difference: { logEstimate: by.logEstimate - meanQ(c) },
  };
}

/** q̄ of the common-effects analysis, as `combine` forms it. */
function meanQ(per: readonly AnalysisEstimate[]): number {
  let s = 0;
  for (const a of per) s += a.q;
  return s / per.length;
}

function summary(a: CombinedAnalysis): NonNullable<CovariateEffectsCheck['byArm']> {
  return {
    estimate: a.estimate,
    lower: a.lower,
    upper: a.upper,
    logEstimate: a.logEstimate,
    se: a.se,
    p: a.p,
  };
}
