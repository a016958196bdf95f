/**
 * The columnar cohort shared by sampling, eligibility, outcomes and analysis: one typed array per
 * variable, no per-patient objects. Categorical values are integer codes into `levels`.
 */

export type NumericColumn = { readonly kind: 'numeric'; readonly values: Float64Array };
export type CategoricalColumn = {
  readonly kind: 'categorical';
  readonly codes: Int32Array;
  readonly levels: readonly string[];
};
export type Column = NumericColumn | CategoricalColumn;

/** `n` patients with one column of length `n` per variable. */
export interface Cohort {
  readonly n: number;
  readonly columns: Map<string, Column>;
}

/** The column `name`, or an error naming the columns there are. */
export function getColumn(cohort: Cohort, name: string): Column {
  const c = cohort.columns.get(name);
  if (c === undefined) {
    throw new RangeError(
      `no column "${name}" in the cohort; columns: ${[...cohort.columns.keys()].join(', ')}`,
    );
  }
  return c;
}

/**
 * A numeric view of a column: the values of a numeric column (no copy), or the level codes of a
 * categorical one as numbers (0 = first level), which for a binary variable is its 0/1 indicator.
 */
export function numericView(column: Column): Float64Array {
  return column.kind === 'numeric' ? column.values : Float64Array.from(column.codes);
}

/** The level of each patient of a categorical column, as strings (for output, not hot paths). */
export function levelValues(column: CategoricalColumn): string[] {
  return Array.from(column.codes, (c) => column.levels[c]!);
}

/**
 * The rows of `cohort` at `index` (in that order; repeats allowed), as a new cohort.
 * Complexity O(|index| · columns).
 *
 * @example
 * const kept = selectRows(cohort, [0, 2, 5]); // kept.n === 3
 */
export function selectRows(cohort: Cohort, index: ArrayLike<number>): Cohort {
  const m = index.length;
  for (let i = 0; i < m; i++) {
    const k = index[i]!;
    if (!(Number.isInteger(k) && k >= 0 && k < cohort.n)) {
      throw new RangeError(
        `row index ${k} at position ${i} is outside the cohort (0 to ${cohort.n - 1})`,
      );
    }
  }
  const columns = new Map<string, Column>();
  for (const [name, col] of cohort.columns) {
    if (col.kind === 'numeric') {
      const src = col.values;
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) out[i] = src[index[i]!]!;
      columns.set(name, { kind: 'numeric', values: out });
    } else {
      const src = col.codes;
      const out = new Int32Array(m);
      for (let i = 0; i < m; i++) out[i] = src[index[i]!]!;
      columns.set(name, { kind: 'categorical', codes: out, levels: col.levels });
    }
  }
  return { n: m, columns };
}

/**
 * The rows of several cohorts one after another. All must have the same columns, of the same kind
 * and (for categorical columns) the same levels. Complexity O(total rows · columns).
 */
export function concatCohorts(cohorts: readonly Cohort[]): Cohort {
  if (cohorts.length === 0) return { n: 0, columns: new Map() };
  const first = cohorts[0]!;
  const n = cohorts.reduce((s, c) => s + c.n, 0);
  const columns = new Map<string, Column>();
  for (const [name, col] of first.columns) {
    const parts = cohorts.map((c, j) => {
      const part = c.columns.get(name);
      if (part === undefined || part.kind !== col.kind) {
        throw new RangeError(`cohort ${j} has no ${col.kind} column "${name}" to concatenate`);
      }
      if (
        part.kind === 'categorical' &&
        col.kind === 'categorical' &&
        part.levels.join('\u0000') !== col.levels.join('\u0000')
      ) {
        throw new RangeError(`column "${name}" has different levels in cohort ${j}`);
      }
      return part;
    });
    if (col.kind === 'numeric') {
      const out = new Float64Array(n);
      let o = 0;
      for (const p of parts as NumericColumn[]) {
        out.set(p.values, o);
        o += p.values.length;
      }
      columns.set(name, { kind: 'numeric', values: out });
    } else {
      const out = new Int32Array(n);
      let o = 0;
      for (const p of parts as CategoricalColumn[]) {
        out.set(p.codes, o);
        o += p.codes.length;
      }
      columns.set(name, { kind: 'categorical', codes: out, levels: col.levels });
    }
  }
  for (const [j, c] of cohorts.entries()) {
    if (c.columns.size !== first.columns.size) {
      throw new RangeError(
        `cohort ${j} has ${c.columns.size} columns, cohort 0 has ${first.columns.size}`,
      );
    }
  }
  return { n, columns };
}
