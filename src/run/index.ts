/**
 * `ecasim run` as a library function: protocol → (model, treated arm) → virtual control arm →
 * analyses → results, synthetic data, dossier and manifest, returned as file contents. Writing
 * them (atomically) is the caller's job, so a failure anywhere leaves nothing behind.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { AnalysisError, InputError } from './errors.js';
import { csvField } from './io/csv.js';
import { problemAt } from './io/document.js';
import { sha256 } from './io/output.js';
import { softwareVersions } from './package-info.js';
import { loadModel, type CovariateModel } from './model/load.js';
import { isCategoricalKind, levelsOf } from './model/network.js';
import type { VariableInfo } from './protocol/expressions.js';
import { compileAt, loadProtocol, type LoadedProtocol } from './protocol/load.js';
import { loadTreated, type TreatedArm } from './protocol/treated.js';
import { createStream } from './random/index.js';
import { renderDossier, type ReproInfo } from './report/dossier.js';
import {
  MANIFEST_SCHEMA,
  RESULTS_SCHEMA,
  roundDeep,
  toJsonText,
  type ArmResult,
  type FileRecord,
  type Manifest,
  type Results,
  type Warning,
} from './results.js';
import { applyCensoring } from './simulate/censoring.js';
import type { Cohort } from './simulate/columns.js';
import {
  drawEligible,
  firstFailed,
  UnreachableTargetError,
  type Criterion,
} from './simulate/eligibility.js';
import { fitCox } from './stats/cox.js';
import { StatsError } from './stats/errors.js';
import { kaplanMeier, nRiskAt, type KaplanMeierFit } from './stats/km.js';
import { logRank } from './stats/logrank.js';

/** Everything a run needs, loaded and checked, before any patient is drawn. */
export interface PreparedRun {
  readonly loaded: LoadedProtocol;
  readonly model: CovariateModel;
  readonly treated: TreatedArm;
  readonly criteria: readonly Criterion[];
  readonly controlSize: number;
  readonly outcomeLabel: string;
}

/** Labels of the arms in tables, charts and CSV output. */
export const ARM_LABELS = { treated: 'Treated', control: 'Synthetic control' } as const;

/** Result fields a success criterion may name. */
const RESULT_FIELDS = [
  'primary.estimate',
  'primary.lower',
  'primary.upper',
  'primary.se',
  'primary.p',
  'primary.hr',
  'primary.logHr',
  'logrank.statistic',
  'logrank.p',
] as const;

/** The variables expressions over patients may read: the model's baseline (non-outcome) variables. */
export function patientScope(model: CovariateModel): Record<string, VariableInfo> {
  const scope: Record<string, VariableInfo> = {};
  for (const name of model.names) {
    if (model.outcomes.includes(name)) continue;
    const v = model.variables.get(name)!;
    scope[name] = isCategoricalKind(v)
      ? { type: 'text', levels: levelsOf(v)! }
      : { type: 'number' };
  }
  return scope;
}

/** Loads and checks every input of a protocol: what `ecasim validate` reports on. */
export function prepareRun(protocolFile: string): PreparedRun {
  const loaded = loadProtocol(protocolFile);
  const { protocol, doc } = loaded;
  const model = loadModel(loaded.shownPaths.model);
  const outcome = model.variables.get(protocol.outcome);
  if (outcome === undefined || outcome.kind !== 'time-to-event') {
    const tte = model.names.filter((n) => model.variables.get(n)!.kind === 'time-to-event');
    throw problemAt(
      doc,
      ['outcome'],
      outcome === undefined
        ? `outcome "${protocol.outcome}" is not a variable of the covariate model`
        : `outcome "${protocol.outcome}" is a ${outcome.kind} variable; this version analyses time-to-event outcomes`,
      {
        expected: tte.length
          ? `a time-to-event variable: ${tte.join(', ')}`
          : 'a time-to-event variable (the model has none)',
        actual: protocol.outcome,
      },
    );
  }
  const treated = loadTreated(loaded.paths.treated, loaded.shownPaths.treated, protocol, model);
  const scope = patientScope(model);
  const criteria = protocol.eligibility.map((c, k) => ({
    name: c.name,
    expression: compileAt(
      doc,
      ['eligibility', k, 'expression'],
      c.expression,
      scope,
      `eligibility criterion "${c.name}"`,
    ),
  }));
  for (const [k, c] of criteria.entries()) {
    if (c.expression.type !== 'boolean') {
      throw problemAt(
        doc,
        ['eligibility', k, 'expression'],
        `eligibility criterion "${c.name}" must be a condition (true/false)`,
        {
          expected: 'a comparison such as age >= 18',
          actual: protocol.eligibility[k]!.expression,
        },
      );
    }
  }
  compileSuccessCriterion(loaded);
  const controlSize =
    protocol.control.size ?? Math.round(protocol.control.ratio! * treated.time.length);
  if (controlSize < 1) {
    throw problemAt(doc, ['control', 'ratio'], 'control.ratio gives an empty control arm', {
      expected: `a ratio of at least ${(1 / treated.time.length).toPrecision(2)}`,
    });
  }
  return {
    loaded,
    model,
    treated,
    criteria,
    controlSize,
    outcomeLabel: outcome.label ?? protocol.outcome,
  };
}

function compileSuccessCriterion(loaded: LoadedProtocol) {
  const scope = Object.fromEntries(RESULT_FIELDS.map((f) => [f, { type: 'number' as const }]));
  const e = compileAt(
    loaded.doc,
    ['successCriterion'],
    loaded.protocol.successCriterion,
    scope,
    'success criterion',
  );
  if (e.type !== 'boolean') {
    throw problemAt(
      loaded.doc,
      ['successCriterion'],
      'the success criterion must be a condition (true/false)',
      {
        expected: 'e.g. primary.upper < 1',
        actual: loaded.protocol.successCriterion,
      },
    );
  }
  return e;
}

export interface RunOptions {
  protocolFile: string;
  /** Overrides the protocol's seed. */
  seed?: number;
  /** The command line as the user would re-type it (recorded in the manifest and dossier). */
  command: string;
  /** SOURCE_DATE_EPOCH, when set: the only timestamp a run shows. */
  sourceDateEpoch?: string;
  /** The output directory, so the manifest can find the protocol from it. */
  outDir?: string;
}

export interface RunOutput {
  results: Results;
  manifest: Manifest;
  /** Output files by name, in the order they should be written. */
  files: { name: string; content: string }[];
}

/** Rethrows a statistics failure in the user's terms. */
function inAnalysis<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof StatsError)
      throw new AnalysisError(`cannot compute ${what}: ${err.message}`);
    throw err;
  }
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** A "nice" step for the number-at-risk table: about six columns. */
function atRiskStep(maxTime: number): number {
  const candidates = [1, 2, 3, 6, 12, 24, 36, 60, 120, 180, 365, 730];
  return candidates.find((c) => maxTime / c <= 8) ?? Math.ceil(maxTime / 8);
}

function armResult(label: string, fit: KaplanMeierFit, times: number[]): ArmResult {
  let events = 0;
  for (const e of fit.nEvent) events += e;
  return {
    label,
    n: fit.n,
    events,
    median: fit.median,
    atRisk: { time: times, nRisk: Array.from(nRiskAt(fit, times)) },
    km: {
      confType: fit.confType,
      confLevel: fit.confLevel,
      time: Array.from(fit.time),
      nRisk: Array.from(fit.nRisk),
      nEvent: Array.from(fit.nEvent),
      surv: Array.from(fit.surv),
      lower: Array.from(fit.lower, finiteOrNull),
      upper: Array.from(fit.upper, finiteOrNull),
    },
  };
}

/** Output numbers: 10 significant digits, the same text on every platform. */
function num(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(10))) : 'NA';
}

/** The virtual control arm as CSV: id, baseline variables, time and event (model time unit). */
export function syntheticControlCsv(
  model: CovariateModel,
  cohort: Cohort,
  time: Float64Array,
  event: Uint8Array,
): string {
  const names = model.names.filter((n) => !model.outcomes.includes(n));
  const lines = [['id', ...names, 'time', 'event'].map(csvField).join(',')];
  const width = String(cohort.n).length;
  for (let i = 0; i < cohort.n; i++) {
    const row = [`SC-${String(i + 1).padStart(width, '0')}`];
    for (const name of names) {
      const c = cohort.columns.get(name)!;
      row.push(c.kind === 'numeric' ? num(c.values[i]!) : csvField(c.levels[c.codes[i]!]!));
    }
    row.push(num(time[i]!), String(event[i]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Runs a protocol end to end; returns the output files without writing them. */
export async function runProtocol(options: RunOptions): Promise<RunOutput> {
  const prepared = prepareRun(options.protocolFile);
  const { loaded, model, treated, criteria, controlSize } = prepared;
  const { protocol, doc } = loaded;
  const seed = options.seed ?? protocol.control.seed;
  const warnings: Warning[] = [];

  // Replicate 0 of the seed: substream 0 draws patients, substream 1 their censoring.
  const substream = [0];
  const replicate = createStream(seed, ...substream);
  let drawn;
  try {
    drawn = drawEligible(
      model,
      criteria,
      controlSize,
      replicate.substream(0),
      protocol.control.maxDraws,
    );
  } catch (err) {
    if (!(err instanceof UnreachableTargetError)) throw err;
    const a = err.attrition;
    const byCriterion = criteria.map((c, k) => `"${c.name}" excluded ${a.excluded[k]}`).join(', ');
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
  const { cohort, attrition } = drawn;
  const latent = (cohort.columns.get(protocol.outcome) as { values: Float64Array }).values;
  const fu = protocol.followUp;
  const censored = inAnalysis('the censoring of the control arm', () =>
    applyCensoring(
      latent,
      {
        accrual: { duration: fu.accrual, shape: 'uniform' },
        studyDuration: fu.studyDuration,
        dropoutRate: fu.dropoutRate,
      },
      replicate.substream(1),
    ),
  );

  // Treated patients outside the criteria are worth a warning: the arms should be comparable.
  const present = criteria.filter((c) =>
    c.expression.variables.every((v) => treated.covariates.columns.has(v)),
  );
  if (present.length > 0) {
    const failed = firstFailed(treated.covariates, present);
    present.forEach((c, k) => {
      const count = failed.reduce((s, f) => s + (f === k ? 1 : 0), 0);
      if (count > 0) {
        warnings.push({
          code: 'treated-ineligible',
          source: 'arms.treated',
          message: `${count} treated patient(s) do not meet the eligibility criterion "${c.name}" applied to the synthetic control arm`,
        });
      }
    });
  }

  // Both arms stacked: treated first (group 1), then control (group 0).
  const nT = treated.time.length;
  const nC = cohort.n;
  const time = new Float64Array(nT + nC);
  const status = new Float64Array(nT + nC);
  const group = new Float64Array(nT + nC);
  time.set(treated.time);
  time.set(censored.time, nT);
  for (let i = 0; i < nT; i++) [status[i], group[i]] = [treated.event[i]!, 1];
  for (let i = 0; i < nC; i++) status[nT + i] = censored.event[i]!;

  const kmT = inAnalysis('the Kaplan–Meier estimate of the treated arm', () =>
    kaplanMeier(treated.time, treated.event),
  );
  const kmC = inAnalysis('the Kaplan–Meier estimate of the control arm', () =>
    kaplanMeier(censored.time, censored.event),
  );
  const lr = inAnalysis('the log-rank test', () => logRank(time, status, group));
  const cox = inAnalysis('the Cox model for the primary analysis', () =>
    fitCox({ time, status, x: [group], names: ['treated'] }, { ties: 'efron' }),
  );
  // Undefined log-scale limits where a curve reaches 0 are routine (R prints NA); the table shows "—".
  const routine = new Set(['ci-undefined']);
  for (const [fit, source] of [
    [kmT, 'arms.treated'],
    [kmC, 'arms.control'],
  ] as const) {
    for (const w of fit.warnings) if (!routine.has(w.code)) warnings.push({ ...w, source });
  }
  for (const w of cox.warnings) warnings.push({ ...w, source: 'primary' });
  const logHr = cox.coef[0]!;
  if (!Number.isFinite(logHr) || !Number.isFinite(cox.se[0]!)) {
    throw new AnalysisError('the primary Cox model gave no finite hazard ratio', {
      hint: 'check that both arms have events',
    });
  }

  const maxTime = Math.max(kmT.time[kmT.time.length - 1]!, kmC.time[kmC.time.length - 1]!);
  const step = atRiskStep(maxTime);
  const atRiskTimes: number[] = [];
  for (let t = 0; t <= maxTime; t += step) atRiskTimes.push(t);

  const primary = {
    measure: 'hazard-ratio' as const,
    method: 'cox-unadjusted',
    ties: cox.ties,
    variance: cox.variance,
    confLevel: cox.confLevel,
    estimate: cox.hr[0]!,
    lower: cox.lower[0]!,
    upper: cox.upper[0]!,
    se: cox.se[0]!,
    p: cox.p[0]!,
    df: null,
    hr: cox.hr[0]!,
    logHr,
    iterations: cox.iterations,
  };
  const logrank = { statistic: lr.statistic, df: lr.df, p: lr.p, method: lr.method };
  const successExpr = compileSuccessCriterion(loaded);
  const rounded = roundDeep({ primary, logrank });
  const lookup: Record<string, number> = {
    'primary.estimate': rounded.primary.estimate,
    'primary.lower': rounded.primary.lower,
    'primary.upper': rounded.primary.upper,
    'primary.se': rounded.primary.se,
    'primary.p': rounded.primary.p,
    'primary.hr': rounded.primary.hr,
    'primary.logHr': rounded.primary.logHr,
    'logrank.statistic': rounded.logrank.statistic,
    'logrank.p': rounded.logrank.p,
  };
  const met = successExpr.evaluate((name) => lookup[name]!, 0) === true;

  let remaining = attrition.drawn;
  const prov = model.model.provenance;
  const results: Results = roundDeep({
    schema: RESULTS_SCHEMA,
    protocol: {
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
    },
    outcome: { variable: protocol.outcome, label: prepared.outcomeLabel, timeUnit: model.timeUnit },
    seed,
    control: {
      mode: protocol.control.mode,
      size: controlSize,
      replicates: 1,
      substream,
      eligibility: protocol.eligibility.map((c) => ({ name: c.name, expression: c.expression })),
      followUp: {
        accrual: fu.accrual,
        studyDuration: fu.studyDuration,
        dropoutRate: fu.dropoutRate,
        timeUnit: model.timeUnit,
      },
    },
    attrition: {
      drawn: attrition.drawn,
      steps: criteria.map((c, k) => {
        remaining -= attrition.excluded[k]!;
        return {
          criterion: c.name,
          expression: protocol.eligibility[k]!.expression,
          excluded: attrition.excluded[k]!,
          remaining,
        };
      }),
      accepted: attrition.accepted,
      acceptanceRate: attrition.acceptanceRate,
    },
    model: {
      registry: prov.registry,
      extractDate: prov.extractDate ?? null,
      population: prov.population ?? null,
      n: prov.n ?? null,
      derivation: prov.derivation.method,
    },
    arms: {
      treated: armResult(ARM_LABELS.treated, kmT, atRiskTimes),
      control: armResult(ARM_LABELS.control, kmC, atRiskTimes),
    },
    logrank,
    primary,
    successCriterion: { expression: protocol.successCriterion, met },
    warnings,
  } satisfies Results);

  const resultsJson = toJsonText(results);
  const csv = syntheticControlCsv(model, cohort, censored.time, censored.event);
  const versions = softwareVersions();
  const inputs: FileRecord[] = [
    { role: 'protocol', path: doc.file, sha256: sha256(doc.source) },
    { role: 'covariate model', path: loaded.shownPaths.model, sha256: sha256(model.doc.source) },
    {
      role: 'treated dataset',
      path: loaded.shownPaths.treated,
      sha256: sha256(readFileSync(loaded.paths.treated)),
    },
  ];
  const resultsDigest = sha256(resultsJson);
  const outputsBeforeDossier: FileRecord[] = [
    { role: 'results', path: 'results.json', sha256: resultsDigest },
    { role: 'synthetic control arm', path: 'synthetic-control.csv', sha256: sha256(csv) },
  ];
  const createdAt = parseEpoch(options.sourceDateEpoch);
  const repro: ReproInfo = {
    command: options.command,
    ecasim: versions.ecasim,
    software: [
      { name: 'ecasim', version: versions.ecasim },
      ...Object.entries(versions.dependencies).map(([name, version]) => ({ name, version })),
    ],
    inputs,
    outputs: outputsBeforeDossier,
    resultsDigest,
    ...(createdAt ? { createdAt } : {}),
  };
  const dossier = await renderDossier(results, repro);
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    command: options.command,
    run: {
      protocol: options.protocolFile,
      protocolFromOutput:
        options.outDir === undefined
          ? null
          : relative(resolve(options.outDir), resolve(options.protocolFile)),
      seedOverride: options.seed ?? null,
      sourceDateEpoch: options.sourceDateEpoch ?? null,
    },
    ecasim: versions.ecasim,
    node: process.version,
    dependencies: versions.dependencies,
    seed,
    ...(createdAt ? { createdAt } : {}),
    inputs,
    outputs: [
      ...outputsBeforeDossier,
      { role: 'dossier', path: 'dossier.html', sha256: sha256(dossier) },
    ],
    resultsDigest,
  };
  return {
    results,
    manifest,
    files: [
      { name: 'results.json', content: resultsJson },
      { name: 'synthetic-control.csv', content: csv },
      { name: 'dossier.html', content: dossier },
      { name: 'manifest.json', content: toJsonText(manifest) },
    ],
  };
}

function parseEpoch(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const s = Number(value);
  if (!Number.isInteger(s) || s < 0) {
    throw new InputError(
      `SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, found "${value}"`,
      {
        field: 'SOURCE_DATE_EPOCH',
        hint: 'unset it, or set it to e.g. the commit time: git log -1 --format=%ct',
      },
    );
  }
  return new Date(s * 1000).toISOString();
}
