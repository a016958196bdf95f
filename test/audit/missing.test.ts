/**
 * One missing-value rule for every command (issue 14): the audit reads an extract with missing
 * cells as `ecasim fit` does — complete cases, the incomplete rows counted — instead of refusing
 * a file the fit accepted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditData } from '../../src/audit/data.js';
import { EcasimError } from '../../src/errors.js';
import { loadModel } from '../../src/model/load.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const model = loadModel(join(ROOT, 'examples/nsclc/model.json'));
const NAMES = { time: 'os_time', event: 'os_event' };

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ecasim-audit-missing-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'sex,histology,smoking,age,ecog,brain_mets,os_time,os_event';
const ROWS = [
  'male,non-squamous,current,72,0,no,14.68,1',
  'female,squamous,former,,1,no,3.2,0', // age missing
  'male,non-squamous,NA,66,1,yes,8.1,1', // smoking NA
  'female,non-squamous,never,58,0,no,null,1', // time null
  'male,squamous,former,61,2,no,5.5,',
  'female,non-squamous,former,70,1,no,22.4,0',
];

function write(name: string, rows: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, [HEADER, ...rows].join('\n') + '\n');
  return f;
}

test('rows with a missing covariate, time or event are left out and counted', () => {
  const d = readAuditData(write('r.csv', ROWS), model, 'registry extract', NAMES);
  expect(d.incomplete).toBe(4);
  expect(d.n).toBe(2);
  expect(Array.from(d.time!)).toEqual([14.68, 22.4]);
  expect(Array.from(d.event!)).toEqual([1, 0]);
  const age = d.cohort.columns.get('age') as { values: Float64Array };
  expect(Array.from(age.values)).toEqual([72, 70]);
  const complete = readAuditData(
    write('c.csv', [ROWS[0]!, ROWS[5]!]),
    model,
    'registry extract',
    NAMES,
  );
  expect(complete.incomplete).toBe(0);
  expect(complete.cohort).toEqual(d.cohort);
});

test('a value that is not missing and not a level is still an error', () => {
  let err: unknown;
  try {
    readAuditData(
      write('bad.csv', [...ROWS, 'male,adeno,former,61,1,no,5.5,1']),
      model,
      'registry extract',
      NAMES,
    );
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(EcasimError);
  expect((err as Error).message).toContain('row 7, column "histology"');
  expect((err as Error).message).toContain('found "adeno"');
});
