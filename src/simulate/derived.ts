/**
 * Derived variables: protocol expressions over a patient's baseline variables (and earlier derived
 * ones), computed alike for the treated and the virtual patients and added as numeric columns
 * (conditions as 1/0). A derived variable whose inputs a cohort lacks is left out of it.
 */
import type { CompiledExpression } from '../protocol/expressions.js';
import type { Cohort, Column } from '../cohort.js';
import { cohortReader } from './eligibility.js';

export interface DerivedVariable {
  name: string;
  expression: CompiledExpression;
}

/** The cohort with the derived columns it can compute appended. Complexity O(n · derived). */
export function deriveColumns(cohort: Cohort, derived: readonly DerivedVariable[]): Cohort {
  if (derived.length === 0) return cohort;
  const columns = new Map<string, Column>(cohort.columns);
  const current: Cohort = { n: cohort.n, columns };
  for (const d of derived) {
    if (!d.expression.variables.every((v) => columns.has(v))) continue;
    const read = cohortReader(current);
    const values = new Float64Array(cohort.n);
    for (let i = 0; i < cohort.n; i++) {
      const v = d.expression.evaluate(read, i);
      values[i] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
    }
    columns.set(d.name, { kind: 'numeric', values });
  }
  return current;
}
