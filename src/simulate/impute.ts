/**
 * Imputation of real patients' missing baseline covariates from the covariate model, given each
 * patient's observed covariates (`inputs.treated.missing: impute`).
 *
 * The target is the model's conditional distribution p(x_mis | x_obs) ∝ p(x_mis, x_obs), a
 * product of the network's factors (Koller & Friedman 2009, *Probabilistic Graphical Models*,
 * §3.2.1). It is drawn by likelihood weighting with resampling (Koller & Friedman §12.2.2; Rubin
 * 1988's sampling–importance–resampling): for each incomplete patient, `candidates` completions
 * are drawn forward — every variable in topological order, an observed one clamped at its value,
 * a missing one drawn from p(x_j | parents) — and each completion is weighted by
 * w = ∏_{j observed} p(x_j | parents_j), the factors that forward sampling did not draw. One
 * completion is then drawn with probability w / Σw. This conditions a missing variable on its
 * observed descendants as well as its ancestors (which forward sampling alone cannot; cf. twin
 * mode's `twinPlan`), and is exact as the number of candidates grows; with K candidates the
 * draw's bias is O(1/K) (Smith & Gelfand 1992). Variables the file does not carry at all are
 * drawn as missing for every patient and marginalised out.
 *
 * Outcomes are not used: the model's outcome model describes untreated (registry) patients, so a
 * treated patient's observed outcome cannot inform the imputation without an assumed treatment
 * effect. The imputation is "given the observed covariates" — MAR given the covariates. Where
 * missingness depends on the outcome, the treated arm's covariate effects are biased towards the
 * null (Moons et al. 2006, J Clin Epidemiol 59:1092–1101); docs/protocol-format.md says so.
 *
 * Each replicate imputes afresh from its own parameter draw, so the imputations vary between
 * replicates as multiple imputations do (Rubin 1987), and the between-replicate variance the
 * combining rule reads carries the imputation uncertainty into the combined interval.
 *
 * Complexity O(incomplete patients · candidates · Σ_v (1 + parents_v)).
 */
import type { CategoricalColumn, Cohort, Column } from '../cohort.js';
import type { CovariateModel } from '../model/load.js';
import type {
  CategoricalVariable,
  CountVariable,
  GaussianVariable,
  LogisticVariable,
} from '../model/schema.js';
import type { RandomSource } from '../random/index.js';
import { lgamma, pnorm } from '../stats/distributions.js';
import { categoricalTable, drawVariable, linearPredictor } from './ancestral.js';
import { forward, lowerLimit } from '../model/transform.js';

/** Completions drawn per incomplete patient. */
export const IMPUTATION_CANDIDATES = 200;

/** One variable's missing cells, as row indices of the cohort. */
export interface MissingCells {
  readonly variable: string;
  readonly rows: Int32Array;
}

/**
 * `cohort` with its missing cells drawn from the model given each patient's observed covariates.
 * Columns not in `missing` are returned as they are; the cohort's other rows are untouched. The
 * same model, cohort and stream give the same imputations; variable k of the model (declaration
 * order) draws from `rng.substream(k)`, and the resampling from `rng.substream(variables)`.
 *
 * @example
 * const done = imputeCovariates(model, treated.covariates, treated.missing.cells, stream);
 */
export function imputeCovariates(
  model: CovariateModel,
  cohort: Cohort,
  missing: readonly MissingCells[],
  rng: RandomSource,
  candidates: number = IMPUTATION_CANDIDATES,
): Cohort {
  if (missing.every((m) => m.rows.length === 0)) return cohort;
  // the incomplete patients, and which of their cells are missing
  const missingOf = new Map<string, Uint8Array>();
  const incomplete = new Uint8Array(cohort.n);
  for (const m of missing) {
    const flag = new Uint8Array(cohort.n);
    for (const i of m.rows) flag[i] = incomplete[i] = 1;
    missingOf.set(m.variable, flag);
  }
  const patients = Int32Array.from(
    incomplete.reduce<number[]>((out, f, i) => (f === 1 ? (out.push(i), out) : out), []),
  );
  const k = candidates;
  const N = patients.length * k;
  // candidate row c completes patient owner[c]
  const owner = new Int32Array(N);
  for (let c = 0; c < N; c++) owner[c] = patients[Math.floor(c / k)]!;
  const baseline = model.order.filter((n) => !model.outcomes.includes(n));
  const index = new Map(model.names.map((name, j) => [name, j]));
  const logw = new Float64Array(N);
  const columns = new Map<string, Column>();
  for (const name of baseline) {
    const observed = cohort.columns.get(name);
    const mis = missingOf.get(name);
    const v = model.variables.get(name)!;
    let col: Column;
    if (observed === undefined || mis !== undefined) {
      // drawn for every candidate, then the observed cells clamped
      col = drawVariable(model, name, columns, N, rng.substream(index.get(name)!));
      if (observed !== undefined) clamp(col, observed, owner, mis!);
    } else {
      col = repeatRows(observed, owner);
    }
    if (observed !== undefined) {
      // weight by the factor of every observed cell: its parents may have been drawn
      const lp = logDensity(v, col, columns, N);
      for (let c = 0; c < N; c++) if (mis === undefined || mis[owner[c]!] === 0) logw[c]! += lp[c]!;
    }
    columns.set(name, col);
  }
  // resample one completion per patient
  const pick = rng.substream(model.names.length);
  const chosen = new Int32Array(patients.length);
  for (let p = 0; p < patients.length; p++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logw[p * k + j]!);
    let total = 0;
    for (let j = 0; j < k; j++) total += Math.exp(logw[p * k + j]! - max);
    const u = pick.random() * total;
    let acc = 0;
    let j = 0;
    for (; j < k - 1; j++) {
      acc += Math.exp(logw[p * k + j]! - max);
      if (u < acc) break;
    }
    // no candidate has positive weight (every completion contradicts an observed value): the
    // first is taken; cannot happen with the model's own levels and an unbounded density
    chosen[p] = max === -Infinity ? 0 : j;
  }
  const out = new Map<string, Column>(cohort.columns);
  for (const m of missing) {
    const drawn = columns.get(m.variable)!;
    const orig = cohort.columns.get(m.variable)!;
    const row = new Map<number, number>();
    patients.forEach((i, p) => row.set(i, p * k + chosen[p]!));
    if (orig.kind === 'categorical') {
      const codes = Int32Array.from(orig.codes);
      const d = (drawn as CategoricalColumn).codes;
      for (const i of m.rows) codes[i] = d[row.get(i)!]!;
      out.set(m.variable, { kind: 'categorical', codes, levels: orig.levels });
    } else {
      const values = Float64Array.from(orig.values);
      const d = (drawn as { values: Float64Array }).values;
      for (const i of m.rows) values[i] = d[row.get(i)!]!;
      out.set(m.variable, { kind: 'numeric', values });
    }
  }
  return { n: cohort.n, columns: out };
}

/** The observed column's value of each candidate's patient. */
function repeatRows(col: Column, owner: Int32Array): Column {
  const n = owner.length;
  if (col.kind === 'categorical') {
    const codes = new Int32Array(n);
    for (let c = 0; c < n; c++) codes[c] = col.codes[owner[c]!]!;
    return { kind: 'categorical', codes, levels: col.levels };
  }
  const values = new Float64Array(n);
  for (let c = 0; c < n; c++) values[c] = col.values[owner[c]!]!;
  return { kind: 'numeric', values };
}

/** Overwrites the drawn candidates' cells where the patient's value is observed. */
function clamp(drawn: Column, observed: Column, owner: Int32Array, mis: Uint8Array): void {
  for (let c = 0; c < owner.length; c++) {
    const i = owner[c]!;
    if (mis[i] === 1) continue;
    if (drawn.kind === 'categorical') drawn.codes[c] = (observed as CategoricalColumn).codes[i]!;
    else drawn.values[c] = (observed as { values: Float64Array }).values[i]!;
  }
}

/**
 * log p(x | parents) of every row of `col` under variable `v`, up to a constant that does not
 * depend on the parents (a continuous variable's log-scale Jacobian, its rounding).
 */
export function logDensity(
  v: CategoricalVariable | LogisticVariable | GaussianVariable | CountVariable | { kind: string },
  col: Column,
  columns: ReadonlyMap<string, Column>,
  n: number,
): Float64Array {
  switch (v.kind) {
    case 'categorical':
      return categoricalLogDensity(v as CategoricalVariable, col as CategoricalColumn, columns, n);
    case 'logistic': {
      const l = v as LogisticVariable;
      const lp = linearPredictor(l.intercept, l.coefficients, l.centers, columns, n);
      const codes = (col as CategoricalColumn).codes;
      // log σ(±η), computed without overflow
      return Float64Array.from(lp, (eta, i) => -softplus(codes[i] === 1 ? -eta : eta));
    }
    case 'continuous': {
      const g = v as GaussianVariable;
      const mu = linearPredictor(g.intercept, g.coefficients, g.centers, columns, n);
      const x = (col as { values: Float64Array }).values;
      const t = g.transform;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const z = (forward(t, x[i]!) - mu[i]!) / g.sd;
        let l = -0.5 * z * z;
        if (g.bounds !== undefined) {
          // a bounded variable is the normal truncated to its bounds: divide by their mass
          const [lo, hi] = [
            forward(t, Math.max(g.bounds[0], lowerLimit(t))),
            forward(t, g.bounds[1]),
          ];
          const mass = pnorm((hi - mu[i]!) / g.sd) - pnorm((lo - mu[i]!) / g.sd);
          l -= Math.log(mass);
        }
        out[i] = l;
      }
      return out;
    }
    case 'count': {
      const c = v as CountVariable;
      const eta = linearPredictor(c.intercept, c.coefficients, c.centers, columns, n);
      const y = (col as { values: Float64Array }).values;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const mu = Math.exp(eta[i]!);
        const k = y[i]!;
        if (c.distribution === 'poisson') out[i] = k * eta[i]! - mu - lgamma(k + 1);
        else {
          const t = c.dispersion!;
          out[i] =
            lgamma(k + t) -
            lgamma(t) -
            lgamma(k + 1) +
            t * Math.log(t / (t + mu)) +
            k * Math.log(mu / (t + mu));
        }
      }
      return out;
    }
    default:
      throw new Error(`internal: no baseline density for a ${v.kind} variable`);
  }
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function categoricalLogDensity(
  v: CategoricalVariable,
  col: CategoricalColumn,
  columns: ReadonlyMap<string, Column>,
  n: number,
): Float64Array {
  const k = v.levels.length;
  const { p, total, config } = categoricalTable(v, columns, n);
  return Float64Array.from(config, (c, i) => Math.log(p[c * k + col.codes[i]!]! / total[c]!));
}
