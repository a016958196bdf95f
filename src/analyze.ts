/**
 * `ecasim analyze` as a library function: two real arms from CSV files, no simulation —
 * Kaplan–Meier per arm, log-rank, Cox (unadjusted and, with covariates, adjusted), the cox.zph
 * proportional-hazards test and RMST. Every number comes from `src/stats/`, which matches R.
 */
import { readFileSync } from 'node:fs';
import { AnalysisError, InputError, throwCollected, type EcasimError } from './errors.js';
import { numericColumn, readTable, stringColumn, type Table } from './io/csv.js';
import { sha256 } from './io/output.js';
import { softwareVersions } from './package-info.js';
import { roundDeep, type Warning } from './results.js';
import { fitCox, type CoxData, type CoxFit } from './stats/cox.js';
import { coxZph } from './stats/cox-zph.js';
import { StatsError } from './stats/errors.js';
import { kaplanMeier, type KaplanMeierFit } from './stats/km.js';
import { logRank } from './stats/logrank.js';
import { rmst } from './stats/rmst.js';

export const ANALYZE_SCHEMA = 'ecasim-analysis/1';

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
 * Design columns for the covariates of both arms stacked (treated first): numeric columns as
 * they are; a column with any non-numeric value is categorical and becomes indicators for every
 * level but the first in sorted order (R's treatment contrasts for a character column).
 */
function designColumns(
  arms: Arm[],
  names: readonly string[],
  categorical: ReadonlySet<string>,
): { x: Float64Array[]; names: string[] } {
  const x: Float64Array[] = [];
  const out: string[] = [];
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
    if (!categorical.has(name) && numeric.every((v) => Number.isFinite(v))) {
      x.push(Float64Array.from(numeric));
      out.push(name);
      continue;
    }
    // R's order for a character column: sorted; numeric-looking levels sort as numbers.
    const levels = [...new Set(values)].sort((a, b) =>
      numeric.every((v) => Number.isFinite(v)) ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0,
    );
    for (const level of levels.slice(1)) {
      x.push(Float64Array.from(values, (v) => (v === level ? 1 : 0)));
      out.push(`${name}=${level}`);
    }
  }
  throwCollected(problems);
  return { x, names: out };
}

function inAnalysis<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof StatsError) {
      throw new AnalysisError(
        `cannot compute ${what}: ${err.message}`,
        err.field ? { field: err.field } : {},
      );
    }
    throw err;
  }
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

function coxSummary(fit: CoxFit, k: number) {
  return {
    logHr: fit.coef[k]!,
    // the standard error of the interval and p (robust when the fit is robust)
    se: fit.variance === 'robust' ? fit.robustSe![k]! : fit.se[k]!,
    hr: fit.hr[k]!,
    lower: fit.lower[k]!,
    upper: fit.upper[k]!,
    p: fit.p[k]!,
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
  const nT = treated.time.length;
  const n = nT + control.time.length;
  const time = new Float64Array(n);
  const status = new Float64Array(n);
  const group = new Float64Array(n);
  time.set(treated.time);
  time.set(control.time, nT);
  status.set(treated.event);
  status.set(control.event, nT);
  group.fill(1, 0, nT);
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
  const base: Omit<CoxData, 'x' | 'names'> = {
    time,
    status,
    ...(weights ? { weights } : {}),
    ...(strata ? { strata } : {}),
  };
  const coxData: CoxData = { ...base, x: [group], names: ['treated'] };
  const cox = inAnalysis('the unadjusted Cox model', () => fitCox(coxData));
  for (const w of cox.warnings) warnings.push({ ...w, source: 'cox' });

  let coxAdjusted;
  let zphFit = cox;
  let zphData = coxData;
  if (o.covariates && o.covariates.length > 0) {
    const unknown = (o.categorical ?? []).filter((c) => !o.covariates!.includes(c));
    if (unknown.length > 0) {
      throw new InputError(
        `--categorical names ${unknown.join(', ')}, which --covariates does not list`,
        {
          field: '--categorical',
          expected: `a subset of ${o.covariates.join(', ')}`,
          actual: unknown.join(', '),
        },
      );
    }
    const design = designColumns([treated, control], o.covariates, new Set(o.categorical ?? []));
    const adjData: CoxData = {
      ...base,
      x: [group, ...design.x],
      names: ['treated', ...design.names],
    };
    const adj = inAnalysis('the covariate-adjusted Cox model', () => fitCox(adjData));
    for (const w of adj.warnings) warnings.push({ ...w, source: 'coxAdjusted' });
    const terms: Record<string, { coef: number; se: number; p: number }> = {};
    design.names.forEach((name, j) => {
      terms[name] = { coef: adj.coef[j + 1]!, se: adj.se[j + 1]!, p: adj.p[j + 1]! };
    });
    coxAdjusted = { ...coxSummary(adj, 0), terms };
    zphFit = adj;
    zphData = adjData;
  }
  const zph = inAnalysis('the proportional-hazards test (cox.zph)', () => coxZph(zphFit, zphData));
  const rm = inAnalysis('the restricted mean survival time', () =>
    rmst(time, status, group, o.tau !== undefined ? { tau: o.tau } : {}),
  );
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
    cox: coxSummary(cox, 0),
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
      treated: { estimate: rm.treated.rmst.estimate, se: rm.treated.rmst.se },
      control: { estimate: rm.control.rmst.estimate, se: rm.control.rmst.se },
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
