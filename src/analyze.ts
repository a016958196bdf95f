/**
 * `ecasim analyze` as a library function: two real arms from CSV files, no simulation —
 * Kaplan–Meier per arm, log-rank, Cox (unadjusted and, with covariates, adjusted), the cox.zph
 * proportional-hazards test and RMST. The arms are read here; the analyses are the shared
 * analysis layer's (src/analysis/: design matrix, Cox, RMST, error wording), the same that
 * `ecasim run` uses against each synthetic control arm. Every number comes from `src/stats/`,
 * which matches R. With case weights, Kaplan–Meier, Cox (robust variance) and RMST are weighted;
 * the log-rank test cannot be and says so.
 */
import { readFileSync } from 'node:fs';
import { AnalysisError, InputError, throwCollected, type EcasimError } from './errors.js';
import { numericColumn, readTable, stringColumn, type Table } from './io/csv.js';
import { sha256 } from './io/output.js';
import { softwareVersions } from './package-info.js';
import { ANALYZE_SCHEMA, roundDeep, type Warning } from './results.js';
import { coxTerm, fitCoxModel, phTest, type CoxModel } from './analysis/cox.js';
import { inAnalysis } from './analysis/errors.js';
import { rmstComparison } from './analysis/rmst.js';
import { stackOutcomes, type StackedArms } from './analysis/stacked.js';
import type { Cohort, Column } from './cohort.js';
import type { CoxFit } from './stats/cox.js';
import { kaplanMeier, type KaplanMeierFit } from './stats/km.js';
import { logRank } from './stats/logrank.js';

export { ANALYZE_SCHEMA } from './results.js';

export interface AnalyzeOptions {
  treated: string;
  control: string;
  time: string;
  event: string;
  covariates?: readonly string[];
  /** Covariates to treat as categorical even when their values look numeric (e.g. ECOG 0/1/2). */
  categorical?: readonly string[];
  weights?: string;
  strata?: string;
  tau?: number;
}

interface Arm {
  file: string;
  table: Table;
  time: Float64Array;
  event: Float64Array;
  weights?: Float64Array;
  strata?: string[];
  /** Raw covariate strings by name. */
  covariates: Map<string, string[]>;
}

function readArm(file: string, label: string, o: AnalyzeOptions): Arm {
  const what = `${label} dataset`;
  const table = readTable(file, what);
  const problems: EcasimError[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (err instanceof InputError) {
        problems.push(err, ...(err.related as EcasimError[]));
        return undefined;
      }
      throw err;
    }
  };
  const time = attempt(() =>
    numericColumn(table, o.time, {
      what,
      min: 0,
      exclusiveMin: true,
      expected: 'a time > 0',
      field: '--time',
    }),
  );
  const event = attempt(() =>
    numericColumn(table, o.event, {
      what,
      allowed: [0, 1],
      expected: '0 (censored) or 1 (event)',
      field: '--event',
    }),
  );
  const weights =
    o.weights === undefined
      ? undefined
      : attempt(() =>
          numericColumn(table, o.weights!, {
            what,
            min: 0,
            exclusiveMin: true,
            expected: 'a weight > 0',
            field: '--weights',
          }),
        );
  const strata =
    o.strata === undefined
      ? undefined
      : attempt(() => stringColumn(table, o.strata!, what, '--strata'));
  const covariates = new Map<string, string[]>();
  for (const c of o.covariates ?? []) {
    const values = attempt(() => stringColumn(table, c, what, '--covariates'));
    if (values) covariates.set(c, values);
  }
  throwCollected(problems);
  return {
    file,
    table,
    time: time!,
    event: event!,
    ...(weights ? { weights } : {}),
    ...(strata ? { strata } : {}),
    covariates,
  };
}

/**
 * The covariates of both arms stacked (treated first) as a cohort: a column whose values are all
 * numbers is numeric (unless `categorical` names it); any other is categorical with its levels in
 * R's order for a character column (sorted; numeric-looking levels as numbers), so the shared
 * design matrix gives R's treatment contrasts (indicators of every level but the first).
 */
function covariateCohort(
  arms: Arm[],
  names: readonly string[],
  categorical: ReadonlySet<string>,
): Cohort {
  const columns = new Map<string, Column>();
  const problems: EcasimError[] = [];
  for (const name of names) {
    const values = arms.flatMap((a) => a.covariates.get(name)!);
    const rows = arms.flatMap((a) =>
      a.covariates
        .get(name)!
        .map((_, i) => ({ file: a.file, row: i + 1, line: a.table.lines[i]! })),
    );
    const missing = values.findIndex((v) => v === '' || /^(NA|NaN|null)$/i.test(v));
    if (missing >= 0) {
      const r = rows[missing]!;
      problems.push(
        new InputError(`covariate "${name}" is missing in ${r.file}, row ${r.row}`, {
          file: r.file,
          row: r.row,
          line: r.line,
          field: name,
          expected: 'a value for every patient (complete-case analysis is not done silently)',
          actual: 'a missing value',
          hint: 'impute or remove the patients with missing covariates before the analysis',
        }),
      );
      continue;
    }
    const numeric = values.map(Number);
    const allNumbers = numeric.every((v) => Number.isFinite(v));
    if (!categorical.has(name) && allNumbers) {
      columns.set(name, { kind: 'numeric', values: Float64Array.from(numeric) });
      continue;
    }
    const levels = [...new Set(values)].sort((a, b) =>
      allNumbers ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0,
    );
    const code = new Map(levels.map((l, k) => [l, k]));
    columns.set(name, {
      kind: 'categorical',
      codes: Int32Array.from(values, (v) => code.get(v)!),
      levels,
    });
  }
  throwCollected(problems);
  return { n: arms.reduce((s, a) => s + a.time.length, 0), columns };
}

function nullIfNaN(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function armSummary(fit: KaplanMeierFit, events: number) {
  return {
    n: fit.n,
    events,
    median: { estimate: fit.median.estimate, lower: fit.median.lower, upper: fit.median.upper },
  };
}

/** A covariate's coefficient: the SE in use (with its p) and both SEs by name. */
function termSummary(fit: CoxFit, k: number) {
  const t = coxTerm(fit, k);
  return { coef: t.coef, se: t.se, seModel: t.seModel, seRobust: t.seRobust, p: t.p };
}

function coxSummary(fit: CoxFit, k: number) {
  const t = coxTerm(fit, k);
  return {
    logHr: t.coef,
    // the standard error of the interval and p (robust when the fit is robust), then both by name
    se: t.se,
    seModel: t.seModel,
    seRobust: t.seRobust,
    hr: t.hr,
    lower: t.lower,
    upper: t.upper,
    p: t.p,
    ties: fit.ties,
    variance: fit.variance,
    iterations: fit.iterations,
    converged: fit.converged,
  };
}

/** The analysis of two real arms; returns results ready to serialise (numbers rounded). */
export function analyzeArms(o: AnalyzeOptions) {
  const treated = readArm(o.treated, 'treated', o);
  const control = readArm(o.control, 'control', o);
  const { time, status, group } = stackOutcomes(treated, control);
  const weights = o.weights
    ? new Float64Array([...treated.weights!, ...control.weights!])
    : undefined;
  let strata: Int32Array | undefined;
  if (o.strata) {
    const labels = [...treated.strata!, ...control.strata!];
    const codes = new Map([...new Set(labels)].sort().map((l, k) => [l, k]));
    strata = Int32Array.from(labels, (l) => codes.get(l)!);
  }
  const warnings: Warning[] = [];
  const events = (e: Float64Array) => e.reduce((s, v) => s + v, 0);
  for (const [arm, label] of [
    [treated, 'treated'],
    [control, 'control'],
  ] as const) {
    if (events(arm.event) === 0) {
      throw new AnalysisError(
        `the ${label} arm has no events: no hazard ratio or median can be estimated`,
        {
          file: arm.file,
          field: o.event,
          hint: 'check the event column and its coding (1 = event, 0 = censored)',
        },
      );
    }
  }
  const kmOpts = (w?: Float64Array) => (w ? { weights: w } : {});
  const kmT = inAnalysis('the Kaplan–Meier estimate of the treated arm', () =>
    kaplanMeier(treated.time, treated.event, kmOpts(treated.weights)),
  );
  const kmC = inAnalysis('the Kaplan–Meier estimate of the control arm', () =>
    kaplanMeier(control.time, control.event, kmOpts(control.weights)),
  );
  if (weights) {
    warnings.push({
      code: 'logrank-unweighted',
      source: 'logrank',
      message:
        'the log-rank test ignores case weights (as R survdiff); the weighted Cox model gives the weighted comparison',
    });
  }
  const lr = inAnalysis('the log-rank test', () =>
    logRank(time, status, group, strata ? { strata } : {}),
  );
  const keepField = { keepField: true };
  const unknown = (o.categorical ?? []).filter((c) => !(o.covariates ?? []).includes(c));
  if (unknown.length > 0) {
    throw new InputError(
      `--categorical names ${unknown.join(', ')}, which --covariates does not list`,
      {
        field: '--categorical',
        expected: `a subset of ${(o.covariates ?? []).join(', ') || 'the --covariates'}`,
        actual: unknown.join(', '),
      },
    );
  }
  const covariates = o.covariates ?? [];
  const arms: StackedArms = {
    time,
    status,
    group,
    covariates: covariateCohort([treated, control], covariates, new Set(o.categorical ?? [])),
    ...(weights ? { weights } : {}),
    ...(strata ? { strata } : {}),
  };
  const cox = fitCoxModel(arms, [], 'the unadjusted Cox model', keepField);
  for (const w of cox.fit.warnings) warnings.push({ ...w, source: 'cox' });

  let coxAdjusted;
  let zphModel: CoxModel = cox;
  if (covariates.length > 0) {
    const adj = fitCoxModel(arms, covariates, 'the covariate-adjusted Cox model', keepField);
    for (const d of adj.design.dropped) {
      warnings.push({
        code: 'constant-covariate',
        source: 'coxAdjusted',
        message: `${d} is constant in these data and was left out of the adjusted Cox model`,
      });
    }
    for (const w of adj.fit.warnings) warnings.push({ ...w, source: 'coxAdjusted' });
    const terms: Record<string, ReturnType<typeof termSummary>> = {};
    adj.design.names.forEach((name, j) => {
      terms[name] = termSummary(adj.fit, j + 1);
    });
    coxAdjusted = { ...coxSummary(adj.fit, 0), terms };
    zphModel = adj;
  }
  const zph = phTest(zphModel, 'km', 'the proportional-hazards test (cox.zph)', keepField);
  const rm = rmstComparison(arms, 'the restricted mean survival time', {
    ...(o.tau !== undefined ? { tau: o.tau } : {}),
    ...keepField,
  });
  for (const w of rm.warnings) warnings.push({ ...w, source: 'rmst' });

  return roundDeep({
    schema: ANALYZE_SCHEMA,
    inputs: {
      treated: { file: o.treated, sha256: sha256(readFileSync(o.treated)) },
      control: { file: o.control, sha256: sha256(readFileSync(o.control)) },
      time: o.time,
      event: o.event,
      covariates: o.covariates ?? [],
      weights: o.weights ?? null,
      strata: o.strata ?? null,
    },
    ecasim: softwareVersions().ecasim,
    arms: {
      treated: armSummary(kmT, events(treated.event)),
      control: armSummary(kmC, events(control.event)),
    },
    km: { confType: kmT.confType, confLevel: kmT.confLevel, variance: kmT.variance },
    logrank: {
      statistic: lr.statistic,
      df: lr.df,
      p: lr.p,
      method: lr.method,
      stratified: strata !== undefined,
    },
    cox: coxSummary(cox.fit, 0),
    ...(coxAdjusted ? { coxAdjusted } : {}),
    phTest: {
      model: coxAdjusted ? 'adjusted' : 'unadjusted',
      transform: zph.transform,
      global: { statistic: zph.global.statistic, df: zph.global.df, p: zph.global.p },
      terms: zph.terms.map((t) => ({ term: t.term, statistic: t.statistic, df: t.df, p: t.p })),
    },
    rmst: {
      tau: rm.tau,
      tauDefault: rm.tauDefault,
      weighted: rm.weighted,
      variance: rm.variance,
      treated: rm.treated,
      control: rm.control,
      difference: {
        estimate: rm.difference.estimate,
        lower: rm.difference.lower,
        upper: rm.difference.upper,
        p: nullIfNaN(rm.difference.p),
      },
      ratio: { estimate: rm.ratio.estimate, lower: rm.ratio.lower, upper: rm.ratio.upper },
    },
    warnings,
  });
}

export type AnalysisResults = ReturnType<typeof analyzeArms>;
