/**
 * Parameter uncertainty: a registry is finite, so before drawing its patients each replicate
 * draws the model's parameters from their posterior — Dirichlet(counts + ½) for each table row
 * with counts (Jeffreys prior), and N(estimate, covariance) for coefficients whose sampling
 * covariance the model carries. Intervals then reflect the registry's size, not only the
 * synthetic arm's (DESIGN.md, "Parameter uncertainty"; Raghunathan, Reiter & Rubin 2003).
 */
import type { CovariateModel } from '../model/load.js';
import type { Model, Variable } from '../model/schema.js';
import type { RandomSource } from '../random/index.js';
import { gammaSampler } from '../random/variates.js';
import { qnorm } from '../stats/distributions.js';
import { cholesky } from '../stats/linalg.js';

/** Jeffreys prior weight added to every count of a table row. */
export const DIRICHLET_PRIOR = 0.5;

export interface ParameterDraw {
  readonly model: CovariateModel;
  /** Variables whose parameters were drawn. */
  readonly drawn: readonly string[];
  /** Variables kept at their estimates (no counts or covariance in the model). */
  readonly fixed: readonly string[];
}

/** Dirichlet(alpha) by normalised gamma draws (Devroye 1986, ch. XI.4). */
function dirichlet(alpha: readonly number[], gamma: (shape: number) => number): number[] {
  const g = alpha.map((a) => gamma(a));
  const sum = g.reduce((s, x) => s + x, 0);
  return g.map((x) => x / sum);
}

/** N(mean, cov) through the L·D·Lᵀ factor: x = mean + L·√D·z. */
function multivariateNormal(
  mean: readonly number[],
  cov: readonly (readonly number[])[],
  rng: RandomSource,
): number[] {
  const p = mean.length;
  const f = cholesky(cov.flat(), p, 1e-12);
  const z = Array.from(
    { length: p },
    (_, i) => Math.sqrt(Math.max(0, f.factor[i * p + i]!)) * qnorm(rng.uniformOpen()),
  );
  return mean.map((m, i) => {
    let v = z[i]!;
    for (let j = 0; j < i; j++) v += f.factor[i * p + j]! * z[j]!;
    return m + v;
  });
}

/** Reads or writes one named parameter of a variable (see the model schema's `covariance`). */
function parameterAccess(
  v: Variable,
  name: string,
): { get: () => number; set: (x: number) => void } | undefined {
  const rec = v as unknown as Record<string, unknown>;
  if (name === 'intercept' && typeof rec['intercept'] === 'number') {
    return { get: () => rec['intercept'] as number, set: (x) => (rec['intercept'] = x) };
  }
  const positive = /^log\((sd|dispersion)\)$/.exec(name);
  if (positive && typeof rec[positive[1]!] === 'number') {
    const key = positive[1]!;
    return { get: () => Math.log(rec[key] as number), set: (x) => (rec[key] = Math.exp(x)) };
  }
  if (v.kind === 'time-to-event') {
    const b = v.baseline as unknown as Record<string, number>;
    const m = /^log\((shape|scale|rate)\)$/.exec(name);
    if (m && typeof b[m[1]!] === 'number') {
      return { get: () => Math.log(b[m[1]!]!), set: (x) => (b[m[1]!] = Math.exp(x)) };
    }
    // piecewise-exponential: `log(rate[START])`, the interval starting at START
    const piece = /^log\(rate\[(.+)\]\)$/.exec(name);
    if (piece && v.baseline.distribution === 'piecewise-exponential') {
      const base = v.baseline;
      const j = base.breaks.findIndex((br) => String(br) === piece[1]);
      if (j < 0) return undefined;
      return { get: () => Math.log(base.rates[j]!), set: (x) => (base.rates[j] = Math.exp(x)) };
    }
    const hr = v.logHazardRatios as Record<string, number>;
    return { get: () => hr[name] ?? 0, set: (x) => (hr[name] = x) };
  }
  const coef = rec['coefficients'] as Record<string, number> | undefined;
  if (coef) return { get: () => coef[name] ?? 0, set: (x) => (coef[name] = x) };
  return undefined;
}

/** One variable whose parameters the model gives no sampling uncertainty for. */
export interface UncertaintyGap {
  readonly variable: string;
  /** The parameters without counts or covariance, in the names of the model format. */
  readonly parameters: readonly string[];
}

/**
 * The parameters of `model` that parameter uncertainty cannot draw: table rows without counts,
 * and linear-predictor, dispersion or baseline parameters missing from the variable's
 * `covariance` (a step baseline has no uncertainty representation in the format). An empty list
 * means every parameter can be drawn from its posterior. O(parameters).
 *
 * @example
 * uncertaintyGaps(loadModel('examples/als/truth-model.json'));
 * // [{ variable: 'age', parameters: ['intercept', 'sd'] }, ...]
 */
export function uncertaintyGaps(model: CovariateModel): UncertaintyGap[] {
  const gaps: UncertaintyGap[] = [];
  for (const name of model.names) {
    const v = model.model.variables[name]!;
    const have = new Set(v.covariance?.parameters ?? []);
    const missing: string[] = [];
    const need = (p: string) => {
      if (!have.has(p)) missing.push(p);
    };
    if (v.kind === 'categorical') {
      v.table.forEach((row, k) => {
        if (!row.counts) missing.push(`table[${k}].counts`);
      });
    } else if (v.kind === 'time-to-event') {
      const b = v.baseline;
      if (b.distribution === 'weibull') ['log(shape)', 'log(scale)'].forEach(need);
      else if (b.distribution === 'exponential') need('log(rate)');
      else if (b.distribution === 'piecewise-exponential')
        b.breaks.forEach((br) => need(`log(rate[${br}])`));
      else missing.push('baseline (step)');
      Object.keys(v.logHazardRatios).forEach(need);
    } else {
      need('intercept');
      Object.keys(v.coefficients).forEach(need);
      if (v.kind === 'continuous' || v.kind === 'continuous-endpoint') need('log(sd)');
      if (v.kind === 'count' && v.distribution === 'negative-binomial') need('log(dispersion)');
    }
    if (missing.length > 0) gaps.push({ variable: name, parameters: missing });
  }
  return gaps;
}

/**
 * Draws one set of model parameters. Variable k draws from `rng.substream(k)` (file order), so a
 * variable's draw does not depend on which other variables have counts.
 * Complexity O(Σ table cells + Σ p³ over covariance blocks).
 *
 * @example
 * const { model: drawn } = drawParameters(model, createStream(seed, r, 2));
 * sampleCohort(drawn, n, createStream(seed, r, 0));
 */
export function drawParameters(base: CovariateModel, rng: RandomSource): ParameterDraw {
  const model = structuredClone(base.model) as Model;
  const drawn: string[] = [];
  const fixed: string[] = [];
  base.names.forEach((name, k) => {
    const v = model.variables[name]!;
    const s = rng.substream(k);
    let any = false;
    if (v.kind === 'categorical') {
      // one gamma sampler for the variable's rows, as every factory (src/random/variates.ts)
      let gamma: ((shape: number) => number) | undefined;
      for (const row of v.table) {
        if (row.counts) {
          gamma ??= gammaSampler(s);
          row.p = dirichlet(
            row.counts.map((c) => c + DIRICHLET_PRIOR),
            gamma,
          );
          any = true;
        }
      }
    }
    if (v.covariance) {
      const { parameters, matrix } = v.covariance;
      const access = parameters.map((p) => parameterAccess(v, p));
      if (access.every((a) => a !== undefined)) {
        const x = multivariateNormal(
          access.map((a) => a!.get()),
          matrix,
          s,
        );
        access.forEach((a, i) => a!.set(x[i]!));
        any = true;
      }
    }
    (any ? drawn : fixed).push(name);
  });
  const variables = new Map(Object.entries(model.variables));
  return { model: { ...base, model, variables }, drawn, fixed };
}
