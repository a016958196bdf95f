/**
 * The covariate model as a graph: parents, children, a topological order, and the checks that
 * relate fields to each other (what the schema alone cannot see). Every problem is located in
 * the model file and all of them are returned together.
 */
import { show, type InputError } from '../errors.js';
import { didYouMean, problemAt, type LocatedDocument, type PathSegment } from '../io/document.js';
import {
  CATEGORICAL_KINDS,
  OUTCOME_KINDS,
  type CategoricalVariable,
  type Model,
  type TimeToEventVariable,
  type Variable,
  type VariableKind,
} from './schema.js';
import { lowerLimit } from './transform.js';

/** Tolerance on a probability row's sum: rows rounded to 6 decimals still pass. */
export const ROW_SUM_TOLERANCE = 1e-6;

/** True for kinds whose values are levels (categorical, logistic, binary endpoint). */
export function isCategoricalKind(v: Variable): boolean {
  return CATEGORICAL_KINDS.includes(v.kind);
}

/** What a protocol analyses: the endpoint an outcome variable of the model is. */
export type Endpoint = 'time-to-event' | 'binary' | 'continuous';

const ENDPOINTS: Partial<Record<VariableKind, Endpoint>> = {
  'time-to-event': 'time-to-event',
  'binary-endpoint': 'binary',
  'continuous-endpoint': 'continuous',
};

/** The endpoint a variable of this kind is, or null for a covariate kind. */
export function endpointOfKind(kind: VariableKind): Endpoint | null {
  return ENDPOINTS[kind] ?? null;
}

/** True for outcome kinds (time-to-event, binary endpoint, continuous endpoint). */
export function isOutcome(v: Variable): boolean {
  return OUTCOME_KINDS.includes(v.kind);
}

/** The levels of a categorical-valued variable, or undefined for a numeric one. */
export function levelsOf(v: Variable): readonly string[] | undefined {
  return 'levels' in v ? v.levels : undefined;
}

/** Names of the variables declared as parents of `name`. */
export function parentsOf(model: Model, name: string): readonly string[] {
  return model.variables[name]?.parents ?? [];
}

/** Map from each variable to its children, in declaration order. Unknown parents are ignored. */
export function childrenOf(model: Model): Map<string, string[]> {
  const children = new Map<string, string[]>(Object.keys(model.variables).map((n) => [n, []]));
  for (const [name, v] of Object.entries(model.variables)) {
    for (const p of v.parents) children.get(p)?.push(name);
  }
  return children;
}

/** The outcome variables (time-to-event, binary and continuous endpoints), in declaration order. */
export function outcomeNames(model: Model): string[] {
  return Object.entries(model.variables)
    .filter(([, v]) => isOutcome(v))
    .map(([n]) => n);
}

/**
 * The directed cycles of the graph (edges parent → child), each as a closed walk
 * `[a, b, ..., a]` starting from its earliest-declared variable; each cycle reported once.
 * Complexity O(V + E) to find one back edge per DFS branch.
 */
export function findCycles(model: Model): string[][] {
  const names = Object.keys(model.variables);
  const rank = new Map(names.map((n, i) => [n, i]));
  const children = childrenOf(model);
  const state = new Map<string, 0 | 1 | 2>(names.map((n) => [n, 0]));
  const stack: string[] = [];
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const c of children.get(n) ?? []) {
      if (state.get(c) === 1) {
        const cycle = stack.slice(stack.indexOf(c));
        // rotate so the earliest-declared variable leads: one spelling per cycle
        let lead = 0;
        for (let i = 1; i < cycle.length; i++)
          if (rank.get(cycle[i]!)! < rank.get(cycle[lead]!)!) lead = i;
        const rotated = [...cycle.slice(lead), ...cycle.slice(0, lead)];
        const key = rotated.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]!]);
        }
      } else if (state.get(c) === 0) visit(c);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of names) if (state.get(n) === 0) visit(n);
  return cycles;
}

/**
 * A topological order (every parent before its children), ties broken by declaration order so
 * the order is a pure function of the file. Kahn (1962), O(V² ) worst case for the tie-breaking
 * scan, negligible for models of tens of variables. Returns undefined when the graph has a cycle.
 */
export function topologicalOrder(model: Model): string[] | undefined {
  const names = Object.keys(model.variables);
  const indegree = new Map<string, number>();
  for (const n of names) {
    indegree.set(n, model.variables[n]!.parents.filter((p) => p in model.variables).length);
  }
  const children = childrenOf(model);
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < names.length) {
    const next = names.find((n) => !done.has(n) && indegree.get(n) === 0);
    if (next === undefined) return undefined;
    order.push(next);
    done.add(next);
    for (const c of children.get(next)!) indegree.set(c, indegree.get(c)! - 1);
  }
  return order;
}

/** A linear-predictor key: `age` names a numeric parent, `stage=IV` a level of a categorical one. */
export function parseTermKey(key: string): { parent: string; level?: string } {
  const eq = key.indexOf('=');
  return eq < 0 ? { parent: key } : { parent: key.slice(0, eq), level: key.slice(eq + 1) };
}

/** Every configuration of the given categorical parents, in table order (last parent fastest). */
export function parentConfigurations(levels: readonly (readonly string[])[]): string[][] {
  let configs: string[][] = [[]];
  for (const ls of levels) configs = configs.flatMap((c) => ls.map((l) => [...c, l]));
  return configs;
}

function describeGiven(parents: readonly string[], values: readonly string[]): string {
  return parents.length === 0
    ? 'no parents'
    : parents.map((p, i) => `${p}=${values[i]}`).join(', ');
}

/**
 * All problems that relate fields of a schema-valid model to each other: unknown or repeated
 * parents, cycles, outcomes with children, categorical variables with numeric parents,
 * probability tables (coverage, sums, levels), linear-predictor keys, baselines and bounds.
 * Each problem is an `InputError` located in `doc`; an empty list means the model is usable.
 */
export function checkNetwork(model: Model, doc: LocatedDocument): InputError[] {
  const problems: InputError[] = [];
  const vars = model.variables;
  const names = Object.keys(vars);
  const at: At = (path, message, details = {}, atKey = false) => {
    problems.push(problemAt(doc, path, message, details, atKey));
  };

  if (names.length === 0) {
    at(['variables'], 'the model has no variables', {
      hint: 'declare at least one variable under "variables"',
    });
  }
  for (const [name, v] of Object.entries(vars)) {
    const base: PathSegment[] = ['variables', name];
    // parents
    const seen = new Set<string>();
    v.parents.forEach((p, i) => {
      const path = [...base, 'parents', i];
      if (seen.has(p)) {
        at(path, `parent "${p}" of "${name}" is listed twice`, {
          hint: 'remove the repeated entry',
        });
        return;
      }
      seen.add(p);
      const parent = vars[p];
      if (parent === undefined) {
        const guess = didYouMean(p, names);
        at(
          path,
          `unknown parent "${p}" of "${name}"${guess ? ` — did you mean "${guess}"?` : ''}`,
          {
            expected: `one of the model's variables: ${names.join(', ')}`,
            actual: show(p),
            hint: guess
              ? `rename it to "${guess}"`
              : `declare "${p}" under variables, or remove it`,
          },
        );
        return;
      }
      if (isOutcome(parent)) {
        at(
          path,
          `outcome "${p}" (${parent.kind}) cannot be a parent of "${name}": outcomes have no children`,
          {
            hint: `remove "${p}" from the parents of "${name}"; outcomes are drawn last, from the covariates`,
          },
        );
      }
    });

    if (v.kind === 'categorical') checkCategorical(name, v, model, at);
    else if (v.kind === 'time-to-event') {
      checkTerms(name, v, 'logHazardRatios', model, at);
      checkBaseline(name, v, at);
      if (v.unit !== undefined && v.unit !== model.provenance.timeUnit) {
        // one unit for every time in a model: baselines, accrual and follow-up all use it
        at(
          [...base, 'unit'],
          `the unit of "${name}" (${v.unit}) differs from provenance.timeUnit ` +
            `(${model.provenance.timeUnit})`,
          {
            hint: `express the baseline of "${name}" in ${model.provenance.timeUnit}, or omit "unit"`,
          },
        );
      }
    } else checkTerms(name, v, 'coefficients', model, at);

    if ((v.kind === 'logistic' || v.kind === 'binary-endpoint') && v.levels[0] === v.levels[1]) {
      at(
        [...base, 'levels'],
        `the two levels of "${name}" must differ, found "${v.levels[0]}" twice`,
      );
    }
    if ((v.kind === 'logistic' || v.kind === 'binary-endpoint') && v.levelLabels) {
      checkLevelLabels(name, v.levels, v.levelLabels, at);
    }
    if (v.kind === 'continuous' || v.kind === 'continuous-endpoint') {
      if (v.bounds) {
        const [lo, hi] = v.bounds;
        if (!(lo < hi)) {
          at(
            [...base, 'bounds'],
            `bounds of "${name}" must be [lower, upper] with lower < upper, found ${show(v.bounds)}`,
          );
        } else if (v.round && Math.ceil(lo) > Math.floor(hi)) {
          at([...base, 'bounds'], `bounds of "${name}" contain no integer, but "round" is true`);
        }
        if (hi <= lowerLimit(v.transform)) {
          at(
            [...base, 'bounds'],
            `bounds of "${name}" exclude every value above ${lowerLimit(v.transform)}, but "transform" is "${v.transform}"`,
          );
        }
      }
    }
    if (v.kind === 'count') {
      if (v.distribution === 'negative-binomial' && v.dispersion === undefined) {
        at([...base, 'distribution'], `"${name}" is negative-binomial but has no "dispersion"`, {
          hint: 'add "dispersion": θ > 0 (Var = μ + μ²/θ, as rnbinom(size = θ) in R)',
        });
      }
      if (v.distribution === 'poisson' && v.dispersion !== undefined) {
        at(
          [...base, 'dispersion'],
          `"dispersion" applies only to a negative-binomial count; "${name}" is poisson`,
          {
            hint: 'remove "dispersion", or set "distribution": "negative-binomial"',
          },
        );
      }
    }
  }

  for (const [name, v] of Object.entries(vars)) {
    if (v.covariance) checkCovariance(name, v, at);
  }

  for (const cycle of findCycles(model)) {
    // locate at the edge that closes the cycle: the first variable's parent entry
    const first = cycle[0]!;
    const last = cycle[cycle.length - 2]!;
    const idx = vars[first]!.parents.indexOf(last);
    at(['variables', first, 'parents', idx], `the model has a cycle: ${cycle.join(' → ')}`, {
      hint: 'a variable cannot depend on itself through its parents; remove one of these parent links',
    });
  }
  return problems;
}

/** The parameter names a variable's `covariance` may use (see the schema). */
export function covarianceParameters(v: Variable): string[] {
  if (v.kind === 'categorical') return [];
  if (v.kind === 'time-to-event') {
    const b = v.baseline as unknown as Record<string, unknown>;
    const base = ['shape', 'scale', 'rate']
      .filter((k) => typeof b[k] === 'number')
      .map((k) => `log(${k})`);
    const pieces =
      v.baseline.distribution === 'piecewise-exponential'
        ? v.baseline.breaks.map((br) => `log(rate[${br}])`)
        : [];
    return [...base, ...pieces, ...Object.keys(v.logHazardRatios), ...v.parents];
  }
  const scale =
    v.kind === 'continuous' || v.kind === 'continuous-endpoint'
      ? ['log(sd)']
      : v.kind === 'count' && v.distribution === 'negative-binomial'
        ? ['log(dispersion)']
        : [];
  return ['intercept', ...Object.keys(v.coefficients), ...scale, ...v.parents];
}

function checkCovariance(name: string, v: Variable, at: At): void {
  const c = v.covariance!;
  const path: PathSegment[] = ['variables', name, 'covariance'];
  const p = c.parameters.length;
  if (v.kind === 'categorical') {
    at(
      path,
      `"${name}" is categorical: its uncertainty comes from the table counts, not a covariance`,
      {
        hint: 'remove covariance and give counts in the table rows',
      },
    );
    return;
  }
  const allowed = new Set(covarianceParameters(v));
  c.parameters.forEach((param, i) => {
    const key = param.includes('=') ? param.split('=')[0]! : param;
    if (!allowed.has(param) && !allowed.has(key)) {
      at(
        [...path, 'parameters', i],
        `covariance of "${name}" names an unknown parameter "${param}"`,
        {
          expected: [...new Set(covarianceParameters(v))].join(', '),
          actual: param,
        },
      );
    }
  });
  if (c.matrix.length !== p || c.matrix.some((row) => row.length !== p)) {
    at(
      [...path, 'matrix'],
      `covariance of "${name}" must be a ${p}×${p} matrix (one row and column per parameter)`,
      {
        actual: `${c.matrix.length} rows of lengths ${c.matrix.map((r) => r.length).join(', ')}`,
      },
    );
    return;
  }
  for (let i = 0; i < p; i++) {
    if (!(c.matrix[i]![i]! >= 0)) {
      at(
        [...path, 'matrix', i, i],
        `covariance of "${name}" has a negative variance for ${c.parameters[i]}`,
      );
    }
    for (let j = 0; j < i; j++) {
      const a = c.matrix[i]![j]!;
      const b = c.matrix[j]![i]!;
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) {
        at(
          [...path, 'matrix', i, j],
          `covariance of "${name}" is not symmetric at (${i + 1}, ${j + 1})`,
          {
            actual: `${a} and ${b}`,
          },
        );
      }
    }
  }
}

/** Records a problem at `path`; `atKey` points at the key of the entry rather than its value. */
type At = (
  path: PathSegment[],
  message: string,
  details?: Parameters<typeof problemAt>[3],
  atKey?: boolean,
) => void;

function checkLevelLabels(
  name: string,
  levels: readonly string[],
  labels: Record<string, string>,
  at: At,
): void {
  for (const key of Object.keys(labels)) {
    if (!levels.includes(key)) {
      const guess = didYouMean(key, levels);
      at(
        ['variables', name, 'levelLabels', key],
        `levelLabels of "${name}" names unknown level "${key}"` +
          (guess ? ` — did you mean "${guess}"?` : ''),
        { expected: `one of ${levels.join(', ')}`, actual: show(key) },
        true,
      );
    }
  }
}

function checkCategorical(name: string, v: CategoricalVariable, model: Model, at: At): void {
  const base: PathSegment[] = ['variables', name];
  const dup = v.levels.find((l, i) => v.levels.indexOf(l) !== i);
  if (dup !== undefined) at([...base, 'levels'], `level "${dup}" of "${name}" is listed twice`);
  if (v.levelLabels) checkLevelLabels(name, v.levels, v.levelLabels, at);

  // The table can be checked only when every parent is a known categorical variable.
  let tableCheckable = true;
  const parentLevels: (readonly string[])[] = [];
  v.parents.forEach((p, i) => {
    const parent = model.variables[p];
    if (parent === undefined) {
      tableCheckable = false;
      return;
    }
    const levels = levelsOf(parent);
    if (levels === undefined) {
      tableCheckable = false;
      at(
        [...base, 'parents', i],
        `categorical "${name}" cannot have the numeric parent "${p}" (${parent.kind})`,
        {
          hint:
            `a probability table needs categorical parents: use "kind": "logistic" for a binary "${name}" with a ` +
            `linear predictor on "${p}", or make "${p}" categorical (binned)`,
        },
      );
    } else parentLevels.push(levels);
  });
  if (new Set(v.parents).size !== v.parents.length) tableCheckable = false;

  const k = v.levels.length;
  const seenConfig = new Map<string, number>();
  v.table.forEach((row, r) => {
    const rowPath: PathSegment[] = [...base, 'table', r];
    let complete = tableCheckable;
    for (const key of Object.keys(row.given)) {
      if (!v.parents.includes(key)) {
        complete = false;
        const guess = didYouMean(key, v.parents);
        at(
          [...rowPath, 'given', key],
          `row ${r} of the table of "${name}" gives "${key}", which is not a parent` +
            (guess ? ` — did you mean "${guess}"?` : ''),
          {
            expected: v.parents.length
              ? `the parents ${v.parents.join(', ')}`
              : 'an empty "given" (no parents)',
            actual: show(key),
          },
          true,
        );
      }
    }
    if (tableCheckable) {
      v.parents.forEach((p, j) => {
        const level = row.given[p];
        const levels = parentLevels[j]!;
        if (level === undefined) {
          complete = false;
          at(
            [...rowPath, 'given'],
            `row ${r} of the table of "${name}" gives no level of parent "${p}"`,
            {
              expected: `"${p}": one of ${levels.join(', ')}`,
            },
          );
        } else if (!levels.includes(level)) {
          complete = false;
          const guess = didYouMean(level, levels);
          at(
            [...rowPath, 'given', p],
            `row ${r} of the table of "${name}" gives ${p}="${level}", ` +
              `which is not a level of "${p}"${guess ? ` — did you mean "${guess}"?` : ''}`,
            {
              expected: `one of ${levels.join(', ')}`,
              actual: show(level),
            },
          );
        }
      });
    }
    const given = describeGiven(
      v.parents,
      v.parents.map((p) => row.given[p] ?? '?'),
    );
    if (row.p.length !== k) {
      at(
        [...rowPath, 'p'],
        `row ${r} of the table of "${name}" (${given}) has ${row.p.length} probabilities ` +
          `for ${k} levels`,
        { expected: `${k} probabilities, one per level of ${v.levels.join(', ')}` },
      );
    } else {
      const neg = row.p.findIndex((x) => x < 0);
      if (neg >= 0) {
        at(
          [...rowPath, 'p', neg],
          `row ${r} of the table of "${name}" (${given}) has a negative probability ` +
            `${row.p[neg]} for level "${v.levels[neg]}"`,
        );
      }
      const sum = row.p.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
        at(
          [...rowPath, 'p'],
          `row ${r} of the table of "${name}" (${given}) sums to ${+sum.toPrecision(12)}, ` +
            `not 1`,
          { expected: `probabilities summing to 1 (±${ROW_SUM_TOLERANCE})`, actual: String(sum) },
        );
      }
    }
    if (row.counts !== undefined && row.counts.length !== k) {
      at(
        [...rowPath, 'counts'],
        `row ${r} of the table of "${name}" (${given}) has ${row.counts.length} ` +
          `counts for ${k} levels`,
        { expected: `${k} counts, one per level of ${v.levels.join(', ')}` },
      );
    }
    if (complete) {
      const key = v.parents.map((p) => row.given[p]).join('\u0000');
      const prev = seenConfig.get(key);
      if (prev !== undefined) {
        at(
          [...rowPath, 'given'],
          `row ${r} of the table of "${name}" repeats the configuration of row ${prev} ` +
            `(${given})`,
          { hint: 'each configuration of the parents must have exactly one row' },
        );
      } else seenConfig.set(key, r);
    }
  });
  if (tableCheckable) {
    const missing = parentConfigurations(parentLevels)
      .filter((c) => !seenConfig.has(c.join('\u0000')))
      .map((c) => describeGiven(v.parents, c));
    if (missing.length > 0) {
      const shown = missing
        .slice(0, 5)
        .map((m) => `(${m})`)
        .join(', ');
      at(
        [...base, 'table'],
        `the table of "${name}" has no row for ${missing.length} configuration` +
          `${missing.length === 1 ? '' : 's'} of its parents: ${shown}${missing.length > 5 ? ', ...' : ''}`,
        {
          hint: 'each configuration of the parents must have exactly one row',
        },
      );
    }
  }
}

function checkTerms(
  name: string,
  v: Extract<Variable, { centers: Record<string, number> }>,
  field: 'coefficients' | 'logHazardRatios',
  model: Model,
  at: At,
): void {
  const base: PathSegment[] = ['variables', name];
  const terms = (v as Record<string, unknown>)[field] as Record<string, number>;
  const atKey: At = (path, message, details) => at(path, message, details, true);
  for (const [key, value] of Object.entries(terms)) {
    const path = [...base, field, key];
    const { parent, level } = parseTermKey(key);
    const pv = model.variables[parent];
    if (!v.parents.includes(parent)) {
      const guess = didYouMean(parent, v.parents);
      atKey(
        path,
        `${field} of "${name}" names "${parent}", which is not a parent of "${name}"` +
          (guess ? ` — did you mean "${guess}"?` : ''),
        {
          expected: v.parents.length
            ? `terms on the parents ${v.parents.join(', ')}`
            : 'no terms (no parents)',
          actual: show(key),
          hint: guess
            ? `rename it to "${guess}"`
            : `add "${parent}" to the parents of "${name}", or remove the term`,
        },
      );
      continue;
    }
    if (pv === undefined) continue; // reported as an unknown parent
    const levels = levelsOf(pv);
    if (levels === undefined) {
      if (level !== undefined) {
        atKey(
          path,
          `${field} of "${name}": "${parent}" is numeric (${pv.kind}), so its term is "${parent}", ` +
            `not "${key}"`,
          { hint: `rename the key to "${parent}"` },
        );
      }
    } else if (level === undefined) {
      atKey(
        path,
        `${field} of "${name}": "${parent}" is categorical, so its terms are "${parent}=LEVEL" ` +
          `for the non-reference levels ${levels.slice(1).join(', ')}`,
        {
          expected: levels
            .slice(1)
            .map((l) => `${parent}=${l}`)
            .join(', '),
          actual: show(key),
        },
      );
    } else if (!levels.includes(level)) {
      const guess = didYouMean(level, levels);
      atKey(
        path,
        `${field} of "${name}" names level "${level}" of "${parent}", which has no such level` +
          (guess ? ` — did you mean "${guess}"?` : ''),
        {
          expected: levels
            .slice(1)
            .map((l) => `${parent}=${l}`)
            .join(', '),
          actual: show(key),
        },
      );
    } else if (level === levels[0] && value !== 0) {
      atKey(
        path,
        `${field} of "${name}": "${level}" is the reference level of "${parent}" (its first level), ` +
          `whose term is 0 by definition`,
        {
          hint: `remove "${key}" and express the effect of "${parent}" relative to "${level}"`,
        },
      );
    }
  }
  for (const key of Object.keys(v.centers)) {
    const pv = model.variables[key];
    if (!v.parents.includes(key)) {
      at(
        [...base, 'centers', key],
        `centers of "${name}" names "${key}", which is not a parent of "${name}"`,
        {},
        true,
      );
    } else if (pv !== undefined && levelsOf(pv) !== undefined) {
      at(
        [...base, 'centers', key],
        `centers of "${name}" names "${key}", which is categorical; ` +
          'only numeric parents have a center',
        {},
        true,
      );
    }
  }
}

function checkBaseline(name: string, v: TimeToEventVariable, at: At): void {
  const b = v.baseline;
  const base: PathSegment[] = ['variables', name, 'baseline'];
  if (b.distribution === 'piecewise-exponential') {
    if (b.breaks[0] !== 0) {
      at(
        [...base, 'breaks', 0],
        `the first break of the baseline of "${name}" must be 0, found ${b.breaks[0]}`,
      );
    }
    const bad = b.breaks.findIndex((t, i) => i > 0 && !(t > b.breaks[i - 1]!));
    if (bad > 0) {
      at(
        [...base, 'breaks', bad],
        `breaks of the baseline of "${name}" must increase strictly, found ` +
          `${b.breaks[bad - 1]} then ${b.breaks[bad]}`,
      );
    }
    if (b.rates.length !== b.breaks.length) {
      at(
        [...base, 'rates'],
        `the baseline of "${name}" has ${b.breaks.length} breaks but ${b.rates.length} rate${b.rates.length === 1 ? '' : 's'}`,
        {
          expected: `${b.breaks.length} rates, one per interval starting at each break`,
        },
      );
    }
  } else if (b.distribution === 'step') {
    const bad = b.times.findIndex((t, i) => i > 0 && !(t > b.times[i - 1]!));
    if (bad > 0) {
      at(
        [...base, 'times', bad],
        `times of the step baseline of "${name}" must increase strictly, found ` +
          `${b.times[bad - 1]} then ${b.times[bad]}`,
      );
    }
    if (b.survival.length !== b.times.length) {
      at(
        [...base, 'survival'],
        `the step baseline of "${name}" has ${b.times.length} times but ` +
          `${b.survival.length} survival values`,
      );
    }
    b.survival.forEach((s, i) => {
      if (!(s > 0 && s <= 1)) {
        at(
          [...base, 'survival', i],
          `survival values of the step baseline of "${name}" must lie in (0, 1], ` + `found ${s}`,
        );
      } else if (i > 0 && s > b.survival[i - 1]!) {
        at(
          [...base, 'survival', i],
          `the step baseline survival of "${name}" must not increase, found ` +
            `${b.survival[i - 1]} then ${s} at time ${b.times[i] ?? '?'}`,
        );
      }
    });
  }
}
