/**
 * The Cox model with covariate effects by arm (cox-adjusted, covariateEffects: by-arm) against
 * R: coxph with the covariates centred at the treated arm's means and their interactions with
 * treatment (test/reference/cox-by-arm.R), on the veteran data.
 */
import type { Cohort } from '../../src/cohort.js';
import { fitCoxModel } from '../../src/analysis/cox.js';
import { byArmDesign, designMatrix, type StackedArms } from '../../src/analysis/stacked.js';
import type { AnalysisSpec } from '../../src/protocol/schema.js';
import { runAnalysis } from '../../src/run/analyses.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

interface ByArmCase {
  name: string;
  input: {
    time: number[];
    status: number[];
    treated: number[];
    karno: number[];
    age: number[];
    celltype: string[];
  };
  levels: string[];
  ties: 'efron' | 'breslow';
  coef: number;
  se: number;
  aliased: string | string[];
  loglik: number;
}

const fixture = loadFixture<{ cases: ByArmCase[] }>('cox-by-arm');

function arms(c: ByArmCase): StackedArms {
  const { time, status, treated, karno, age, celltype } = c.input;
  const covariates: Cohort = {
    n: time.length,
    columns: new Map([
      ['karno', { kind: 'numeric', values: Float64Array.from(karno) }],
      ['age', { kind: 'numeric', values: Float64Array.from(age) }],
      [
        'celltype',
        {
          kind: 'categorical',
          levels: c.levels,
          codes: Int32Array.from(celltype, (l) => c.levels.indexOf(l)),
        },
      ],
    ]),
  } as Cohort;
  return {
    time: Float64Array.from(time),
    status: Float64Array.from(status),
    group: Float64Array.from(treated),
    covariates,
  };
}

describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const a = arms(c);
  const model = fitCoxModel(a, ['karno', 'age', 'celltype'], 'test', {
    ties: c.ties,
    covariateEffects: 'by-arm',
  });

  test('the treatment coefficient and its SE are R’s (1e-7)', () => {
    expectClose(model.fit.coef[0], c.coef, { rtol: 1e-7, label: 'coef' });
    expectClose(model.fit.se[0], c.se, { rtol: 1e-7, label: 'se' });
    expectClose(model.fit.loglik[1], c.loglik, { rtol: 1e-10, label: 'loglik' });
  });

  test('an interaction R aliases (all zero: a level no treated patient has) is dropped', () => {
    const aliased = ([] as string[]).concat(c.aliased);
    // R names it ixtreated:celltypelarge; ecasim treated:celltype=large
    const dropped = model.design.dropped.filter((d) => d.startsWith('treated:'));
    expect(dropped.map((d) => d.replace('treated:celltype=', 'celltype'))).toEqual(
      aliased.map((d) => d.replace('ixtreated:', '')),
    );
  });
});

test('the design: centred at the treated means, interactions zero in the control arm', () => {
  const a = arms(fixture.cases[0]!);
  const common = designMatrix(a.covariates, ['karno', 'age', 'celltype']);
  const d = byArmDesign(common, a.group);
  expect(d.names).toEqual([...common.names, ...common.names.map((n) => `treated:${n}`)]);
  const k = common.names.length;
  d.x.slice(0, k).forEach((col) => {
    let s = 0;
    let n = 0;
    col.forEach((v, i) => {
      if (a.group[i] === 1) [s, n] = [s + v, n + 1];
    });
    expect(Math.abs(s / n)).toBeLessThan(1e-9);
  });
  d.x.slice(k).forEach((col) => col.forEach((v, i) => a.group[i] === 0 && expect(v).toBe(0)));
});

test('the cox-adjusted analysis with covariateEffects: by-arm is this model', () => {
  const c = fixture.cases[0]!;
  const spec = {
    method: 'cox-adjusted',
    covariates: ['karno', 'age', 'celltype'],
    covariateEffects: 'by-arm',
    ties: 'efron',
    weighting: { estimand: 'ATT' },
  } as unknown as AnalysisSpec;
  const est = runAnalysis(spec, arms(c), 'test');
  expectClose(est.q, c.coef, { rtol: 1e-7, label: 'log HR' });
  expectClose(Math.sqrt(est.u), c.se, { rtol: 1e-7, label: 'se' });
  expect(est.details['covariateEffects']).toBe('by-arm');
  expect(est.details['covariates']).toBe(
    'karno, age, celltype=smallcell, celltype=adeno, celltype=large',
  );
  // the default is R's common-effects model, which gives another hazard ratio here
  const common = runAnalysis(
    { ...spec, covariateEffects: undefined } as AnalysisSpec,
    arms(c),
    'test',
  );
  expect(common.details['covariateEffects']).toBeUndefined();
  expect(Math.abs(common.q - est.q)).toBeGreaterThan(1e-3);
});
