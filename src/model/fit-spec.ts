/**
 * The fit specification, `ecasim-fit/1` (docs/fit-spec.md): what `ecasim fit` needs to turn a
 * registry extract (CSV) into a covariate model — the variables with their kinds and levels (or
 * bins), the outcome columns, the time unit, and either a fixed graph or the constraints of
 * structure learning. Shape checks live in the zod schema; relations between fields (graph names,
 * cycles, whitelist against maxParents) in `checkFitSpec`, all located in the spec file.
 */
import { z } from 'zod';
import { show, throwCollected, type InputError } from '../errors.js';
import {
  didYouMean,
  loadLocated,
  parseLocated,
  problemAt,
  validateWithSchema,
  type LocatedDocument,
} from '../io/document.js';
import { extractFields, TIME_UNITS, VARIABLE_KINDS, type VariableKind } from './schema.js';
import { TRANSFORMS } from './transform.js';

/** The format tag every fit spec carries. */
export const FIT_SPEC_FORMAT = 'ecasim-fit/1';

const WHAT = 'fit spec';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const name = z.string().min(1);

const levels = z.array(z.union([name, z.number().transform(String)])).min(2);

const variableSpec = z
  .object({
    kind: z.enum(VARIABLE_KINDS),
    /** The CSV column, when it differs from the variable's name. */
    column: name.optional(),
    label: z.string().optional(),
    description: z.string().optional(),
    unit: z.string().optional(),
    /** Levels, reference first (categorical kinds); `["0", "1"]` by default for binary kinds. */
    levels: levels.optional(),
    levelLabels: z.record(z.string(), z.string()).optional(),
    /**
     * Cut points c₁ < … < c_k turning a numeric column into k + 1 intervals [c_{j−1}, c_j)
     * (categorical with `bins`); for a numeric kind, the bins used under differential privacy.
     */
    bins: z.array(finite).min(1).optional(),
    /** continuous kinds: `log` / `log1p` fit the linear-Gaussian model to log(x) / log(1 + x). */
    transform: z.enum(TRANSFORMS).optional(),
    bounds: z.tuple([finite, finite]).optional(),
    round: z.boolean().optional(),
    /** count: only poisson is fitted in this version. */
    distribution: z.literal('poisson').optional(),
    /** time-to-event: the time column (> 0). */
    time: name.optional(),
    /** time-to-event: the event column. */
    event: name.optional(),
    /** time-to-event: which values of the event column mean event and censored (ADaM CNSR: 0 and 1). */
    eventCoding: z.object({ event: finite, censored: finite }).strict().optional(),
    baseline: z.enum(['weibull', 'exponential', 'piecewise-exponential']).optional(),
    /** piecewise-exponential: interval starts, the first 0. */
    breaks: z.array(z.number().nonnegative()).min(1).optional(),
    /** time-to-event under differential privacy: follow-up beyond it is censored there. */
    horizon: z.number().positive().optional(),
  })
  .strict();

const arc = z.tuple([name, name]);

/** Parents a node may have in structure learning when the spec does not say. */
export const DEFAULT_MAX_PARENTS = 3;

const structureSpec = z.union([
  z.object({ graph: z.record(z.string(), z.array(name)) }).strict(),
  z
    .object({
      learn: z
        .object({
          tiers: z.array(z.array(name)).default([]),
          whitelist: z.array(arc).default([]),
          blacklist: z.array(arc).default([]),
          maxParents: z
            .union([z.number().int().min(0), z.record(z.string(), z.number().int().min(0))])
            .default(DEFAULT_MAX_PARENTS),
        })
        .strict(),
    })
    .strict(),
]);

/** Bootstrap resamples of the registry fit's covariance: a variance's relative MC SE is √(2/B) = 10%. */
export const DEFAULT_BOOTSTRAP_REPLICATES = 200;
/** The bootstrap's seed when the fit spec gives none, so a fit is a function of its inputs. */
export const DEFAULT_BOOTSTRAP_SEED = 1;

export const fitSpecSchema = z
  .object({
    $schema: z.string().optional(),
    format: z.literal(FIT_SPEC_FORMAT),
    registry: z
      .object({
        name: z.string().min(1),
        ...extractFields,
      })
      .strict(),
    timeUnit: z.enum(TIME_UNITS),
    missing: z.literal('complete-cases').default('complete-cases'),
    variables: z.record(
      z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_.]*$/,
          'a variable name must start with a letter or "_" and hold only letters, digits, "_" and "."',
        ),
      variableSpec,
    ),
    structure: structureSpec,
    /**
     * How the sampling covariance written for parameter uncertainty is estimated: `bootstrap`
     * (the default; B resamples of the registry's complete cases, seeded) or `information` (the
     * inverse information of the fit). docs/fit-spec.md, "Parameter covariance".
     */
    covariance: z
      .object({
        method: z.enum(['bootstrap', 'information']).default('bootstrap'),
        replicates: z.number().int().min(50).max(100000).default(DEFAULT_BOOTSTRAP_REPLICATES),
        seed: z.number().int().min(0).max(4294967295).default(DEFAULT_BOOTSTRAP_SEED),
      })
      .strict()
      .default({
        method: 'bootstrap',
        replicates: DEFAULT_BOOTSTRAP_REPLICATES,
        seed: DEFAULT_BOOTSTRAP_SEED,
      }),
    /** Differential privacy: the share of ε spent on structure selection (PrivBayes's β, 0.3). */
    privacy: z
      .object({ structureShare: z.number().gt(0).lt(1).default(0.3) })
      .strict()
      .optional(),
  })
  .strict();

export type FitSpec = z.output<typeof fitSpecSchema>;
export type VariableSpec = z.output<typeof variableSpec>;
export type LearnSpec = Extract<FitSpec['structure'], { learn: unknown }>['learn'];

/** A validated fit spec with its source, so later data problems can point into it. */
export interface LoadedFitSpec {
  readonly spec: FitSpec;
  readonly doc: LocatedDocument;
}

const CATEGORICAL: readonly VariableKind[] = ['categorical', 'logistic', 'binary-endpoint'];
const OUTCOMES: readonly VariableKind[] = [
  'time-to-event',
  'binary-endpoint',
  'continuous-endpoint',
];

/** True for kinds whose values are levels. */
export function isLevelKind(kind: VariableKind): boolean {
  return CATEGORICAL.includes(kind);
}

/** True for outcome kinds (never parents). */
export function isOutcomeKind(kind: VariableKind): boolean {
  return OUTCOMES.includes(kind);
}

/** The levels of a level-valued variable: given, derived from bins, or `["0", "1"]` for binary kinds. */
export function specLevels(v: VariableSpec): string[] | undefined {
  if (!isLevelKind(v.kind)) return undefined;
  if (v.levels) return v.levels;
  if (v.bins) return binLabels(v.bins);
  return v.kind === 'categorical' ? undefined : ['0', '1'];
}

/** Labels of the intervals cut by `bins`: `<50`, `[50,65)`, `>=65`. */
export function binLabels(bins: readonly number[]): string[] {
  const out = [`<${bins[0]}`];
  for (let j = 1; j < bins.length; j++) out.push(`[${bins[j - 1]},${bins[j]})`);
  out.push(`>=${bins[bins.length - 1]}`);
  return out;
}

/** The bin index of x for cut points `bins` (intervals closed on the left). */
export function binIndex(x: number, bins: readonly number[]): number {
  let j = 0;
  while (j < bins.length && x >= bins[j]!) j++;
  return j;
}

/**
 * Relations the schema cannot see: levels, bins and outcome fields by kind, graph names, cycles
 * in a fixed graph (printed), outcomes as parents, categorical children of numeric parents,
 * tiers/whitelist/blacklist naming unknown variables, and a whitelist exceeding `maxParents`.
 * Complexity O(variables + arcs).
 *
 * @example
 * checkFitSpec(spec, doc).map((e) => e.message); // ['the graph has a cycle: a → b → a']
 */
export function checkFitSpec(spec: FitSpec, doc: LocatedDocument): InputError[] {
  const problems: InputError[] = [];
  const names = Object.keys(spec.variables);
  const at = (path: (string | number)[], msg: string, hint?: string, atKey = false): void => {
    problems.push(problemAt(doc, path, msg, hint ? { hint } : {}, atKey));
  };
  const unknown = (path: (string | number)[], n: string, role: string): boolean => {
    if (n in spec.variables) return false;
    const guess = didYouMean(n, names);
    at(
      path,
      `${role} names unknown variable "${n}"${guess ? ` — did you mean "${guess}"?` : ''}`,
      guess ? `rename it to "${guess}"` : `declare "${n}" under variables`,
    );
    return true;
  };

  for (const [n, v] of Object.entries(spec.variables)) {
    const base = ['variables', n];
    if (v.kind === 'categorical' && !v.levels && !v.bins) {
      at(base, `categorical "${n}" needs "levels" (reference first) or "bins"`);
    }
    const lv = specLevels(v);
    if (lv && new Set(lv).size !== lv.length) at([...base, 'levels'], `levels of "${n}" repeat`);
    if ((v.kind === 'logistic' || v.kind === 'binary-endpoint') && lv && lv.length !== 2) {
      at(
        [...base, 'levels'],
        `"${n}" is ${v.kind}, so it needs exactly 2 levels, found ${show(lv)}`,
      );
    }
    if (v.bins) {
      const bad = v.bins.findIndex((b, i) => i > 0 && !(b > v.bins![i - 1]!));
      if (bad > 0) at([...base, 'bins', bad], `bins of "${n}" must increase strictly`);
      if (v.levels && v.kind === 'categorical' && v.levels.length !== v.bins.length + 1) {
        at(
          [...base, 'levels'],
          `"${n}" has ${v.bins.length} cut points, so ${v.bins.length + 1} levels, found ${v.levels.length}`,
        );
      }
    }
    if (v.kind === 'time-to-event') {
      if (!v.time) at(base, `time-to-event "${n}" needs "time" (the time column)`);
      if (!v.event) at(base, `time-to-event "${n}" needs "event" (the event column)`);
      const bl = v.baseline ?? 'weibull';
      if (bl === 'piecewise-exponential') {
        if (!v.breaks) at(base, `"${n}" has a piecewise-exponential baseline but no "breaks"`);
        else {
          if (v.breaks[0] !== 0) at([...base, 'breaks', 0], `the first break of "${n}" must be 0`);
          const bad = v.breaks.findIndex((b, i) => i > 0 && !(b > v.breaks![i - 1]!));
          if (bad > 0) at([...base, 'breaks', bad], `breaks of "${n}" must increase strictly`);
        }
      }
    } else {
      for (const f of ['time', 'event', 'eventCoding', 'baseline', 'breaks', 'horizon'] as const) {
        if (v[f] !== undefined)
          at([...base, f], `"${f}" applies only to a time-to-event variable`, undefined, true);
      }
    }
    if (v.kind !== 'continuous' && v.kind !== 'continuous-endpoint') {
      for (const f of ['transform', 'bounds', 'round'] as const) {
        if (v[f] !== undefined)
          at([...base, f], `"${f}" applies only to a continuous variable`, undefined, true);
      }
    }
  }

  const kindOf = (n: string): VariableKind | undefined => spec.variables[n]?.kind;
  const arcRules = (path: (string | number)[], from: string, to: string): void => {
    const kf = kindOf(from);
    const kt = kindOf(to);
    if (!kf || !kt) return;
    if (from === to) at(path, `"${from}" cannot be its own parent`);
    if (isOutcomeKind(kf)) {
      at(path, `outcome "${from}" cannot be a parent of "${to}": outcomes have no children`);
    }
    if (kt === 'categorical' && !isLevelKind(kf)) {
      at(
        path,
        `categorical "${to}" cannot have the numeric parent "${from}" (${kf})`,
        `bin "${from}" into a categorical variable, or make "${to}" logistic`,
      );
    }
  };

  if ('graph' in spec.structure) {
    const graph = spec.structure.graph;
    for (const [child, parents] of Object.entries(graph)) {
      if (unknown(['structure', 'graph', child], child, 'structure.graph')) continue;
      parents.forEach((p, i) => {
        const path = ['structure', 'graph', child, i];
        if (!unknown(path, p, `the parents of "${child}"`)) arcRules(path, p, child);
      });
    }
    const cycle = findCycle(graph);
    if (cycle) {
      at(
        ['structure', 'graph', cycle[0]!],
        `the graph has a cycle: ${cycle.join(' → ')}`,
        'remove one of these arcs',
      );
    }
  } else {
    const learn = spec.structure.learn;
    learn.tiers.forEach((tier, t) =>
      tier.forEach((n, i) => unknown(['structure', 'learn', 'tiers', t, i], n, 'a tier')),
    );
    const perChild = new Map<string, number>();
    for (const [list, arcs] of [
      ['whitelist', learn.whitelist],
      ['blacklist', learn.blacklist],
    ] as const) {
      arcs.forEach(([from, to], i) => {
        const path = ['structure', 'learn', list, i];
        const u1 = unknown(path, from, list);
        const u2 = unknown(path, to, list);
        if (u1 || u2 || list === 'blacklist') return;
        arcRules(path, from, to);
        perChild.set(to, (perChild.get(to) ?? 0) + 1);
        const tf = tierOf(learn.tiers, from);
        const tt = tierOf(learn.tiers, to);
        if (tf !== undefined && tt !== undefined && tf > tt) {
          at(
            path,
            `whitelisted arc ${from} → ${to} goes from tier ${tf + 1} back to tier ${tt + 1}`,
          );
        }
      });
    }
    const limits = learn.maxParents;
    if (typeof limits !== 'number')
      for (const key of Object.keys(limits))
        if (key !== 'default')
          unknown(['structure', 'learn', 'maxParents', key], key, 'maxParents');
    const limitOf = maxParentsOf(learn);
    for (const [child, count] of perChild) {
      if (count > limitOf(child)) {
        const own = typeof limits !== 'number' && limits[child] !== undefined;
        at(
          ['structure', 'learn', 'maxParents', ...(own ? [child] : [])],
          `the whitelist gives "${child}" ${count} parents, more than its maxParents = ${limitOf(child)}`,
          `raise maxParents${own ? `.${child}` : ''} to ${count} or whitelist fewer arcs into "${child}"`,
        );
      }
    }
    for (const [from, to] of learn.whitelist) {
      if (learn.blacklist.some(([a, b]) => a === from && b === to)) {
        at(
          ['structure', 'learn', 'blacklist'],
          `arc ${from} → ${to} is both whitelisted and blacklisted`,
        );
      }
    }
    const wl: Record<string, string[]> = {};
    for (const [from, to] of learn.whitelist) (wl[to] ??= []).push(from);
    const cycle = findCycle(wl);
    if (cycle)
      at(['structure', 'learn', 'whitelist'], `the whitelist has a cycle: ${cycle.join(' → ')}`);
  }
  return problems;
}

/** 0-based tier of a variable, or undefined when it is in no tier. */
export function tierOf(tiers: readonly (readonly string[])[], n: string): number | undefined {
  const t = tiers.findIndex((tier) => tier.includes(n));
  return t < 0 ? undefined : t;
}

/** One directed cycle of a child → parents map, as `[a, b, ..., a]` (parent → child), or undefined. */
export function findCycle(graph: Record<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, number>();
  const stack: string[] = [];
  let found: string[] | undefined;
  // walk child → parent edges; a cycle found that way is printed reversed (parent → child)
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const p of graph[n] ?? []) {
      if (found) return;
      if (state.get(p) === 1) {
        found = [...stack.slice(stack.indexOf(p)), p].reverse();
        return;
      }
      if (!state.get(p)) visit(p);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of Object.keys(graph)) if (!found && !state.get(n)) visit(n);
  return found;
}

/** Validates a parsed fit spec; throws one InputError with every problem located. */
export function parseFitSpec(doc: LocatedDocument): LoadedFitSpec {
  const spec = validateWithSchema(fitSpecSchema, doc, WHAT);
  throwCollected(checkFitSpec(spec, doc));
  return { spec, doc };
}

/** Parses fit-spec text (YAML) named `file`. */
export function parseFitSpecText(file: string, text: string): LoadedFitSpec {
  return parseFitSpec(parseLocated(file, text, WHAT));
}

/**
 * Reads and validates a fit spec (`ecasim-fit/1`, docs/fit-spec.md).
 *
 * @example
 * const { spec } = loadFitSpec('examples/nsclc/fit.yaml');
 * spec.format; // → 'ecasim-fit/1'
 */
export function loadFitSpec(file: string): LoadedFitSpec {
  return parseFitSpec(loadLocated(file, WHAT));
}

/**
 * The parent limit of each node under `learn.maxParents`: one number for every node, or a map of
 * a node's own limit with `default` (else 3) for the rest.
 */
export function maxParentsOf(learn: {
  readonly maxParents: number | Readonly<Record<string, number>>;
}): (node: string) => number {
  const m = learn.maxParents;
  if (typeof m === 'number') return () => m;
  return (node) => m[node] ?? m['default'] ?? DEFAULT_MAX_PARENTS;
}
