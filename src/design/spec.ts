/**
 * The design file (YAML) of `ecasim design`: a protocol, the truth its trials are simulated from,
 * and a grid of scenarios whose operating characteristics are estimated by simulation. Field names
 * and meanings are documented in docs/design-format.md; `ecasim schema design` prints this schema
 * as JSON Schema.
 */
import { dirname, relative, resolve } from 'node:path';
import { z } from 'zod';
import { loadLocated, validateWithSchema, type LocatedDocument } from '../io/document.js';

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
    model: text.describe(
      'The population: a covariate model (model.json) whose outcome is the truth; relative to this file.',
    ),
    fit: text.describe(
      'The fit spec each simulated registry is re-fitted with, as `ecasim fit` does; relative to this file.',
    ),
    registry: registryDesign
      .optional()
      .describe('How a registry extract is censored; required for a time-to-event outcome.'),
  })
  .strict();

const drift = z
  .object({
    hazardRatio: axis(positive)
      .default([1])
      .describe(
        "The external population's hazard against the trial's, for the same covariates: the registry's outcome hazard is multiplied by it (1: no drift).",
      ),
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
    registryN: axis(whole(10, 1_000_000)).describe(
      'Patients in each simulated registry extract, re-fitted in every trial.',
    ),
    drift: drift.default({ hazardRatio: [1] }),
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
  /** The files it names, resolved against its directory, and as shown to users. */
  readonly paths: { protocol: string; model: string; fit: string };
  readonly shownPaths: { protocol: string; model: string; fit: string };
}

/** Reads and validates a design file (every schema problem at once, located). */
export function loadDesign(file: string): LoadedDesign {
  const doc = loadLocated(file, 'design');
  const spec = validateWithSchema(designSchema, doc, 'design');
  const base = dirname(resolve(doc.file));
  const at = (p: string): string => resolve(base, p);
  const show = (p: string): string => relative(process.cwd(), p) || p;
  const paths = {
    protocol: at(spec.protocol),
    model: at(spec.truth.model),
    fit: at(spec.truth.fit),
  };
  return {
    spec,
    doc,
    paths,
    shownPaths: {
      protocol: show(paths.protocol),
      model: show(paths.model),
      fit: show(paths.fit),
    },
  };
}
