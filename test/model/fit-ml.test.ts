/**
 * `ecasim fit` maximum-likelihood estimates against R (test/reference/fit.R writes
 * test/reference/fixtures/fit.json with the data and R's estimates): lm, glm(binomial),
 * glm(poisson), survreg Weibull and exponential, a piecewise-exponential Poisson glm, prop.table.
 */
import { buildDesign, createScorer, fitModel, fitNode, readRegistry } from '../../src/model/fit.js';
import { fitWeibull } from '../../src/stats/fitters/weibull.js';
import { parseFitSpecText } from '../../src/model/fit-spec.js';
import type { Table } from '../../src/io/csv.js';
import { expectClose } from '../helpers/close.js';
import { fixtureTable, loadFixture } from '../helpers/fixtures.js';

interface Coefs {
  names: string[];
  estimate: number[];
  se: number[];
  logLik: number;
}
interface Fixture {
  cases: {
    data: Record<string, (number | string)[]>;
    center_x: number;
    lm: Coefs & { sigma: number };
    logistic: Coefs;
    poisson: Coefs;
    weibull: {
      shape: number;
      scale: number;
      logHR: number[];
      names: string[];
      covariance: number[][];
      loglik: number;
    };
    exponential: { rate: number; logHR: number[]; se: number[]; loglik: number };
    piecewise: { breaks: number[]; rates: number[]; logHR: number[]; se: number[]; loglik: number };
    table: { rows: string[]; cols: string[]; counts: number[]; p: number[] };
  };
}

const fx = loadFixture<Fixture>('fit').cases;
const table: Table = fixtureTable(fx.data);

function spec(baseline: string): string {
  return `
format: ecasim-fit/1
registry: { name: Test registry, extractDate: "2026-01-31", population: simulated }
timeUnit: months
variables:
  x: { kind: continuous, label: Age, unit: years }
  g: { kind: categorical, levels: [a, b, c] }
  h: { kind: categorical, levels: [u, v, w] }
  y: { kind: continuous-endpoint }
  b: { kind: binary-endpoint }
  k: { kind: count }
  os: { kind: time-to-event, time: t, event: e, baseline: ${baseline}${baseline === 'piecewise-exponential' ? ', breaks: [0, 6, 12]' : ''} }
structure:
  graph: { h: [g], y: [x, g], b: [x, g], k: [x, g], os: [x, g] }
`;
}

const terms = ['x', 'g=b', 'g=c'];

describe('maximum-likelihood fit against R', () => {
  const fit = fitModel(table, parseFitSpecText('fit.yaml', spec('weibull')), {
    software: 'ecasim test',
  });
  const v = fit.model.variables;

  test('provenance', () => {
    expect(fit.model.provenance).toMatchObject({
      registry: 'Test registry',
      extractDate: '2026-01-31',
      population: 'simulated',
      n: 300,
      timeUnit: 'months',
      derivation: { method: 'fitted', software: 'ecasim test', epsilon: null },
    });
    expect(fit.model.provenance.derivation.notes).toContain(
      'complete cases (300 of 300 rows kept)',
    );
  });

  test('categorical table = prop.table(table(g, h), 1), with counts', () => {
    const h = v['h']!;
    if (h.kind !== 'categorical') throw new Error('kind');
    expect(h.table.map((r) => r.given)).toEqual(fx.table.rows.map((g) => ({ g })));
    h.table.forEach((row, r) =>
      row.p.forEach((p, l) => {
        expectClose(p, fx.table.p[r * 3 + l]!, { rtol: 1e-12, label: `p[${r},${l}]` });
        expect(row.counts![l]).toBe(fx.table.counts[r * 3 + l]);
      }),
    );
  });

  test('linear-Gaussian = lm(y ~ xc + g), sd with the n − p divisor', () => {
    const y = v['y']!;
    if (y.kind !== 'continuous-endpoint') throw new Error('kind');
    expectClose(y.intercept, fx.lm.estimate[0]!, { label: 'intercept' });
    terms.forEach((t, j) => expectClose(y.coefficients[t]!, fx.lm.estimate[j + 1]!, { label: t }));
    expectClose(y.centers['x']!, fx.center_x, { rtol: 1e-12, label: 'center' });
    expectClose(y.sd, fx.lm.sigma, { label: 'sigma' });
    fit.estimates['y']!.slice(0, 4).forEach((e, j) =>
      expectClose(e.se, fx.lm.se[j]!, { label: `se ${e.term}` }),
    );
  });

  test('logistic = glm(b ~ xc + g, binomial)', () => {
    const b = v['b']!;
    if (b.kind !== 'binary-endpoint') throw new Error('kind');
    expectClose(b.intercept, fx.logistic.estimate[0]!, { label: 'intercept' });
    terms.forEach((t, j) =>
      expectClose(b.coefficients[t]!, fx.logistic.estimate[j + 1]!, { label: t }),
    );
    fit.estimates['b']!.forEach((e, j) =>
      expectClose(e.se, fx.logistic.se[j]!, { label: `se ${e.term}` }),
    );
  });

  test('count = glm(k ~ xc + g, poisson)', () => {
    const k = v['k']!;
    if (k.kind !== 'count') throw new Error('kind');
    expect(k.distribution).toBe('poisson');
    expectClose(k.intercept, fx.poisson.estimate[0]!, { label: 'intercept' });
    terms.forEach((t, j) =>
      expectClose(k.coefficients[t]!, fx.poisson.estimate[j + 1]!, { label: t }),
    );
    fit.estimates['k']!.forEach((e, j) =>
      expectClose(e.se, fx.poisson.se[j]!, { label: `se ${e.term}` }),
    );
  });

  test('Weibull PH = survreg(dist = "weibull") converted, with the covariance', () => {
    const os = v['os']!;
    if (os.kind !== 'time-to-event' || os.baseline.distribution !== 'weibull')
      throw new Error('kind');
    expectClose(os.baseline.shape, fx.weibull.shape, { label: 'shape' });
    expectClose(os.baseline.scale, fx.weibull.scale, { label: 'scale' });
    terms.forEach((t, j) =>
      expectClose(os.logHazardRatios[t]!, fx.weibull.logHR[j]!, { label: t }),
    );
    const se = fx.weibull.covariance.map((r, j) => Math.sqrt(r[j]!));
    fit.estimates['os']!.forEach((e, j) =>
      expectClose(e.se, se[j]!, { rtol: 1e-5, label: `se ${e.term}` }),
    );
  });
});

describe('other baselines against R', () => {
  test('exponential = survreg(dist = "exponential")', () => {
    const fit = fitModel(table, parseFitSpecText('fit.yaml', spec('exponential')), {
      software: 't',
    });
    const os = fit.model.variables['os']!;
    if (os.kind !== 'time-to-event' || os.baseline.distribution !== 'exponential')
      throw new Error('kind');
    expectClose(os.baseline.rate, fx.exponential.rate, { label: 'rate' });
    terms.forEach((t, j) =>
      expectClose(os.logHazardRatios[t]!, fx.exponential.logHR[j]!, { label: t }),
    );
    fit.estimates['os']!.forEach((e, j) =>
      expectClose(e.se, fx.exponential.se[j]!, { rtol: 1e-5, label: `se ${e.term}` }),
    );
  });

  test('piecewise exponential = Poisson glm on survSplit data', () => {
    const fit = fitModel(table, parseFitSpecText('fit.yaml', spec('piecewise-exponential')), {
      software: 't',
    });
    const os = fit.model.variables['os']!;
    if (os.kind !== 'time-to-event' || os.baseline.distribution !== 'piecewise-exponential')
      throw new Error('kind');
    expect(os.baseline.breaks).toEqual(fx.piecewise.breaks);
    os.baseline.rates.forEach((r, j) =>
      expectClose(r, fx.piecewise.rates[j]!, { label: `rate ${j}` }),
    );
    terms.forEach((t, j) =>
      expectClose(os.logHazardRatios[t]!, fx.piecewise.logHR[j]!, { label: t }),
    );
    fit.estimates['os']!.forEach((e, j) =>
      expectClose(e.se, fx.piecewise.se[j]!, { rtol: 1e-5, label: `se ${e.term}` }),
    );
  });
});

describe('local log-likelihoods (the BIC scores) against R', () => {
  const loaded = parseFitSpecText('fit.yaml', spec('weibull'));
  const data = readRegistry(table, loaded);
  const ll = (name: string, kind?: string): number => {
    const v = { ...loaded.spec.variables[name]!, ...(kind ? { baseline: kind as 'weibull' } : {}) };
    if (kind === 'piecewise-exponential') v.breaks = [0, 6, 12];
    return fitNode(data, name, v, ['x', 'g']).logLik;
  };
  test.each([
    ['y', undefined, () => fx.lm.logLik],
    ['b', undefined, () => fx.logistic.logLik],
    ['k', undefined, () => fx.poisson.logLik],
    ['os', 'weibull', () => fx.weibull.loglik],
    ['os', 'exponential', () => fx.exponential.loglik],
    ['os', 'piecewise-exponential', () => fx.piecewise.loglik],
  ])('%s %s', (name, kind, expected) => {
    expectClose(ll(name, kind), expected(), { label: `logLik ${name}` });
  });

  test('Weibull covariance of (log shape, log scale, β) = delta method on vcov(survreg)', () => {
    const v = loaded.spec.variables['os']!;
    const s = data.surv.get('os')!;
    const d = buildDesign(data, ['x', 'g']);
    const f = fitWeibull(s.time, s.status, d.columns, d.terms);
    fx.weibull.covariance.forEach((row, r) =>
      row.forEach((c, j) =>
        expectClose(f.covariance[r * 5 + j]!, c, { rtol: 1e-5, label: `cov[${r},${j}]` }),
      ),
    );
    expect(v.kind).toBe('time-to-event');
  });
});

describe('the score-only kernels of structure learning agree with the full fits', () => {
  test.each(['weibull', 'exponential', 'piecewise-exponential'])('baseline %s', (baseline) => {
    const loaded = parseFitSpecText('fit.yaml', spec(baseline));
    const data = readRegistry(table, loaded);
    const scorer = createScorer(data, loaded.spec);
    for (const [name, v] of Object.entries(loaded.spec.variables)) {
      for (const parents of [[], ['g'], ['x', 'g']]) {
        if (name === 'x' || name === 'g' || (name === 'h' && parents.includes('x'))) continue;
        const full = fitNode(data, name, v, parents);
        const s = scorer(name, parents);
        expect(s.dof).toBe(full.dof);
        expectClose(s.logLik, full.logLik, { rtol: 1e-8, label: `${name} | ${parents.join(',')}` });
      }
    }
  });
});
