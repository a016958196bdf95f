/** The one patient-level CSV writer: header, blocks of rows, number and level formatting, quoting. */
import type { Cohort } from '../../src/cohort.js';
import { cohortColumns, cohortCsv, idColumn, numberColumn } from '../../src/io/cohort-csv.js';

const cohort: Cohort = {
  n: 3,
  columns: new Map([
    ['age', { kind: 'numeric', values: Float64Array.from([61, 70.123456789012, Infinity]) }],
    ['site', { kind: 'categorical', codes: Int32Array.from([0, 1, 0]), levels: ['a', 'b,"c"'] }],
  ]),
};

test('numbers to 10 digits (Inf, NA), levels as text quoted where needed, padded ids', () => {
  const csv = cohortCsv([
    {
      n: 3,
      columns: [
        idColumn('V-', 3),
        ...cohortColumns(cohort, ['age', 'site']),
        numberColumn('t', [1, NaN, 2]),
      ],
    },
  ]);
  expect(csv).toBe('id,age,site,t\nV-1,61,a,1\nV-2,70.12345679,"b,""c""",NA\nV-3,Inf,a,2\n');
});

test('blocks follow one header and must share it', () => {
  const block = (p: string) => ({ n: 1, columns: [idColumn(p, 12), numberColumn('x', [0.5])] });
  expect(cohortCsv([block('A-'), block('B-')])).toBe('id,x\nA-01,0.5\nB-01,0.5\n');
  expect(() => cohortCsv([block('A-'), { n: 1, columns: [idColumn('B-', 1)] }])).toThrow(
    /different columns/,
  );
});
