/**
 * `ecasim fit`: a covariate model (`ecasim-model/1`) from a registry extract (CSV) and a fit spec
 * (`ecasim-fit/1`, docs/fit-spec.md). Reads and checks the columns (every bad value with its row),
 * keeps complete cases, fixes or learns the graph (structure.ts), estimates every variable's
 * parameters by maximum likelihood (estimators.ts, fitLogistic), and returns a model that has
 * passed `parseModel` — or, with ε, a differentially private one (privacy.ts).
 */
import { InputError, UsageError, show, throwCollected, type EcasimError } from '../errors.js';
import { columnIndex, isMissingCell, type Table } from '../io/csv.js';
import { parseLocated, problemAt } from '../io/document.js';
import { softwareVersions } from '../package-info.js';
import { createStream, type RandomSource } from '../random/index.js';
import type { CategoricalColumn, Cohort, Column } from '../cohort.js';
import type { RegistryData, SurvivalColumn, TermEstimate } from './registry-data.js';
import { bootstrapCovariance } from '../stats/bootstrap.js';
import { StatsError, type StatsWarning } from '../stats/errors.js';
import { fitLogistic } from '../stats/logistic.js';
import { glmLogLik } from '../stats/fitters/glm-score.js';
import { fitOls, olsLogLik } from '../stats/fitters/ols.js';
import { fitPiecewiseExponential, splitIntervals } from '../stats/fitters/piecewise-exponential.js';
import { fitPoisson, logFactorial } from '../stats/fitters/poisson.js';
import { tableCounts, tableLogLik } from '../stats/fitters/table.js';
import type { SurvivalFit } from '../stats/fitters/survival.js';
import { fitWeibull, weibullLogLik } from '../stats/fitters/weibull.js';
import {
  binIndex,
  isLevelKind,
  isOutcomeKind,
  maxParentsOf,
  specLevels,
  tierOf,
  type LearnSpec,
  type FitSpec,
  type LoadedFitSpec,
  type VariableSpec,
} from './fit-spec.js';
import { parseModel, type CovariateModel } from './load.js';
import { parentConfigurations } from './network.js';
import { fitPrivate } from './dp-fit.js';
import { MODEL_FORMAT, type Model, type Variable } from './schema.js';
import { hillClimb } from './structure.js';
import { forward, logJacobian, lowerLimit } from './transform.js';

/** Survival outcome columns. */
/** What `fitModel` returns besides the model. */
export interface FitResult {
  /** The model, already validated by `parseModel`. */
  readonly model: Model;
  readonly loaded: CovariateModel;
  /** Child → parents of the fitted graph. */
  readonly graph: Readonly<Record<string, readonly string[]>>;
  /** Estimates with standard errors, per variable and term (baseline parameters on their own scale). */
  readonly estimates: Readonly<Record<string, readonly TermEstimate[]>>;
  readonly n: number;
  readonly missing: Readonly<Record<string, number>>;
  readonly warnings: StatsWarning[];
  readonly method: 'fitted' | 'fitted-dp';
  /**
   * Each variable's maximised log-likelihood and free parameters, to compare specs (baselines,
   * graphs) by AIC = −2 logLik + 2k; null for a differentially private fit (its tables are noised).
   */
  readonly likelihood: Readonly<Record<string, { logLik: number; dof: number }>> | null;
}

export interface FitOptions {
  /** Differential-privacy budget; omit for plain maximum likelihood. */
  epsilon?: number;
  /** Randomness for the DP mechanisms (required with `epsilon`). */
  rng?: RandomSource;
  /** `software` in provenance (default `ecasim <version>`). */
  software?: string;
}

const WHAT = 'registry extract';

/**
 * Reads the spec's variables from the registry table: categorical kinds against their levels (or
 * bins), numeric kinds as finite numbers, time-to-event as (time > 0, event coded by
 * `eventCoding`). Every bad value is reported with its row and column (up to 20 per column), all
 * together; missing values are counted per variable and rows with any missing value dropped
 * (complete cases). O(rows · variables).
 *
 * @example
 * const data = readRegistry(readTable('reg.csv', 'registry extract'), loadFitSpec('fit.yaml'));
 * data.n; // complete cases; data.missing: { age: 3, stage: 0, ... }
 */
export function readRegistry(table: Table, loaded: LoadedFitSpec): RegistryData {
  const { spec, doc } = loaded;
  const problems: EcasimError[] = [];
  const nTotal = table.rows.length;
  const missingRow = new Uint8Array(nTotal);
  const missing: Record<string, number> = {};
  const raw = new Map<string, Column>();
  const surv = new Map<string, SurvivalColumn>();
  /** The index of a column, or a problem located at the spec field that names it. */
  const col = (
    name: string,
    key: 'column' | 'time' | 'event',
    colName: string,
  ): number | undefined => {
    try {
      return columnIndex(table, colName, WHAT, `variables.${name}.${key}`);
    } catch (err) {
      const e = err as InputError;
      const named = key !== 'column' || spec.variables[name]!.column !== undefined;
      problems.push(
        problemAt(doc, ['variables', name, ...(named ? [key] : [])], e.message, {
          ...(e.details.expected !== undefined ? { expected: e.details.expected } : {}),
          ...(e.details.actual !== undefined ? { actual: e.details.actual } : {}),
          hint: `add the column to ${table.file}, or name the right one with "${key}" in the spec`,
        }),
      );
      return undefined;
    }
  };
  const bad = (i: number, column: string, name: string, msg: string, expected: string): void => {
    if (problems.length >= 50) return;
    problems.push(
      new InputError(`${WHAT}, row ${i + 1}, column "${column}": ${msg}`, {
        file: table.file,
        row: i + 1,
        line: table.lines[i]!,
        field: name,
        expected,
        hint: 'correct the value in the file, or the levels in the fit spec (rows counted from 1 after the header)',
      }),
    );
  };

  for (const [name, v] of Object.entries(spec.variables)) {
    let nMissing = 0;
    /** Whether a cell of row i is missing: the row is then no complete case, and is counted. */
    const missingAt = (i: number, ...cells: string[]): boolean => {
      if (!cells.some(isMissingCell)) return false;
      nMissing++;
      missingRow[i] = 1;
      return true;
    };
    if (v.kind === 'time-to-event') {
      const jt = col(name, 'time', v.time!);
      const je = col(name, 'event', v.event!);
      if (jt === undefined || je === undefined) continue;
      const coding = v.eventCoding ?? { event: 1, censored: 0 };
      const time = new Float64Array(nTotal);
      const status = new Float64Array(nTotal);
      for (let i = 0; i < nTotal; i++) {
        const rt = table.rows[i]![jt]!;
        const re = table.rows[i]![je]!;
        if (missingAt(i, rt, re)) continue;
        const t = Number(rt);
        if (!(Number.isFinite(t) && t > 0)) {
          bad(i, v.time!, name, `expected a time > 0, found ${show(rt)}`, 'a finite number > 0');
        }
        const e = Number(re);
        if (e === coding.event) status[i] = 1;
        else if (e !== coding.censored) {
          bad(
            i,
            v.event!,
            name,
            `expected ${coding.event} (event) or ${coding.censored} (censored), found ${show(re)}`,
            `${coding.event} or ${coding.censored} (eventCoding)`,
          );
        }
        time[i] = t;
      }
      surv.set(name, { time, status });
      raw.set(name, { kind: 'numeric', values: time });
    } else {
      const colName = v.column ?? name;
      const j = col(name, 'column', colName);
      if (j === undefined) continue;
      const levels = specLevels(v);
      if (levels) {
        const codes = new Int32Array(nTotal);
        const index = new Map(levels.map((l, k) => [l, k]));
        for (let i = 0; i < nTotal; i++) {
          const r = table.rows[i]![j]!;
          if (missingAt(i, r)) continue;
          if (v.bins && !v.levels?.includes(r)) {
            const x = Number(r);
            if (!Number.isFinite(x)) {
              bad(i, colName, name, `expected a number to bin, found ${show(r)}`, 'a number');
            } else codes[i] = binIndex(x, v.bins);
            continue;
          }
          let k = index.get(r);
          // numeric spellings of levels: "1.0" for level "1"
          if (k === undefined && r !== '' && Number.isFinite(Number(r)))
            k = index.get(String(Number(r)));
          if (k === undefined) {
            bad(
              i,
              colName,
              name,
              `${show(r)} is not a level of "${name}" (levels ${levels.join(', ')})`,
              `one of ${levels.join(', ')}`,
            );
          } else codes[i] = k;
        }
        raw.set(name, { kind: 'categorical', codes, levels });
      } else {
        const values = new Float64Array(nTotal);
        for (let i = 0; i < nTotal; i++) {
          const r = table.rows[i]![j]!;
          if (missingAt(i, r)) continue;
          const x = Number(r);
          if (!Number.isFinite(x))
            bad(i, colName, name, `expected a number, found ${show(r)}`, 'a number');
          else if (v.kind === 'count' && !(Number.isInteger(x) && x >= 0)) {
            bad(
              i,
              colName,
              name,
              `expected a count (integer >= 0), found ${show(r)}`,
              'an integer >= 0',
            );
          } else if (v.transform !== undefined && !(x > lowerLimit(v.transform))) {
            const limit = lowerLimit(v.transform);
            bad(
              i,
              colName,
              name,
              `expected a value > ${limit} ("transform": "${v.transform}"), found ${show(r)}`,
              `a number > ${limit}${v.transform === 'log' ? ' (or transform: log1p for values with zeros)' : ''}`,
            );
          }
          values[i] = x;
        }
        raw.set(name, { kind: 'numeric', values });
      }
    }
    missing[name] = nMissing;
  }
  throwCollected(problems);
  const keep: number[] = [];
  for (let i = 0; i < nTotal; i++) if (!missingRow[i]) keep.push(i);
  if (keep.length < 2) {
    throw new InputError(
      `${WHAT} has ${keep.length} complete case${keep.length === 1 ? '' : 's'}`,
      {
        file: table.file,
        expected: 'at least 2 rows without missing values in the spec’s variables',
        hint:
          'missing values per variable: ' +
          Object.entries(missing)
            .map(([k, m]) => `${k} ${m}`)
            .join(', '),
      },
    );
  }
  const columns = new Map<string, Column>();
  for (const [name, c] of raw) {
    columns.set(
      name,
      c.kind === 'numeric'
        ? { kind: 'numeric', values: Float64Array.from(keep, (i) => c.values[i]!) }
        : {
            kind: 'categorical',
            codes: Int32Array.from(keep, (i) => c.codes[i]!),
            levels: c.levels,
          },
    );
  }
  const survKept = new Map<string, SurvivalColumn>();
  for (const [name, s] of surv) {
    survKept.set(name, {
      time: Float64Array.from(keep, (i) => s.time[i]!),
      status: Float64Array.from(keep, (i) => s.status[i]!),
    });
  }
  return { n: keep.length, nTotal, columns, surv: survKept, missing };
}

/** The design of a linear predictor: one column per term, numeric parents centred at their mean. */
export interface Design {
  readonly terms: string[];
  readonly columns: Float64Array[];
  readonly centers: Record<string, number>;
  /** Terms left out because their column is constant (e.g. a level never seen): coefficient 0. */
  readonly dropped: string[];
}

/**
 * The design columns of `parents`: a numeric parent enters as x − mean(x) (its center), a
 * categorical one as indicators of its non-reference levels (`name=level`). Constant columns
 * are dropped (a level absent from the data cannot be estimated; its term stays 0). O(n · terms).
 *
 * @example
 * buildDesign(data, ['age', 'stage']).terms; // ['age', 'stage=IV'], centers { age: 64.2 }
 */
export function buildDesign(data: RegistryData, parents: readonly string[]): Design {
  const terms: string[] = [];
  const columns: Float64Array[] = [];
  const centers: Record<string, number> = {};
  const dropped: string[] = [];
  for (const p of parents) {
    const c = data.columns.get(p)!;
    if (c.kind === 'numeric') {
      let s = 0;
      for (let i = 0; i < data.n; i++) s += c.values[i]!;
      const m = s / data.n;
      const x = Float64Array.from(c.values, (v) => v - m);
      if (x.every((v) => v === x[0])) {
        dropped.push(p);
        continue;
      }
      centers[p] = m;
      terms.push(p);
      columns.push(x);
    } else {
      for (let l = 1; l < c.levels.length; l++) {
        const x = Float64Array.from(c.codes, (k) => (k === l ? 1 : 0));
        const term = `${p}=${c.levels[l]}`;
        if (x.every((v) => v === x[0])) dropped.push(term);
        else {
          terms.push(term);
          columns.push(x);
        }
      }
    }
  }
  return { terms, columns, centers, dropped };
}

/** One variable's fitted piece of the model, its estimates and its local log-likelihood. */
export interface NodeFit {
  readonly variable: Variable;
  readonly estimates: TermEstimate[];
  readonly logLik: number;
  /** Free parameters (for BIC). */
  readonly dof: number;
  readonly warnings: StatsWarning[];
}

function describe(v: VariableSpec): Pick<Variable, 'label' | 'description'> {
  return {
    ...(v.label !== undefined ? { label: v.label } : {}),
    ...(v.description !== undefined ? { description: v.description } : {}),
  };
}

/**
 * The counts of a categorical variable by configuration of its (categorical) parents: what the
 * fitted table and the structure search's score both start from.
 */
function countTable(data: RegistryData, name: string, parents: readonly string[]) {
  const cc = data.columns.get(name) as CategoricalColumn;
  const pcs = parents.map((p) => data.columns.get(p) as CategoricalColumn);
  const t = tableCounts(
    cc.codes,
    cc.levels.length,
    pcs.map((p) => p.codes),
    pcs.map((p) => p.levels.length),
  );
  return { cc, pcs, t };
}

/**
 * Maximum-likelihood fit of one variable given its parents: a probability table with counts
 * (categorical; an unseen parent configuration gets the child's marginal distribution, counts 0,
 * and a warning), logistic regression by IRLS (logistic, binary endpoint), OLS (continuous kinds;
 * `sd` with R's n − p divisor), Poisson regression (count), Weibull / exponential /
 * piecewise-exponential PH (time-to-event). Throws StatsError when the fit is impossible.
 * Complexity O(n · terms²) per iteration of the underlying fit.
 *
 * @example
 * fitNode(data, 'ecog', spec.variables.ecog, ['age', 'stage']).variable.coefficients;
 * // { age: 0.049, 'stage=IV': 0.81 }
 */
export function fitNode(
  data: RegistryData,
  name: string,
  v: VariableSpec,
  parents: readonly string[],
  bootstrap?: BootstrapPlan,
): NodeFit {
  const warnings: StatsWarning[] = [];
  const c = data.columns.get(name)!;
  const parentsField = parents.length > 0 ? { parents: [...parents] } : { parents: [] };
  if (v.kind === 'categorical') {
    const { cc, pcs, t } = countTable(data, name, parents);
    const k = cc.levels.length;
    const marginal = new Float64Array(k);
    for (let i = 0; i < data.n; i++) marginal[cc.codes[i]!]! += 1 / data.n;
    const configs = parentConfigurations(pcs.map((p) => p.levels));
    const unseen: string[] = [];
    const table = configs.map((cfg, r) => {
      const counts = Array.from(t.counts.subarray(r * k, r * k + k));
      const tot = counts.reduce((a, b) => a + b, 0);
      const given = Object.fromEntries(parents.map((p, j) => [p, cfg[j]!]));
      if (tot === 0) unseen.push(parents.map((p, j) => `${p}=${cfg[j]}`).join(', '));
      return { given, p: tot === 0 ? Array.from(marginal) : counts.map((m) => m / tot), counts };
    });
    if (unseen.length > 0) {
      warnings.push({
        code: 'unseen-configuration',
        message:
          `"${name}": ${unseen.length} parent configuration${unseen.length === 1 ? '' : 's'} never seen in the registry ` +
          `(${unseen
            .slice(0, 5)
            .map((u) => `(${u})`)
            .join(', ')}${unseen.length > 5 ? ', ...' : ''}) ` +
          `got the marginal distribution of "${name}" with counts 0`,
      });
    }
    const rare = cc.levels.filter((_, l) => marginal[l] === 0);
    if (rare.length > 0) {
      warnings.push({
        code: 'unseen-level',
        message: `"${name}": level${rare.length > 1 ? 's' : ''} ${rare.join(', ')} never seen among complete cases (kept, probability 0)`,
      });
    }
    return {
      variable: {
        kind: 'categorical',
        ...describe(v),
        ...parentsField,
        levels: [...cc.levels],
        ...(v.levelLabels ? { levelLabels: v.levelLabels } : {}),
        table,
        ...(v.bins ? { recode: { column: v.column ?? name, bins: [...v.bins] } } : {}),
      },
      // binomial SE of each probability, sqrt(p(1 − p)/row total); NaN for an unseen row
      estimates: table.flatMap((row) => {
        const tot = row.counts.reduce((a, b) => a + b, 0);
        return row.p.map((p, l) => ({
          term: `${cc.levels[l]}|${Object.values(row.given).join(',')}`,
          estimate: p,
          se: tot > 0 ? Math.sqrt((p * (1 - p)) / tot) : NaN,
        }));
      }),
      logLik: tableLogLik(t),
      dof: t.nConfig * (k - 1),
      warnings,
    };
  }

  const d = buildDesign(data, parents);
  if (d.dropped.length > 0) {
    warnings.push({
      code: 'constant-term',
      message: `"${name}": term${d.dropped.length > 1 ? 's' : ''} ${d.dropped.join(', ')} constant among complete cases (coefficient 0)`,
    });
  }
  const terms = (coef: ArrayLike<number>, offset: number): Record<string, number> =>
    Object.fromEntries(d.terms.map((t, j) => [t, coef[offset + j]!]));
  // The sampling covariance, in the model's parameter names, so replicates can draw parameters.
  const covarianceOf = (names: readonly string[], cov: ArrayLike<number>) => {
    const q = names.length;
    return {
      parameters: names.map((n) => (n === '(Intercept)' ? 'intercept' : n)),
      matrix: Array.from({ length: q }, (_, i) =>
        Array.from({ length: q }, (_, j) => cov[i * q + j]!),
      ),
    };
  };
  // The bootstrap covariance of the same parameters when the plan asks for it (else the
  // information-based one): `refit` re-estimates them on resampled rows, null if it cannot.
  const sampling = (
    information: { parameters: string[]; matrix: number[][] },
    refit: (pick: (a: ArrayLike<number>) => Float64Array) => ArrayLike<number> | null,
  ) =>
    bootstrap === undefined
      ? information
      : resampledCovariance(name, data.n, d.columns, information, refit, bootstrap, warnings);
  const est = (
    names: readonly string[],
    coef: ArrayLike<number>,
    se: ArrayLike<number>,
  ): TermEstimate[] => names.map((t, j) => ({ term: t, estimate: coef[j]!, se: se[j]! }));

  if (v.kind === 'logistic' || v.kind === 'binary-endpoint') {
    const cc = c as CategoricalColumn;
    const f = fitLogistic(Float64Array.from(cc.codes), d.columns, d.terms);
    warnings.push(...f.warnings.map((w) => ({ ...w, message: `"${name}": ${w.message}` })));
    return {
      variable: {
        kind: v.kind,
        ...describe(v),
        ...parentsField,
        levels: [cc.levels[0]!, cc.levels[1]!],
        ...(v.levelLabels ? { levelLabels: v.levelLabels } : {}),
        intercept: f.coefficients[0]!,
        coefficients: terms(f.coefficients, 1),
        centers: d.centers,
        covariance: sampling(covarianceOf(f.names, f.covariance), (pick) => {
          const r = fitLogistic(pick(cc.codes), d.columns.map(pick), d.terms);
          return r.warnings.length === 0 ? r.coefficients : null;
        }),
      },
      estimates: est(f.names, f.coefficients, f.se),
      logLik: -f.deviance / 2,
      dof: 1 + d.terms.length,
      warnings,
    };
  }
  if (v.kind === 'continuous' || v.kind === 'continuous-endpoint') {
    const x = (c as { values: Float64Array }).values;
    const t = v.transform ?? 'none';
    const y = t === 'none' ? x : Float64Array.from(x, (xi) => forward(t, xi));
    const f = fitOls(y, d.columns, d.terms);
    // the likelihood of x, not of g(x), so BIC compares like with like
    let jac = 0;
    if (t !== 'none') for (let i = 0; i < x.length; i++) jac += logJacobian(t, x[i]!);
    return {
      variable: {
        kind: v.kind,
        ...describe(v),
        ...parentsField,
        ...(v.unit !== undefined ? { unit: v.unit } : {}),
        intercept: f.coefficients[0]!,
        coefficients: terms(f.coefficients, 1),
        centers: d.centers,
        // log σ̂ is independent of the coefficients under normal theory, Var ≈ 1/(2(n − p))
        covariance: sampling(
          withLogSd(covarianceOf(f.names, f.covariance), 1 / (2 * (f.n - f.names.length))),
          (pick) => {
            const r = fitOls(pick(y), d.columns.map(pick), d.terms);
            return [...r.coefficients, Math.log(r.sd)];
          },
        ),
        sd: f.sd,
        transform: v.transform ?? 'none',
        ...(v.bounds ? { bounds: v.bounds } : {}),
        round: v.round ?? false,
      },
      estimates: [
        ...est(f.names, f.coefficients, f.se),
        // se of σ̂ ≈ σ̂/√(2(n − p)) (normal theory)
        { term: 'sd', estimate: f.sd, se: f.sd / Math.sqrt(2 * (f.n - f.names.length)) },
      ],
      logLik: f.logLik + jac,
      dof: 2 + d.terms.length,
      warnings,
    };
  }
  if (v.kind === 'count') {
    const counts = (c as { values: Float64Array }).values;
    const f = fitPoisson(counts, d.columns, d.terms);
    warnings.push(...f.warnings.map((w) => ({ ...w, message: `"${name}": ${w.message}` })));
    return {
      variable: {
        kind: 'count',
        ...describe(v),
        ...parentsField,
        ...(v.unit !== undefined ? { unit: v.unit } : {}),
        distribution: 'poisson',
        intercept: f.coefficients[0]!,
        coefficients: terms(f.coefficients, 1),
        centers: d.centers,
        covariance: sampling(covarianceOf(f.names, f.covariance), (pick) => {
          const r = fitPoisson(pick(counts), d.columns.map(pick), d.terms);
          return r.warnings.length === 0 ? r.coefficients : null;
        }),
      },
      estimates: est(f.names, f.coefficients, f.se),
      logLik: f.logLik,
      dof: 1 + d.terms.length,
      warnings,
    };
  }
  // time-to-event
  const s = data.surv.get(name)!;
  const baseline = v.baseline ?? 'weibull';
  const fitSurvival = (
    time: Float64Array,
    status: Float64Array,
    columns: readonly Float64Array[],
    start?: SurvivalFit,
  ): SurvivalFit =>
    baseline === 'piecewise-exponential'
      ? fitPiecewiseExponential(time, status, columns, d.terms, v.breaks!)
      : fitWeibull(time, status, columns, d.terms, {
          exponential: baseline === 'exponential',
          ...(start !== undefined ? { start } : {}),
        });
  const f = fitSurvival(s.time, s.status, d.columns);
  warnings.push(...f.warnings.map((w) => ({ ...w, message: `"${name}": ${w.message}` })));
  const nb = f.parameterNames.length - d.terms.length;
  const ses = Float64Array.from({ length: f.parameterNames.length }, (_, j) =>
    Math.sqrt(f.covariance[j * f.parameterNames.length + j]!),
  );
  const baseEst: number[] = [];
  const baseNames: string[] = [];
  const b = f.baseline;
  if (b.distribution === 'weibull') {
    baseNames.push('log(shape)', 'log(scale)');
    baseEst.push(Math.log(b.shape), Math.log(b.scale));
  } else if (b.distribution === 'exponential') {
    baseNames.push('log(rate)');
    baseEst.push(Math.log(b.rate));
  } else {
    b.breaks.forEach((br, j) => {
      baseNames.push(`log(rate[${br}])`);
      baseEst.push(Math.log(b.rates[j]!));
    });
  }
  return {
    variable: {
      kind: 'time-to-event',
      ...describe(v),
      ...parentsField,
      baseline: b,
      logHazardRatios: terms(f.logHazardRatios, 0),
      centers: d.centers,
      // piecewise rates are named log(rate[START]) by the interval they start
      covariance: sampling(covarianceOf(f.parameterNames, f.covariance), (pick) => {
        const r = fitSurvival(pick(s.time), pick(s.status), d.columns.map(pick), f);
        return r.warnings.length === 0 ? survivalParameters(r) : null;
      }),
    },
    estimates: [
      ...baseNames.map((t, j) => ({ term: t, estimate: baseEst[j]!, se: ses[j]! })),
      ...d.terms.map((t, j) => ({ term: t, estimate: f.logHazardRatios[j]!, se: ses[nb + j]! })),
    ],
    logLik: f.logLik,
    dof: nb + d.terms.length,
    warnings,
  };
}

/** How the registry fit estimates its parameters' covariance by the bootstrap (fit spec `covariance`). */
export interface BootstrapPlan {
  readonly replicates: number;
  /** This variable's resamples (one substream per variable, so variables do not share draws). */
  readonly rng: RandomSource;
}

/** A survival fit's parameters in the order of its `parameterNames` (baseline on the log scale, then β). */
function survivalParameters(f: SurvivalFit): number[] {
  const b = f.baseline;
  const base =
    b.distribution === 'weibull'
      ? [Math.log(b.shape), Math.log(b.scale)]
      : b.distribution === 'exponential'
        ? [Math.log(b.rate)]
        : b.rates.map(Math.log);
  return [...base, ...f.logHazardRatios];
}

/**
 * Resamples in which the fit could not be used (not converged, separated, a design column
 * constant) beyond this share leave the information covariance in place: a bootstrap that drops
 * the hardest resamples would understate the variance it is meant to measure.
 */
const MAX_FAILED_SHARE = 0.05;

/**
 * The bootstrap covariance (stats/bootstrap.ts) of a variable's parameters, named as the
 * model's `covariance` names them; the information-based `fallback` with a warning when more
 * than 5% of the resamples cannot be fitted. A resample whose design column is constant (a level
 * drawn by no one) cannot estimate that term, so it counts as failed.
 */
function resampledCovariance(
  variable: string,
  n: number,
  design: readonly Float64Array[],
  fallback: { parameters: string[]; matrix: number[][] },
  refit: (pick: (a: ArrayLike<number>) => Float64Array) => ArrayLike<number> | null,
  plan: BootstrapPlan,
  warnings: StatsWarning[],
): {
  parameters: string[];
  matrix: number[][];
  method: 'bootstrap' | 'information';
  replicates?: number;
} {
  const boot = bootstrapCovariance(
    n,
    plan.replicates,
    (rows) => {
      // Each column is picked once per resample (the design's columns are reused by refit).
      const picked = new Map<ArrayLike<number>, Float64Array>();
      const pick = (a: ArrayLike<number>): Float64Array => {
        let x = picked.get(a);
        if (x === undefined) {
          x = new Float64Array(rows.length);
          for (let i = 0; i < rows.length; i++) x[i] = a[rows[i]!]!;
          picked.set(a, x);
        }
        return x;
      };
      for (const col of design) {
        const x = pick(col);
        let constant = true;
        for (let i = 1; i < x.length && constant; i++) if (x[i] !== x[0]) constant = false;
        if (constant) return null;
      }
      try {
        return refit(pick);
      } catch (err) {
        if (err instanceof StatsError) return null;
        throw err;
      }
    },
    plan.rng,
  );
  if (boot.failed > MAX_FAILED_SHARE * plan.replicates) {
    warnings.push({
      code: 'bootstrap-failed',
      message:
        `"${variable}": ${boot.failed} of ${plan.replicates} bootstrap resamples could not be fitted ` +
        `(a level drawn by no one, no convergence or separation); its covariance is the inverse information, ` +
        `which understates the sampling variance at small registries`,
    });
    return { ...fallback, method: 'information' };
  }
  const q = fallback.parameters.length;
  const c = boot.covariance;
  return {
    parameters: fallback.parameters,
    matrix: Array.from({ length: q }, (_, i) => Array.from(c.subarray(i * q, i * q + q))),
    method: 'bootstrap',
    replicates: boot.kept,
  };
}

/** A covariance block with `log(sd)` appended, uncorrelated with the other parameters. */
function withLogSd(
  cov: { parameters: string[]; matrix: number[][] },
  variance: number,
): { parameters: string[]; matrix: number[][] } {
  return {
    parameters: [...cov.parameters, 'log(sd)'],
    matrix: [...cov.matrix.map((row) => [...row, 0]), [...cov.matrix.map(() => 0), variance]],
  };
}

/** A local score: the maximised log-likelihood of a variable given a parent set, and its free parameters. */
export interface LocalScore {
  readonly logLik: number;
  readonly dof: number;
}

/**
 * The local scorer of structure learning: for a variable and a parent set, the maximised
 * log-likelihood and number of free parameters of the same model `fitNode` fits, computed by the
 * score-only kernels of estimators.ts (no standard errors) over design columns built once per
 * parent. −Infinity log-likelihood when the model cannot be fitted (collinear, no events).
 * Complexity per call: O(n · (parents + 1)²) per Newton iteration; tables O(n · parents). With
 * only categorical parents, rows are first aggregated by parent configuration (same likelihood).
 *
 * @example
 * const score = createScorer(data, spec);
 * score('ecog', ['age']); // { logLik: -6612.4, dof: 2 }
 */
export function createScorer(
  data: RegistryData,
  spec: FitSpec,
): (name: string, parents: readonly string[]) => LocalScore {
  const designs = new Map<string, Design>();
  const designOf = (p: string): Design => {
    let d = designs.get(p);
    if (!d) {
      d = buildDesign(data, [p]);
      designs.set(p, d);
    }
    return d;
  };
  const n = data.n;
  const responses = new Map<string, Float64Array>();
  const response = (name: string, f: () => Float64Array): Float64Array => {
    let r = responses.get(name);
    if (!r) {
      r = f();
      responses.set(name, r);
    }
    return r;
  };
  const splits = new Map<string, ReturnType<typeof splitIntervals>>();
  /** Row-major design: `lead` leading columns, then the parents' columns (rows mapped by `rowOf`). */
  const rowMajor = (
    parents: readonly string[],
    lead: Float64Array[],
    rows: number,
    rowOf?: Int32Array,
  ): { x: Float64Array; q: number } => {
    const cols = [...lead, ...parents.flatMap((p) => designOf(p).columns)];
    const q = cols.length;
    const x = new Float64Array(rows * q);
    for (let j = 0; j < q; j++) {
      const c = cols[j]!;
      if (rowOf && j >= lead.length) for (let i = 0; i < rows; i++) x[i * q + j] = c[rowOf[i]!]!;
      else for (let i = 0; i < rows; i++) x[i * q + j] = c[i]!;
    }
    return { x, q };
  };
  const ones = new Float64Array(n).fill(1);
  /**
   * With only categorical parents, rows with the same parent configuration share a design row:
   * the configuration of every row (mixed radix), or undefined when a parent is numeric.
   */
  const configOf = (parents: readonly string[]): Int32Array | undefined => {
    const pcs = parents.map((p) => data.columns.get(p)!);
    if (!pcs.every((p) => p.kind === 'categorical')) return undefined;
    const config = new Int32Array(n);
    for (const p of pcs as CategoricalColumn[]) {
      const k = p.levels.length;
      const codes = p.codes;
      for (let i = 0; i < n; i++) config[i] = config[i]! * k + codes[i]!;
    }
    return config;
  };
  /** Sums of `y` and of `weight` per key, with the first row of each key (keys seen, in order). */
  const aggregate = (
    key: Int32Array,
    y: ArrayLike<number>,
    weight?: ArrayLike<number>,
  ): { rep: Int32Array; group: Int32Array; sumY: Float64Array; sumW: Float64Array } => {
    const slot = new Map<number, number>();
    const group = new Int32Array(key.length);
    const rep: number[] = [];
    const sy: number[] = [];
    const sw: number[] = [];
    for (let i = 0; i < key.length; i++) {
      let j = slot.get(key[i]!);
      if (j === undefined) {
        j = rep.length;
        slot.set(key[i]!, j);
        rep.push(i);
        sy.push(0);
        sw.push(0);
      }
      group[i] = j;
      sy[j]! += y[i]!;
      sw[j]! += weight ? weight[i]! : 1;
    }
    return {
      rep: Int32Array.from(rep),
      group,
      sumY: Float64Array.from(sy),
      sumW: Float64Array.from(sw),
    };
  };
  const lfactSums = new Map<string, number>();

  return (name, parents) => {
    const v = spec.variables[name]!;
    const c = data.columns.get(name)!;
    if (v.kind === 'categorical') {
      const { cc, t } = countTable(data, name, parents);
      return { logLik: tableLogLik(t), dof: t.nConfig * (cc.levels.length - 1) };
    }
    const terms = parents.reduce((s, p) => s + designOf(p).columns.length, 0);
    if (v.kind === 'logistic' || v.kind === 'binary-endpoint') {
      const y = response(name, () => Float64Array.from((c as CategoricalColumn).codes));
      const config = configOf(parents);
      if (config) {
        const a = aggregate(config, y);
        const { x, q } = rowMajor(parents, [ones], a.rep.length, a.rep);
        const mean = a.sumY.map((v, j) => v / a.sumW[j]!);
        return {
          logLik: glmLogLik('binomial', mean, x, q, { weights: a.sumW }),
          dof: 1 + terms,
        };
      }
      const { x, q } = rowMajor(parents, [ones], n);
      return { logLik: glmLogLik('binomial', y, x, q), dof: 1 + terms };
    }
    if (v.kind === 'continuous' || v.kind === 'continuous-endpoint') {
      const values = (c as { values: Float64Array }).values;
      const t = v.transform ?? 'none';
      const y = response(name, () =>
        t === 'none' ? values : Float64Array.from(values, (xi) => forward(t, xi)),
      );
      let jac = 0;
      if (t !== 'none') for (let i = 0; i < n; i++) jac += logJacobian(t, values[i]!);
      const { x, q } = rowMajor(parents, [ones], n);
      return { logLik: olsLogLik(y, x, q) + jac, dof: 2 + terms };
    }
    if (v.kind === 'count') {
      const y = (c as { values: Float64Array }).values;
      const config = configOf(parents);
      if (config) {
        let lf = lfactSums.get(name);
        if (lf === undefined) {
          lf = 0;
          for (let i = 0; i < n; i++) lf += logFactorial(y[i]!);
          lfactSums.set(name, lf);
        }
        const a = aggregate(config, y);
        const { x, q } = rowMajor(parents, [ones], a.rep.length, a.rep);
        const mean = a.sumY.map((v, j) => v / a.sumW[j]!);
        return {
          logLik: glmLogLik('poisson', mean, x, q, { weights: a.sumW, logFactorial: false }) - lf,
          dof: 1 + terms,
        };
      }
      const { x, q } = rowMajor(parents, [ones], n);
      return { logLik: glmLogLik('poisson', y, x, q), dof: 1 + terms };
    }
    const s = data.surv.get(name)!;
    const baseline = v.baseline ?? 'weibull';
    if (baseline !== 'piecewise-exponential') {
      const exponential = baseline === 'exponential';
      const config = configOf(parents);
      if (config) {
        const a = aggregate(config, s.status);
        const { x, q } = rowMajor(parents, [ones], a.rep.length, a.rep);
        return {
          logLik: weibullLogLik(s.time, s.status, { x, q, group: a.group }, exponential),
          dof: (exponential ? 1 : 2) + terms,
        };
      }
      const { x, q } = rowMajor(parents, [ones], n);
      return {
        logLik: weibullLogLik(s.time, s.status, { x, q }, exponential),
        dof: (exponential ? 1 : 2) + terms,
      };
    }
    const breaks = v.breaks!;
    let split = splits.get(name);
    if (!split) {
      split = splitIntervals(s.time, s.status, breaks);
      splits.set(name, split);
    }
    const m = split.subject.length;
    const config = configOf(parents);
    if (config) {
      // person-intervals with the same (configuration, interval): events and exposure add up
      const J = breaks.length;
      const key = Int32Array.from(split.subject, (sub, r) => config[sub]! * J + split.interval[r]!);
      const a = aggregate(key, split.event, split.exposure);
      const lead = breaks.map((_, j) =>
        Float64Array.from(a.rep, (r) => (split.interval[r] === j ? 1 : 0)),
      );
      const subjects = Int32Array.from(a.rep, (r) => split.subject[r]!);
      const { x, q } = rowMajor(parents, lead, a.rep.length, subjects);
      const offset = a.sumW.map(Math.log);
      let offsetTerm = 0;
      for (let j = 0; j < a.rep.length; j++) offsetTerm += a.sumY[j]! * offset[j]!;
      return {
        logLik: glmLogLik('poisson', a.sumY, x, q, { offset, logFactorial: false }) - offsetTerm,
        dof: breaks.length + terms,
      };
    }
    const indicators = breaks.map((_, j) =>
      Float64Array.from(split.interval, (iv) => (iv === j ? 1 : 0)),
    );
    const { x, q } = rowMajor(parents, indicators, m, split.subject);
    const offset = Float64Array.from(split.exposure, Math.log);
    let offsetTerm = 0;
    for (let r = 0; r < m; r++) offsetTerm += split.event[r]! * offset[r]!;
    return {
      logLik: glmLogLik('poisson', split.event, x, q, { offset }) - offsetTerm,
      dof: breaks.length + terms,
    };
  };
}

/**
 * Learns the graph by hill-climbing on BIC (structure.ts) under the spec's constraints: tiers (no
 * arc from a later tier to an earlier one), whitelist, blacklist, maxParents, and the format's
 * rules (outcomes have no children; a categorical variable has only categorical parents).
 * Local scores come from `createScorer`. Returns child → parents for every variable.
 *
 * @example
 * learnStructure(data, spec, spec.structure.learn); // { sex: [], stage: ['sex'], os: [...] }
 */
export function learnStructure(
  data: RegistryData,
  spec: FitSpec,
  learn: LearnSpec,
): Record<string, string[]> {
  const nodes = Object.keys(spec.variables);
  const black = new Set(learn.blacklist.map(([a, b]) => `${a}\u0000${b}`));
  const allowed = (from: string, to: string): boolean => {
    const kf = spec.variables[from]!.kind;
    const kt = spec.variables[to]!.kind;
    if (isOutcomeKind(kf)) return false;
    if (kt === 'categorical' && !isLevelKind(kf)) return false;
    if (black.has(`${from}\u0000${to}`)) return false;
    const tf = tierOf(learn.tiers, from);
    const tt = tierOf(learn.tiers, to);
    return !(tf !== undefined && tt !== undefined && tf > tt);
  };
  const scorer = createScorer(data, spec);
  const logN = Math.log(data.n);
  return hillClimb({
    nodes,
    score: (n, ps) => {
      const s = scorer(n, ps);
      return s.logLik - (s.dof / 2) * logN;
    },
    allowed,
    whitelist: learn.whitelist,
    maxParents: maxParentsOf(learn),
  }).parents;
}

/** Re-words a StatsError from a node fit in the user's terms. */
function explain(err: unknown, name: string, parents: readonly string[]): never {
  if (err instanceof StatsError) {
    throw new InputError(
      `cannot fit "${name}"${parents.length ? ` on ${parents.join(', ')}` : ''}: ${err.message}`,
      {
        field: `variables.${name}`,
        hint: 'check the data of these variables, merge rare levels, or change the graph',
      },
    );
  }
  throw err;
}

/**
 * Fits a covariate model: reads the registry (`readRegistry`), fixes or learns the graph, fits
 * every variable (`fitNode`) — or, with `epsilon`, the differentially private PrivBayes-style
 * model (privacy.ts) — and validates the result with `parseModel`. Provenance records the
 * registry, n used, the missing-value handling and counts, ε and its split, the software.
 * Complexity: O(n · Σ (parents + 1)²) for a fixed graph, times the search for a learned one.
 *
 * @example
 * const table = readTable('examples/nsclc/registry.csv', 'registry extract');
 * const { model, n } = fitModel(table, loadFitSpec('examples/nsclc/fit.yaml'));
 * model.format; // → 'ecasim-model/1'
 */
export function fitModel(table: Table, loaded: LoadedFitSpec, options: FitOptions = {}): FitResult {
  const { spec } = loaded;
  const data = readRegistry(table, loaded);
  const software = options.software ?? `ecasim ${softwareVersions().ecasim}`;
  if (options.epsilon !== undefined) {
    if (!(options.epsilon > 0 && Number.isFinite(options.epsilon))) {
      throw new UsageError(`--epsilon must be a number > 0, found ${options.epsilon}`);
    }
    if (!options.rng) throw new UsageError('--epsilon needs a seed (--seed) for its noise');
    const dp = fitPrivate(data, spec, options.epsilon, options.rng);
    const model = assemble(spec, data, dp.variables, software, options.epsilon, dp.notes);
    return finish(model, dp.graph, dp.estimates, data, dp.warnings, 'fitted-dp');
  }
  const graph: Record<string, string[]> =
    'graph' in spec.structure
      ? Object.fromEntries(
          Object.keys(spec.variables).map((n) => [
            n,
            [...((spec.structure as { graph: Record<string, string[]> }).graph[n] ?? [])],
          ]),
        )
      : learnStructure(data, spec, spec.structure.learn);
  const variables: Record<string, Variable> = {};
  const estimates: Record<string, TermEstimate[]> = {};
  const likelihood: Record<string, { logLik: number; dof: number }> = {};
  const warnings: StatsWarning[] = [];
  const cov = spec.covariance;
  for (const [k, [name, v]] of Object.entries(spec.variables).entries()) {
    const plan: BootstrapPlan | undefined =
      cov.method === 'bootstrap'
        ? { replicates: cov.replicates, rng: createStream(cov.seed, k) }
        : undefined;
    let f: NodeFit;
    try {
      f = fitNode(data, name, v, graph[name]!, plan);
    } catch (err) {
      explain(err, name, graph[name]!);
    }
    variables[name] = f.variable;
    estimates[name] = f.estimates;
    likelihood[name] = { logLik: f.logLik, dof: f.dof };
    warnings.push(...f.warnings);
  }
  const model = assemble(spec, data, variables, software, null, '');
  return finish(model, graph, estimates, data, warnings, 'fitted', likelihood);
}

function assemble(
  spec: FitSpec,
  data: RegistryData,
  variables: Record<string, Variable>,
  software: string,
  epsilon: number | null,
  extraNotes: string,
): Model {
  const missing = Object.entries(data.missing)
    .map(([k, m]) => `${k} ${m}`)
    .join(', ');
  const notes =
    `missing values: complete cases (${data.n} of ${data.nTotal} rows kept); missing per variable: ${missing}` +
    (extraNotes ? `; ${extraNotes}` : '');
  return {
    format: MODEL_FORMAT,
    provenance: {
      registry: spec.registry.name,
      ...(spec.registry.extractDate ? { extractDate: spec.registry.extractDate } : {}),
      ...(spec.registry.population ? { population: spec.registry.population } : {}),
      n: data.n,
      derivation: { method: epsilon === null ? 'fitted' : 'fitted-dp', software, epsilon, notes },
      timeUnit: spec.timeUnit,
    },
    variables,
  };
}

function finish(
  model: Model,
  graph: Record<string, readonly string[]>,
  estimates: Record<string, TermEstimate[]>,
  data: RegistryData,
  warnings: StatsWarning[],
  method: 'fitted' | 'fitted-dp',
  likelihood: FitResult['likelihood'] = null,
): FitResult {
  // The output must load: a failure here is a bug in fit, not a user error.
  const loaded = parseModel(parseLocated('(fitted model)', modelText(model), 'covariate model'));
  return {
    model,
    loaded,
    graph,
    estimates,
    n: data.n,
    missing: data.missing,
    warnings,
    method,
    likelihood,
  };
}

/**
 * A registry-like table from a sampled cohort (for round-trip tests, benchmarks and example
 * extracts): categorical columns as their levels, numbers as shortest round-trip text, and each
 * time-to-event variable `name` as the columns `name_time` and `name_event` (1 = event), censored
 * administratively at `censorAt` (default: never). Complexity O(n · columns).
 *
 * @example
 * const t = cohortTable(sampleCohort(model, 1000, createStream(1)), ['os'], 'sim.csv', 36);
 * t.header; // ['sex', 'age', 'os_time', 'os_event']
 */
export function cohortTable(
  cohort: Cohort,
  timeToEvent: readonly string[],
  file = '(sampled cohort)',
  censorAt = Infinity,
): Table {
  const header: string[] = [];
  const cells: ((i: number) => string)[] = [];
  for (const [name, c] of cohort.columns) {
    if (timeToEvent.includes(name)) {
      const t = (c as { values: Float64Array }).values;
      header.push(`${name}_time`, `${name}_event`);
      cells.push(
        (i) => String(Math.min(t[i]!, censorAt)),
        (i) => (t[i]! <= censorAt ? '1' : '0'),
      );
    } else if (c.kind === 'numeric') {
      header.push(name);
      cells.push((i) => String(c.values[i]));
    } else {
      header.push(name);
      cells.push((i) => c.levels[c.codes[i]!]!);
    }
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 0; i < cohort.n; i++) {
    rows.push(cells.map((f) => f(i)));
    lines.push(i + 2);
  }
  return { file, header, rows, lines };
}

/** The model as the JSON text `ecasim fit` writes (2-space indent, trailing newline). */
export function modelText(model: Model): string {
  return JSON.stringify(model, null, 2) + '\n';
}

export type { RegistryData, SurvivalColumn, TermEstimate } from './registry-data.js';
