/**
 * Ancestral sampling of a covariate model (Koller & Friedman 2009, *Probabilistic Graphical
 * Models*, §12.1.1): variables are drawn in topological order, each given its parents' values,
 * column by column over typed arrays.
 *
 * Randomness: variable number k in *declaration* order draws from `rng.substream(k)`, one patient
 * after another. So the first rows of a cohort of n are the rows of a cohort of n' < n drawn with
 * the same stream (a prefix property), and adding a variable at the end of a file does not change
 * the draws of the others.
 *
 * Continuous variables draw normals by inversion, `qnorm(U)` with the project's one normal
 * quantile (AS 241, src/stats/distributions.ts), not with @stdlib/random-base-normal, for a
 * measured reason (bench/sampler.ts, CPU time on Node 20): @stdlib's normal with this stream
 * injected made the sampler 11% slower (1.14 against 1.27 M patients/s), because its ziggurat
 * takes its box index from a second MT19937 (seeded with one 32-bit draw) through @stdlib's
 * unboxed-integer call. Inversion also keeps one uniform per draw, the scheme documented in
 * docs/model-format.md. Gamma variates (negative binomial) are @stdlib's.
 */
import { problemAt } from '../io/document.js';
import type { CovariateModel } from '../model/load.js';
import { parseTermKey } from '../model/network.js';
import type {
  Baseline,
  CategoricalVariable,
  CountVariable,
  GaussianVariable,
  LogisticVariable,
  TimeToEventVariable,
  Variable,
} from '../model/schema.js';
import type { RandomSource } from '../random/index.js';
import { gammaSampler } from '../random/variates.js';
import { lgamma, qnorm } from '../stats/distributions.js';
import type { CategoricalColumn, Cohort, Column } from '../cohort.js';
import { inverse, scaleOf } from '../model/transform.js';

/** Draws per patient before a bounded continuous variable gives up (documented in the format). */
export const MAX_BOUND_TRIES = 100;

/**
 * Draws `n` patients from the model: every variable becomes a column (categorical kinds as level
 * codes, the others numeric; a time-to-event outcome is its latent event time, `Infinity` when a
 * step baseline never falls below the patient's uniform). The same model, `n` and stream give
 * identical columns.
 *
 * Complexity O(n · Σ_v (1 + parents_v)) time and O(n · variables) memory; one uniform per
 * patient and variable, except bounded continuous variables (rejection) and counts.
 *
 * @example
 * const cohort = sampleCohort(loadModel('model.json'), 1000, createStream(42));
 * cohort.columns.get('age'); // { kind: 'numeric', values: Float64Array(1000) [...] }
 *
 * `given` columns (length n) are taken as they are instead of drawn — forward sampling of the
 * rest given them, which is exact only when no given variable is a descendant of a drawn one
 * (the caller checks; see `twinPlan`). Each drawn variable keeps its own substream, so what is
 * given does not change how the others are drawn.
 */
export function sampleCohort(
  model: CovariateModel,
  n: number,
  rng: RandomSource,
  given?: ReadonlyMap<string, Column>,
): Cohort {
  return cohortSampler(model, rng, given).next(n);
}

/** Draws a cohort a chunk at a time; see {@link cohortSampler}. */
export interface CohortSampler {
  /** The next `n` patients (rows `drawn` to `drawn + n − 1` of the whole draw). */
  next(n: number): Cohort;
  /** Patients drawn so far. */
  readonly drawn: number;
}

/**
 * The patients of {@link sampleCohort}, drawn a chunk at a time: `next(a)` then `next(b)` give the
 * rows of one `sampleCohort(model, a + b, rng)`, byte for byte. Each variable keeps its substream
 * (and its gamma sampler, made on first use) from chunk to chunk, and every variable draws one
 * patient after another, so a chunk continues where the last one stopped. Eligibility uses it to
 * draw no more candidates than it needs (src/simulate/eligibility.ts). With `given` columns, every
 * chunk must be given its own rows: only `next(n)` once, with columns of length n.
 */
export function cohortSampler(
  model: CovariateModel,
  rng: RandomSource,
  given?: ReadonlyMap<string, Column>,
): CohortSampler {
  const index = new Map(model.names.map((name, k) => [name, k]));
  const states = new Map<string, VariableStream>();
  const stateOf = (name: string): VariableStream => {
    let st = states.get(name);
    if (st === undefined) {
      const s = rng.substream(index.get(name)!);
      let gamma: ((shape: number) => number) | undefined;
      st = { s, gamma: () => (gamma ??= gammaSampler(s)) };
      states.set(name, st);
    }
    return st;
  };
  let drawn = 0;
  return {
    get drawn() {
      return drawn;
    },
    next(n: number): Cohort {
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new RangeError(
          `invalid argument. \`n\` must be a non-negative integer. Value: \`${n}\`.`,
        );
      }
      if (given !== undefined && drawn > 0) {
        throw new RangeError('a sampler with given columns draws one chunk only');
      }
      const columns = new Map<string, Column>();
      for (const name of model.order) {
        const fixed = given?.get(name);
        if (fixed !== undefined) {
          columns.set(name, fixed);
          continue;
        }
        const v = model.variables.get(name)!;
        const { s, gamma } = stateOf(name);
        columns.set(name, sampleVariable(v, { model, name, columns, n, s, gamma, offset: drawn }));
      }
      drawn += n;
      // Report columns in declaration order, whatever the sampling order was.
      return { n, columns: new Map(model.names.map((name) => [name, columns.get(name)!])) };
    },
  };
}

/**
 * Draws one variable for `n` patients given `columns` (its parents among them) from stream `s`,
 * as {@link cohortSampler} draws it; for samplers that interleave their own steps between
 * variables (src/simulate/impute.ts).
 */
export function drawVariable(
  model: CovariateModel,
  name: string,
  columns: ReadonlyMap<string, Column>,
  n: number,
  s: RandomSource,
): Column {
  let gamma: ((shape: number) => number) | undefined;
  return sampleVariable(model.variables.get(name)!, {
    model,
    name,
    columns,
    n,
    s,
    gamma: () => (gamma ??= gammaSampler(s)),
    offset: 0,
  });
}

/** A variable's randomness across chunks: its substream and its gamma sampler. */
interface VariableStream {
  readonly s: RandomSource;
  readonly gamma: () => (shape: number) => number;
}

/**
 * What drawing one variable reads, whatever its kind: the columns drawn so far (its parents among
 * them), the chunk size, the variable's own substream (and gamma sampler), where the chunk starts
 * in the whole draw (for messages), and the model and the variable's name to locate a problem in
 * the model file.
 */
interface Draw {
  readonly model: CovariateModel;
  readonly name: string;
  readonly columns: ReadonlyMap<string, Column>;
  readonly n: number;
  readonly s: RandomSource;
  readonly gamma: () => (shape: number) => number;
  readonly offset: number;
}

function sampleVariable(v: Variable, at: Draw): Column {
  switch (v.kind) {
    case 'categorical':
      return sampleCategorical(v, at);
    case 'logistic':
    case 'binary-endpoint':
      return sampleLogistic(v, at);
    case 'continuous':
    case 'continuous-endpoint':
      return { kind: 'numeric', values: sampleGaussian(v, at) };
    case 'count':
      return { kind: 'numeric', values: sampleCount(v, at) };
    case 'time-to-event':
      return { kind: 'numeric', values: sampleTimeToEvent(v, at) };
  }
}

/**
 * The linear predictor of every patient: intercept + Σ coef·(x − center) over numeric parents +
 * the coefficient of each categorical parent's level (0 at the reference level).
 */
export function linearPredictor(
  intercept: number,
  terms: Record<string, number>,
  centers: Record<string, number>,
  columns: ReadonlyMap<string, Column>,
  n: number,
): Float64Array {
  const lp = new Float64Array(n).fill(intercept);
  const numeric = new Map<string, number>();
  const categorical = new Map<string, Float64Array>();
  for (const [key, coef] of Object.entries(terms)) {
    if (coef === 0) continue;
    const { parent, level } = parseTermKey(key);
    const col = columns.get(parent)!;
    if (col.kind === 'numeric') numeric.set(parent, coef);
    else {
      const effects = categorical.get(parent) ?? new Float64Array(col.levels.length);
      effects[col.levels.indexOf(level!)] = coef;
      categorical.set(parent, effects);
    }
  }
  for (const [parent, coef] of numeric) {
    const x = (columns.get(parent) as { values: Float64Array }).values;
    const center = centers[parent] ?? 0;
    for (let i = 0; i < n; i++) lp[i]! += coef * (x[i]! - center);
  }
  for (const [parent, effects] of categorical) {
    const codes = (columns.get(parent) as CategoricalColumn).codes;
    for (let i = 0; i < n; i++) lp[i]! += effects[codes[i]!]!;
  }
  return lp;
}

/**
 * A categorical variable's table as arrays: `p[c·k + l]`, the table's value for level l in
 * parent configuration c, and `total[c]`, that row's sum (rows sum to 1 within 1e-6, and are
 * renormalised by it); `config[i]`, patient i's configuration — a mixed-radix index over the
 * parents' level codes, the last parent fastest.
 */
export function categoricalTable(
  v: CategoricalVariable,
  columns: ReadonlyMap<string, Column>,
  n: number,
): { p: Float64Array; total: Float64Array; config: Int32Array } {
  const k = v.levels.length;
  const parentCols = v.parents.map((p) => columns.get(p) as CategoricalColumn);
  const strides = new Array<number>(parentCols.length);
  let nConfig = 1;
  for (let j = parentCols.length - 1; j >= 0; j--) {
    strides[j] = nConfig;
    nConfig *= parentCols[j]!.levels.length;
  }
  const p = new Float64Array(nConfig * k);
  const total = new Float64Array(nConfig);
  for (const row of v.table) {
    let c = 0;
    parentCols.forEach(
      (col, j) => (c += col.levels.indexOf(row.given[v.parents[j]!]!) * strides[j]!),
    );
    total[c] = row.p.reduce((a, b) => a + b, 0);
    for (let l = 0; l < k; l++) p[c * k + l] = row.p[l]!;
  }
  const config = new Int32Array(n);
  parentCols.forEach((col, j) => {
    const codes = col.codes;
    const stride = strides[j]!;
    for (let i = 0; i < n; i++) config[i]! += codes[i]! * stride;
  });
  return { p, total, config };
}

function sampleCategorical(v: CategoricalVariable, { columns, n, s }: Draw): CategoricalColumn {
  const k = v.levels.length;
  const { p, total, config } = categoricalTable(v, columns, n);
  // cumulative probabilities per configuration, renormalised, the last level 1 exactly
  const cum = new Float64Array(p.length);
  for (let c = 0; c < total.length; c++) {
    let acc = 0;
    for (let l = 0; l < k; l++) {
      acc += p[c * k + l]!;
      cum[c * k + l] = acc / total[c]!;
    }
    cum[c * k + k - 1] = 1;
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = s.random();
    const base = config[i]! * k;
    let l = 0;
    while (l < k - 1 && u >= cum[base + l]!) l++;
    out[i] = l;
  }
  return { kind: 'categorical', codes: out, levels: v.levels };
}

function sampleLogistic(v: LogisticVariable, { columns, n, s }: Draw): CategoricalColumn {
  const lp = linearPredictor(v.intercept, v.coefficients, v.centers, columns, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-lp[i]!));
    out[i] = s.random() < p ? 1 : 0;
  }
  return { kind: 'categorical', codes: out, levels: v.levels };
}

function sampleGaussian(v: GaussianVariable, at: Draw): Float64Array {
  const { model, name, columns, n, s, offset } = at;
  const mu = linearPredictor(v.intercept, v.coefficients, v.centers, columns, n);
  const sd = v.sd;
  const t = v.transform;
  const out = mu; // drawn in place
  if (v.bounds === undefined) {
    if (t !== 'none')
      for (let i = 0; i < n; i++) out[i] = inverse(t, mu[i]! + sd * qnorm(s.uniformOpen()));
    else for (let i = 0; i < n; i++) out[i] = mu[i]! + sd * qnorm(s.uniformOpen());
  } else {
    const [lo, hi] = v.bounds;
    for (let i = 0; i < n; i++) {
      const m = mu[i]!;
      let x = NaN;
      let tries = 0;
      for (; tries < MAX_BOUND_TRIES; tries++) {
        x = m + sd * qnorm(s.uniformOpen());
        if (t !== 'none') x = inverse(t, x);
        if (x >= lo && x <= hi) break;
      }
      if (tries === MAX_BOUND_TRIES) {
        const mean =
          t === 'none' ? m.toPrecision(4) : `${m.toPrecision(4)} on the ${scaleOf(t)} scale`;
        throw problemAt(
          model.doc,
          ['variables', name, 'bounds'],
          `cannot draw "${name}" within its bounds [${lo}, ${hi}]: ${MAX_BOUND_TRIES} draws in a row fell ` +
            `outside for patient ${offset + i} (mean ${mean}, sd ${sd})`,
          {
            hint: 'the bounds exclude almost all of the distribution; check the bounds, intercept and sd',
          },
        );
      }
      out[i] = x;
    }
  }
  if (v.round) for (let i = 0; i < n; i++) out[i] = Math.round(out[i]!);
  return out;
}

function sampleCount(v: CountVariable, { columns, n, s, gamma: gammaOf }: Draw): Float64Array {
  const out = linearPredictor(v.intercept, v.coefficients, v.centers, columns, n);
  if (v.distribution === 'poisson') {
    for (let i = 0; i < n; i++) out[i] = poisson(Math.exp(out[i]!), s);
  } else {
    const theta = v.dispersion!;
    const gamma = gammaOf();
    for (let i = 0; i < n; i++) out[i] = poisson(gamma(theta) * (Math.exp(out[i]!) / theta), s);
  }
  return out;
}

/**
 * A Poisson(mu) draw: inversion by sequential search below mu = 10, else Hörmann's transformed
 * rejection PTRS (Hörmann 1993, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12:39–45; constants from that paper).
 *
 * Kept rather than @stdlib/random-base-poisson for a measured reason: below mu = 30 @stdlib uses
 * Knuth's product of uniforms (about mu + 1 uniforms and as many `exp` calls a draw), which made
 * bench/sampler.ts 12–37% slower with its one Poisson variable (mu ≈ 1.3 to 2.5); inversion takes
 * one uniform.
 */
export function poisson(mu: number, s: RandomSource): number {
  if (mu === 0) return 0;
  if (mu < 10) {
    const u = s.random();
    let k = 0;
    let p = Math.exp(-mu);
    let cdf = p;
    while (u > cdf && k < 1000) {
      k++;
      p *= mu / k;
      cdf += p;
    }
    return k;
  }
  const smu = Math.sqrt(mu);
  const b = 0.931 + 2.53 * smu;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  const logMu = Math.log(mu);
  for (;;) {
    const u = s.random() - 0.5;
    const w = s.random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mu + 0.43);
    if (us >= 0.07 && w <= vr) return k;
    if (k < 0 || (us < 0.013 && w > us)) continue;
    if (
      Math.log(w) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -mu + k * logMu - lgamma(k + 1)
    ) {
      return k;
    }
  }
}

function sampleTimeToEvent(v: TimeToEventVariable, { columns, n, s }: Draw): Float64Array {
  const lp = linearPredictor(0, v.logHazardRatios, v.centers, columns, n);
  const out = lp; // drawn in place
  const b: Baseline = v.baseline;
  switch (b.distribution) {
    case 'exponential': {
      const rate = b.rate;
      for (let i = 0; i < n; i++) out[i] = -Math.log(s.uniformOpen()) / (rate * Math.exp(lp[i]!));
      break;
    }
    case 'weibull': {
      const scale = b.scale;
      const invShape = 1 / b.shape;
      for (let i = 0; i < n; i++) {
        out[i] = scale * Math.pow(-Math.log(s.uniformOpen()) / Math.exp(lp[i]!), invShape);
      }
      break;
    }
    case 'piecewise-exponential': {
      const { breaks, rates } = b;
      const m = breaks.length;
      const cumH = new Float64Array(m); // cumulative baseline hazard at each break
      for (let j = 1; j < m; j++)
        cumH[j] = cumH[j - 1]! + rates[j - 1]! * (breaks[j]! - breaks[j - 1]!);
      for (let i = 0; i < n; i++) {
        const h = -Math.log(s.uniformOpen()) / Math.exp(lp[i]!);
        let lo = 0; // last break with cumH <= h
        let hi = m - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (cumH[mid]! <= h) lo = mid;
          else hi = mid - 1;
        }
        out[i] = breaks[lo]! + (h - cumH[lo]!) / rates[lo]!;
      }
      break;
    }
    case 'step': {
      const times = b.times;
      const m = times.length;
      const logS = Float64Array.from(b.survival, Math.log);
      for (let i = 0; i < n; i++) {
        // S0(T)^exp(lp) = U  ⇔  log S0(T) = log U / exp(lp); the first step at or below it
        const target = Math.log(s.uniformOpen()) / Math.exp(lp[i]!);
        let lo = 0;
        let hi = m; // first index with logS <= target, m if none
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (logS[mid]! <= target) hi = mid;
          else lo = mid + 1;
        }
        out[i] = lo < m ? times[lo]! : Infinity;
      }
      break;
    }
  }
  return out;
}
