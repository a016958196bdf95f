/**
 * The shared analysis layer (src/analysis/): the design matrix, the Cox term summary with the SE
 * in use named, and the RMST comparison — weighted by case weights as R's survfit + rmean.
 */
import { coxTerm, fitCoxModel } from '../../src/analysis/cox.js';
import { inAnalysis } from '../../src/analysis/errors.js';
import { rmstComparison } from '../../src/analysis/rmst.js';
import { designMatrix, type StackedArms } from '../../src/analysis/stacked.js';
import type { Cohort } from '../../src/cohort.js';
import { AnalysisError } from '../../src/errors.js';
import { rmst } from '../../src/stats/rmst.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectClose } from '../helpers/close.js';

// two small arms with ties and censoring (treated first)
const time = Float64Array.from([2, 3, 3, 5, 7, 8, 9, 11, 1, 2, 2, 4, 4, 6, 7, 10]);
const status = Float64Array.from([1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
const group = Float64Array.from(time, (_, i) => (i < 8 ? 1 : 0));
const covariates: Cohort = {
  n: 16,
  columns: new Map([
    ['age', { kind: 'numeric', values: Float64Array.from(time, (_, i) => 50 + ((i * 7) % 13)) }],
    [
      'ecog',
      {
        kind: 'categorical',
        codes: Int32Array.from(time, (_, i) => i % 3),
        levels: ['0', '1', '2', '3'],
      },
    ],
  ]),
};
const arms: StackedArms = { time, status, group, covariates };

test('design matrix: numeric as is, levels after the first as indicators, constant ones dropped', () => {
  const d = designMatrix(covariates, ['age', 'ecog']);
  expect(d.names).toEqual(['age', 'ecog=1', 'ecog=2']);
  expect(d.dropped).toEqual(['ecog=3']);
  expect(Array.from(d.x[1]!.slice(0, 4))).toEqual([0, 1, 0, 0]);
});

test('a Cox term names the SE in use: model-based without weights, robust with them', () => {
  const plain = coxTerm(fitCoxModel(arms, ['age'], 'test').fit, 0);
  expect(plain.se).toBe(plain.seModel);
  expect(plain.seRobust).toBeNull();
  const weights = Float64Array.from(time, (_, i) => 0.5 + (i % 4) / 4);
  const weighted = fitCoxModel({ ...arms, weights }, ['age'], 'test').fit;
  expect(weighted.variance).toBe('robust');
  const t = coxTerm(weighted, 1);
  expect(t.se).toBe(t.seRobust);
  expect(t.seModel).toBe(weighted.seModel[1]);
  expect(t.seRobust).toBe(weighted.seRobust![1]);
});

test('RMST without weights is survRM2 (stats/rmst.ts) exactly', () => {
  const r = rmstComparison(arms, 'test', { tau: 9 });
  const ref = rmst(time, status, group, { tau: 9 });
  expect(r.weighted).toBe(false);
  expect(r.difference.estimate).toBe(ref.difference.estimate);
  expect(r.difference.se).toBe(ref.difference.se);
  expect(r.treated).toEqual({ estimate: ref.treated.rmst.estimate, se: ref.treated.rmst.se });
});

test('RMST with unit weights equals the unweighted one; doubled weights keep it and shrink its se', () => {
  const ref = rmstComparison(arms, 'test', { tau: 9 });
  const ones = rmstComparison({ ...arms, weights: new Float64Array(16).fill(1) }, 'test', {
    tau: 9,
  });
  expect(ones.weighted).toBe(true);
  for (const arm of ['treated', 'control'] as const) {
    expectClose(ones[arm].estimate, ref[arm].estimate, { label: `${arm} rmst`, rtol: 1e-14 });
    expectClose(ones[arm].se, ref[arm].se, { label: `${arm} se`, rtol: 1e-14 });
  }
  const twos = rmstComparison({ ...arms, weights: new Float64Array(16).fill(2) }, 'test', {
    tau: 9,
  });
  expectClose(twos.difference.estimate, ref.difference.estimate, {
    label: 'difference',
    rtol: 1e-14,
  });
  expect(twos.difference.se).toBeLessThan(ref.difference.se);
});

test('a numerical failure is re-worded as an analysis error saying what could not be computed', () => {
  const fail = () => {
    throw new StatsError('no-events', 'no events', { field: 'status' });
  };
  expect(() => inAnalysis('the thing', fail)).toThrow(AnalysisError);
  expect(() => inAnalysis('the thing', fail)).toThrow('cannot compute the thing: no events');
  try {
    inAnalysis('the thing', fail, { keepField: true });
  } catch (err) {
    expect((err as AnalysisError).details.field).toBe('status');
  }
});
