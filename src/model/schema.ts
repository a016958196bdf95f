/**
 * The covariate model file format, `ecasim-model/1` (docs/model-format.md): a directed acyclic
 * graph of named variables, each drawn given its parents. This file holds the *shape* of the
 * format (types, keys, ranges a single field can check); relations between fields (parents that
 * exist, tables that cover every parent configuration, no cycles) are checked in network.ts.
 */
import { z } from 'zod';
import { didYouMean } from '../io/document.js';
import { TRANSFORMS } from './transform.js';

/** The format tag every model file carries. */
export const MODEL_FORMAT = 'ecasim-model/1';

export const TIME_UNITS = ['days', 'weeks', 'months', 'years'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const name = z.string().min(1);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = z
  .number()
  .gt(0, 'must be a positive number')
  .refine(Number.isFinite, 'must be a finite number');
/** `{ "age": 0.01, "stage=IV": 0.4 }`: a numeric parent by name, a categorical one as `name=level`. */
const coefficients = z.record(z.string(), finite);

/**
 * The sampling covariance of a variable's estimated parameters, for parameter uncertainty: each
 * replicate draws them from N(estimate, covariance). Parameter names: `intercept` and the
 * coefficient keys (`age`, `sex=male`); for time-to-event outcomes `log(shape)`, `log(scale)`,
 * `log(rate)` (exponential) and the log-hazard-ratio keys.
 */
const covariance = z
  .object({
    parameters: z.array(z.string().min(1)).min(1),
    matrix: z.array(z.array(z.number().refine(Number.isFinite, 'must be a finite number'))),
    /** How the fit estimated it: the bootstrap of the registry, or the inverse information. */
    method: z.enum(['bootstrap', 'information']).optional(),
    /** Bootstrap resamples the matrix is the sample covariance of. */
    replicates: z.number().int().min(2).optional(),
  })
  .strict();

const common = {
  /** Human-readable name for tables in the dossier. */
  label: z.string().optional(),
  description: z.string().optional(),
  parents: z.array(name).default([]),
  covariance: covariance.optional(),
};

const linearPredictor = {
  intercept: finite,
  coefficients: coefficients.default({}),
  /** Numeric parents enter as coef·(x − center); the center defaults to 0. */
  centers: z.record(z.string(), finite).default({}),
};

const tableRow = z
  .object({
    /** The parent configuration this row applies to: `{ "sex": "male" }`; `{}` without parents. */
    given: z.record(z.string(), z.string()).default({}),
    p: z.array(z.number().refine(Number.isFinite, 'must be a finite number')).min(1),
    /** The registry counts behind `p`, where known (used for parameter uncertainty). */
    counts: z
      .array(z.number().nonnegative().refine(Number.isFinite, 'must be a finite number'))
      .optional(),
  })
  .strict();

const categorical = z
  .object({
    kind: z.literal('categorical'),
    ...common,
    levels: z.array(name).min(2),
    levelLabels: z.record(z.string(), z.string()).optional(),
    table: z.array(tableRow).min(1),
    /**
     * The recode the fit applied (fit spec `bins`): the numeric column `column` cut at `bins`
     * into the levels in order, intervals closed on the left. Any data mapped onto the model (a
     * treated file) is recoded the same way, so a number in that column becomes its level.
     */
    recode: z
      .object({ column: z.string().min(1), bins: z.array(finite).min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (v) =>
      v.recode === undefined ||
      (v.recode.bins.length === v.levels.length - 1 &&
        v.recode.bins.every((b, j) => j === 0 || b > v.recode!.bins[j - 1]!)),
    {
      message: 'recode.bins must increase and cut the levels: one cut point fewer than levels',
      path: ['recode', 'bins'],
    },
  );

/** What a logistic covariate and a binary endpoint both hold: two levels and a linear predictor. */
const binaryFields = {
  ...common,
  levels: z.tuple([name, name]).default(['0', '1']),
  levelLabels: z.record(z.string(), z.string()).optional(),
  ...linearPredictor,
};

const logistic = z.object({ kind: z.literal('logistic'), ...binaryFields }).strict();

const gaussianFields = {
  ...common,
  unit: z.string().optional(),
  ...linearPredictor,
  sd: positive,
  /**
   * `log` / `log1p`: the linear-Gaussian model holds for log(x) / log(1 + x); values are the
   * inverse of the draw (src/model/transform.ts).
   */
  transform: z.enum(TRANSFORMS).default('none'),
  /** Inclusive limits on the reported scale, enforced by rejection (never by clamping). */
  bounds: z.tuple([finite, finite]).optional(),
  /** Round to the nearest integer after the bounds are met. */
  round: z.boolean().default(false),
};

const continuous = z.object({ kind: z.literal('continuous'), ...gaussianFields }).strict();

const count = z
  .object({
    kind: z.literal('count'),
    ...common,
    unit: z.string().optional(),
    distribution: z.enum(['poisson', 'negative-binomial']),
    /** Negative binomial size θ (R's `rnbinom(size = θ)`, MASS's theta): Var = μ + μ²/θ. */
    dispersion: positive.optional(),
    ...linearPredictor,
  })
  .strict();

const weibull = z
  .object({ distribution: z.literal('weibull'), shape: positive, scale: positive })
  .strict();
const exponential = z.object({ distribution: z.literal('exponential'), rate: positive }).strict();
const piecewiseExponential = z
  .object({
    distribution: z.literal('piecewise-exponential'),
    /** Start of each interval; the first is 0 and the last interval is open-ended. */
    breaks: z
      .array(z.number().nonnegative().refine(Number.isFinite, 'must be a finite number'))
      .min(1),
    /** Hazard in each interval, per time unit. */
    rates: z.array(positive).min(1),
  })
  .strict();
const step = z
  .object({
    distribution: z.literal('step'),
    /** Increasing times at which the baseline survival drops. */
    times: z.array(positive).min(1),
    /** Baseline survival from each time on (non-increasing, in (0, 1]). */
    survival: z.array(z.number().refine(Number.isFinite, 'must be a finite number')).min(1),
  })
  .strict();

/** A readable message for a discriminator that matches no option, with a "did you mean". */
function unknownTag(tag: string, options: readonly string[]) {
  return (issue: { input?: unknown }): string => {
    const input = issue.input as Record<string, unknown> | undefined;
    const value = input && typeof input === 'object' ? input[tag] : undefined;
    if (value === undefined) return `missing "${tag}": expected one of ${options.join(', ')}`;
    const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
    return `unknown ${tag} ${JSON.stringify(value)}${guess ? ` — did you mean "${guess}"?` : ''} (expected one of ${options.join(', ')})`;
  };
}

const DISTRIBUTIONS = ['weibull', 'exponential', 'piecewise-exponential', 'step'] as const;

export const baselineSchema = z.discriminatedUnion(
  'distribution',
  [weibull, exponential, piecewiseExponential, step],
  {
    error: unknownTag('distribution', DISTRIBUTIONS),
  },
);

const timeToEvent = z
  .object({
    kind: z.literal('time-to-event'),
    ...common,
    /** The time unit of the baseline: `provenance.timeUnit`, stated again for readers (optional). */
    unit: z.enum(TIME_UNITS).optional(),
    baseline: baselineSchema,
    logHazardRatios: coefficients.default({}),
    centers: z.record(z.string(), finite).default({}),
  })
  .strict();

const binaryEndpoint = z.object({ kind: z.literal('binary-endpoint'), ...binaryFields }).strict();

const continuousEndpoint = z
  .object({ kind: z.literal('continuous-endpoint'), ...gaussianFields })
  .strict();

export const VARIABLE_KINDS = [
  'categorical',
  'logistic',
  'continuous',
  'count',
  'time-to-event',
  'binary-endpoint',
  'continuous-endpoint',
] as const;

export const variableSchema = z.discriminatedUnion(
  'kind',
  [categorical, logistic, continuous, count, timeToEvent, binaryEndpoint, continuousEndpoint],
  { error: unknownTag('kind', VARIABLE_KINDS) },
);

/**
 * When the registry extract was taken and whom it covers: said of the registry both by a model's
 * provenance and by the fit specification it was derived from (fit-spec.ts).
 */
export const extractFields = {
  /** ISO date `YYYY-MM-DD` of the registry extract. */
  extractDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .optional(),
  population: z.string().optional(),
};

export const provenanceSchema = z
  .object({
    registry: z.string().min(1),
    ...extractFields,
    n: z.number().int().positive().optional(),
    derivation: z
      .object({
        method: z.enum(['expert', 'fitted', 'fitted-dp', 'published']),
        software: z.string().optional(),
        /** Differential-privacy budget spent, or null when none was applied. */
        epsilon: z.number().positive().nullable().optional(),
        notes: z.string().optional(),
      })
      .strict(),
    timeUnit: z.enum(TIME_UNITS),
  })
  .strict();

export const modelSchema = z
  .object({
    $schema: z.string().optional(),
    format: z.literal(MODEL_FORMAT),
    provenance: provenanceSchema,
    variables: z.record(
      z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_.]*$/,
          'a variable name must start with a letter or "_" and hold only letters, digits, "_" and "."',
        ),
      variableSchema,
    ),
  })
  .strict();

/** A model file after schema validation (defaults filled in). */
export type Model = z.output<typeof modelSchema>;
export type Variable = z.output<typeof variableSchema>;
export type VariableKind = Variable['kind'];
export type Baseline = z.output<typeof baselineSchema>;
export type CategoricalVariable = Extract<Variable, { kind: 'categorical' }>;
export type LogisticVariable = Extract<Variable, { kind: 'logistic' | 'binary-endpoint' }>;
export type GaussianVariable = Extract<Variable, { kind: 'continuous' | 'continuous-endpoint' }>;
export type CountVariable = Extract<Variable, { kind: 'count' }>;
export type TimeToEventVariable = Extract<Variable, { kind: 'time-to-event' }>;

/** Kinds whose values are level codes rather than numbers. */
export const CATEGORICAL_KINDS: readonly VariableKind[] = [
  'categorical',
  'logistic',
  'binary-endpoint',
];
/** Kinds that are outcomes: drawn last, never parents. */
export const OUTCOME_KINDS: readonly VariableKind[] = [
  'time-to-event',
  'binary-endpoint',
  'continuous-endpoint',
];

/**
 * The JSON Schema of the model format (draft 2020-12), for editors and `ecasim schema model`.
 *
 * @example
 * const schema = modelJsonSchema(); // schema.properties.format.const === 'ecasim-model/1'
 */
export function modelJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(modelSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://ecasim.dev/schemas/model.schema.json',
    title: 'ecasim covariate model',
    description:
      'A registry-derived Bayesian network of covariates and outcomes (docs/model-format.md).',
  };
}
