/**
 * ecasim as a library: `import { kaplanMeier, fitCox, runProtocol } from 'ecasim'`.
 *
 * What the command line does is available here, in the same layers (docs/DESIGN.md):
 *
 * - **Statistics** (`src/stats/`): pure functions over arrays, each matching R's `survival` (or
 *   the package named in its documentation) — Kaplan–Meier, log-rank, Cox, `cox.zph`, RMST,
 *   binary and continuous effect measures, logistic regression, propensity weights, balance,
 *   E-values, tipping points and the combining rules for fully synthetic data. Invalid arguments
 *   throw a `StatsError` with a stable `code`; statistical caveats are `warnings` on the result.
 * - **Runs**: `runProtocol` (what `ecasim run` does, returning the files instead of writing
 *   them), `prepareRun` (what `ecasim validate` checks), `analyzeArms` (`ecasim analyze`),
 *   `verifyRun` (`ecasim verify`) and `runAudit` (`ecasim audit`).
 * - **Models**: `loadModel`/`parseModelText` read a covariate model, `fitModel` derives one from a
 *   registry extract (`ecasim fit`), `sampleModel` draws virtual patients from it (`ecasim sample`).
 * - **Errors**: every failure a user can cause is an `EcasimError` (`UsageError`, `InputError`,
 *   `AnalysisError`, `VerificationError`) carrying the file, line, field, expected and found.
 *
 * Every `@example` in the documentation of these exports is run by test/docs/examples.test.ts.
 *
 * @packageDocumentation
 */
import type { Cohort } from './cohort.js';
import { loadModel, type CovariateModel } from './model/load.js';
import { createStream } from './random/index.js';
import { sampleCohort } from './simulate/ancestral.js';

/* Statistics ------------------------------------------------------------------------------- */

export {
  kaplanMeier,
  kmQuantile,
  nRiskAt,
  survivalAt,
  type ConfType,
  type KaplanMeierFit,
  type KaplanMeierOptions,
  type QuantileEstimate,
  type SurvivalAtResult,
} from './stats/km.js';
export { logRank, type LogRankOptions, type LogRankResult } from './stats/logrank.js';
export {
  fitCox,
  type CoxData,
  type CoxFit,
  type CoxOptions,
  type CoxTest,
  type CoxTies,
} from './stats/cox.js';
export {
  coxZph,
  type CoxZphOptions,
  type CoxZphResult,
  type ZphTest,
  type ZphTransform,
} from './stats/cox-zph.js';
export {
  rmst,
  rmstInfluence,
  type RmstArm,
  type RmstContrast,
  type RmstEstimate,
  type RmstOptions,
  type RmstResult,
} from './stats/rmst.js';
export {
  fisherExact,
  oddsRatio,
  riskDifference,
  riskRatio,
  type BinaryOptions,
  type FisherResult,
  type Interval,
  type RatioOptions,
  type RatioResult,
  type RiskDifferenceResult,
} from './stats/binary.js';
export {
  hedgesG,
  meanDifference,
  type ContinuousOptions,
  type HedgesGResult,
  type MeanDifferenceResult,
} from './stats/continuous.js';
export { fitLogistic, type LogisticFit, type LogisticOptions } from './stats/logistic.js';
export {
  effectiveSampleSize,
  effectiveSampleSizeByArm,
  estimatePropensity,
  propensityWeights,
  type Estimand,
  type EstimatePropensityOptions,
  type PropensityResult,
  type PropensityWeightOptions,
  type PropensityWeightsResult,
} from './stats/propensity.js';
export {
  standardizedDifferences,
  type BalanceOptions,
  type BalanceResult,
  type BalanceRow,
} from './stats/balance.js';
export {
  eValue,
  inflationTippingPoint,
  tippingPoint,
  type EValueOptions,
  type EValueResult,
  type TippingOptions,
  type TippingPointResult,
  type TippingRow,
} from './stats/sensitivity.js';
export {
  ciOverlap,
  combineSynthetic,
  type CombineSyntheticOptions,
  type CombineSyntheticResult,
} from './stats/combine.js';
export { StatsError, type StatsWarning } from './stats/errors.js';

/* Runs ------------------------------------------------------------------------------------- */

export { runProtocol, type RunOptions, type RunOutput } from './run/index.js';
export { prepareRun, type PreparedRun } from './run/prepare.js';
export { analyzeArms, type AnalysisResults, type AnalyzeOptions } from './analyze.js';
export { verifyRun, type VerifyReport } from './verify.js';
export { runAudit, type AuditOptions, type AuditResult } from './audit/index.js';
export { loadProtocol, type LoadedProtocol } from './protocol/load.js';
export type { Protocol } from './protocol/schema.js';
export type { Manifest, Results } from './results.js';

/* Models and sampling ---------------------------------------------------------------------- */

export { loadModel, parseModelText, type CovariateModel } from './model/load.js';
export type { Model } from './model/schema.js';
export { fitModel, modelText, type FitOptions, type FitResult } from './model/fit.js';
export { loadFitSpec, parseFitSpecText, type LoadedFitSpec } from './model/fit-spec.js';
export { parseTable, readTable, type Table } from './io/csv.js';
export { createStream, type RandomSource } from './random/index.js';
export { samplePatients, type SampleOptions, type SampleOutput } from './sample.js';
export type { Cohort, Column } from './cohort.js';

/* Errors ----------------------------------------------------------------------------------- */

export {
  AnalysisError,
  EcasimError,
  InputError,
  UsageError,
  VerificationError,
  type ErrorDetails,
  type ErrorKind,
} from './errors.js';

export interface SampleModelOptions {
  /** Seed of the draw (a non-negative integer). */
  seed: number;
  /** Replicate index: the substream (seed, replicate), as `ecasim sample --replicate`. Default 0. */
  replicate?: number;
}

/**
 * Draws `n` virtual patients from a covariate model by ancestral sampling, exactly as
 * `ecasim sample MODEL --n N --seed S [--replicate K]` does: every variable becomes a column
 * (categorical ones as level codes with their `levels`, the others numeric; a time-to-event
 * outcome as its latent event time). The same model, `n`, seed and replicate give identical
 * columns on every platform. `model` is a loaded model or the path of a model file.
 *
 * Complexity O(n · Σ_v (1 + parents_v)).
 *
 * @example
 * const cohort = sampleModel('examples/nsclc/model.json', 100, { seed: 1 });
 * cohort.n; // → 100
 * cohort.columns.get('age').kind; // → 'numeric'
 */
export function sampleModel(
  model: CovariateModel | string,
  n: number,
  options: SampleModelOptions,
): Cohort {
  const m = typeof model === 'string' ? loadModel(model) : model;
  return sampleCohort(m, n, createStream(options.seed, options.replicate ?? 0, 0));
}
