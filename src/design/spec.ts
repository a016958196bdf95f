/**
 * The design file (YAML) of `ecasim design`: a protocol, the truth its trials are simulated from,
 * and a grid of scenarios whose operating characteristics are estimated by simulation. Field names
 * and meanings are documented in docs/design-format.md; `ecasim schema design` prints this schema
 * as JSON Schema.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { throwCollected, type EcasimError } from '../errors.js';
import {
  loadLocated,
  problemAt,
  validateWithSchema,
  type LocatedDocument,
} from '../io/document.js';

const text = z.string().min(1);
const positive = z.number().positive();
const whole = (min: number, max: number) => z.number().int().min(min).max(max);
/** A grid axis: one value or a list of distinct values. */
const axis = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

/** How each simulated registry extract is censored and recorded (a time-to-event outcome). */
const registryDesign = z
  .object({
    accrual: positive.describe('Registry entry uniform over [0, accrual) (model time unit).'),
    studyDuration: positive.describe('The registry cut, from the first entry.'),
    dropoutRate: z.number().min(0).describe('Exponential loss to follow-up per time unit.'),
    timePrecision: positive
      .default(0.01)
      .describe('Times are recorded to this precision, and at least this.'),
    precision: z
      .record(z.string(), positive)
      .optional()
      .describe('Numeric covariates recorded to a precision, by name.'),
  })
  .strict();

const truth = z
  .object({
    mode: z
      .enum(['registry', 'posterior'])
      .default('registry')
      .describe(
        "registry: each trial draws a registry from `model` and re-fits it with `fit`; posterior: the protocol's own covariate model makes the synthetic arms as it is, and each trial's population is one draw from its posterior.",
      ),
    model: text
      .optional()
      .describe(
        'The population: a covariate model (model.json) whose outcome is the truth; relative to this file (registry mode).',
      ),
    fit: text
      .optional()
      .describe(
        'The fit spec each simulated registry is re-fitted with, as `ecasim fit` does; relative to this file (registry mode).',
      ),
    registry: registryDesign
      .optional()
      .describe(
        'How a registry extract is censored; required for a time-to-event outcome (registry mode).',
      ),
  })
  .strict();

const drift = z
  .object({
    hazardRatio: axis(positive)
      .default([1])
      .describe(
        "The external population's hazard against the trial's, for the same covariates: the registry's outcome hazard is multiplied by it (1: no drift).",
      ),
    covariate: z
      .object({
        name: text.describe('A continuous covariate of the truth model.'),
        shift: axis(z.number().finite()).describe(
          "How much higher its mean is in the external population than in the trial's (0: none).",
        ),
      })
      .strict()
      .optional()
      .describe("A shift in a measured covariate's distribution in the external population."),
  })
  .strict();

const probability = z.number().min(0).max(1);

const confounder = z
  .object({
    hazardRatio: axis(positive).describe(
      "The unmeasured confounder's hazard ratio on the outcome (U = 1 against U = 0; 1: none).",
    ),
    trialPrevalence: axis(probability).describe('Share of the trial population with U = 1.'),
    externalPrevalence: axis(probability).describe(
      'Share of the external (registry) population with U = 1.',
    ),
  })
  .strict();

const missing = z
  .object({
    variable: text.describe(
      'A baseline covariate of the treated data (one the protocol maps) whose values go missing.',
    ),
    share: axis(z.number().min(0).max(0.95)).describe(
      'Share of the treated patients whose value is missing (0: none).',
    ),
    dependsOn: text
      .optional()
      .describe(
        'Missing at random given this other covariate: the odds of a missing value are multiplied by `oddsRatio` per SD of a numeric covariate or for a level other than its first (default: missing completely at random).',
      ),
    oddsRatio: positive
      .optional()
      .describe('The odds ratio of missingness per unit of `dependsOn` (required with it).'),
  })
  .strict();

const followUp = z
  .object({
    accrual: z
      .number()
      .nonnegative()
      .describe('Accrual period, in the model time unit (entry as the protocol distributes it).'),
    studyDuration: positive.describe('From first entry to data cut, in the model time unit.'),
    dropoutRate: z
      .number()
      .nonnegative()
      .optional()
      .describe("Exponential dropout hazard per time unit (default: the protocol's)."),
  })
  .strict();

const scenarios = z
  .object({
    effect: axis(z.number().finite()).describe(
      'The true treatment effect, conditional on the covariates: a hazard ratio (time-to-event), an odds ratio (binary) or a mean shift (continuous).',
    ),
    treatedN: axis(whole(2, 100_000)).describe('Patients in the single-arm trial.'),
    controlRatio: axis(positive)
      .optional()
      .describe("Synthetic arm size as a multiple of the treated arm (default: the protocol's)."),
    replicates: axis(whole(2, 10_000))
      .optional()
      .describe("Synthetic replicates m (default: the protocol's control.replicates)."),
    registryN: axis(whole(10, 1_000_000))
      .optional()
      .describe(
        'Patients in each simulated registry extract, re-fitted in every trial (registry mode).',
      ),
    followUp: axis(followUp)
      .optional()
      .describe(
        "Accrual and follow-up of the trial and of its synthetic arms (time-to-event; default: the protocol's followUp).",
      ),
    drift: drift.default({ hazardRatio: [1] }),
    missing: missing
      .optional()
      .describe(
        "Missing values in one covariate of the treated arm, handled as the protocol's inputs.treated.missing says (the estimand is unchanged).",
      ),
    confounder: confounder
      .optional()
      .describe(
        'An unmeasured binary confounder U, independent of the covariates, whose prevalence differs between the trial and the registry (registry mode, time-to-event).',
      ),
  })
  .strict();

export const designSchema = z
  .object({
    name: text.describe('What the design study is, as its report titles it.'),
    protocol: text.describe(
      'The protocol whose pre-specified analyses are assessed; relative to this file.',
    ),
    truth,
    trials: whole(2, 1_000_000).describe('Simulated trials in every scenario.'),
    seed: whole(0, 2 ** 32 - 1).describe("Seed of every trial's streams."),
    estimandN: whole(1000, 10_000_000)
      .default(200_000)
      .describe('Patients an arm of the one large trial that gives the marginal estimands.'),
    scenarios,
  })
  .strict();

export type DesignSpec = z.output<typeof designSchema>;

/** JSON Schema of the design format (`ecasim schema design`). */
export function designJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(designSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

export interface LoadedDesign {
  readonly spec: DesignSpec;
  readonly doc: LocatedDocument;
  /**
   * The files it names, resolved against its directory, and as shown to users; `model` and `fit`
   * are null in posterior mode (the protocol names the model).
   */
  readonly paths: { protocol: string; model: string | null; fit: string | null };
}

/**
 * Reads and validates a design file: every schema problem at once, located, then the fields one
 * mode needs and the other refuses.
 */
export function loadDesign(file: string): LoadedDesign {
  const doc = loadLocated(file, 'design');
  const spec = validateWithSchema(designSchema, doc, 'design');
  const problems: EcasimError[] = [];
  const { truth, scenarios } = spec;
  if (truth.mode === 'registry') {
    for (const field of ['model', 'fit'] as const)
      if (truth[field] === undefined)
        problems.push(
          problemAt(
            doc,
            ['truth'],
            `truth.${field} is required: registry mode re-fits a registry drawn from the truth`,
            {
              expected:
                field === 'model'
                  ? 'the truth covariate model (model.json)'
                  : 'the fit spec (fit.yaml)',
              hint: "name it, or set truth.mode: posterior to use the protocol's model as it is",
            },
            true,
          ),
        );
    if (scenarios.registryN === undefined)
      problems.push(
        problemAt(
          doc,
          ['scenarios'],
          'scenarios.registryN is required: the size of the registry each trial re-fits',
          {
            hint: 'e.g. registryN: [300, 1000], or set truth.mode: posterior',
          },
          true,
        ),
      );
  } else {
    for (const field of ['model', 'fit', 'registry'] as const)
      if (truth[field] !== undefined)
        problems.push(
          problemAt(
            doc,
            ['truth', field],
            `truth.${field} is for registry mode; posterior mode uses the protocol's model`,
            {
              hint: `remove truth.${field}, or set truth.mode: registry`,
            },
            true,
          ),
        );
    if (scenarios.registryN !== undefined)
      problems.push(
        problemAt(
          doc,
          ['scenarios', 'registryN'],
          'posterior mode draws no registry: scenarios.registryN does not apply',
          {
            hint: 'remove scenarios.registryN, or set truth.mode: registry',
          },
          true,
        ),
      );
    if (scenarios.confounder !== undefined)
      problems.push(
        problemAt(
          doc,
          ['scenarios', 'confounder'],
          "an unmeasured confounder needs registry mode: the registry's prevalence is drawn with it",
          { hint: 'set truth.mode: registry with a truth model, or remove scenarios.confounder' },
          true,
        ),
      );
    if (scenarios.drift.covariate !== undefined)
      problems.push(
        problemAt(
          doc,
          ['scenarios', 'drift', 'covariate'],
          'a covariate drift needs registry mode: it changes the population the registry is drawn from',
          { hint: 'set truth.mode: registry with a truth model, or remove it' },
          true,
        ),
      );
    scenarios.drift.hazardRatio.forEach((hr, k) => {
      if (hr !== 1)
        problems.push(
          problemAt(
            doc,
            ['scenarios', 'drift', 'hazardRatio', k],
            'drift needs registry mode: it changes the population the registry is drawn from',
            {
              expected: '1',
              actual: String(hr),
              hint: 'set truth.mode: registry with a truth model, or remove the drift',
            },
          ),
        );
    });
  }
  throwCollected(problems);
  const base = dirname(resolve(doc.file));
  const at = (p: string | undefined): string | null => (p === undefined ? null : resolve(base, p));
  return {
    spec,
    doc,
    paths: { protocol: resolve(base, spec.protocol), model: at(truth.model), fit: at(truth.fit) },
  };
}
