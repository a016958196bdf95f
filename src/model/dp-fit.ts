/**
 * Differentially private fitting, after PrivBayes (Zhang, Cormode, Procopiuc, Srivastava & Xiao
 * 2017, "PrivBayes: private data release via Bayesian networks", ACM TODS 42(4):25).
 *
 * Every variable is discretised first (categorical kinds as they are; numeric ones by the spec's
 * `bins`, cut points that must be chosen without looking at the data; a time-to-event outcome by
 * its interval of exit and its status, see below). The budget ε is split:
 *  - ε₁ = β·ε for the structure (β = `privacy.structureShare`, default 0.3 as PrivBayes): each
 *    variable after the first, in tier order, picks its parent set among earlier variables by the
 *    exponential mechanism on the mutual information I(X; Π), whose sensitivity is
 *    Δ = (2/n)·log((n+1)/2) + ((n−1)/n)·log((n+1)/(n−1)) (nats; Zhang et al. 2017, Lemma 4.1),
 *    each of the d − 1 choices spending ε₁/(d − 1). With a fixed graph in the spec the structure
 *    is public and β = 0.
 *  - ε₂ = ε − ε₁ for the counts: each of the d joint tables (variable × parent configuration)
 *    gets Laplace noise of scale 2d/ε₂ on every count (L1 sensitivity 2 per table under the
 *    replace-one neighbour relation: one patient moves from one cell to another; d tables by
 *    sequential composition). Negative noisy counts are clipped to 0 and rows renormalised; a row
 *    left empty takes the noisy marginal of the variable.
 * Everything released is a function of these noisy quantities and of public inputs (the spec,
 * n), so the model is ε-differentially private with respect to the patients' rows (n itself is
 * treated as public, as in PrivBayes; the per-variable missing counts are not released).
 *
 * Outcomes: a time-to-event outcome is discretised as (interval of exit, event or censored) on
 * the spec's `breaks`, with follow-up truncated at the public `horizon` (one more category: still
 * at risk at the horizon); its piecewise-exponential PH model (rates per interval, log-HRs on the
 * parents) is then fitted by Poisson ML to the noisy cell counts, each exit counted at the middle
 * of its interval for the exposure. A binary endpoint is fitted by logistic regression weighted by
 * its noisy cell counts. Continuous endpoints are not supported under DP in this version.
 * Numeric covariates come out as categorical variables over their bins.
 */
import { InputError } from '../errors.js';
import type { RandomSource } from '../random/index.js';
import { StatsError, type StatsWarning } from '../stats/errors.js';
import { fitLogistic } from '../stats/logistic.js';
import { fitPoisson } from '../stats/fitters/poisson.js';
import { tableCounts } from '../stats/fitters/table.js';
import type { RegistryData, TermEstimate } from './registry-data.js';
import {
  binIndex,
  binLabels,
  isOutcomeKind,
  maxParentsOf,
  tierOf,
  type FitSpec,
  type VariableSpec,
} from './fit-spec.js';
import { parentConfigurations } from './network.js';
import type { Variable } from './schema.js';

export interface PrivateFit {
  readonly variables: Record<string, Variable>;
  readonly graph: Record<string, string[]>;
  readonly estimates: Record<string, TermEstimate[]>;
  readonly warnings: StatsWarning[];
  /** What provenance.derivation.notes records: mechanism, split, bins. */
  readonly notes: string;
}

/** A discretised variable: codes and level names. */
interface Discrete {
  readonly codes: Int32Array;
  readonly levels: string[];
}

/** PrivBayes's structure share β (Zhang et al. 2017, §4.3 and experiments). */
export const DEFAULT_STRUCTURE_SHARE = 0.3;

/**
 * Sensitivity of the mutual information I(X; Π) (nats) to one patient's row in a table of n,
 * Zhang et al. (2017), Lemma 4.1.
 */
export function mutualInformationSensitivity(n: number): number {
  return (2 / n) * Math.log((n + 1) / 2) + ((n - 1) / n) * Math.log((n + 1) / (n - 1));
}

/** A Laplace(0, b) draw from two uniforms: b·log(U₁/U₂) (difference of two exponentials). */
export function laplace(b: number, rng: RandomSource): number {
  return b * Math.log(rng.uniformOpen() / rng.uniformOpen());
}

/** I(X; Π) in nats from a child × configuration count table. */
function mutualInformation(child: Discrete, parents: readonly Discrete[], n: number): number {
  const k = child.levels.length;
  const t = tableCounts(
    child.codes,
    k,
    parents.map((p) => p.codes),
    parents.map((p) => p.levels.length),
  );
  const px = new Float64Array(k);
  for (let c = 0; c < t.nConfig; c++) for (let l = 0; l < k; l++) px[l]! += t.counts[c * k + l]!;
  let mi = 0;
  for (let c = 0; c < t.nConfig; c++) {
    let pc = 0;
    for (let l = 0; l < k; l++) pc += t.counts[c * k + l]!;
    for (let l = 0; l < k; l++) {
      const m = t.counts[c * k + l]!;
      if (m > 0) mi += (m / n) * Math.log((m * n) / (pc * px[l]!));
    }
  }
  return mi;
}

/** All subsets of `items` of size ≤ k, in lexicographic order of positions (the empty set first). */
function subsets<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [[]];
  const rec = (start: number, cur: T[]): void => {
    for (let i = start; i < items.length; i++) {
      const next = [...cur, items[i]!];
      out.push(next);
      if (next.length < k) rec(i + 1, next);
    }
  };
  if (k > 0) rec(0, []);
  return out;
}

function discretise(data: RegistryData, spec: FitSpec): Map<string, Discrete> {
  const out = new Map<string, Discrete>();
  const problems: InputError[] = [];
  for (const [name, v] of Object.entries(spec.variables)) {
    const c = data.columns.get(name)!;
    if (v.kind === 'continuous-endpoint') {
      problems.push(
        new InputError(
          `continuous endpoint "${name}" cannot be fitted under --epsilon in this version`,
          {
            field: `variables.${name}`,
            hint: 'fit without --epsilon, or drop the endpoint from the spec',
          },
        ),
      );
      continue;
    }
    if (v.kind === 'time-to-event') {
      if (!v.breaks || v.horizon === undefined) {
        problems.push(
          new InputError(
            `time-to-event "${name}" needs "breaks" and "horizon" under --epsilon (its piecewise-exponential intervals and the end of follow-up)`,
            {
              field: `variables.${name}`,
              hint: 'add e.g. breaks: [0, 6, 12, 24] and horizon: 36, chosen without looking at the data',
            },
          ),
        );
        continue;
      }
      if (!(v.horizon > v.breaks[v.breaks.length - 1]!)) {
        problems.push(
          new InputError(`"horizon" of "${name}" must exceed its last break`, {
            field: `variables.${name}.horizon`,
          }),
        );
        continue;
      }
      const s = data.surv.get(name)!;
      const J = v.breaks.length;
      const codes = new Int32Array(data.n);
      for (let i = 0; i < data.n; i++) {
        const t = s.time[i]!;
        codes[i] =
          t >= v.horizon ? 2 * J : 2 * (binIndex(t, v.breaks) - 1) + (s.status[i] === 1 ? 0 : 1);
      }
      const levels = v.breaks.flatMap((b, j) => {
        const end = j + 1 < J ? v.breaks![j + 1]! : v.horizon!;
        return [`event in [${b},${end})`, `censored in [${b},${end})`];
      });
      levels.push(`at risk at ${v.horizon}`);
      out.set(name, { codes, levels });
      continue;
    }
    if (c.kind === 'categorical') {
      out.set(name, { codes: c.codes, levels: [...c.levels] });
      continue;
    }
    if (!v.bins) {
      problems.push(
        new InputError(
          `numeric "${name}" (${v.kind}) needs "bins" under --epsilon: it is modelled as categorical over them`,
          {
            field: `variables.${name}`,
            hint: 'add bins: [cut points], chosen without looking at the data (e.g. clinical thresholds)',
          },
        ),
      );
      continue;
    }
    out.set(name, {
      codes: Int32Array.from(c.values, (x) => binIndex(x, v.bins!)),
      levels: binLabels(v.bins),
    });
  }
  if (problems.length > 0) {
    const [first, ...rest] = problems;
    throw new InputError(first!.message, first!.details, rest);
  }
  return out;
}

/**
 * The visiting order: tier by tier (declaration order within), untiered covariates, outcomes
 * last; then, stably, every whitelisted parent before its child (the whitelist is acyclic), so
 * a whitelisted parent is always among the earlier variables.
 */
function order(
  spec: FitSpec,
  tiers: readonly (readonly string[])[],
  whitelist: readonly (readonly [string, string])[],
): string[] {
  const names = Object.keys(spec.variables);
  const rank = (n: string): number => {
    if (isOutcomeKind(spec.variables[n]!.kind)) return tiers.length + 1;
    return tierOf(tiers, n) ?? tiers.length;
  };
  const sorted = names
    .map((n, i) => ({ n, i, r: rank(n) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.n);
  const out: string[] = [];
  while (out.length < sorted.length) {
    const next = sorted.find(
      (n) => !out.includes(n) && whitelist.every(([from, to]) => to !== n || out.includes(from)),
    )!;
    out.push(next);
  }
  return out;
}

/**
 * Fits the model under ε-differential privacy (see the file comment for the mechanism).
 * Same data, spec, ε and stream give the same model. Complexity: structure O(d · C · n) with C
 * the candidate parent sets per variable (Σ_{j ≤ maxParents} binom(d, j)); counts O(d · n).
 *
 * @example
 * const dp = fitPrivate(data, spec, 1, createStream(secretSeed));
 */
export function fitPrivate(
  data: RegistryData,
  spec: FitSpec,
  epsilon: number,
  rng: RandomSource,
): PrivateFit {
  const disc = discretise(data, spec);
  const n = data.n;
  const names = Object.keys(spec.variables);
  const d = names.length;
  const warnings: StatsWarning[] = [];
  const fixed = 'graph' in spec.structure ? spec.structure.graph : undefined;
  const learn = 'learn' in spec.structure ? spec.structure.learn : undefined;
  const share = fixed ? 0 : (spec.privacy?.structureShare ?? DEFAULT_STRUCTURE_SHARE);
  const eps1 = share * epsilon;
  const eps2 = epsilon - eps1;

  // ---- structure -----------------------------------------------------------------------------
  const graph: Record<string, string[]> = Object.fromEntries(names.map((x) => [x, []]));
  if (fixed) {
    for (const x of names) graph[x] = [...(fixed[x] ?? [])];
  } else {
    const l = learn!;
    const visit = order(spec, l.tiers, l.whitelist);
    const delta = mutualInformationSensitivity(n);
    const epsEach = eps1 / Math.max(1, d - 1);
    const black = new Set(l.blacklist.map(([a, b]) => `${a}\u0000${b}`));
    const srng = rng.substream(0);
    visit.forEach((x, i) => {
      const must = l.whitelist.filter(([, to]) => to === x).map(([from]) => from);
      const pool = visit
        .slice(0, i)
        .filter((p) => !isOutcomeKind(spec.variables[p]!.kind) && !black.has(`${p}\u0000${x}`))
        .filter((p) => !must.includes(p));
      const room = maxParentsOf(l)(x) - must.length;
      const candidates = subsets(pool, room).map((extra) => [...must, ...extra]);
      if (i === 0 || candidates.length === 1) {
        graph[x] = candidates[0]!;
        return;
      }
      const scores = candidates.map(
        (ps) =>
          (epsEach *
            mutualInformation(
              disc.get(x)!,
              ps.map((p) => disc.get(p)!),
              n,
            )) /
          (2 * delta),
      );
      const max = Math.max(...scores);
      const w = scores.map((s) => Math.exp(s - max));
      const total = w.reduce((a, b) => a + b, 0);
      let u = srng.random() * total;
      let pick = 0;
      while (pick < w.length - 1 && u >= w[pick]!) u -= w[pick++]!;
      const rank = new Map(names.map((nm, j) => [nm, j]));
      graph[x] = candidates[pick]!.sort((a, b) => rank.get(a)! - rank.get(b)!);
    });
  }

  // ---- noisy tables --------------------------------------------------------------------------
  const scale = (2 * d) / eps2;
  const variables: Record<string, Variable> = {};
  const estimates: Record<string, TermEstimate[]> = {};
  names.forEach((x, idx) => {
    const v = spec.variables[x]!;
    const child = disc.get(x)!;
    const parents = graph[x]!.map((p) => disc.get(p)!);
    const k = child.levels.length;
    const t = tableCounts(
      child.codes,
      k,
      parents.map((p) => p.codes),
      parents.map((p) => p.levels.length),
    );
    const crng = rng.substream(1, idx);
    const noisy = Float64Array.from(t.counts, (m) => Math.max(0, m + laplace(scale, crng)));
    const configs = parentConfigurations(parents.map((p) => p.levels));
    const given = (c: number): Record<string, string> =>
      Object.fromEntries(graph[x]!.map((p, j) => [p, configs[c]![j]!]));
    const common = {
      ...(v.label !== undefined ? { label: v.label } : {}),
      ...(v.description !== undefined ? { description: v.description } : {}),
      parents: graph[x]!,
    };
    if (v.kind === 'time-to-event') {
      const { variable, est } = pweFromCells(x, v, noisy, t.nConfig, k, graph[x]!, parents);
      variables[x] = { ...common, ...variable } as Variable;
      estimates[x] = est;
      return;
    }
    if (v.kind === 'binary-endpoint') {
      variables[x] = {
        ...common,
        ...logisticFromCells(x, v, noisy, t.nConfig, graph[x]!, parents),
      } as Variable;
      estimates[x] = [];
      return;
    }
    const marginal = new Float64Array(k);
    for (let c = 0; c < t.nConfig; c++)
      for (let l = 0; l < k; l++) marginal[l]! += noisy[c * k + l]!;
    const mTot = marginal.reduce((a, b) => a + b, 0);
    const table = configs.map((_, c) => {
      const counts = Array.from(noisy.subarray(c * k, c * k + k));
      const tot = counts.reduce((a, b) => a + b, 0);
      const p =
        tot > 0
          ? counts.map((m) => m / tot)
          : mTot > 0
            ? Array.from(marginal, (m) => m / mTot)
            : counts.map(() => 1 / k);
      return { given: given(c), p, counts };
    });
    variables[x] = {
      kind: 'categorical',
      ...common,
      levels: child.levels,
      ...(v.levelLabels ? { levelLabels: v.levelLabels } : {}),
      table,
    };
    estimates[x] = table.flatMap((row) =>
      row.p.map((p, l) => ({
        term: `${child.levels[l]}|${Object.values(row.given).join(',')}`,
        estimate: p,
        se: NaN,
      })),
    );
  });
  const binned = names.filter((x) => spec.variables[x]!.bins && !spec.variables[x]!.levels);
  const notes =
    `differential privacy (PrivBayes, Zhang et al. 2017): epsilon ${epsilon} = ${eps1} structure ` +
    `(exponential mechanism on mutual information${fixed ? '; fixed graph, nothing spent' : ''}) + ${eps2} ` +
    `counts (Laplace, scale ${+scale.toPrecision(6)} per count); binned: ${binned.map((b) => `${b} [${spec.variables[b]!.bins!.join(', ')}]`).join(', ') || 'none'}; ` +
    'missing counts withheld';
  return { variables, graph, estimates, warnings, notes };
}

/** Design of categorical parents for aggregated cells: one indicator per non-reference level. */
function cellDesign(
  parents: readonly Discrete[],
  names: readonly string[],
  nConfig: number,
): { terms: string[]; columns: Float64Array[] } {
  const configs = parentConfigurations(parents.map((p) => p.levels.map((_, l) => String(l))));
  const terms: string[] = [];
  const columns: Float64Array[] = [];
  parents.forEach((p, j) => {
    for (let l = 1; l < p.levels.length; l++) {
      terms.push(`${names[j]}=${p.levels[l]}`);
      columns.push(
        Float64Array.from({ length: nConfig }, (_, c) => (configs[c]![j] === String(l) ? 1 : 0)),
      );
    }
  });
  return { terms, columns };
}

function reword(name: string, err: unknown): never {
  if (err instanceof StatsError) {
    throw new InputError(`cannot fit "${name}" under differential privacy: ${err.message}`, {
      field: `variables.${name}`,
      hint: 'use a larger epsilon, fewer breaks or fewer parents (the noisy counts are too sparse)',
    });
  }
  throw err;
}

function pweFromCells(
  name: string,
  v: VariableSpec,
  noisy: Float64Array,
  nConfig: number,
  k: number,
  parentNames: readonly string[],
  parents: readonly Discrete[],
): { variable: Partial<Variable>; est: TermEstimate[] } {
  const breaks = v.breaks!;
  const J = breaks.length;
  const width = breaks.map((b, j) => (j + 1 < J ? breaks[j + 1]! : v.horizon!) - b);
  const { terms, columns } = cellDesign(parents, parentNames, nConfig);
  // one row per (configuration, interval): events, exposure
  const y: number[] = [];
  const off: number[] = [];
  const rows: { c: number; j: number }[] = [];
  for (let c = 0; c < nConfig; c++) {
    const cell = noisy.subarray(c * k, c * k + k);
    for (let j = 0; j < J; j++) {
      let exposure = 0;
      // exits (event or censored) in interval j: half its width; later exits and the at-risk: all of it
      exposure += (cell[2 * j]! + cell[2 * j + 1]!) * (width[j]! / 2);
      for (let jj = j + 1; jj < J; jj++)
        exposure += (cell[2 * jj]! + cell[2 * jj + 1]!) * width[j]!;
      exposure += cell[2 * J]! * width[j]!;
      if (exposure > 0) {
        y.push(cell[2 * j]!);
        off.push(Math.log(exposure));
        rows.push({ c, j });
      }
    }
  }
  const xs = [
    ...breaks.map((_, j) => Float64Array.from(rows, (r) => (r.j === j ? 1 : 0))),
    ...columns.map((col) => Float64Array.from(rows, (r) => col[r.c]!)),
  ];
  let fit;
  try {
    fit = fitPoisson(y, xs, [...breaks.map((b) => `log(rate[${b}])`), ...terms], {
      intercept: false,
      offset: off,
    });
  } catch (err) {
    reword(name, err);
  }
  return {
    variable: {
      kind: 'time-to-event',
      baseline: {
        distribution: 'piecewise-exponential',
        breaks: [...breaks],
        rates: Array.from(fit.coefficients.slice(0, J), Math.exp),
      },
      logHazardRatios: Object.fromEntries(terms.map((t, j) => [t, fit.coefficients[J + j]!])),
      centers: {},
    },
    est: fit.names.map((t, j) => ({ term: t, estimate: fit.coefficients[j]!, se: fit.se[j]! })),
  };
}

function logisticFromCells(
  name: string,
  v: VariableSpec,
  noisy: Float64Array,
  nConfig: number,
  parentNames: readonly string[],
  parents: readonly Discrete[],
): Partial<Variable> {
  const { terms, columns } = cellDesign(parents, parentNames, nConfig);
  const y: number[] = [];
  const w: number[] = [];
  const cfg: number[] = [];
  for (let c = 0; c < nConfig; c++) {
    for (let l = 0; l < 2; l++) {
      if (noisy[c * 2 + l]! > 0) {
        y.push(l);
        w.push(noisy[c * 2 + l]!);
        cfg.push(c);
      }
    }
  }
  let fit;
  try {
    fit = fitLogistic(
      y,
      columns.map((col) => Float64Array.from(cfg, (c) => col[c]!)),
      terms,
      { weights: w },
    );
  } catch (err) {
    reword(name, err);
  }
  const levels = v.levels ?? ['0', '1'];
  return {
    kind: 'binary-endpoint',
    levels: [levels[0]!, levels[1]!],
    ...(v.levelLabels ? { levelLabels: v.levelLabels } : {}),
    intercept: fit.coefficients[0]!,
    coefficients: Object.fromEntries(terms.map((t, j) => [t, fit.coefficients[j + 1]!])),
    centers: {},
  } as Partial<Variable>;
}
