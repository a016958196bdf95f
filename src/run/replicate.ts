/**
 * One replicate of a run: draw an eligible synthetic control arm from substream (seed, r), censor
 * it, and run every analysis of the plan against the treated arm. A replicate depends only on the
 * prepared inputs, the seed and its index — never on which worker runs it or in what order.
 */
import { AnalysisError } from '../errors.js';
import { problemAt } from '../io/document.js';
import type { Warning } from '../results.js';
import { createStream } from '../random/index.js';
import { applyCensoring, type CensoringDesign } from '../simulate/censoring.js';
import { requireCensoring, type Censoring } from '../protocol/schema.js';
import { concatCohorts, type Cohort } from '../cohort.js';
import { deriveColumns } from '../simulate/derived.js';
import { drawTwins } from '../simulate/twin.js';
import { imputeCovariates } from '../simulate/impute.js';
import { drawParameters } from '../simulate/uncertainty.js';
import { drawEligible, UnreachableTargetError, type Attrition } from '../simulate/eligibility.js';
import { kaplanMeier } from '../stats/km.js';
import { logRank } from '../stats/logrank.js';
import { designMatrix, runAnalysis, type AnalysisEstimate } from './analyses.js';
import { standardizedDifferences, type BalanceResult } from '../stats/balance.js';
import type { PreparedRun } from './prepare.js';

export interface ReplicateOutput {
  index: number;
  attrition: Attrition;
  control: {
    n: number;
    events: number;
    median: { estimate: number | null; lower: number | null; upper: number | null };
  };
  /** The control arm's baseline covariates and observed times (model unit). */
  cohort: Cohort;
  time: Float64Array;
  event: Uint8Array;
  /** In plan order; null where a secondary analysis could not be carried out (see `failed`). */
  analyses: (AnalysisEstimate | null)[];
  failed: { key: string; message: string }[];
  /**
   * The covariate-effects checks (`prepared.checks`), in their order; null where the by-arm model
   * could not be fitted; empty when not asked for (ReplicateOptions.checks). Their warnings are
   * not the run's (they stay with the check).
   */
  checks: (AnalysisEstimate | null)[];
  /** Balance of every baseline covariate the treated data have (weighted by the primary analysis when it weights). */
  balance: BalanceResult | null;
  /** Time-to-event endpoints only. */
  logrank: { statistic: number; df: number; p: number } | null;
  /** Variables whose parameters this replicate drew from their posterior. */
  parametersDrawn: readonly string[];
  /** Calendar time of the data cut of this control arm; null for a binary or continuous endpoint. */
  cut: number | null;
  warnings: Warning[];
}

/** Substreams below (seed, replicate): 0 draws patients, 1 censors them, 2 draws the model parameters. */
export const SUBSTREAMS = { patients: 0, censoring: 1, parameters: 2, imputation: 3 } as const;

export interface ReplicateOptions {
  /**
   * Only the analyses: no covariate balance, control-arm Kaplan–Meier median or log-rank test
   * (the dossier's per-replicate summaries; `balance` and `logrank` are then null and the median
   * is null). For studies that need the estimates alone; the analyses are the same either way.
   */
  readonly estimatesOnly?: boolean;
  /**
   * Run the covariate-effects checks (`prepared.checks`): by default in a full replicate, not in
   * an estimates-only one (a study asks for them with `true`); `checks` is then empty.
   */
  readonly checks?: boolean;
}

/** Runs replicate `index` of a prepared run. */
export function runReplicate(
  prepared: PreparedRun,
  seed: number,
  index: number,
  options: ReplicateOptions = {},
): ReplicateOutput {
  const { loaded, model, treated, criteria, controlSize } = prepared;
  const { protocol, doc } = loaded;
  const stream = createStream(seed, index);
  const parameters = protocol.control.parameterUncertainty
    ? drawParameters(model, stream.substream(SUBSTREAMS.parameters))
    : { model, drawn: [] as string[], fixed: model.names };
  // A treated patient's missing covariates are drawn afresh in every replicate, from this
  // replicate's parameters, given the patient's observed ones (multiple imputation; impute.ts);
  // the derived variables are then computed again from the completed values.
  const treatedCovariates =
    treated.missing.cells.length === 0
      ? treated.covariates
      : deriveColumns(
          imputeCovariates(
            parameters.model,
            treated.covariates,
            treated.missing.cells,
            stream.substream(SUBSTREAMS.imputation),
          ),
          prepared.derived,
        );
  let drawn: { cohort: Cohort; attrition: Attrition };
  if (prepared.twin !== null) {
    // Twins copy their patient's observed covariates; eligibility holds by construction.
    drawn = {
      cohort: drawTwins(parameters.model, treatedCovariates, stream.substream(SUBSTREAMS.patients)),
      attrition: {
        drawn: treated.n,
        excluded: criteria.map(() => 0),
        accepted: treated.n,
        acceptanceRate: 1,
      },
    };
  } else {
    try {
      drawn = drawEligible(
        parameters.model,
        criteria,
        controlSize,
        stream.substream(SUBSTREAMS.patients),
        protocol.control.maxDraws,
        (c) => deriveColumns(c, prepared.derived),
      );
    } catch (err) {
      if (!(err instanceof UnreachableTargetError)) throw err;
      const a = err.attrition;
      const byCriterion = criteria
        .map((c, k) => `"${c.name}" excluded ${a.excluded[k]}`)
        .join(', ');
      throw problemAt(
        doc,
        ['eligibility'],
        `the eligibility criteria cannot be met often enough: ${err.message} ` +
          `(acceptance rate ${(a.acceptanceRate * 100).toPrecision(2)}%; ${byCriterion}); ` +
          `${controlSize} eligible virtual patients are needed within control.maxDraws = ${protocol.control.maxDraws}`,
        {
          expected: `criteria that at least ${((controlSize / protocol.control.maxDraws) * 100).toPrecision(2)}% of the modelled population meets`,
          actual: `acceptance rate ${(a.acceptanceRate * 100).toPrecision(3)}%`,
          hint: 'check the criteria against the model levels and ranges, or raise control.maxDraws',
        },
      );
    }
  }
  const { cohort, attrition } = drawn;
  const outcomeColumn = cohort.columns.get(protocol.outcome)!;
  // A binary endpoint has no time: its response (level 2 of the endpoint) is the "event".
  const censored =
    outcomeColumn.kind === 'categorical'
      ? {
          time: new Float64Array(cohort.n).fill(1),
          event: Uint8Array.from(outcomeColumn.codes, (c) => (c === 1 ? 1 : 0)),
          cut: null,
        }
      : prepared.endpoint === 'continuous'
        ? // A continuous endpoint's values travel in `time`; there is no censoring.
          {
            time: outcomeColumn.values,
            event: new Uint8Array(cohort.n).fill(1),
            cut: null,
          }
        : applyCensoring(
            outcomeColumn.values,
            censoringDesign(requireCensoring(protocol)),
            stream.substream(SUBSTREAMS.censoring),
          );

  const nT = treated.n;
  const nC = cohort.n;
  const time = new Float64Array(nT + nC);
  const status = new Float64Array(nT + nC);
  const group = new Float64Array(nT + nC);
  time.set(treated.time);
  time.set(censored.time, nT);
  for (let i = 0; i < nT; i++) [status[i], group[i]] = [treated.event[i]!, 1];
  for (let i = 0; i < nC; i++) status[nT + i] = censored.event[i]!;
  // Baseline covariates of both arms, for adjusted and weighted analyses (treated first).
  const baseline = [...treatedCovariates.columns.keys()];
  const pickColumns = (c: Cohort): Cohort => ({
    n: c.n,
    columns: new Map(baseline.map((name) => [name, c.columns.get(name)!])),
  });
  const stacked = concatCohorts([pickColumns(treatedCovariates), pickColumns(cohort)]);

  const ph = protocol.analysis.sensitivity.phTest?.transform;
  // Twin mode: a patient and its twin form a cluster for the robust variance.
  const pairs =
    prepared.twin !== null ? Int32Array.from({ length: nT + nC }, (_, i) => i % nT) : undefined;
  // A secondary analysis that cannot be carried out in this replicate (e.g. an RMST τ beyond its
  // follow-up) is recorded as failed; the primary analysis must succeed.
  const failed: { key: string; message: string }[] = [];
  const arms = { time, status, group, covariates: stacked, ...(pairs ? { cluster: pairs } : {}) };
  const analyses = prepared.analyses.map((a) => {
    try {
      return runAnalysis(a.spec, arms, a.name, a.key === 'primary' ? ph : undefined, {
        estimatesOnly: options.estimatesOnly === true,
      });
    } catch (err) {
      if (a.key === 'primary' || !(err instanceof AnalysisError)) throw err;
      failed.push({ key: a.key, message: err.message });
      return null;
    }
  });
  const runChecks = options.checks ?? options.estimatesOnly !== true;
  const checks = (runChecks ? prepared.checks : []).map((c) => {
    try {
      return runAnalysis(c.spec, arms, c.name, undefined, {
        estimatesOnly: options.estimatesOnly === true,
      });
    } catch (err) {
      if (!(err instanceof AnalysisError)) throw err;
      return null;
    }
  });
  const primary = analyses[0]!;
  const summaries = options.estimatesOnly !== true;
  const all = summaries ? designMatrix(stacked, baseline) : null;
  const balance =
    all === null || all.x.length === 0
      ? null
      : standardizedDifferences(all.x, all.names, group, {
          ...(primary.weights ? { weights: primary.weights } : {}),
          estimand: prepared.analyses[0]!.spec.weighting.estimand,
        });
  const tte = summaries && prepared.endpoint === 'time-to-event';
  const km = tte ? kaplanMeier(censored.time, censored.event) : null;
  const lr = tte ? logRank(time, status, group) : null;
  let events = 0;
  for (const e of censored.event) events += e;
  const warnings: Warning[] = [];
  for (const [k, a] of analyses.entries()) {
    if (a === null) continue;
    for (const w of a.warnings) warnings.push({ ...w, source: prepared.analyses[k]!.key });
  }
  return {
    index,
    attrition,
    control: {
      n: nC,
      events,
      median: km ? km.median : { estimate: null, lower: null, upper: null },
    },
    cohort,
    time: censored.time,
    event: censored.event,
    analyses,
    failed,
    checks,
    balance,
    logrank: lr ? { statistic: lr.statistic, df: lr.df, p: lr.p } : null,
    parametersDrawn: parameters.drawn,
    cut: censored.cut,
    warnings,
  };
}

/** The protocol's follow-up as the censoring simulator takes it (uniform or piecewise accrual). */
export function censoringDesign(c: Censoring): CensoringDesign {
  return {
    accrual: { duration: c.accrual, shape: 'uniform' },
    studyDuration: c.studyDuration,
    dropoutRate: c.dropoutRate,
    ...(c.accrualPattern ? { accrualPattern: c.accrualPattern } : {}),
    ...(c.eventDriven ? { eventDriven: c.eventDriven } : {}),
  };
}
