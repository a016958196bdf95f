/**
 * "Table 1": baseline characteristics by arm, described from the data (no tests): numeric
 * variables by mean (SD) and median [Q1, Q3]; categorical ones by count and percentage per level.
 * The synthetic control arm is described over all its replicates together.
 */
import type { CovariateModel } from '../model/load.js';
import { levelsOf } from '../model/network.js';
import type { Cohort } from '../cohort.js';
import type { NumericSummary, Table1Row } from '../results.js';
import { quantileSorted } from '../stats/distances.js';

/** Summary of the observed values (a treated patient's missing value, NaN, is left out). */
function describe(all: Float64Array): NumericSummary {
  const values = all.some(Number.isNaN) ? all.filter((x) => !Number.isNaN(x)) : all;
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sorted = Float64Array.from(values).sort();
  return {
    n,
    mean,
    sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    median: quantileSorted(sorted, 0.5),
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
  };
}

function counts(cohort: Cohort, name: string, k: number): number[] {
  const c = cohort.columns.get(name);
  const out = new Array<number>(k).fill(0);
  if (c?.kind === 'categorical') for (const code of c.codes) if (code >= 0) out[code]!++;
  return out;
}

/** Table 1 over the model's baseline variables, with labels and units from the model. */
export function table1(model: CovariateModel, treated: Cohort, control: Cohort): Table1Row[] {
  const rows: Table1Row[] = [];
  for (const name of model.names) {
    if (model.outcomes.includes(name)) continue;
    const v = model.variables.get(name)!;
    const label = v.label ?? name;
    const unit = 'unit' in v && typeof v.unit === 'string' ? v.unit : null;
    const inTreated = treated.columns.has(name);
    const levels = levelsOf(v);
    if (levels) {
      const labels = ('levelLabels' in v ? v.levelLabels : undefined) ?? {};
      const ct = inTreated ? counts(treated, name, levels.length) : null;
      const cc = counts(control, name, levels.length);
      rows.push({
        name,
        label,
        unit,
        type: 'categorical',
        treated: null,
        control: null,
        levels: levels.map((level, k) => ({
          level,
          label: labels[level] ?? level,
          // percentages of the patients whose value is known
          treated: ct ? { n: ct[k]!, pct: (100 * ct[k]!) / ct.reduce((s, x) => s + x, 0) } : null,
          control: { n: cc[k]!, pct: (100 * cc[k]!) / control.n },
        })),
      });
    } else {
      const t = treated.columns.get(name);
      const c = control.columns.get(name);
      rows.push({
        name,
        label,
        unit,
        type: 'numeric',
        treated: t?.kind === 'numeric' ? describe(t.values) : null,
        control: c?.kind === 'numeric' ? describe(c.values) : null,
        levels: [],
      });
    }
  }
  return rows;
}
