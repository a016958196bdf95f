/**
 * Cox proportional-hazards analyses of stacked arms, as both `ecasim run` and `ecasim analyze`
 * fit them: treatment first, then the design columns of the covariates, with the arms' weights,
 * strata and clusters; one term's summary with the standard error in use named unmistakably.
 */
import { fitCox, type CoxData, type CoxFit, type CoxOptions } from '../stats/cox.js';
import { coxZph, type CoxZphResult, type ZphTransform } from '../stats/cox-zph.js';
import { inAnalysis } from './errors.js';
import { byArmDesign, designMatrix, type Design, type StackedArms } from './stacked.js';

/** One coefficient of a fitted Cox model. */
export interface CoxTerm {
  coef: number;
  /** The standard error in use: of the interval and p (robust when the fit's variance is). */
  se: number;
  /** Model-based standard error √diag(I⁻¹) (R's `se(coef)`). */
  seModel: number;
  /** Robust (sandwich) standard error (R's `robust se`); null when the variance is model-based. */
  seRobust: number | null;
  hr: number;
  lower: number;
  upper: number;
  p: number;
}

/** Coefficient `k` of `fit`, with the SE in use and both SEs by name. */
export function coxTerm(fit: CoxFit, k: number): CoxTerm {
  const seRobust = fit.seRobust ? fit.seRobust[k]! : null;
  return {
    coef: fit.coef[k]!,
    se: fit.se[k]!,
    seModel: fit.seModel[k]!,
    seRobust,
    hr: fit.hr[k]!,
    lower: fit.lower[k]!,
    upper: fit.upper[k]!,
    p: fit.p[k]!,
  };
}

export interface CoxModel {
  fit: CoxFit;
  data: CoxData;
  design: Design;
}

/**
 * The Cox model of treatment adjusted for `covariates` (none: unadjusted) on the stacked arms,
 * with their weights, strata and clusters. `what` names it in errors; `design` saves rebuilding
 * the covariates' design matrix when the caller has it.
 */
export function fitCoxModel(
  arms: StackedArms,
  covariates: readonly string[],
  what: string,
  options: Pick<CoxOptions, 'ties' | 'varianceGroups' | 'dfbeta'> & {
    keepField?: boolean;
    design?: Design;
    /**
     * 'by-arm': the covariates centred at the treated arm's means, with their interactions with
     * treatment (`byArmDesign`); the treatment coefficient is then the log HR at that profile.
     */
    covariateEffects?: 'common' | 'by-arm';
  } = {},
): CoxModel {
  const { keepField, design: given, covariateEffects = 'common', ...cox } = options;
  const common = given ?? designMatrix(arms.covariates, covariates);
  const design = covariateEffects === 'by-arm' ? byArmDesign(common, arms.group) : common;
  const data: CoxData = {
    time: arms.time,
    status: arms.status,
    x: [arms.group, ...design.x],
    names: ['treated', ...design.names],
    ...(arms.cluster ? { cluster: arms.cluster } : {}),
    ...(arms.weights ? { weights: arms.weights } : {}),
    ...(arms.strata ? { strata: arms.strata } : {}),
  };
  const fit = inAnalysis(what, () => fitCox(data, cox), { keepField: keepField ?? false });
  return { fit, data, design };
}

/** The cox.zph test of a fitted model; `what` names it in errors. */
export function phTest(
  model: Pick<CoxModel, 'fit' | 'data'>,
  transform: ZphTransform,
  what: string,
  { keepField = false } = {},
): CoxZphResult {
  return inAnalysis(what, () => coxZph(model.fit, model.data, { transform }), { keepField });
}
