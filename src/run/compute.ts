/**
 * The results of a run from its prepared inputs and replicate outputs — a pure function: no file
 * is read or written, no dossier rendered, nothing hashed. `runProtocol` calls it between the
 * replicates and the outputs; a simulation study calls it in its inner loop.
 *
 * @example
 * const prepared = prepareRun('protocols/nsclc-os.yaml');
 * const reps = [0, 1, 2].map((r) => runReplicate(prepared, 1, r));
 * computeResults(prepared, reps, { seed: 1 }).primary.estimate; // the combined hazard ratio
 */
import { concatCohorts } from '../cohort.js';
import { censoringOf } from '../protocol/schema.js';
import {
  RESULTS_SCHEMA,
  roundDeep,
  type CombinedAnalysis,
  type Results,
  type Warning,
} from '../results.js';
import { firstFailed } from '../simulate/eligibility.js';
import { IMPUTATION_CANDIDATES } from '../simulate/impute.js';
import { summariseArms } from './arms.js';
import { aggregateWarnings, combineAnalyses, combineBalance, combineSettings } from './combine.js';
import { combineCovariateCheck } from './covariate-check.js';
import type { PreparedRun } from './prepare.js';
import type { ReplicateOutput } from './replicate.js';
import { median, sensitivityResults } from './sensitivity.js';
import { table1 } from './table1.js';
import { computeVerdicts } from './verdicts.js';

export interface ComputeOptions {
  /** The seed the replicates were drawn with (recorded in the results). */
  seed: number;
  /** The protocol's audit, already run (an edge: it reads the registry); null or absent when none. */
  audit?: Results['audit'];
}

/** Treated patients outside the criteria are worth a warning: the arms should be comparable. */
function treatedEligibility(prepared: PreparedRun): Warning[] {
  const { criteria, treated } = prepared;
  const present = criteria.filter((c) =>
    c.expression.variables.every((v) => treated.covariates.columns.has(v)),
  );
  if (present.length === 0) return [];
  const failed = firstFailed(treated.covariates, present);
  // a patient missing a covariate a criterion reads is not assessed by it (imputed per replicate)
  const unassessed = new Uint8Array(treated.n);
  for (const cell of treated.missing.cells)
    if (present.some((c) => c.expression.variables.includes(cell.variable)))
      for (const i of cell.rows) unassessed[i] = 1;
  const out: Warning[] = [];
  present.forEach((c, k) => {
    const count = failed.reduce((s, f, i) => s + (f === k && unassessed[i] === 0 ? 1 : 0), 0);
    if (count > 0) {
      out.push({
        code: 'treated-ineligible',
        source: 'arms.treated',
        message: `${count} treated patient(s) do not meet the eligibility criterion "${c.name}" applied to the synthetic control arm`,
      });
    }
  });
  return out;
}

/** The success criterion on the rounded results (so it agrees with the numbers results.json shows). */
export function successMet(
  prepared: PreparedRun,
  primary: Results['primary'],
  balance: Results['balance'],
): boolean {
  const scope: Record<string, number> = roundDeep({
    'primary.estimate': primary.estimate,
    'primary.lower': primary.lower,
    'primary.upper': primary.upper,
    'primary.se': primary.se,
    'primary.p': primary.p,
    'primary.df': primary.df ?? Infinity,
    'primary.logEstimate': primary.logEstimate,
    'balance.maxAbsSmd': balance.maxAbsSmd,
    'ess.control': primary.ess?.control ?? NaN,
  });
  return prepared.successCriterion.evaluate((name) => scope[name]!, 0) === true;
}

function protocolSection(prepared: PreparedRun): Results['protocol'] {
  const { protocol } = prepared.loaded;
  return {
    id: protocol.id,
    title: protocol.title,
    version: protocol.version,
    sponsor: protocol.sponsor,
    indication: protocol.indication,
    date: protocol.date,
    contextOfUse: protocol.contextOfUse?.trim() ?? null,
    estimand: {
      ...protocol.estimand,
      intercurrentEvents: protocol.estimand.intercurrentEvents.map((e) => ({
        event: e.event,
        strategy: e.strategy,
        rationale: e.rationale ?? null,
      })),
    },
  };
}

function controlSection(
  prepared: PreparedRun,
  replicates: readonly ReplicateOutput[],
): Results['control'] {
  const { protocol } = prepared.loaded;
  const { model } = prepared;
  const fu = censoringOf(protocol);
  const covariances = model.names.flatMap((name) => {
    const c = model.model.variables[name]!.covariance;
    return c === undefined
      ? []
      : [{ variable: name, method: c.method ?? 'unstated', replicates: c.replicates ?? null }];
  });
  return {
    mode: protocol.control.mode,
    size: prepared.controlSize,
    replicates: replicates.length,
    substreams:
      'replicate r draws from substream (seed, r): (r, 0) the patients, (r, 1) their censoring, (r, 2) the model parameters',
    parameterUncertainty: {
      enabled: protocol.control.parameterUncertainty,
      drawn: [...replicates[0]!.parametersDrawn],
      fixed: model.names.filter((n) => !replicates[0]!.parametersDrawn.includes(n)),
      method:
        'Dirichlet(counts + 1/2) for table rows with counts; N(estimate, covariance) where the model carries a covariance' +
        covarianceSources(covariances),
      covariances,
    },
    eligibility: protocol.eligibility.map((c) => ({ name: c.name, expression: c.expression })),
    followUp: {
      accrual: fu?.accrual ?? null,
      studyDuration: fu?.studyDuration ?? null,
      dropoutRate: fu?.dropoutRate ?? null,
      timeUnit: model.timeUnit,
      indexDate: protocol.followUp?.indexDate ?? null,
      accrualPattern: fu?.accrualPattern ?? null,
      eventDriven: fu?.eventDriven ?? null,
    },
  };
}

/** The treated arm's missing covariates: counts, the policy, and how imputation drew them. */
function treatedMissingSection(prepared: PreparedRun): Results['treatedMissing'] {
  const m = prepared.treated.missing;
  return {
    policy: m.policy,
    rows: m.rows,
    patients: m.patients,
    excluded: m.excluded,
    byVariable: m.byVariable.map((b) => ({ ...b })),
    method:
      m.cells.length === 0
        ? null
        : `drawn in every replicate from the covariate model (that replicate's parameter draw) given the patient's observed covariates, by likelihood weighting with resampling over ${IMPUTATION_CANDIDATES} candidates a patient; the outcome is not used (MAR given the covariates); the replicates' spread carries the imputation uncertainty into the combined interval. The draws assume that the covariate's distribution given the others is the registry's: where the trial's population differs from the registry's in the missing covariate itself, imputed values lean towards the registry's and adjust less (studies/treated-missing/README.md)`,
  };
}

/** The cohort flow, totalled over all replicates. */
function attritionSection(
  prepared: PreparedRun,
  replicates: readonly ReplicateOutput[],
): Results['attrition'] {
  const { criteria } = prepared;
  const { protocol } = prepared.loaded;
  const drawn = replicates.reduce((s, r) => s + r.attrition.drawn, 0);
  let remaining = drawn;
  const excluded = criteria.map((_, k) =>
    replicates.reduce((s, r) => s + r.attrition.excluded[k]!, 0),
  );
  const accepted = replicates.reduce((s, r) => s + r.attrition.accepted, 0);
  return {
    drawn,
    steps: criteria.map((c, k) => {
      remaining -= excluded[k]!;
      return {
        criterion: c.name,
        expression: protocol.eligibility[k]!.expression,
        excluded: excluded[k]!,
        remaining,
      };
    }),
    accepted,
    acceptanceRate: accepted / drawn,
  };
}

function modelSection(prepared: PreparedRun): Results['model'] {
  const { model } = prepared;
  const prov = model.model.provenance;
  return {
    registry: prov.registry,
    extractDate: prov.extractDate ?? null,
    population: prov.population ?? null,
    n: prov.n ?? null,
    derivation: prov.derivation.method,
    epsilon: prov.derivation.epsilon ?? null,
    variables: model.names.map((name) => {
      const v = model.variables.get(name)!;
      return {
        name,
        label: v.label ?? name,
        unit: 'unit' in v && typeof v.unit === 'string' ? v.unit : null,
        kind: v.kind,
        parents: [...v.parents],
      };
    }),
  };
}

function logrankSection(replicates: readonly ReplicateOutput[], alpha: number): Results['logrank'] {
  return {
    method: 'log-rank',
    df: 1,
    medianStatistic: median(replicates.map((r) => r.logrank!.statistic)),
    medianP: median(replicates.map((r) => r.logrank!.p)),
    belowAlpha: replicates.filter((r) => r.logrank!.p < alpha).length,
    replicates: replicates.map((r) => ({ statistic: r.logrank!.statistic, p: r.logrank!.p })),
  };
}

function replicateRows(replicates: readonly ReplicateOutput[]): Results['replicates'] {
  return replicates.map((r) => ({
    index: r.index,
    substream: [r.index],
    parametersDrawn: [...r.parametersDrawn],
    cut: r.cut,
    control: { n: r.control.n, events: r.control.events, median: r.control.median.estimate },
    attrition: {
      drawn: r.attrition.drawn,
      accepted: r.attrition.accepted,
      acceptanceRate: r.attrition.acceptanceRate,
    },
    primary: {
      estimate: r.analyses[0]!.estimate,
      lower: r.analyses[0]!.lower,
      upper: r.analyses[0]!.upper,
      p: r.analyses[0]!.p,
      logEstimate: r.analyses[0]!.q,
      se: Math.sqrt(r.analyses[0]!.u),
    },
  }));
}

/** The results object of a run (numbers rounded as results.json holds them). */
export function computeResults(
  prepared: PreparedRun,
  replicates: readonly ReplicateOutput[],
  options: ComputeOptions,
): Results {
  const { protocol } = prepared.loaded;
  const alpha = protocol.analysis.alpha;
  const confLevel = 1 - alpha;
  const warnings: Warning[] = [...aggregateWarnings(replicates), ...treatedEligibility(prepared)];
  const arms = summariseArms(prepared, replicates, confLevel, warnings);
  const combined = combineAnalyses(prepared, replicates, confLevel, warnings);
  const primary = combined[0]!;
  const primarySpec = prepared.analyses[0]!.spec;
  const balance = combineBalance(
    replicates,
    primarySpec.method === 'cox-iptw',
    primarySpec.weighting.estimand,
  );
  const sensitivity = {
    ...sensitivityResults(protocol.analysis, primary, replicates, warnings),
    covariateEffects: covariateChecks(prepared, replicates, combined, confLevel),
  };
  const audit = options.audit ?? null;
  if (audit?.privacy.leaking) {
    warnings.push({
      code: 'audit-privacy',
      source: 'audit',
      message: `the audit flags the synthetic data as possibly disclosing registry records (${audit.privacy.flagged.join(', ')})`,
    });
  }
  const results: Omit<Results, 'verdicts'> = roundDeep({
    schema: RESULTS_SCHEMA,
    protocol: protocolSection(prepared),
    outcome: {
      variable: protocol.outcome,
      label: prepared.outcomeLabel,
      timeUnit: prepared.model.timeUnit,
    },
    seed: options.seed,
    control: controlSection(prepared, replicates),
    attrition: attritionSection(prepared, replicates),
    treatedMissing: treatedMissingSection(prepared),
    model: modelSection(prepared),
    table1: table1(
      prepared.model,
      prepared.treated.covariates,
      concatCohorts(replicates.map((r) => r.cohort)),
    ),
    arms,
    logrank: prepared.endpoint === 'time-to-event' ? logrankSection(replicates, alpha) : null,
    primary,
    secondary: combined.slice(1),
    replicates: replicateRows(replicates),
    balance,
    sensitivity,
    audit,
    alpha,
    successCriterion: {
      expression: protocol.successCriterion,
      met: successMet(prepared, primary, balance),
    },
    warnings,
  } satisfies Omit<Results, 'verdicts'>);
  return { ...results, verdicts: computeVerdicts(results) };
}

/** " (bootstrap, 200 resamples: age, os; inverse information: crp)": the covariances' sources. */
function covarianceSources(
  covariances: readonly { variable: string; method: string; replicates: number | null }[],
): string {
  const groups = new Map<string, string[]>();
  for (const c of covariances) {
    const key =
      c.method === 'bootstrap'
        ? `bootstrap of the registry fit, ${c.replicates} resamples`
        : c.method === 'information'
          ? 'inverse information of the registry fit'
          : 'covariance of unstated origin';
    groups.set(key, [...(groups.get(key) ?? []), c.variable]);
  }
  if (groups.size === 0) return '';
  return ` (${[...groups].map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ')})`;
}

/** The covariate-effects check of each common-effects adjusted Cox analysis (covariate-check.ts). */
function covariateChecks(
  prepared: PreparedRun,
  replicates: readonly ReplicateOutput[],
  combined: readonly CombinedAnalysis[],
  confLevel: number,
): Results['sensitivity']['covariateEffects'] {
  const settings = combineSettings(prepared, confLevel);
  return prepared.checks.map((check, j) => {
    const k = prepared.analyses.findIndex((a) => a.key === check.of);
    return combineCovariateCheck(
      check,
      replicates.map((r) => r.analyses[k]!),
      replicates.map((r) => r.checks[j]!),
      combined.find((c) => c.key === check.of) ?? null,
      settings,
    );
  });
}
