/**
 * What the truth model is used for in a trial: the registry extract the covariate model is
 * re-fitted from (exactly as examples/nsclc/make-registry.mjs writes registry.csv, but as an
 * in-memory table), the treated arm with a known hazard ratio, and the estimands.
 */
import type { Cohort } from '../../src/cohort.js';
import type { Table } from '../../src/io/csv.js';
import type { CovariateModel } from '../../src/model/load.js';
import type { TreatedArm } from '../../src/protocol/treated.js';
import type { RandomSource } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import { applyCensoring } from '../../src/simulate/censoring.js';
import { drawEligible, type Criterion } from '../../src/simulate/eligibility.js';
import { fitCox } from '../../src/stats/cox.js';
import type { RegistryDesign } from './design.js';

/**
 * A registry extract of n patients from `truth` as make-registry.mjs draws one: the cohort from
 * `stream.substream(0)`, censoring (uniform entry, cut, loss to follow-up) from `substream(1)`,
 * every variable but the outcome as text (`String` of numbers, levels of categories), the outcome
 * as `<outcome>_time` (rounded to the design's precision, at least that) and `<outcome>_event`.
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
  design: RegistryDesign,
): Table {
  const cohort = sampleCohort(truth, n, stream.substream(0));
  const latent = (cohort.columns.get(outcome) as { values: Float64Array }).values;
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
  const columns = names.map((name) => cohort.columns.get(name)!);
  const digitsOf = (precision: number): number => Math.max(0, Math.round(-Math.log10(precision)));
  // make-registry.mjs: Math.round(x · 1/precision) / (1/precision), shown with as many decimals.
  const rounded = names.map((name) => {
    const p = design.precision?.[name];
    return p === undefined ? undefined : { scale: 1 / p, digits: digitsOf(p) };
  });
  const scale = 1 / design.timePrecision;
  const digits = digitsOf(design.timePrecision);
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = columns.map((c, k) => {
      if (c.kind !== 'numeric') return c.levels[c.codes[i]!]!;
      const r = rounded[k];
      return r === undefined
        ? String(c.values[i])
        : (Math.round(c.values[i]! * r.scale) / r.scale).toFixed(r.digits);
    });
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

/** How a treated arm is drawn: the protocol's eligibility, follow-up and covariate columns. */
export interface TreatedDesign {
  readonly outcome: string;
  readonly criteria: readonly Criterion[];
  readonly maxDraws: number;
  readonly followUp: { accrual: number; studyDuration: number; dropoutRate: number };
  /** The baseline covariates the treated data carry (the protocol's column mapping). */
  readonly covariates: readonly string[];
}

/**
 * A treated arm of n eligible patients from `truth` whose hazard is multiplied by `hr`, censored
 * by the protocol's follow-up: patients from `stream.substream(0)`, censoring from `substream(1)`
 * (as the first study and examples/nsclc/make-treated.R). Only the covariates the protocol maps
 * are kept, as a treated CSV would have them. Complexity O(draws · variables).
 */
export function drawTreated(
  truth: CovariateModel,
  design: TreatedDesign,
  n: number,
  hr: number,
  stream: RandomSource,
): TreatedArm {
  const { cohort } = drawEligible(
    truth,
    design.criteria,
    n,
    stream.substream(0),
    design.maxDraws,
  );
  const latent = (cohort.columns.get(design.outcome) as { values: Float64Array }).values;
  const k = timeMultiplier(truth, design.outcome, hr);
  const { time, event } = applyCensoring(
    latent.map((t) => t * k),
    {
      accrual: { duration: design.followUp.accrual, shape: 'uniform' },
      studyDuration: design.followUp.studyDuration,
      dropoutRate: design.followUp.dropoutRate,
    },
    stream.substream(1),
  );
  const covariates: Cohort = {
    n: cohort.n,
    columns: new Map(design.covariates.map((name) => [name, cohort.columns.get(name)!])),
  };
  return {
    file: '(simulated treated arm)',
    endpoint: 'time-to-event',
    n: cohort.n,
    ids: Array.from({ length: cohort.n }, (_, i) => `SIM-${i + 1}`),
    time,
    event,
    covariates,
  };
}

/**
 * The large-sample log HR an unadjusted (marginal) Cox model estimates when both arms come from
 * the eligible truth population and the conditional HR is `hr`: with covariate heterogeneity it
 * is closer to 0 than log(hr) (non-collapsibility; Gail, Wieand & Piantadosi 1984, Biometrika
 * 71:431–444) and depends on censoring, so it is computed from one trial of n patients an arm with
 * the protocol's design. The IPTW-ATT analysis targets the same marginal HR (its weights are ≈ 1
 * when the arms share the population), and so does the twin analysis. Returns the estimate and its
 * (model-based) standard error. Complexity O(n log n).
 */
export function marginalLogHr(
  truth: CovariateModel,
  design: TreatedDesign,
  hr: number,
  n: number,
  stream: RandomSource,
): { estimate: number; se: number } {
  const t = drawTreated(truth, design, n, hr, stream.substream(0));
  const c = drawTreated(truth, design, n, 1, stream.substream(1));
  const time = new Float64Array(2 * n);
  const status = new Float64Array(2 * n);
  const group = new Float64Array(2 * n);
  time.set(t.time);
  time.set(c.time, n);
  for (let i = 0; i < n; i++) [status[i], status[n + i], group[i]] = [t.event[i]!, c.event[i]!, 1];
  const fit = fitCox({ time, status, x: [group], names: ['treated'] });
  return { estimate: fit.coef[0]!, se: fit.se[0]! };
}

/**
 * The value each analysis targets: for the Cox models the conditional log HR for the
 * covariate-adjusted model (the HR applied: the truth's outcome model is PH in the adjusted
 * covariates), the marginal one for the unadjusted and IPTW-ATT models. Under HR = 1 every target
 * is 0 (for RMST a difference of 0); RMST under another HR has no target here (NaN: its coverage
 * and bias are not computed).
 */
export function targetFor(method: string, hr: number, marginal: number): number {
  if (hr === 1) return 0;
  if (method === 'rmst') return NaN;
  return method === 'cox-adjusted' ? Math.log(hr) : marginal;
}
