/**
 * `ecasim audit`: trust in synthetic data. Draws synthetic patients from a covariate model
 * (seeded) and compares them with the registry extract the model came from — fidelity (are they
 * like the real population?), privacy (can a real patient be recovered?), replication (does the
 * primary analysis reach the same answer with synthetic controls?) and screening against
 * degenerate generators. Everything here is a function of its inputs and the seed.
 */
import { basename } from 'node:path';
import { AnalysisError, UsageError } from '../errors.js';
import { sha256File } from '../io/output.js';
import { loadModel, type CovariateModel } from '../model/load.js';
import { softwareVersions } from '../package-info.js';
import { createStream, type RandomSource } from '../random/index.js';
import type { AuditSummary } from '../results.js';
import { StatsError, type StatsWarning } from '../stats/errors.js';
import {
  auditVariables,
  readAuditData,
  readSurvival,
  sampleAuditData,
  selectAuditRows,
  survivalOutcome,
  toMixed,
  type AuditData,
  type ColumnNames,
} from './data.js';
import {
  bivariateFidelity,
  outcomeFidelity,
  univariateFidelity,
  type BivariateFidelity,
  type OutcomeFidelity,
  type UnivariateFidelity,
} from './fidelity.js';
import { privacyMetrics, type PrivacyResult } from './disclosure.js';
import { replicationAnalysis, type Arm, type ReplicationResult } from './replication.js';
import { screenSynthetic, type ScreeningResult } from './screening.js';

export const AUDIT_FORMAT = 'ecasim-audit/1';

/** Settings of an audit (defaults in brackets). */
export interface AuditSettings {
  /** Seed of the synthetic draw, the bootstrap and the subsamples [20261123]. */
  seed: number;
  /** Synthetic records drawn [as many as training records]. */
  n?: number;
  /** Threshold on univariate differences [0.01]. */
  threshold?: number;
  /** Rare-cell size for the disclosure check [5]. */
  k?: number;
  /** Quantile bins for numbers in Cramér's V and the rare-combination check [5]. */
  bins?: number;
  /** Bootstrap resamples for Cramér's V intervals [200]. */
  bootstrap?: number;
  /** Significance level of the replication analysis [0.05]. */
  alpha?: number;
  /** Remove out-of-support synthetic records before the other checks [false]. */
  screen?: boolean;
  /** Registry share below which a category is rare in the screening [0.05]. */
  rareShare?: number;
}

/** In-memory inputs of an audit (what {@link runAudit} reads from files). */
export interface AuditInput extends AuditSettings {
  model: CovariateModel;
  training: AuditData;
  holdout?: AuditData;
  /** Synthetic records to audit instead of drawing them from the model (tests, other generators). */
  synthetic?: AuditData;
  treated?: Arm;
  realControl?: Arm;
}

export interface AuditResult {
  format: typeof AUDIT_FORMAT;
  software: { ecasim: string };
  seed: number;
  settings: Required<Omit<AuditSettings, 'seed' | 'n'>> & { nSynthetic: number };
  model: {
    registry: string;
    population: string | null;
    derivation: string;
    epsilon: number | null;
    timeUnit: string;
  };
  inputs: { role: string; file: string; sha256: string }[];
  data: {
    training: number;
    holdout: number | null;
    /** Rows left out of each extract for a missing value (complete cases, as `ecasim fit`). */
    incomplete: { training: number; holdout: number | null };
    synthetic: number;
    realControl: number | null;
    treated: number | null;
  };
  /** Columns compared (model variables other than the time-to-event outcome). */
  variables: { name: string; type: 'categorical' | 'numeric' }[];
  /** The time-to-event outcome compared through (time, event), if any. */
  outcome: string | null;
  fidelity: {
    threshold: number;
    univariate: UnivariateFidelity[];
    /** Variables whose difference exceeds the threshold. */
    exceeding: string[];
    bivariate: BivariateFidelity;
    outcome: OutcomeFidelity | null;
  };
  privacy: PrivacyResult;
  replication: ReplicationResult | null;
  screening: ScreeningResult;
  warnings: StatsWarning[];
}

const DEFAULTS = {
  threshold: 0.01,
  k: 5,
  bins: 5,
  bootstrap: 200,
  alpha: 0.05,
  screen: false,
  rareShare: 0.05,
};

function validateSettings(s: AuditSettings): void {
  const bad = (name: string, expected: string, v: unknown) =>
    new UsageError(`invalid option. \`${name}\` must be ${expected}. Value: \`${String(v)}\`.`, {
      field: name,
      expected,
      actual: String(v),
    });
  if (!(Number.isSafeInteger(s.seed) && s.seed >= 0))
    throw bad('seed', 'a non-negative integer', s.seed);
  if (s.n !== undefined && !(Number.isSafeInteger(s.n) && s.n >= 10))
    throw bad('n', 'an integer >= 10', s.n);
  if (s.threshold !== undefined && !(s.threshold > 0 && s.threshold < 1))
    throw bad('threshold', 'a number in (0, 1)', s.threshold);
  if (s.k !== undefined && !(Number.isInteger(s.k) && s.k >= 2))
    throw bad('k', 'an integer >= 2', s.k);
  if (s.bins !== undefined && !(Number.isInteger(s.bins) && s.bins >= 2))
    throw bad('bins', 'an integer >= 2', s.bins);
  if (s.bootstrap !== undefined && !(Number.isInteger(s.bootstrap) && s.bootstrap >= 20))
    throw bad('bootstrap', 'an integer >= 20', s.bootstrap);
  if (s.alpha !== undefined && !(s.alpha > 0 && s.alpha < 1))
    throw bad('alpha', 'a number in (0, 1)', s.alpha);
  if (s.rareShare !== undefined && !(s.rareShare > 0 && s.rareShare < 1))
    throw bad('rareShare', 'a number in (0, 1)', s.rareShare);
}

/**
 * Audits synthetic data against the registry records in memory (see the module doc and
 * docs/audit.md for every metric). Randomness: the synthetic draw uses `seed` substream 0, the
 * replication's synthetic control substream 1, the bivariate bootstrap substream 2, the privacy
 * subsamples substream 3. Complexity dominated by the bootstrap (O(p²·B·n)) and the
 * nearest-neighbour searches (O(n log n) typical).
 *
 * @example
 * const audit = auditData({ model, training, holdout, seed: 1 });
 * audit.privacy.leaking; // false
 */
export function auditData(input: AuditInput): AuditResult {
  validateSettings(input);
  const settings = { ...DEFAULTS, ...stripUndefined(input) };
  const { model, training, holdout } = input;
  const rng: RandomSource = createStream(input.seed);
  const variables = auditVariables(model);
  const outcome = survivalOutcome(model);
  const warnings: StatsWarning[] = [];
  const nSyn = input.n ?? training.n;
  let synthetic =
    input.synthetic ??
    sampleAuditData(
      model,
      nSyn,
      rng.substream(0),
      training.time && training.event ? { time: training.time, event: training.event } : undefined,
    );

  // Screening first: with `screen`, the other checks see the kept records only.
  const screen = screenSynthetic(training, synthetic, variables, { rareShare: settings.rareShare });
  let removed = 0;
  if (settings.screen && screen.result.outOfSupport.records > 0) {
    const keep: number[] = [];
    for (let i = 0; i < synthetic.n; i++) if (!screen.outside[i]) keep.push(i);
    removed = synthetic.n - keep.length;
    if (keep.length < 10) {
      throw new AnalysisError(
        `screening removed ${removed} of ${synthetic.n} synthetic records: fewer than 10 are left to audit`,
        { hint: 'audit without --screen to see which values fall outside the registry' },
      );
    }
    synthetic = selectAuditRows(synthetic, keep);
  }
  const screening: ScreeningResult = {
    ...screen.result,
    screened: settings.screen,
    removed,
    kept: synthetic.n,
  };

  const univariate = variables.map((v) =>
    univariateFidelity(
      v,
      training.cohort.columns.get(v)!,
      synthetic.cohort.columns.get(v)!,
      settings.threshold,
    ),
  );
  const bivariate = bivariateFidelity(
    training.cohort,
    synthetic.cohort,
    variables,
    rng.substream(2),
    {
      bootstrap: settings.bootstrap,
      bins: settings.bins,
    },
  );
  warnings.push(...bivariate.warnings);
  let outcomeResult: OutcomeFidelity | null = null;
  if (outcome !== undefined && training.time && synthetic.time) {
    const parents = model.variables.get(outcome)!.parents ?? [];
    outcomeResult = outcomeFidelity(training, synthetic, parents);
    warnings.push(...outcomeResult.warnings);
  }

  const privacy = privacyMetrics({
    training,
    ...(holdout ? { holdout } : {}),
    synthetic,
    variables,
    mixed: {
      training: toMixed(training, variables),
      ...(holdout ? { holdout: toMixed(holdout, variables) } : {}),
      synthetic: toMixed(synthetic, variables),
    },
    epsilon: model.model.provenance.derivation.epsilon ?? null,
    rng: rng.substream(3),
    k: settings.k,
    bins: settings.bins,
  });
  warnings.push(...privacy.warnings);

  let replication: ReplicationResult | null = null;
  if (input.treated && input.realControl) {
    if (outcome === undefined) {
      throw new UsageError('--real-control needs a model with a time-to-event outcome', {
        hint: 'drop --real-control and --treated, or use a model with a time-to-event outcome',
      });
    }
    const nc = input.realControl.time.length;
    const control = sampleAuditData(model, nc, rng.substream(1), input.realControl);
    try {
      replication = replicationAnalysis(
        input.treated,
        input.realControl,
        { time: control.time!, event: control.event! },
        settings.alpha,
      );
    } catch (e) {
      if (e instanceof StatsError) {
        throw new AnalysisError(`cannot carry out the replication analysis: ${e.message}`, {
          hint: 'check that the treated arm and the real control arm both have events',
        });
      }
      throw e;
    }
  }

  const prov = model.model.provenance;
  return {
    format: AUDIT_FORMAT,
    software: { ecasim: softwareVersions().ecasim },
    seed: input.seed,
    settings: {
      threshold: settings.threshold,
      k: settings.k,
      bins: settings.bins,
      bootstrap: settings.bootstrap,
      alpha: settings.alpha,
      screen: settings.screen,
      rareShare: settings.rareShare,
      nSynthetic: nSyn,
    },
    model: {
      registry: prov.registry,
      population: prov.population ?? null,
      derivation: prov.derivation.method,
      epsilon: prov.derivation.epsilon ?? null,
      timeUnit: prov.timeUnit,
    },
    inputs: [],
    data: {
      training: training.n,
      holdout: holdout?.n ?? null,
      incomplete: { training: training.incomplete, holdout: holdout?.incomplete ?? null },
      synthetic: synthetic.n,
      realControl: input.realControl?.time.length ?? null,
      treated: input.treated?.time.length ?? null,
    },
    variables: variables.map((name) => ({
      name,
      type: training.cohort.columns.get(name)!.kind === 'numeric' ? 'numeric' : 'categorical',
    })),
    outcome: outcome ?? null,
    fidelity: {
      threshold: settings.threshold,
      univariate,
      exceeding: univariate.filter((u) => u.exceedsThreshold).map((u) => u.variable),
      bivariate,
      outcome: outcomeResult,
    },
    privacy,
    replication,
    screening,
    warnings,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** File inputs of `ecasim audit`. */
export interface AuditOptions extends AuditSettings {
  model: string;
  registry: string;
  holdout?: string;
  realControl?: string;
  treated?: string;
  /** Column names in the registry, holdout, real-control and treated CSV files. */
  columns?: ColumnNames;
}

/**
 * Reads the model and the CSV files and runs {@link auditData}; records each input's SHA-256.
 *
 * @example
 * const audit = runAudit({
 *   model: 'examples/nsclc/model.json', registry: 'examples/nsclc/registry.csv',
 *   holdout: 'examples/nsclc/holdout.csv', columns: { time: 'os_time', event: 'os_event' },
 *   seed: 1, n: 200, bootstrap: 20,
 * });
 * audit.data.synthetic; // → 200
 */
export function runAudit(options: AuditOptions): AuditResult {
  if ((options.realControl === undefined) !== (options.treated === undefined)) {
    throw new UsageError('--real-control and --treated go together', {
      hint: 'give both the real control arm and the treated arm, or neither',
    });
  }
  validateSettings(options);
  const model = loadModel(options.model);
  const names = options.columns ?? {};
  const training = readAuditData(options.registry, model, 'registry extract', names);
  const holdout = options.holdout
    ? readAuditData(options.holdout, model, 'holdout extract', names)
    : undefined;
  const survNames = {
    ...(names.time !== undefined ? { time: names.time } : {}),
    ...(names.event !== undefined ? { event: names.event } : {}),
  };
  const realControl = options.realControl
    ? readSurvival(options.realControl, 'real control arm', survNames)
    : undefined;
  const treated = options.treated
    ? readSurvival(options.treated, 'treated arm', survNames)
    : undefined;
  const {
    model: _m,
    registry: _r,
    holdout: _h,
    realControl: _c,
    treated: _t,
    columns: _cols,
    ...settings
  } = options;
  const result = auditData({
    ...settings,
    model,
    training,
    ...(holdout ? { holdout } : {}),
    ...(realControl ? { realControl } : {}),
    ...(treated ? { treated } : {}),
  });
  const inputs: AuditResult['inputs'] = [
    { role: 'model', file: basename(options.model), sha256: sha256File(options.model) },
  ];
  inputs.push({
    role: 'registry',
    file: basename(options.registry),
    sha256: sha256File(options.registry),
  });
  if (options.holdout)
    inputs.push({
      role: 'holdout',
      file: basename(options.holdout),
      sha256: sha256File(options.holdout),
    });
  if (options.realControl)
    inputs.push({
      role: 'real-control',
      file: basename(options.realControl),
      sha256: sha256File(options.realControl),
    });
  if (options.treated)
    inputs.push({
      role: 'treated',
      file: basename(options.treated),
      sha256: sha256File(options.treated),
    });
  return { ...result, inputs };
}

/**
 * The headline numbers of an audit as a small plain object, for the dossier panel.
 *
 * @example
 * auditSummaryForDossier(audit).privacy.leaking; // false
 */
export function auditSummaryForDossier(audit: AuditResult): AuditSummary {
  const u = audit.fidelity.univariate;
  const h = audit.privacy.holdout;
  const r = audit.replication;
  return {
    nSynthetic: audit.data.synthetic,
    univariate: {
      maxDifference: u.reduce((t, x) => Math.max(t, x.difference), 0),
      exceeding: [...audit.fidelity.exceeding],
      threshold: audit.fidelity.threshold,
    },
    bivariate: {
      meanDifference: audit.fidelity.bivariate.meanDifference,
      meanCiOverlap: audit.fidelity.bivariate.meanCiOverlap,
      shareOverlapAbove50: audit.fidelity.bivariate.shareOverlapAbove50,
    },
    outcome: audit.fidelity.outcome
      ? {
          kmSupDifference: audit.fidelity.outcome.km.supDifference,
          hrMeanCiOverlap: audit.fidelity.outcome.meanCiOverlap,
        }
      : null,
    privacy: {
      leaking: audit.privacy.leaking,
      flagged: audit.privacy.flags.filter((f) => f.leaking).map((f) => f.metric),
      exactMatchRate: audit.privacy.exactMatchRate,
      dcrRatio: h?.dcrRatio ?? null,
      shareCloserToTraining: h?.shareCloserToTraining ?? null,
      membershipAuc: h?.membershipAuc ?? null,
      epsilon: audit.privacy.differentialPrivacy.epsilon,
    },
    replication: r
      ? {
          decisionAgreement: r.decisionAgreement,
          estimateAgreement: r.estimateAgreement,
          standardizedDifference: r.standardizedDifference.statistic,
          ciOverlap: r.ciOverlap,
        }
      : null,
    screening: {
      outOfSupport: audit.screening.outOfSupport.records,
      removed: audit.screening.removed,
      flaggedRates: [...audit.screening.rareCategories, ...audit.screening.tails].filter(
        (c) => c.flagged,
      ).length,
    },
  };
}

export type { AuditData } from './data.js';
