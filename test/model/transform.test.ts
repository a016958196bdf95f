/**
 * `transform: log1p` (issue 14): a skewed measurement with zeros is fitted as log(1 + x), which
 * `log` refuses. The fit on the log1p scale is the linear-Gaussian fit of log(1 + x) itself (the
 * OLS fitter is R-checked in fit-ml.test.ts), with the Jacobian −Σ log(1 + x) in the likelihood of
 * x; the sampler draws x = exp(y) − 1, so log(1 + x) of the draws has the fitted mean and SD.
 */
import type { Table } from '../../src/io/csv.js';
import { cohortTable, fitModel } from '../../src/model/fit.js';
import { parseFitSpecText } from '../../src/model/fit-spec.js';
import { loadModel } from '../../src/model/load.js';
import type { GaussianVariable } from '../../src/model/schema.js';
import { forward, inverse, logJacobian, lowerLimit } from '../../src/model/transform.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import { TRUTH_GRAPH, truthFitSpec } from '../helpers/fit-spec.js';

const spec = (crp: string) => truthFitSpec(TRUTH_GRAPH, crp);

/** The truth's registry with crp shifted down to have zeros (about a third of the rows). */
function registry(): Table {
  const truth = loadModel('test/model/fit-fixtures/truth.json');
  const t = cohortTable(sampleCohort(truth, 3000, createStream(21)), ['os'], 'reg.csv', 40);
  const k = t.header.indexOf('crp');
  const rows = t.rows.map((r) =>
    r.map((cell, j) => (j === k ? String(Math.max(0, Math.round(Number(cell) - 6))) : cell)),
  );
  return { ...t, rows };
}

test('the transform functions are inverses, with their Jacobian and domain', () => {
  for (const t of ['none', 'log', 'log1p'] as const)
    for (const x of [0.5, 3, 120]) expect(inverse(t, forward(t, x))).toBeCloseTo(x, 12);
  expect(forward('log1p', 0)).toBe(0);
  expect(logJacobian('log1p', 3)).toBeCloseTo(-Math.log(4), 15);
  expect(logJacobian('log', 3)).toBeCloseTo(-Math.log(3), 15);
  expect([lowerLimit('none'), lowerLimit('log'), lowerLimit('log1p')]).toEqual([-Infinity, 0, -1]);
});

test('log1p fits log(1 + x): the same estimates as a fit of log(1 + x) itself, the likelihood of x', () => {
  const reg = registry();
  const k = reg.header.indexOf('crp');
  const zeros = reg.rows.filter((r) => r[k] === '0').length;
  expect(zeros).toBeGreaterThan(300);
  const a = fitModel(reg, parseFitSpecText('fit.yaml', spec('transform: log1p')), {
    software: 't',
  });
  const onScale: Table = {
    ...reg,
    rows: reg.rows.map((r) => r.map((c, j) => (j === k ? String(Math.log1p(Number(c))) : c))),
  };
  const b = fitModel(onScale, parseFitSpecText('fit.yaml', spec('')), { software: 't' });
  const va = a.model.variables['crp'] as GaussianVariable;
  const vb = b.model.variables['crp'] as GaussianVariable;
  expect(va.transform).toBe('log1p');
  expect(va.intercept).toBeCloseTo(vb.intercept, 10);
  expect(va.coefficients).toEqual(vb.coefficients);
  expect(va.sd).toBeCloseTo(vb.sd, 12);
  const jacobian = reg.rows.reduce((s, r) => s - Math.log1p(Number(r[k])), 0);
  expect(a.likelihood!['crp']!.logLik).toBeCloseTo(b.likelihood!['crp']!.logLik + jacobian, 8);
  expect(a.likelihood!['crp']!.dof).toBe(b.likelihood!['crp']!.dof);

  // the sampler draws exp(y) − 1: on the log1p scale the fitted normal, never below −1
  const n = 20000;
  const drawn = sampleCohort(a.loaded, n, createStream(22));
  const crp = (drawn.columns.get('crp') as { values: Float64Array }).values;
  const ecog = (drawn.columns.get('ecog') as { codes: Int32Array }).codes;
  expect(crp.every((x) => x > -1)).toBe(true);
  const rows = [...crp.keys()].filter((i) => ecog[i] === 0);
  const y = rows.map((i) => Math.log1p(crp[i]!));
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const sd = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / (y.length - 1));
  const center = va.centers?.['ecog=1'] ?? 0;
  const expected = va.intercept - (va.coefficients['ecog=1'] ?? 0) * center;
  expect(Math.abs(mean - expected)).toBeLessThan((4 * va.sd) / Math.sqrt(y.length));
  expect(Math.abs(sd - va.sd)).toBeLessThan((4 * va.sd) / Math.sqrt(2 * y.length));
});

test('log refuses a zero, located, and says log1p takes it', () => {
  let err: unknown;
  try {
    fitModel(registry(), parseFitSpecText('fit.yaml', spec('transform: log')), {
      software: 't',
    });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/expected a value > 0 \("transform": "log"\), found "0"/);
  // the file, row, line and field of the first zero, and what to do
  const reg = registry();
  const first = reg.rows.findIndex((r) => r[reg.header.indexOf('crp')] === '0');
  expect((err as { details: Record<string, unknown> }).details).toMatchObject({
    file: 'reg.csv',
    row: first + 1,
    line: first + 2,
    field: 'crp',
    expected: 'a number > 0 (or transform: log1p for values with zeros)',
  });
});
