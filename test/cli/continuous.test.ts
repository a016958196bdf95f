/**
 * A continuous endpoint end to end: a model with a continuous-endpoint outcome, a treated arm
 * with a value column, a mean-difference primary; the dossier shows the arm means.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/errors.js';
import { ecasim } from '../helpers/workspace.js';

const MODEL = {
  format: 'ecasim-model/1',
  provenance: { registry: 'test registry', derivation: { method: 'expert' }, timeUnit: 'weeks' },
  variables: {
    sex: {
      kind: 'categorical',
      levels: ['f', 'm'],
      table: [{ given: {}, p: [0.5, 0.5], counts: [500, 500] }],
    },
    age: { kind: 'continuous', intercept: 50, sd: 10, bounds: [18, 90] },
    change: {
      kind: 'continuous-endpoint',
      label: 'Change in score at week 24',
      unit: 'points',
      parents: ['age', 'sex'],
      intercept: 2,
      coefficients: { age: -0.05, 'sex=m': 0.5 },
      centers: { age: 50 },
      sd: 4,
    },
  },
};

// 40 treated patients, values made here: a mean near 5 (the model's control mean is about 2.25)
const treated =
  [
    'id,sex,age,value',
    ...Array.from(
      { length: 40 },
      (_, i) => `T${i},${i % 2 ? 'm' : 'f'},${40 + (i % 20)},${(5 + ((i * 7) % 9) - 4).toFixed(1)}`,
    ),
  ].join('\n') + '\n';

const PROTOCOL = `format: ecasim-protocol/1
id: CONT-1
title: A continuous endpoint
version: "1"
sponsor: Test
indication: Test
date: 2026-01-01
estimand:
  population: adults
  treatment: new
  comparator: usual care
  endpoint: change in score at week 24
  summary: mean-difference
inputs:
  treated:
    file: treated.csv
    columns: { id: id, value: value }
  model: model.json
outcome: change
eligibility:
  - name: Adult
    expression: age >= 18
control:
  size: 200
  replicates: 5
  seed: 7
  # the hand-made model below carries no covariances: registry uncertainty is ignored explicitly
  parameterUncertainty: false
analysis:
  primary:
    method: mean-difference
successCriterion: primary.lower > 0
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-cont-'));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(MODEL, null, 2));
  writeFileSync(join(dir, 'treated.csv'), treated);
  writeFileSync(join(dir, 'p.yaml'), PROTOCOL);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a mean-difference primary runs, combines and is shown with the arm means', async () => {
  const r = await ecasim(['run', join(dir, 'p.yaml'), '--out', join(dir, 'out')]);
  expect(r.stderr).not.toContain('error');
  expect(r.code).toBe(EXIT.ok);
  const res = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'));
  expect(res.primary.measure).toBe('mean-difference');
  expect(res.arms.treated.mean.mean).toBeCloseTo(
    treated
      .trim()
      .split('\n')
      .slice(1)
      .reduce((s, l) => s + Number(l.split(',')[3]), 0) / 40,
    8,
  );
  expect(res.primary.estimate).toBeCloseTo(
    res.arms.treated.mean.mean - res.arms.control.mean.mean,
    1,
  );
  expect(res.primary.lower).toBeLessThan(res.primary.estimate);
  expect(res.logrank).toBeNull();
  const html = readFileSync(join(dir, 'out/dossier.html'), 'utf8');
  expect(html).toContain('Mean difference');
  expect(html).toMatch(/mean and standard deviation/);
  // no followUp in the protocol: nothing is censored, so no accrual, data cut or event count
  expect(res.control.followUp).toMatchObject({
    accrual: null,
    studyDuration: null,
    dropoutRate: null,
  });
  expect(res.replicates.every((x: { cut: unknown }) => x.cut === null)).toBe(true);
  expect(html).toContain('a continuous endpoint is observed once per patient and not censored');
  expect(html).not.toMatch(/Data cut|>Events<|>Accrual<|>Dropout</);
});

test('followUp fields that censor are refused for a continuous endpoint, each at its line', async () => {
  const bad = PROTOCOL.replace(
    'analysis:\n',
    'followUp:\n  indexDate: baseline visit\n  accrual: 6\n  dropoutRate: 0.01\nanalysis:\n',
  );
  writeFileSync(join(dir, 'fu.yaml'), bad);
  const r = await ecasim(['validate', join(dir, 'fu.yaml')]);
  expect(r.code).toBe(EXIT.input);
  const line = (f: string) => bad.split('\n').findIndex((l) => l.startsWith(`  ${f}:`)) + 1;
  expect(r.stderr).toContain(
    'followUp.accrual applies to time-to-event endpoints only: a continuous endpoint is observed once per patient and not censored',
  );
  expect(r.stderr).toContain(`fu.yaml:${line('accrual')}:`);
  expect(r.stderr).toContain('followUp.dropoutRate applies to time-to-event endpoints only');
  expect(r.stderr).toContain(`fu.yaml:${line('dropoutRate')}:`);
  expect(r.stderr).not.toContain('indexDate applies');
});

test('a continuous endpoint needs columns.value', async () => {
  writeFileSync(
    join(dir, 'bad.yaml'),
    PROTOCOL.replace('columns: { id: id, value: value }', 'columns: { id: id }'),
  );
  const r = await ecasim(['run', join(dir, 'bad.yaml'), '--out', join(dir, 'bad-out')]);
  expect(r.code).toBe(EXIT.input);
  expect(r.stderr).toContain('a continuous endpoint needs columns.value');
});
