/**
 * The one writer of patient-level CSV output (`ecasim sample`, the run's synthetic-control.csv):
 * a header, then one row a patient, blocks of patients one after another. Numbers are written by
 * `formatCsvNumber` (10 significant digits, `Inf`, `NA`), categorical values as their level text,
 * quoted where RFC 4180 needs it. Complexity O(rows · columns).
 *
 * @example
 * cohortCsv([{ n: 2, columns: [idColumn('V-', 2), ...cohortColumns(cohort, ['age'])] }]);
 * // 'id,age\nV-1,61\nV-2,70\n'
 */
import type { Cohort } from '../cohort.js';
import { csvField, formatCsvNumber } from './csv.js';

/** One CSV column: its header and the text of row i. */
export interface CsvColumn {
  readonly name: string;
  cell(i: number): string;
}

/** Rows 0..n−1 of a set of columns (one block of patients). */
export interface CsvBlock {
  readonly n: number;
  readonly columns: readonly CsvColumn[];
}

/** Columns of `cohort` by name: numbers formatted for CSV, levels as text. */
export function cohortColumns(cohort: Cohort, names: readonly string[]): CsvColumn[] {
  return names.map((name) => {
    const c = cohort.columns.get(name);
    if (c === undefined) throw new Error(`internal: no column ${name} in the cohort`);
    return c.kind === 'numeric'
      ? { name, cell: (i) => formatCsvNumber(c.values[i]!) }
      : { name, cell: (i) => csvField(c.levels[c.codes[i]!]!) };
  });
}

/** A numeric column from values. */
export function numberColumn(name: string, values: ArrayLike<number>): CsvColumn {
  return { name, cell: (i) => formatCsvNumber(values[i]!) };
}

/** Patient ids `${prefix}001`…, zero-padded to the width of `n`. */
export function idColumn(prefix: string, n: number, name = 'id'): CsvColumn {
  const width = String(n).length;
  return { name, cell: (i) => `${prefix}${String(i + 1).padStart(width, '0')}` };
}

/** The CSV text: the first block's header, then every block's rows; blocks must share the header. */
export function cohortCsv(blocks: readonly CsvBlock[]): string {
  if (blocks.length === 0) throw new Error('internal: a CSV needs at least one block');
  const header = blocks[0]!.columns.map((c) => c.name);
  const lines = [header.map(csvField).join(',')];
  for (const b of blocks) {
    if (b.columns.length !== header.length || b.columns.some((c, j) => c.name !== header[j])) {
      throw new Error('internal: CSV blocks with different columns');
    }
    for (let i = 0; i < b.n; i++) lines.push(b.columns.map((c) => c.cell(i)).join(','));
  }
  return lines.join('\n') + '\n';
}
