/**
 * The simulation behind `ecasim design`: the scenarios of a design, and one simulated trial of
 * each. A trial draws a registry extract of n patients from the truth (with the scenario's drift),
 * re-fits it as `ecasim fit` does (posterior mode: uses the protocol's model as it is, and draws
 * the trial's population from its posterior), draws the single-arm trial with the scenario's
 * true effect, and
 * runs the protocol's pre-specified analyses against m synthetic arms exactly as `ecasim run`
 * does (prepareRunInMemory, runReplicate, combineAnalyses), without the dossier, CSV or audit.
 *
 * Streams (the design's seed), for trial t — the same in every scenario, so scenarios differ only
 * in what they are meant to differ in (common random numbers; Morris, White & Crowther 2019):
 *  - (seed, 0, t): the registry extract (sampling substream 0, censoring 1);
 *  - (seed, 1, t): the treated arm (patients 0, censoring 1; posterior mode: the trial's
 *    population, a draw of the model's parameters, 2);
 *  - (seed, 2, t): the run seed of the m synthetic replicates;
 *  - (seed, 3, k): the large trial that gives the marginal estimands of the k-th effect.
 * A trial depends only on the design, its inputs and t: never on the shard that runs it.
 */
import { parse, stringify } from 'yaml';
import { problemAt, valueAt } from '../io/document.js';
import { throwCollected, type EcasimError } from '../errors.js';
import { fitModel } from '../model/fit.js';
import { loadFitSpec, type LoadedFitSpec } from '../model/fit-spec.js';
import { loadModel, type CovariateModel } from '../model/load.js';
import { endpointOfKind, type Endpoint } from '../model/network.js';
import { loadProtocol, type LoadedProtocol } from '../protocol/load.js';
import type { TreatedArm } from '../protocol/treated.js';
import { createStream, type RandomSource } from '../random/index.js';
import { drawParameters } from '../simulate/uncertainty.js';
import type { CombinedAnalysis } from '../results.js';
import { combineAnalyses, combineBalance } from '../run/combine.js';
import { successMet } from '../run/compute.js';
import { prepareRunInMemory, protocolFromText } from '../run/prepare-memory.js';
import type { PreparedRun } from '../run/prepare.js';
import { runReplicate } from '../run/replicate.js';
import type { LoadedDesign } from './spec.js';
import {
  drawRegistry,
  drawTreated,
  levelMismatch,
  marginalEstimands,
  rmstTauOf,
  withCovariateShift,
  treatedDesignOf,
  withMissingValues,
  type MarginalEstimand,
  type MissingDesign,
  type RegistryDesign,
  type TreatedDesign,
} from './truth.js';

/** Stream roots below the design's seed (see the module comment). */
export const DESIGN_STREAMS = { registry: 0, treated: 1, run: 2, estimands: 3 } as const;

export type { Endpoint } from '../model/network.js';

/** One point of the grid. */
export interface Scenario {
  /** e.g. `hr0.7-treated120-control360-m10-registry300-drift1`. */
  readonly id: string;
  /** The true conditional effect: HR, OR, or mean shift. */
  readonly effect: number;
  readonly treatedN: number;
  /** Patients in each synthetic arm (twin mode: one twin per treated patient). */
  readonly controlSize: number;
  readonly replicates: number;
  /** Patients in each re-fitted registry; null in posterior mode (no registry). */
  readonly registryN: number | null;
  readonly drift: {
    readonly hazardRatio: number;
    /** A shift of a continuous covariate's mean in the external population, if the design names one. */
    readonly covariate: { readonly name: string; readonly shift: number } | null;
  };
  /**
   * Accrual and follow-up of the trial and its synthetic arms when the design varies them; null:
   * the protocol's.
   */
  readonly followUp: FollowUp | null;
  /** Missing values in one covariate of the treated arm, when the design names them. */
  readonly missing: MissingDesign | null;
  /** An unmeasured confounder, when the design names one. */
  readonly confounder: {
    readonly hazardRatio: number;
    readonly trialPrevalence: number;
    readonly externalPrevalence: number;
  } | null;
}

/** A scenario's accrual, study duration and dropout (the protocol's `followUp` fields). */
export interface FollowUp {
  readonly accrual: number;
  readonly studyDuration: number;
  readonly dropoutRate: number;
}

/** Everything a process loads once to run any trial of a design. */
export interface DesignContext {
  readonly design: LoadedDesign;
  readonly protocol: LoadedProtocol;
  readonly truth: CovariateModel;
  /** The registry's fit spec; null in posterior mode. */
  readonly fitSpec: LoadedFitSpec | null;
  readonly treated: TreatedDesign;
  readonly endpoint: Endpoint;
  /** The effect that means none: 1 for a ratio, 0 for a mean shift. */
  readonly none: number;
  readonly registry: RegistryDesign | null;
  readonly scenarios: readonly Scenario[];
  /** The analyses of the plan (primary first), as results name them. */
  readonly analyses: readonly { key: string; name: string; method: string }[];
  readonly alpha: number;
  /** The protocol as each scenario runs it (key: `variantKey`). */
  readonly variants: ReadonlyMap<string, LoadedProtocol>;
}

const EFFECT_PREFIX: Record<Endpoint, string> = {
  'time-to-event': 'hr',
  binary: 'or',
  continuous: 'md',
};

function endpointOf(truth: CovariateModel, outcome: string): Endpoint | null {
  const v = truth.variables.get(outcome);
  return v === undefined ? null : endpointOfKind(v.kind);
}

/**
 * The protocol as a design trial runs it: the scenario's synthetic arm size and m, no PH test (it
 * would run cox.zph in every replicate and feeds no operating characteristic) and no audit.
 */
function protocolVariant(
  loaded: LoadedProtocol,
  size: number | null,
  replicates: number,
  followUp: FollowUp | null,
) {
  const doc = parse(loaded.doc.source) as {
    control: Record<string, unknown>;
    followUp: Record<string, unknown>;
    analysis: { sensitivity?: Record<string, unknown> };
    audit?: unknown;
  };
  doc.control['replicates'] = replicates;
  if (followUp !== null) Object.assign(doc.followUp, followUp);
  if (size !== null) {
    delete doc.control['ratio'];
    doc.control['size'] = size;
  }
  if (doc.analysis.sensitivity) delete doc.analysis.sensitivity['phTest'];
  delete doc.audit;
  return protocolFromText(loaded.doc.file, stringify(doc));
}

/** Which protocol variant a scenario runs: its synthetic arm size, m and follow-up. */
export function variantKey(s: Pick<Scenario, 'controlSize' | 'replicates' | 'followUp'>): string {
  const f = s.followUp;
  return (
    `${s.controlSize}/${s.replicates}` +
    (f === null ? '' : `/${f.accrual}/${f.studyDuration}/${f.dropoutRate}`)
  );
}

/** The follow-up axis's points, or one null (the protocol's) without it. */
function followUps(
  given: LoadedDesign['spec']['scenarios']['followUp'],
  protocolDropout: number,
): (FollowUp | null)[] {
  return given === undefined
    ? [null]
    : given.map((f) => ({
        accrual: f.accrual,
        studyDuration: f.studyDuration,
        dropoutRate: f.dropoutRate ?? protocolDropout,
      }));
}

/** The covariate drift's points, or one null without it. */
function covariateShifts(
  c: LoadedDesign['spec']['scenarios']['drift']['covariate'],
): Scenario['drift']['covariate'][] {
  return c === undefined ? [null] : c.shift.map((shift) => ({ name: c.name, shift }));
}

/** The missing-value axis's points (one per share), or one null without it. */
function missingGrid(c: LoadedDesign['spec']['scenarios']['missing']): Scenario['missing'][] {
  if (c === undefined) return [null];
  return c.share.map((share) => ({
    variable: c.variable,
    share,
    dependsOn: c.dependsOn ?? null,
    oddsRatio: c.oddsRatio ?? 1,
  }));
}

/**
 * What is wrong with `scenarios.missing` against the protocol's treated covariates (`mapped`):
 * its variable and `dependsOn` must be two different mapped covariates, and `oddsRatio` comes
 * with `dependsOn` (and only with it).
 */
function missingProblems(design: LoadedDesign, mapped: readonly string[]): EcasimError[] {
  const m = design.spec.scenarios.missing;
  if (m === undefined) return [];
  const { doc } = design;
  const at = (field: string) => ['scenarios', 'missing', field];
  const out: EcasimError[] = [];
  const expected = `a covariate the protocol maps (inputs.treated.covariates): ${mapped.join(', ')}`;
  if (!mapped.includes(m.variable))
    out.push(
      problemAt(doc, at('variable'), `"${m.variable}" is not a covariate of the treated data`, {
        expected,
        actual: m.variable,
      }),
    );
  if (m.dependsOn !== undefined && (!mapped.includes(m.dependsOn) || m.dependsOn === m.variable))
    out.push(
      problemAt(
        doc,
        at('dependsOn'),
        m.dependsOn === m.variable
          ? 'missingness cannot depend on the missing value itself (that is not missing at random)'
          : `"${m.dependsOn}" is not a covariate of the treated data`,
        { expected: `another ${expected}`, actual: m.dependsOn },
      ),
    );
  if ((m.dependsOn === undefined) !== (m.oddsRatio === undefined))
    out.push(
      problemAt(
        doc,
        at(m.dependsOn === undefined ? 'oddsRatio' : 'dependsOn'),
        m.dependsOn === undefined
          ? 'oddsRatio needs dependsOn: the covariate the odds of a missing value depend on'
          : 'dependsOn needs oddsRatio: how strongly the odds of a missing value depend on it',
        {
          hint: 'give both for missing at random, or neither for missing completely at random',
        },
      ),
    );
  return out;
}

/** The confounder axis's points (the cross product of its lists), or one null without it. */
function confounderGrid(
  c: LoadedDesign['spec']['scenarios']['confounder'],
): Scenario['confounder'][] {
  if (c === undefined) return [null];
  const out: Scenario['confounder'][] = [];
  for (const hazardRatio of c.hazardRatio)
    for (const trialPrevalence of c.trialPrevalence)
      for (const externalPrevalence of c.externalPrevalence)
        out.push({ hazardRatio, trialPrevalence, externalPrevalence });
  return out;
}

/** Loads a design's inputs, checks that they fit together (all problems at once) and lays out its grid. */
export function createDesignContext(design: LoadedDesign): DesignContext {
  const { spec, doc } = design;
  const protocol = loadProtocol(design.paths.protocol);
  const posterior = spec.truth.mode === 'posterior';
  // posterior mode: the protocol's own model is the base of every trial's truth draw
  const truth = loadModel(design.paths.model ?? protocol.paths.model);
  const fitSpec = design.paths.fit === null ? null : loadFitSpec(design.paths.fit);
  const p = protocol.protocol;
  const problems: EcasimError[] = [];
  const endpoint = endpointOf(truth, p.outcome);
  if (endpoint === null) {
    throw problemAt(
      doc,
      ['truth', 'model'],
      `the truth model has no endpoint "${p.outcome}" (the protocol's outcome)`,
      {
        expected: 'a time-to-event, binary or continuous endpoint of that name',
        actual: truth.variables.get(p.outcome)?.kind ?? 'no such variable',
        hint: "use the truth model the protocol's covariate model was fitted from",
      },
    );
  }
  const mismatch = fitSpec === null ? null : levelMismatch(truth, fitSpec);
  if (mismatch !== null)
    problems.push(
      problemAt(doc, ['truth', 'fit'], `the fit spec and the truth model disagree: ${mismatch}`),
    );
  const tte = endpoint === 'time-to-event';
  if (tte && !posterior && spec.truth.registry === undefined) {
    problems.push(
      problemAt(
        doc,
        ['truth'],
        'a time-to-event outcome needs truth.registry: how each registry extract is censored',
        {
          expected: 'truth.registry with accrual, studyDuration and dropoutRate',
          hint: 'describe the registry the covariate model was fitted from (its accrual, cut and loss to follow-up)',
        },
        true,
      ),
    );
  }
  if (!tte) {
    spec.scenarios.drift.hazardRatio.forEach((hr, k) => {
      if (hr !== 1)
        problems.push(
          problemAt(
            doc,
            ['scenarios', 'drift', 'hazardRatio', k],
            `a hazard-ratio drift needs a time-to-event outcome; ${p.outcome} is ${endpoint}`,
            {
              expected: '1',
              actual: String(hr),
            },
          ),
        );
    });
  }
  if (!tte && spec.scenarios.confounder !== undefined) {
    problems.push(
      problemAt(
        doc,
        ['scenarios', 'confounder'],
        `an unmeasured confounder needs a time-to-event outcome; ${p.outcome} is ${endpoint}`,
        { hint: 'remove scenarios.confounder' },
        true,
      ),
    );
  }
  const rmstTau = rmstTauOf(protocol);
  spec.scenarios.followUp?.forEach((f, k) => {
    const at = [
      'scenarios',
      'followUp',
      ...(Array.isArray(valueAt(doc.data, ['scenarios', 'followUp'])) ? [k] : []),
    ];
    if (!tte)
      problems.push(
        problemAt(
          doc,
          at,
          `a follow-up axis needs a time-to-event outcome; ${p.outcome} is ${endpoint}`,
          {
            hint: 'remove scenarios.followUp',
          },
        ),
      );
    else if (!(f.studyDuration > f.accrual))
      problems.push(
        problemAt(doc, [...at, 'studyDuration'], 'the study must last longer than its accrual', {
          expected: `a studyDuration above the accrual (${f.accrual})`,
          actual: String(f.studyDuration),
        }),
      );
    else if (rmstTau !== undefined && !(rmstTau < f.studyDuration))
      problems.push(
        problemAt(
          doc,
          [...at, 'studyDuration'],
          `the protocol's RMST analysis restricts to τ = ${rmstTau}, beyond this follow-up: no patient is followed that long`,
          {
            expected: `a studyDuration above ${rmstTau}`,
            actual: String(f.studyDuration),
            hint: 'follow the trial for longer, or give the RMST analysis a smaller tau',
          },
        ),
      );
    else if (p.followUp?.accrualPattern?.breaks.some((b) => b >= f.accrual))
      problems.push(
        problemAt(
          doc,
          [...at, 'accrual'],
          "the protocol's accrualPattern has a break at or after this accrual period's end",
          {
            expected: `an accrual above ${Math.max(...p.followUp!.accrualPattern!.breaks)} (the last break of followUp.accrualPattern)`,
            actual: String(f.accrual),
          },
        ),
      );
  });
  const cov = spec.scenarios.drift.covariate;
  if (cov !== undefined && truth.variables.get(cov.name)?.kind !== 'continuous') {
    problems.push(
      problemAt(
        doc,
        ['scenarios', 'drift', 'covariate', 'name'],
        `"${cov.name}" is not a continuous covariate of the truth model`,
        {
          expected: `one of ${
            [...truth.variables]
              .filter(([, v]) => v.kind === 'continuous')
              .map(([n]) => n)
              .join(', ') || '(none)'
          }`,
          actual: cov.name,
        },
      ),
    );
  }
  problems.push(...missingProblems(design, Object.keys(p.inputs.treated.covariates)));
  const none = endpoint === 'continuous' ? 0 : 1;
  if (endpoint !== 'continuous') {
    spec.scenarios.effect.forEach((e, k) => {
      if (!(e > 0))
        problems.push(
          problemAt(
            doc,
            ['scenarios', 'effect', k],
            `a ${endpoint === 'binary' ? 'odds' : 'hazard'} ratio must be > 0, found ${e}`,
            {
              expected: 'a number > 0',
              actual: String(e),
            },
          ),
        );
    });
  }
  const twin = p.control.mode === 'twin';
  if (twin && spec.scenarios.controlRatio !== undefined) {
    problems.push(
      problemAt(
        doc,
        ['scenarios', 'controlRatio'],
        'the protocol is in twin mode: its synthetic arm has one twin per treated patient, no ratio',
        {
          hint: 'remove scenarios.controlRatio',
        },
      ),
    );
  }
  throwCollected(problems);
  const treated = treatedDesignOf(protocol, truth);
  const ratios: (number | null)[] = twin
    ? [null]
    : (spec.scenarios.controlRatio ?? [p.control.ratio ?? null]);
  const scenarios: Scenario[] = [];
  const variants = new Map<string, LoadedProtocol>();
  const prefix = EFFECT_PREFIX[endpoint];
  for (const effect of spec.scenarios.effect)
    for (const treatedN of spec.scenarios.treatedN)
      for (const ratio of ratios)
        for (const m of spec.scenarios.replicates ?? [p.control.replicates])
          for (const registryN of spec.scenarios.registryN ?? [null])
            for (const hr of spec.scenarios.drift.hazardRatio)
              for (const cov of covariateShifts(spec.scenarios.drift.covariate))
                for (const u of confounderGrid(spec.scenarios.confounder))
                  for (const miss of missingGrid(spec.scenarios.missing))
                    for (const fu of followUps(
                      spec.scenarios.followUp,
                      p.followUp?.dropoutRate ?? 0,
                    )) {
                      const controlSize = twin
                        ? treatedN
                        : ratio !== null
                          ? Math.max(1, Math.round(ratio * treatedN))
                          : p.control.size!;
                      const scenario: Scenario = {
                        id:
                          `${prefix}${effect}-treated${treatedN}-control${controlSize}-m${m}-` +
                          (registryN === null ? 'posterior' : `registry${registryN}-drift${hr}`) +
                          (cov === null
                            ? ''
                            : `-${cov.name}${cov.shift < 0 ? '' : '+'}${cov.shift}`) +
                          (u === null
                            ? ''
                            : `-u${u.hazardRatio}-p${u.trialPrevalence}v${u.externalPrevalence}`) +
                          (fu === null
                            ? ''
                            : `-accrual${fu.accrual}-duration${fu.studyDuration}` +
                              (spec.scenarios.followUp!.some((f) => f.dropoutRate !== undefined)
                                ? `-dropout${fu.dropoutRate}`
                                : '')) +
                          (miss === null ? '' : `-missing-${miss.variable}${miss.share}`),
                        effect,
                        treatedN,
                        controlSize,
                        replicates: m,
                        registryN,
                        drift: { hazardRatio: hr, covariate: cov },
                        followUp: fu,
                        missing: miss,
                        confounder: u,
                      };
                      const key = variantKey(scenario);
                      if (!variants.has(key))
                        variants.set(
                          key,
                          protocolVariant(protocol, twin ? null : controlSize, m, fu),
                        );
                      scenarios.push(scenario);
                    }
  const ids = new Set(scenarios.map((s) => s.id));
  if (ids.size < scenarios.length) {
    throw problemAt(
      doc,
      ['scenarios'],
      'the grid repeats a scenario (a value appears twice on an axis)',
      {
        hint: 'list each value of an axis once',
      },
    );
  }
  return {
    design,
    protocol,
    truth,
    fitSpec,
    treated,
    endpoint,
    none,
    registry: spec.truth.registry ?? null,
    scenarios,
    analyses: [
      { key: 'primary', name: 'Primary', method: p.analysis.primary.method },
      ...p.analysis.secondary.map((a, k) => ({
        key: `secondary.${k}`,
        name: a.name,
        method: a.method,
      })),
    ],
    alpha: p.analysis.alpha,
    variants,
  };
}

/** One analysis of one scenario in one trial, combined over its m replicates. */
export interface TrialAnalysis {
  /** On the combining scale (log HR, log RR, log OR; RMST, risk or mean difference). */
  readonly q: number;
  readonly se: number;
  /** The interval on the reporting scale (HR, not log HR). */
  readonly lower: number;
  readonly upper: number;
  readonly p: number;
}

/** One scenario in one trial. */
export interface TrialRecord {
  readonly trial: number;
  readonly scenario: string;
  /** By analysis key; null where a secondary analysis could not be carried out in a replicate. */
  readonly analyses?: Readonly<Record<string, TrialAnalysis | null>>;
  /** The protocol's success criterion, evaluated on the combined primary analysis. */
  readonly success?: boolean;
  /** Why the trial failed in this scenario (it is then left out of every measure). */
  readonly error?: string;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function analysisOf(c: CombinedAnalysis): TrialAnalysis {
  return { q: c.logEstimate, se: c.se, lower: c.lower, upper: c.upper, p: c.p };
}

/** Runs `prepared`'s m replicates and combines them as `ecasim run` does. */
function runScenario(
  ctx: DesignContext,
  prepared: PreparedRun,
  runSeed: number,
  m: number,
): Pick<TrialRecord, 'analyses' | 'success'> {
  const needsBalance = prepared.successCriterion.variables.includes('balance.maxAbsSmd');
  const replicates = Array.from({ length: m }, (_, r) =>
    runReplicate(prepared, runSeed, r, { estimatesOnly: !needsBalance }),
  );
  const combined = combineAnalyses(prepared, replicates, 1 - ctx.alpha, []);
  const analyses: Record<string, TrialAnalysis | null> = {};
  for (const a of ctx.analyses) {
    const c = combined.find((x) => x.key === a.key);
    analyses[a.key] = c === undefined ? null : analysisOf(c);
  }
  const primarySpec = prepared.analyses[0]!.spec;
  const balance = combineBalance(
    replicates,
    primarySpec.method === 'cox-iptw',
    primarySpec.weighting.estimand,
  );
  return { analyses, success: successMet(prepared, combined[0]!, balance) };
}

/**
 * Trial t of every scenario: one registry draw and fit per (registry size, drift), one treated
 * arm per (effect, treated size), m replicates per scenario. A failure is recorded against the
 * scenarios it touches; it never stops the design.
 */
export function runDesignTrial(ctx: DesignContext, t: number): TrialRecord[] {
  const { seed } = ctx.design.spec;
  const fits = new Map<string, CovariateModel | Error>();
  const arms = new Map<string, TreatedArm | Error>();
  const runSeed = createStream(seed, DESIGN_STREAMS.run, t).uint32();
  const treatedStream = (): RandomSource => createStream(seed, DESIGN_STREAMS.treated, t);
  // posterior mode: this trial's population, one draw from the model's posterior
  const population =
    ctx.fitSpec === null
      ? drawParameters(ctx.truth, treatedStream().substream(2)).model
      : ctx.truth;
  return ctx.scenarios.map((s) => {
    const u = s.confounder;
    const cov = s.drift.covariate;
    const regKey = `${s.registryN}/${s.drift.hazardRatio}/${cov?.name}/${cov?.shift}/${u?.hazardRatio}/${u?.externalPrevalence}`;
    if (!fits.has(regKey)) fits.set(regKey, syntheticModel(ctx, s, t));
    const fu = s.followUp;
    const armKey = `${s.effect}/${s.treatedN}/${u?.hazardRatio}/${u?.trialPrevalence}/${fu?.accrual}/${fu?.studyDuration}/${fu?.dropoutRate}`;
    if (!arms.has(armKey)) {
      try {
        const c =
          u === null ? undefined : { hazardRatio: u.hazardRatio, prevalence: u.trialPrevalence };
        arms.set(
          armKey,
          drawTreated(population, treatedDesign(ctx, s), s.treatedN, s.effect, treatedStream(), c),
        );
      } catch (err) {
        arms.set(armKey, new Error(`treated arm: ${message(err)}`));
      }
    }
    const miss = s.missing;
    const maskedKey = `${armKey}/${miss?.share}`;
    if (miss !== null && miss.share > 0 && !arms.has(maskedKey)) {
      const complete = arms.get(armKey)!;
      arms.set(
        maskedKey,
        complete instanceof Error
          ? complete
          : withMissingValues(
              complete,
              miss,
              ctx.protocol.protocol.inputs.treated.missing,
              treatedStream().substream(4),
            ),
      );
    }
    const fitted = fits.get(regKey)!;
    const treated = arms.get(miss !== null && miss.share > 0 ? maskedKey : armKey)!;
    if (fitted instanceof Error) return { trial: t, scenario: s.id, error: fitted.message };
    if (treated instanceof Error) return { trial: t, scenario: s.id, error: treated.message };
    try {
      const variant = ctx.variants.get(variantKey(s))!;
      const prepared = prepareRunInMemory(variant, fitted, treated);
      return { trial: t, scenario: s.id, ...runScenario(ctx, prepared, runSeed, s.replicates) };
    } catch (err) {
      return { trial: t, scenario: s.id, error: message(err) };
    }
  });
}

/** How scenario `s` draws its treated arm: the protocol's design with the scenario's follow-up. */
function treatedDesign(ctx: DesignContext, s: Pick<Scenario, 'followUp'>): TreatedDesign {
  return s.followUp === null ? ctx.treated : { ...ctx.treated, followUp: { ...s.followUp } };
}

/**
 * The model trial t's synthetic arms come from: registry mode, a registry of the scenario's size
 * drawn from the truth (with its drift) and re-fitted; posterior mode, the protocol's model.
 */
function syntheticModel(ctx: DesignContext, s: Scenario, t: number): CovariateModel | Error {
  if (ctx.fitSpec === null || s.registryN === null) return ctx.truth;
  try {
    const cov = s.drift.covariate;
    const population =
      cov === null || cov.shift === 0
        ? ctx.truth
        : withCovariateShift(ctx.truth, cov.name, cov.shift);
    const table = drawRegistry(
      population,
      ctx.treated.outcome,
      s.registryN,
      createStream(ctx.design.spec.seed, DESIGN_STREAMS.registry, t),
      ctx.registry,
      {
        hazardRatio: s.drift.hazardRatio,
        ...(s.confounder !== null
          ? {
              confounder: {
                hazardRatio: s.confounder.hazardRatio,
                prevalence: s.confounder.externalPrevalence,
              },
            }
          : {}),
      },
    );
    return fitModel(table, ctx.fitSpec, { software: 'ecasim design' }).loaded;
  } catch (err) {
    return new Error(`registry fit: ${message(err)}`);
  }
}

/** The large-sample value of a marginal estimand under one effect, with its Monte-Carlo SE. */
export interface Target {
  readonly effect: number;
  /** The trial population's unmeasured confounder (its hazard ratio and prevalence), if any. */
  readonly confounder: { readonly hazardRatio: number; readonly prevalence: number } | null;
  /** The scenario's follow-up, when the design varies it (a marginal HR depends on it). */
  readonly followUp: FollowUp | null;
  readonly estimand: MarginalEstimand;
  readonly estimate: number;
  readonly se: number;
}

/** The trial population's confounder of a scenario, as targets name it. */
export function trialConfounder(s: Scenario): Target['confounder'] {
  return s.confounder === null
    ? null
    : { hazardRatio: s.confounder.hazardRatio, prevalence: s.confounder.trialPrevalence };
}

/**
 * The marginal estimands under every effect of the grid that is not "none" (under none every
 * target is 0), in the trial's population (with its confounder, when the design names one) and
 * under each follow-up of the grid (a marginal hazard ratio depends on how long patients are
 * followed): one trial of `estimandN` patients an arm, stream (seed, 3, k) for the k-th effect,
 * and below it substream j for the j-th setting of (confounder, follow-up) when either is given.
 */
export function computeTargets(ctx: DesignContext): Target[] {
  const { seed, estimandN } = ctx.design.spec;
  const settings: Pick<Target, 'confounder' | 'followUp'>[] = [];
  for (const s of ctx.scenarios) {
    const c = { confounder: trialConfounder(s), followUp: s.followUp };
    if (!settings.some((x) => JSON.stringify(x) === JSON.stringify(c))) settings.push(c);
  }
  const out: Target[] = [];
  ctx.design.spec.scenarios.effect.forEach((effect, k) => {
    if (effect === ctx.none) return;
    settings.forEach(({ confounder, followUp }, j) => {
      const stream = createStream(seed, DESIGN_STREAMS.estimands, k);
      const m = marginalEstimands(
        ctx.truth,
        treatedDesign(ctx, { followUp }),
        effect,
        estimandN,
        confounder === null && followUp === null ? stream : stream.substream(j),
        ctx.none,
        confounder ?? undefined,
      );
      for (const [estimand, v] of Object.entries(m))
        out.push({
          effect,
          confounder,
          followUp,
          estimand: estimand as MarginalEstimand,
          estimate: v.estimate,
          se: v.se,
        });
    });
  });
  return out;
}
