/**
 * The model carries its recodes (issue 14): a categorical variable the fit binned from a numeric
 * column (fit spec `bins`) records `recode: {column, bins}`, and a treated file mapped onto the
 * model is binned the same way, so users need not re-implement the binning outside ecasim.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcasimError } from '../../src/errors.js';
import { binIndex, parseFitSpecText } from '../../src/model/fit-spec.js';
import { cohortTable, fitModel } from '../../src/model/fit.js';
import { loadModel, parseModelText } from '../../src/model/load.js';
import type { Protocol } from '../../src/protocol/schema.js';
import { loadTreated } from '../../src/protocol/treated.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';

const truth = loadModel('test/model/fit-fixtures/truth.json');
const table = cohortTable(sampleCohort(truth, 3000, createStream(9)), ['os'], 'sim.csv', 40);
const SPEC = `
format: ecasim-fit/1
registry: { name: simulated }
timeUnit: months
variables:
  sex: { kind: categorical, levels: [female, male] }
  agegroup: { kind: categorical, column: age, bins: [60, 70] }
  os: { kind: time-to-event, time: os_time, event: os_event, baseline: weibull }
structure:
  graph: { agegroup: [sex], os: [agegroup, sex] }
`;

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ecasim-recode-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fitted = fitModel(table, parseFitSpecText('fit.yaml', SPEC), { software: 't' });
const model = parseModelText('model.json', JSON.stringify(fitted.model));

function treatedProtocol(): Protocol {
  return {
    inputs: {
      treated: {
        file: 'treated.csv',
        timeUnit: 'months',
        columns: { time: 'os_time', event: 'os_event' },
        covariates: {},
        missing: 'impute',
      },
    },
  } as unknown as Protocol;
}

test('the fitted model records the recode of a binned variable', () => {
  const v = fitted.model.variables['agegroup']!;
  expect(v).toMatchObject({
    kind: 'categorical',
    levels: ['<60', '[60,70)', '>=70'],
    recode: { column: 'age', bins: [60, 70] },
  });
  expect(fitted.model.variables['sex']).not.toHaveProperty('recode');
});

test('a treated file with the numeric column is binned as the registry was', () => {
  const ages = [45.5, 59.99, 60, 65, 70, 83];
  const csv = [
    'sex,age,os_time,os_event',
    ...ages.map((a, i) => `${i % 2 ? 'male' : 'female'},${a},${i + 1},1`),
  ];
  const file = join(dir, 'treated.csv');
  writeFileSync(file, csv.join('\n') + '\n');
  const arm = loadTreated(file, 'treated.csv', treatedProtocol(), model, 'time-to-event');
  const g = arm.covariates.columns.get('agegroup') as { codes: Int32Array };
  expect(Array.from(g.codes)).toEqual(ages.map((a) => binIndex(a, [60, 70])));
  expect(Array.from(g.codes)).toEqual([0, 0, 1, 1, 2, 2]);
  // a level text is taken as it is, a missing cell is left for imputation
  writeFileSync(file, 'sex,agegroup,os_time,os_event\nmale,>=70,3,1\nfemale,,4,0\n');
  const arm2 = loadTreated(file, 'treated.csv', treatedProtocol(), model, 'time-to-event');
  expect((arm2.covariates.columns.get('agegroup') as { codes: Int32Array }).codes[0]).toBe(2);
  expect(arm2.missing.byVariable).toEqual([
    { variable: 'agegroup', column: 'agegroup', missing: 1 },
  ]);
  // text that is neither a level nor a number is an error naming both options
  writeFileSync(file, 'sex,age,os_time,os_event\nmale,old,3,1\n');
  let err: unknown;
  try {
    loadTreated(file, 'treated.csv', treatedProtocol(), model, 'time-to-event');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(EcasimError);
  expect(JSON.stringify(err)).toContain('or a number (binned at 60, 70)');
});

test('a recode whose cut points do not match the levels is refused', () => {
  const bad = JSON.parse(JSON.stringify(fitted.model)) as {
    variables: Record<string, { recode?: { bins: number[] } }>;
  };
  bad.variables['agegroup']!.recode!.bins = [60];
  expect(() => parseModelText('bad.json', JSON.stringify(bad, null, 2))).toThrow(
    /recode\.bins must increase and cut the levels/,
  );
});
