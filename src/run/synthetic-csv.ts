/** synthetic-control.csv: every replicate's virtual control arm, one row a patient. */
import { cohortColumns, cohortCsv, idColumn, numberColumn } from '../io/cohort-csv.js';
import type { CovariateModel } from '../model/load.js';
import type { ReplicateOutput } from './replicate.js';

/** The virtual control arms as CSV: replicate, id, baseline variables, time and event (model unit). */
export function syntheticControlCsv(
  model: CovariateModel,
  replicates: readonly ReplicateOutput[],
): string {
  const names = model.names.filter((n) => !model.outcomes.includes(n));
  return cohortCsv(
    replicates.map((r) => ({
      n: r.cohort.n,
      columns: [
        { name: 'replicate', cell: () => String(r.index) },
        idColumn(`SC-${r.index}-`, r.cohort.n),
        ...cohortColumns(r.cohort, names),
        numberColumn('time', r.time),
        numberColumn('event', r.event),
      ],
    })),
  );
}
