/**
 * The protocol file (YAML): one pre-specified analysis. Field names and meanings are documented in
 * docs/protocol-format.md; `ecasim schema protocol` prints this schema as JSON Schema so editors
 * with the YAML language server autocomplete and check protocols.
 */
import { z } from 'zod';

const text = z.string().min(1);
const positive = z.number().positive();

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1–12) of `year`, Gregorian leap years. */
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * An ISO 8601 calendar date, YYYY-MM-DD, that exists (2026-02-30 does not). The YAML loader
 * (core schema) leaves dates as strings, so this is the one check a date gets.
 */
const calendarDate = z.string().superRefine((s, ctx) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'a calendar date written YYYY-MM-DD, e.g. 2026-09-01',
    });
    return;
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12)
    ctx.addIssue({
      code: 'custom',
      message: `a calendar date YYYY-MM-DD: month ${m[2]} does not exist`,
    });
  else if (day < 1 || day > daysIn(year, month))
    ctx.addIssue({
      code: 'custom',
      message: `a calendar date YYYY-MM-DD: ${m[1]}-${m[2]} has ${daysIn(year, month)} days, not day ${m[3]}`,
    });
});

export const TIME_UNITS = ['days', 'weeks', 'months', 'years'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const intercurrentEvent = z
  .object({
    event: text.describe('The intercurrent event, e.g. "treatment discontinuation".'),
    strategy: z.enum([
      'treatment-policy',
      'hypothetical',
      'composite',
      'while-on-treatment',
      'principal-stratum',
    ]),
    rationale: z.string().optional(),
  })
  .strict();

const estimand = z
  .object({
    population: text.describe('Who the question is about.'),
    treatment: text.describe('The experimental treatment of the single-arm trial.'),
    comparator: text.describe('What the synthetic control arm represents (e.g. standard of care).'),
    endpoint: text.describe('The variable (endpoint), e.g. "overall survival".'),
    intercurrentEvents: z.array(intercurrentEvent).default([]),
    summary: z.enum(['hazard-ratio', 'rmst-difference', 'risk-difference', 'mean-difference']),
  })
  .strict();

const treatedInput = z
  .object({
    file: text.describe('CSV of the treated arm, relative to this protocol file.'),
    timeUnit: z
      .enum(TIME_UNITS)
      .optional()
      .describe('Unit of the time column (time-to-event endpoints).'),
    columns: z
      .object({
        id: z.string().optional().describe('Patient identifier column (e.g. USUBJID).'),
        time: text
          .optional()
          .describe('Time-to-event column (e.g. AVAL); time-to-event endpoints.'),
        value: text
          .optional()
          .describe('Continuous endpoint column (a number per patient); continuous endpoints.'),
        response: text
          .optional()
          .describe(
            'Binary endpoint column, 1 = response (event of interest), 0 = none; binary endpoints.',
          ),
        event: z.string().optional().describe('Event indicator column, 1 = event, 0 = censored.'),
        censor: z
          .string()
          .optional()
          .describe('CDISC ADTTE CNSR-style column, 1 = censored, 0 = event.'),
      })
      .strict(),
    covariates: z
      .record(z.string(), z.string())
      .default({})
      .describe('Model variable → CSV column, for covariates whose column is named differently.'),
    missing: z
      .enum(['impute', 'exclude'])
      .default('impute')
      .describe(
        "A treated patient's missing baseline covariate (an empty cell, NA, NaN or null): 'impute' (the default) draws it from the covariate model given the patient's observed covariates, afresh in every replicate, so the imputation uncertainty reaches the combined interval; 'exclude' drops the patient, counted in the results. Missing outcomes are always an error.",
      ),
  })
  .strict();

const criterion = z
  .object({
    name: text.describe('Short name shown in the attrition table.'),
    expression: text.describe(
      'Condition a patient must meet, e.g. age >= 18 and ecog in ["0", "1"].',
    ),
  })
  .strict();

/** One analysis of the treated arm against the synthetic control arm. */
export const analysisSpec = z
  .object({
    method: z
      .enum([
        'cox-unadjusted',
        'cox-adjusted',
        'cox-iptw',
        'rmst',
        'risk-difference',
        'risk-ratio',
        'odds-ratio',
        'mean-difference',
      ])
      .describe(
        'Cox HR unadjusted, adjusted for covariates, weighted by propensity (robust variance), RMST difference; risk difference/ratio or odds ratio (binary); mean difference (continuous).',
      ),
    covariates: z
      .array(text)
      .default([])
      .describe('Baseline variables to adjust for (cox-adjusted) or to weight on (cox-iptw).'),
    weighting: z
      .object({
        estimand: z.enum(['ATT', 'ATE', 'ATO']).default('ATT'),
        trim: z
          .number()
          .gt(0)
          .lt(0.5)
          .optional()
          .describe('Drop units with propensity outside [trim, 1 − trim].'),
      })
      .strict()
      .default({ estimand: 'ATT' }),
    covariateEffects: z
      .enum(['common', 'by-arm'])
      .optional()
      .describe(
        "cox-adjusted: 'common' (the default) fits one coefficient per covariate in both arms, coxph(~ treated + covariates); 'by-arm' centres the covariates at the treated arm's means and adds their interactions with treatment, so the hazard ratio is the one at the treated arm's mean profile and each arm has its own covariate effects (docs/validation.md: the common model is biased at small registries).",
      ),
    ties: z.enum(['efron', 'breslow']).default('efron'),
    tau: positive
      .optional()
      .describe('RMST truncation time (model time unit); default survRM2 rule.'),
  })
  .strict();

export type AnalysisSpec = z.output<typeof analysisSpec>;

export const protocolSchema = z
  .object({
    $schema: z.string().optional(),
    format: z.literal('ecasim-protocol/1'),
    id: text.regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only'),
    title: text,
    version: z.union([text, z.number()]).transform(String),
    sponsor: text,
    indication: text,
    date: calendarDate.describe('The protocol date, YYYY-MM-DD.'),
    contextOfUse: z.string().optional(),
    estimand,
    inputs: z
      .object({
        treated: treatedInput,
        model: text.describe('Covariate model JSON, relative to this protocol file.'),
      })
      .strict(),
    outcome: text.describe("The model's time-to-event variable that is the endpoint."),
    derived: z
      .array(
        z
          .object({
            name: text.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a name of letters, digits and "_"'),
            expression: text.describe(
              'Over baseline variables and earlier derived ones, e.g. weight / (height / 100) ^ 2.',
            ),
            label: z.string().optional(),
            unit: z.string().optional(),
          })
          .strict(),
      )
      .default([])
      .describe(
        'Derived variables, computed alike for both arms before eligibility (conditions become 1/0).',
      ),
    eligibility: z.array(criterion).default([]),
    control: z
      .object({
        mode: z
          .enum(['population', 'twin'])
          .default('population')
          .describe(
            'population: draw from the model under eligibility; twin: one control per treated patient, given its covariates.',
          ),
        size: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Number of virtual control patients.'),
        ratio: positive.optional().describe('Control size as a multiple of the treated arm.'),
        replicates: z
          .number()
          .int()
          .min(2, 'at least 2 replicates are needed to combine them')
          .max(10_000)
          .default(20)
          .describe('Synthetic control arms drawn and combined (m).'),
        parameterUncertainty: z
          .boolean()
          .default(true)
          .describe(
            'Draw the model parameters from their posterior in each replicate (table counts, covariances).',
          ),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1),
        maxDraws: z
          .number()
          .int()
          .positive()
          .default(1_000_000)
          .describe('Cap on candidates drawn when applying eligibility.'),
      })
      .strict(),
    followUp: z
      .object({
        accrual: z
          .number()
          .nonnegative()
          .optional()
          .describe(
            'Accrual period, in the model time unit; entry is uniform over it (time-to-event endpoints: required).',
          ),
        studyDuration: positive
          .optional()
          .describe(
            'From first entry to data cut, in the model time unit (time-to-event endpoints: required).',
          ),
        dropoutRate: z
          .number()
          .nonnegative()
          .optional()
          .describe('Exponential dropout hazard per model time unit (default 0).'),
        indexDate: z
          .string()
          .optional()
          .describe(
            'What time zero is, e.g. "start of second-line therapy" (shown in the dossier).',
          ),
        accrualPattern: z
          .object({
            breaks: z.array(z.number().nonnegative()).min(1),
            weights: z.array(z.number().nonnegative()).min(1),
          })
          .strict()
          .refine((a) => a.breaks[0] === 0, { message: 'breaks must start at 0', path: ['breaks'] })
          .refine((a) => a.breaks.every((b, k) => k === 0 || b > a.breaks[k - 1]!), {
            message: 'breaks must increase',
            path: ['breaks'],
          })
          .refine((a) => a.weights.length === a.breaks.length, {
            message: 'give one weight per break',
            path: ['weights'],
          })
          .refine((a) => a.weights.some((w) => w > 0), {
            message: 'at least one weight must be > 0',
            path: ['weights'],
          })
          .optional()
          .describe(
            'Piecewise-constant accrual intensity: relative weight of each period starting at a break.',
          ),
        eventDriven: z
          .object({ events: z.number().int().min(1) })
          .strict()
          .optional()
          .describe(
            'Cut the data at the calendar time of this many control-arm events (never after studyDuration, never before accrual ends).',
          ),
      })
      .strict()
      .optional()
      .describe(
        'How the trial is followed: time zero, accrual, data cut and dropout. Time-to-event endpoints need accrual and studyDuration; a binary or continuous endpoint is observed once per patient and takes indexDate alone.',
      ),
    analysis: z
      .object({
        primary: analysisSpec,
        secondary: z.array(analysisSpec.extend({ name: text })).default([]),
        sensitivity: z
          .object({
            eValue: z
              .object({
                rareOutcome: z
                  .boolean()
                  .optional()
                  .describe(
                    'Outcome rare (< 15%) at the end of follow-up; default: decided from the control arm.',
                  ),
              })
              .strict()
              .optional(),
            tippingPoint: z
              .object({})
              .strict()
              .optional()
              .describe('Shift in log-HR at which the conclusion flips.'),
            phTest: z
              .object({ transform: z.enum(['km', 'rank', 'log', 'identity']).default('km') })
              .strict()
              .optional()
              .describe('cox.zph score test of the primary Cox model in every replicate.'),
          })
          .strict()
          .default({}),
        alpha: z.number().gt(0).lt(1).default(0.05),
        sidedness: z.enum(['two-sided']).default('two-sided'),
      })
      .strict(),
    successCriterion: text.describe('Expression over results, e.g. primary.upper < 1.'),
    audit: z
      .object({
        registry: text.describe(
          'Registry extract the model was built from (CSV), relative to this protocol.',
        ),
        holdout: z
          .string()
          .optional()
          .describe('Real records not used to build the model (CSV), for the privacy metrics.'),
        time: z
          .string()
          .optional()
          .describe('Follow-up time column of the extracts (default time).'),
        event: z
          .string()
          .optional()
          .describe('Event column of the extracts, 1 = event (default event).'),
        columns: z
          .record(z.string(), z.string())
          .optional()
          .describe('Model variable → column, for extract columns named differently.'),
        n: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Synthetic records to draw (default: as many as the registry).'),
      })
      .strict()
      .optional()
      .describe(
        'Fidelity and privacy audit of the covariate model against its registry, shown in the dossier.',
      ),
  })
  .strict()
  .refine(
    (p) =>
      p.followUp?.accrual === undefined ||
      p.followUp.studyDuration === undefined ||
      p.followUp.studyDuration > p.followUp.accrual,
    {
      message:
        'followUp.studyDuration must exceed followUp.accrual (the data cut comes after the last entry)',
      path: ['followUp', 'studyDuration'],
    },
  )
  .refine(
    (p) =>
      !p.followUp?.accrualPattern ||
      p.followUp.accrual === undefined ||
      p.followUp.accrualPattern.breaks.every((b) => b < p.followUp!.accrual!),
    {
      message: 'accrualPattern.breaks must lie within the accrual period',
      path: ['followUp', 'accrualPattern', 'breaks'],
    },
  )
  .refine(
    (p) =>
      p.control.mode === 'twin'
        ? p.control.size === undefined && p.control.ratio === undefined
        : (p.control.size === undefined) !== (p.control.ratio === undefined),
    {
      message:
        'give exactly one of control.size and control.ratio (population mode); twin mode takes neither — one twin per treated patient',
      path: ['control'],
    },
  );

export type Protocol = z.output<typeof protocolSchema>;

/** The protocol schema as JSON Schema (draft 2020-12), for editors and `ecasim schema protocol`. */
export function protocolJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(protocolSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** A time-to-event protocol's follow-up: how its arms are censored. */
export interface Censoring {
  readonly accrual: number;
  readonly studyDuration: number;
  readonly dropoutRate: number;
  readonly accrualPattern?: { breaks: number[]; weights: number[] };
  readonly eventDriven?: { events: number };
}

/**
 * The protocol's follow-up as a censoring design, or null when it gives no accrual and study
 * duration (a binary or continuous endpoint; run/prepare.ts refuses a time-to-event endpoint
 * without them, at the protocol line).
 */
export function censoringOf(p: Protocol): Censoring | null {
  const f = p.followUp;
  if (f?.accrual === undefined || f.studyDuration === undefined) return null;
  return {
    accrual: f.accrual,
    studyDuration: f.studyDuration,
    dropoutRate: f.dropoutRate ?? 0,
    ...(f.accrualPattern ? { accrualPattern: f.accrualPattern } : {}),
    ...(f.eventDriven ? { eventDriven: f.eventDriven } : {}),
  };
}

/** {@link censoringOf} where the endpoint is time-to-event (prepared runs guarantee it). */
export function requireCensoring(p: Protocol): Censoring {
  const c = censoringOf(p);
  if (c === null)
    throw new Error(
      'internal: a time-to-event protocol without followUp.accrual and studyDuration',
    );
  return c;
}
