/**
 * What a truth model is used for in a simulated trial (the coverage study's and `ecasim
 * design`'s): the registry extract the covariate model is
 * re-fitted from (exactly as examples/{nsclc,als,aml}/make-registry.mjs write registry.csv, but as
 * an in-memory table), the treated arm with a known treatment effect (a hazard ratio, or an odds
 * ratio for a binary endpoint), and the estimands.
 */
import type { CategoricalColumn, Cohort } from '../cohort.js';
import type { Table } from '../io/csv.js';
import type { CovariateModel } from '../model/load.js';
import type { Model } from '../model/schema.js';
import { specLevels, type LoadedFitSpec } from '../model/fit-spec.js';
import { endpointOfKind, levelsOf } from '../model/network.js';
import { compileAt, patientScope, type LoadedProtocol } from '../protocol/load.js';
import { censoringOf } from '../protocol/schema.js';
import {
  MISSING_CODE,
  noMissing,
  withMissingPolicy,
  type TreatedArm,
} from '../protocol/treated.js';
import type { RandomSource } from '../random/index.js';
import { sampleCohort } from '../simulate/ancestral.js';
import { applyCensoring } from '../simulate/censoring.js';
import { drawEligible, type Criterion } from '../simulate/eligibility.js';
import { fitCox } from '../stats/cox.js';
import { meanDifference } from '../stats/continuous.js';
import { rmst } from '../stats/rmst.js';

/** How a registry extract is censored (a time-to-event outcome) and recorded. */
export interface RegistryDesign {
  /** Entry uniform over [0, accrual) months; cut at `studyDuration`; exponential loss to follow-up. */
  readonly accrual: number;
  readonly studyDuration: number;
  readonly dropoutRate: number;
  /** Survival times are recorded to this precision, and at least this (make-registry.mjs: 0.01). */
  readonly timePrecision: number;
  /** Numeric covariates recorded to a precision (examples/als: delay to 0.1 month). */
  readonly precision?: Readonly<Record<string, number>>;
}

/**
 * A registry extract of n patients from `truth` as make-registry.mjs draws one: the cohort from
 * `stream.substream(0)`, every variable but the outcome as text (`String` of numbers, levels of
 * categories). A time-to-event outcome is censored (uniform entry, cut, loss to follow-up, from
 * `substream(1)`) and written as `<outcome>_time` (rounded to the design's precision, at least
 * that) and `<outcome>_event`, after the other columns; a binary endpoint (`design` null: it needs
 * no censoring) is written as its level, in its place among the model's variables, as
 * examples/aml/make-registry.mjs writes it. `options.hazardRatio` (drift; time-to-event only)
 * multiplies every registry patient's outcome hazard, from the same uniforms; `options.confounder`
 * gives each patient an unmeasured U at its prevalence (from `substream(2)`).
 * Complexity O(n · variables).
 *
 * @example
 * drawRegistry(truth, 'os', 3840, createStream(20260630), MAKE_REGISTRY_DESIGN);
 * // the rows of examples/nsclc/registry.csv
 */
export function drawRegistry(
  truth: CovariateModel,
  outcome: string,
  n: number,
  stream: RandomSource,
  design: RegistryDesign | null,
  options: { readonly hazardRatio?: number; readonly confounder?: Confounder } = {},
): Table {
  const drift = options.hazardRatio ?? 1;
  const cohort = sampleCohort(truth, n, stream.substream(0));
  const digitsOf = (precision: number): number => Math.max(0, Math.round(-Math.log10(precision)));
  const text = (name: string, i: number, precision: number | undefined): string => {
    const c = cohort.columns.get(name)!;
    if (c.kind !== 'numeric') return c.levels[c.codes[i]!]!;
    // make-registry.mjs: Math.round(x · 1/precision) / (1/precision), shown with as many decimals.
    if (precision === undefined) return String(c.values[i]);
    const scale = 1 / precision;
    return (Math.round(c.values[i]! * scale) / scale).toFixed(digitsOf(precision));
  };
  const rows: string[][] = [];
  const lines: number[] = [];
  if (design === null) {
    const kind = truth.variables.get(outcome)?.kind;
    if (kind !== 'binary-endpoint' && kind !== 'continuous-endpoint')
      throw new Error(
        `${outcome} needs a censoring design: it is not a binary or continuous endpoint`,
      );
    if (drift !== 1 || (options.confounder !== undefined && options.confounder.hazardRatio !== 1))
      throw new Error(
        `a hazard-ratio drift or confounder needs a time-to-event outcome; ${outcome} is ${kind}`,
      );
    for (let i = 0; i < n; i++) {
      rows.push(truth.names.map((name) => text(name, i, undefined)));
      lines.push(i + 2);
    }
    return { file: '(simulated registry)', header: [...truth.names], rows, lines };
  }
  const drawn = (cohort.columns.get(outcome) as { values: Float64Array }).values;
  // drift: the external population's hazard × HR, from the same uniforms (timeMultiplier)
  const k = drift === 1 ? 1 : timeMultiplier(truth, outcome, drift);
  // an unmeasured confounder at the registry's prevalence (U from substream 2)
  const u = confounderMultipliers(truth, outcome, n, options.confounder, stream.substream(2));
  const latent = k === 1 && u === null ? drawn : drawn.map((t, i) => t * k * (u?.[i] ?? 1));
  const { time, event } = applyCensoring(
    latent,
    {
      accrual: { duration: design.accrual, shape: 'uniform' },
      studyDuration: design.studyDuration,
      dropoutRate: design.dropoutRate,
    },
    stream.substream(1),
  );
  const names = truth.names.filter((name) => name !== outcome);
  const scale = 1 / design.timePrecision;
  const digits = digitsOf(design.timePrecision);
  for (let i = 0; i < n; i++) {
    const row = names.map((name) => text(name, i, design.precision?.[name]));
    row.push(
      Math.max(design.timePrecision, Math.round(time[i]! * scale) / scale).toFixed(digits),
      String(event[i]),
    );
    rows.push(row);
    lines.push(i + 2);
  }
  return {
    file: '(simulated registry)',
    header: [...names, `${outcome}_time`, `${outcome}_event`],
    rows,
    lines,
  };
}

/** What each kind of variable is called in messages. */
const KIND_NAME = {
  'binary-endpoint': 'binary endpoint',
  'continuous-endpoint': 'continuous endpoint',
  continuous: 'continuous covariate',
} as const;

/**
 * `model` with `shift` added to the intercept of `name`, a variable of `kind` (checked further by
 * `check`): the one edit the effect and drift helpers below make to a truth model.
 */
function withShiftedIntercept(
  model: CovariateModel,
  name: string,
  kind: keyof typeof KIND_NAME,
  shift: number,
  check: (v: { bounds?: unknown; round?: boolean }) => void = () => undefined,
): CovariateModel {
  if (!Number.isFinite(shift))
    throw new Error(`the shift of ${name} must be a finite number, found ${shift}`);
  const doc = structuredClone(model.model) as Model;
  const v = doc.variables[name];
  if (v === undefined || v.kind !== kind)
    throw new Error(`${name} is not a ${KIND_NAME[kind]} of the truth model`);
  check(v as { bounds?: unknown; round?: boolean });
  (v as { intercept: number }).intercept += shift;
  return { ...model, model: doc, variables: new Map(Object.entries(doc.variables)) };
}

/**
 * `model` with the log odds of a binary endpoint shifted by log(oddsRatio) for every patient:
 * the conditional odds ratio of a treated patient against a control of the same covariates.
 */
export function withOddsRatio(
  model: CovariateModel,
  outcome: string,
  oddsRatio: number,
): CovariateModel {
  if (!(oddsRatio > 0 && Number.isFinite(oddsRatio)))
    throw new Error(`the odds ratio must be a positive number, found ${oddsRatio}`);
  return withShiftedIntercept(model, outcome, 'binary-endpoint', Math.log(oddsRatio));
}

/**
 * `model` with a continuous covariate's conditional mean shifted by `shift` (its intercept, on the
 * scale the model draws it on; bounds and rounding are applied after, as they are to any draw):
 * an external population whose patients differ from the trial's in a measured covariate.
 */
export function withCovariateShift(
  model: CovariateModel,
  name: string,
  shift: number,
): CovariateModel {
  return withShiftedIntercept(model, name, 'continuous', shift);
}

/**
 * `model` with a continuous endpoint's mean shifted by `shift` for every patient: the conditional
 * (and, the endpoint being linear and unbounded, the marginal) mean difference of a treated
 * patient against a control of the same covariates.
 */
export function withMeanShift(
  model: CovariateModel,
  outcome: string,
  shift: number,
): CovariateModel {
  return withShiftedIntercept(model, outcome, 'continuous-endpoint', shift, (v) => {
    if (v.bounds !== undefined || v.round === true)
      throw new Error(
        `${outcome} is bounded or rounded: a shift of its mean would not be the mean difference`,
      );
  });
}

/**
 * Multiplier of a latent event time that gives the time drawn with linear predictor lp + log(HR)
 * from the same uniform: S0(t)^exp(lp) = u inverted, for baselines where that is a rescaling
 * (Weibull: HR^(−1/shape); exponential: 1/HR) — the hazard multiplied by HR.
 */
export function timeMultiplier(model: CovariateModel, outcome: string, hr: number): number {
  const v = model.variables.get(outcome);
  if (v === undefined || v.kind !== 'time-to-event')
    throw new Error(`${outcome} is not a time-to-event variable of the truth model`);
  const b = v.baseline;
  if (b.distribution === 'weibull') return Math.pow(hr, -1 / b.shape);
  if (b.distribution === 'exponential') return 1 / hr;
  throw new Error(`the study needs a Weibull or exponential baseline, found ${b.distribution}`);
}

/**
 * An unmeasured binary confounder U: patients have U = 1 with probability `prevalence`,
 * independently of the measured covariates, and U = 1 multiplies the outcome hazard by
 * `hazardRatio`. No column carries it, so a model fitted from a registry with another prevalence
 * than the trial's cannot adjust for it.
 */
export interface Confounder {
  readonly prevalence: number;
  readonly hazardRatio: number;
}

/**
 * Each patient's time multiplier for U (timeMultiplier of `hazardRatio` where U = 1, else 1), U
 * from one uniform a patient of `stream`; null when the confounder has no effect.
 */
function confounderMultipliers(
  truth: CovariateModel,
  outcome: string,
  n: number,
  confounder: Confounder | undefined,
  stream: RandomSource,
): Float64Array | null {
  if (confounder === undefined || confounder.hazardRatio === 1) return null;
  const k = timeMultiplier(truth, outcome, confounder.hazardRatio);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = stream.random() < confounder.prevalence ? k : 1;
  return out;
}

/** How a treated arm is drawn: the protocol's eligibility, follow-up and covariate columns. */
export interface TreatedDesign {
  readonly outcome: string;
  readonly criteria: readonly Criterion[];
  readonly maxDraws: number;
  /** Null for a binary or continuous endpoint (not censored). */
  readonly followUp: { accrual: number; studyDuration: number; dropoutRate: number } | null;
  /** The baseline covariates the treated data carry (the protocol's column mapping). */
  readonly covariates: readonly string[];
  /** τ of the protocol's RMST analysis, when it names one (its target is then computed). */
  readonly rmstTau?: number;
}

/** τ of the plan's first RMST analysis that names one (undefined: none does). */
export function rmstTauOf(loaded: LoadedProtocol): number | undefined {
  const { primary, secondary } = loaded.protocol.analysis;
  return [primary, ...secondary].find((a) => a.method === 'rmst' && a.tau !== undefined)?.tau;
}

/**
 * How `loaded`'s trial draws its treated arm from `truth`: the protocol's outcome, eligibility
 * (compiled against the truth's variables), maximum draws, follow-up, mapped covariate columns and
 * RMST τ (of the plan's first RMST analysis that names one).
 */
export function treatedDesignOf(loaded: LoadedProtocol, truth: CovariateModel): TreatedDesign {
  const p = loaded.protocol;
  const scope = patientScope(truth);
  const criteria = p.eligibility.map((c, k) => ({
    name: c.name,
    expression: compileAt(
      loaded.doc,
      ['eligibility', k, 'expression'],
      c.expression,
      scope,
      `eligibility criterion "${c.name}"`,
    ),
  }));
  const tau = rmstTauOf(loaded);
  return {
    outcome: p.outcome,
    criteria,
    maxDraws: p.control.maxDraws,
    followUp: censoringOf(p),
    covariates: Object.keys(p.inputs.treated.covariates),
    ...(tau !== undefined ? { rmstTau: tau } : {}),
  };
}

/**
 * The levels of every categorical variable of the fit spec, as the truth has them: the treated arm
 * is drawn from the truth but analysed against the fit, so they must agree. Returns the first
 * disagreement in words, or null.
 */
export function levelMismatch(truth: CovariateModel, fitSpec: LoadedFitSpec): string | null {
  for (const [name, v] of Object.entries(fitSpec.spec.variables)) {
    const want = truth.variables.has(name) ? levelsOf(truth.variables.get(name)!) : undefined;
    const got = specLevels(v);
    if (want !== undefined && got !== undefined && want.join() !== got.join())
      return `levels of ${name} (${got.join(', ')}) differ from the truth's (${want.join(', ')})`;
  }
  return null;
}

/** The kind of endpoint `outcome` is in `model`: what the treated arm carries. */
function endpointOf(
  model: CovariateModel,
  outcome: string,
): 'time-to-event' | 'binary' | 'continuous' {
  const kind = model.variables.get(outcome)?.kind;
  const endpoint = kind === undefined ? null : endpointOfKind(kind);
  if (endpoint !== null) return endpoint;
  throw new Error(
    `the study needs a time-to-event, binary or continuous endpoint; ${outcome} is ${kind ?? 'not in the model'}`,
  );
}

/**
 * A treated arm of n eligible patients from `truth` with the treatment effect `effect` applied
 * conditionally on the covariates: a time-to-event endpoint's hazard multiplied by it (censored by
 * the protocol's follow-up: patients from `stream.substream(0)`, censoring from `substream(1)`, as
 * the first study and examples/nsclc/make-treated.R), a binary endpoint's odds (`withOddsRatio`;
 * patients from `substream(0)`, no censoring). Only the covariates the protocol maps are kept, as
 * a treated CSV would have them. `confounder` gives each patient an unmeasured U at its
 * prevalence (time-to-event only; U from `substream(3)`). Complexity O(draws · variables).
 */
export function drawTreated(
  truth: CovariateModel,
  design: TreatedDesign,
  n: number,
  effect: number,
  stream: RandomSource,
  confounder?: Confounder,
): TreatedArm {
  const endpoint = endpointOf(truth, design.outcome);
  if (endpoint !== 'time-to-event' && confounder !== undefined && confounder.hazardRatio !== 1)
    throw new Error(
      `an unmeasured confounder needs a time-to-event outcome; ${design.outcome} is ${endpoint}`,
    );
  const population =
    endpoint === 'binary'
      ? withOddsRatio(truth, design.outcome, effect)
      : endpoint === 'continuous'
        ? withMeanShift(truth, design.outcome, effect)
        : truth;
  const { cohort } = drawEligible(
    population,
    design.criteria,
    n,
    stream.substream(0),
    design.maxDraws,
  );
  let time: Float64Array;
  let event: Uint8Array;
  if (endpoint === 'binary') {
    // level 2 of the endpoint is the response (as the pipeline reads a synthetic arm)
    const codes = (cohort.columns.get(design.outcome) as CategoricalColumn).codes;
    time = new Float64Array(cohort.n).fill(1);
    event = Uint8Array.from(codes, (c) => (c === 1 ? 1 : 0));
  } else if (endpoint === 'continuous') {
    // the value travels in `time`, as loadTreated reads a value column
    time = Float64Array.from(
      (cohort.columns.get(design.outcome) as { values: Float64Array }).values,
    );
    event = new Uint8Array(cohort.n).fill(1);
  } else {
    const latent = (cohort.columns.get(design.outcome) as { values: Float64Array }).values;
    const k = timeMultiplier(truth, design.outcome, effect);
    // an unmeasured confounder at the trial's prevalence (U from substream 3)
    const u = confounderMultipliers(
      truth,
      design.outcome,
      cohort.n,
      confounder,
      stream.substream(3),
    );
    ({ time, event } = applyCensoring(
      latent.map((t, i) => t * k * (u?.[i] ?? 1)),
      {
        accrual: { duration: followUp(design).accrual, shape: 'uniform' },
        studyDuration: followUp(design).studyDuration,
        dropoutRate: followUp(design).dropoutRate,
      },
      stream.substream(1),
    ));
  }
  const covariates: Cohort = {
    n: cohort.n,
    columns: new Map(design.covariates.map((name) => [name, cohort.columns.get(name)!])),
  };
  return {
    file: '(simulated treated arm)',
    endpoint,
    n: cohort.n,
    ids: Array.from({ length: cohort.n }, (_, i) => `SIM-${i + 1}`),
    time,
    event,
    covariates,
    missing: noMissing(cohort.n),
  };
}

/** Missing values a design puts into one covariate of the treated arm (`scenarios.missing`). */
export interface MissingDesign {
  readonly variable: string;
  readonly share: number;
  /** MAR given this covariate; null: missing completely at random. */
  readonly dependsOn: string | null;
  /** Odds ratio of missingness per SD (numeric) or for a level other than the first; 1 under MCAR. */
  readonly oddsRatio: number;
}

/**
 * `arm` with `m.variable` missing for about `m.share` of its patients, then the protocol's
 * `policy` applied as to a treated file (`withMissingPolicy`). Patient i's value is missing with
 * probability expit(a + log(oddsRatio)·zᵢ), zᵢ the standardised `dependsOn` (numeric) or 1 for a
 * level other than its first (categorical), 0 under MCAR; a solves mean(pᵢ) = share on this arm
 * (bisection), so every trial has the design's expected share. One uniform per patient from
 * `stream`, compared with pᵢ: a larger share masks a superset of the patients. Complexity O(n).
 */
export function withMissingValues(
  arm: TreatedArm,
  m: MissingDesign,
  policy: 'impute' | 'exclude',
  stream: RandomSource,
): TreatedArm {
  const n = arm.n;
  const z = new Float64Array(n);
  if (m.dependsOn !== null) {
    const c = arm.covariates.columns.get(m.dependsOn)!;
    if (c.kind === 'categorical') for (let i = 0; i < n; i++) z[i] = c.codes[i]! > 0 ? 1 : 0;
    else {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += c.values[i]! / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (c.values[i]! - mean) ** 2;
      const sd = Math.sqrt(ss / Math.max(1, n - 1));
      for (let i = 0; i < n; i++) z[i] = sd > 0 ? (c.values[i]! - mean) / sd : 0;
    }
  }
  const b = Math.log(m.oddsRatio);
  const share = (a: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += 1 / (1 + Math.exp(-(a + b * z[i]!)));
    return s / n;
  };
  let lo = -60;
  let hi = 60;
  for (let k = 0; k < 200 && hi - lo > 1e-12; k++) {
    const mid = (lo + hi) / 2;
    if (share(mid) < m.share) lo = mid;
    else hi = mid;
  }
  const a = (lo + hi) / 2;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = stream.random();
    if (m.share > 0 && u < 1 / (1 + Math.exp(-(a + b * z[i]!)))) rows.push(i);
  }
  if (rows.length === 0) return arm;
  const columns = new Map(arm.covariates.columns);
  const c = columns.get(m.variable)!;
  if (c.kind === 'categorical') {
    const codes = Int32Array.from(c.codes);
    for (const i of rows) codes[i] = MISSING_CODE;
    columns.set(m.variable, { ...c, codes });
  } else {
    const values = Float64Array.from(c.values);
    for (const i of rows) values[i] = NaN;
    columns.set(m.variable, { ...c, values });
  }
  return withMissingPolicy(
    { ...arm, covariates: { n, columns } },
    new Map([[m.variable, { column: m.variable, rows }]]),
    policy,
  );
}

/** What a marginal (unadjusted or IPTW-ATT) analysis estimates, on its combining scale. */
export type MarginalEstimand =
  | 'log-hr'
  | 'risk-difference'
  | 'log-risk-ratio'
  | 'log-odds-ratio'
  | 'mean-difference'
  | 'rmst-difference';

/** The marginal estimand each analysis method targets (none: the adjusted Cox model). */
const ESTIMAND_OF: Readonly<Record<string, MarginalEstimand>> = {
  'cox-unadjusted': 'log-hr',
  'cox-iptw': 'log-hr',
  'risk-difference': 'risk-difference',
  'risk-ratio': 'log-risk-ratio',
  'odds-ratio': 'log-odds-ratio',
  'mean-difference': 'mean-difference',
  rmst: 'rmst-difference',
};

/**
 * The large-sample values the marginal analyses estimate when both arms come from the eligible
 * truth population and the conditional effect is `effect` (against `none`, the truth's "no
 * effect": 1 for a ratio, 0 for a shift), from one trial of n patients an arm with the protocol's
 * design (treated from `stream.substream(0)`, control from `substream(1)`),
 * each with its Monte-Carlo standard error.
 *
 * Time-to-event: the log HR of an unadjusted Cox model. With covariate heterogeneity it is closer
 * to 0 than log(effect) (non-collapsibility; Gail, Wieand & Piantadosi 1984, Biometrika
 * 71:431–444) and depends on censoring. With the protocol's RMST τ (`design.rmstTau`), also the
 * RMST difference to τ (the follow-up reaches τ in a trial this large). The IPTW-ATT analysis targets the same marginal HR (its
 * weights are ≈ 1 when the arms share the population), and so does the twin analysis.
 * Binary: the risk difference p₁ − p₀, log(p₁/p₀) and the log odds ratio of the two response
 * proportions (the marginal odds ratio is closer to 1 than the conditional one, for the same
 * reason), SEs by the delta method. Continuous: the difference of the arms' means (the shift
 * itself, up to Monte-Carlo error, for a linear unbounded endpoint). Complexity O(n log n).
 */
export function marginalEstimands(
  truth: CovariateModel,
  design: TreatedDesign,
  effect: number,
  n: number,
  stream: RandomSource,
  none = 1,
  confounder?: Confounder,
): Partial<Record<MarginalEstimand, { estimate: number; se: number }>> {
  const t = drawTreated(truth, design, n, effect, stream.substream(0), confounder);
  const c = drawTreated(truth, design, n, none, stream.substream(1), confounder);
  if (t.endpoint === 'continuous') {
    const d = meanDifference(t.time, c.time);
    return { 'mean-difference': { estimate: d.estimate, se: d.se } };
  }
  if (t.endpoint === 'binary') {
    let e1 = 0;
    let e0 = 0;
    for (let i = 0; i < n; i++) [e1, e0] = [e1 + t.event[i]!, e0 + c.event[i]!];
    const [p1, p0] = [e1 / n, e0 / n];
    return {
      'risk-difference': { estimate: p1 - p0, se: Math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / n) },
      'log-risk-ratio': {
        estimate: Math.log(p1 / p0),
        se: Math.sqrt((1 - p1) / e1 + (1 - p0) / e0),
      },
      'log-odds-ratio': {
        estimate: Math.log(p1 / (1 - p1)) - Math.log(p0 / (1 - p0)),
        se: Math.sqrt(1 / e1 + 1 / (n - e1) + 1 / e0 + 1 / (n - e0)),
      },
    };
  }
  const time = new Float64Array(2 * n);
  const status = new Float64Array(2 * n);
  const group = new Float64Array(2 * n);
  time.set(t.time);
  time.set(c.time, n);
  for (let i = 0; i < n; i++) [status[i], status[n + i], group[i]] = [t.event[i]!, c.event[i]!, 1];
  const fit = fitCox({ time, status, x: [group], names: ['treated'] });
  const out: Partial<Record<MarginalEstimand, { estimate: number; se: number }>> = {
    'log-hr': { estimate: fit.coef[0]!, se: fit.se[0]! },
  };
  if (design.rmstTau !== undefined) {
    const r = rmst(time, status, group, { tau: design.rmstTau });
    out['rmst-difference'] = { estimate: r.difference.estimate, se: r.difference.se };
  }
  return out;
}

/**
 * The value each analysis targets on its combining scale: for the covariate-adjusted Cox model
 * the conditional log HR (the HR applied: the truth's outcome model is PH in the adjusted
 * covariates), for the marginal analyses (unadjusted and IPTW-ATT Cox, risk difference, risk and
 * odds ratios, mean difference) their marginal estimand (`marginal`, from `marginalEstimands`).
 * With no effect (`none`: 1 for a ratio, 0 for a mean shift) every target is 0 (for RMST, the
 * risk and mean differences a difference of 0); RMST under another effect targets the marginal
 * RMST difference when the protocol names τ, and has no target otherwise (NaN: its coverage and
 * bias are not computed).
 */
export function targetFor(
  method: string,
  effect: number,
  marginal: (estimand: MarginalEstimand) => number,
  none = 1,
): number {
  if (effect === none) return 0;
  if (method === 'cox-adjusted') return Math.log(effect);
  const estimand = ESTIMAND_OF[method];
  return estimand === undefined ? NaN : marginal(estimand);
}

/** A time-to-event treated design's follow-up (the protocol's checks guarantee one). */
function followUp(design: TreatedDesign): NonNullable<TreatedDesign['followUp']> {
  if (design.followUp === null)
    throw new Error('internal: a time-to-event design without follow-up');
  return design.followUp;
}
