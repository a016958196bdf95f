/**
 * Parameter uncertainty: Dirichlet(counts + ½) rows and N(estimate, covariance) coefficients, by
 * their moments over many draws (tolerances of 4 Monte-Carlo standard errors), determinism, and
 * the validation of a model's covariance.
 */
import { readFileSync } from 'node:fs';
import { parseModelText } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import {
  DIRICHLET_PRIOR,
  drawParameters,
  uncertaintyGaps,
} from '../../src/simulate/uncertainty.js';

const NSCLC = readFileSync(
  new URL('../../examples/nsclc/truth-model.json', import.meta.url),
  'utf8',
);

function withCovariance(cov: unknown): string {
  const m = JSON.parse(NSCLC);
  m.variables.os.covariance = cov;
  return JSON.stringify(m, null, 2);
}

describe('drawParameters', () => {
  const model = parseModelText('model.json', NSCLC);

  test('table rows with counts are Dirichlet(counts + 1/2): mean and variance', () => {
    const counts = [1459, 2381]; // sex, examples/nsclc/truth-model.json
    const a = counts.map((c) => c + DIRICHLET_PRIOR);
    const a0 = a[0]! + a[1]!;
    const mean = a[0]! / a0;
    const variance = (mean * (1 - mean)) / (a0 + 1);
    const draws = 4000;
    let s = 0;
    let ss = 0;
    for (let r = 0; r < draws; r++) {
      const p = drawParameters(model, createStream(11, r)).model.model.variables['sex'];
      const x = (p as { table: { p: number[] }[] }).table[0]!.p[0]!;
      s += x;
      ss += x * x;
    }
    const m = s / draws;
    const v = ss / draws - m * m;
    expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(variance / draws));
    // variance of the sample variance ≈ 2σ⁴/(n−1) for a near-normal Beta this concentrated
    expect(Math.abs(v - variance)).toBeLessThan(4 * variance * Math.sqrt(2 / (draws - 1)));
  });

  test('rows sum to 1 and the base model is not modified', () => {
    const before = JSON.stringify(model.model);
    const d = drawParameters(model, createStream(3));
    const ecog = d.model.model.variables['ecog'] as { table: { p: number[] }[] };
    for (const row of ecog.table) expect(row.p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(JSON.stringify(model.model)).toBe(before);
    expect(d.drawn).toEqual(['sex', 'histology', 'smoking', 'ecog']);
    expect(d.fixed).toEqual(['age', 'brain_mets', 'os']);
  });

  test('the same stream gives the same draw', () => {
    const a = drawParameters(model, createStream(5, 2));
    const b = drawParameters(model, createStream(5, 2));
    expect(JSON.stringify(a.model.model)).toBe(JSON.stringify(b.model.model));
  });

  test('coefficients with a covariance are drawn from N(estimate, covariance)', () => {
    const cov = [
      [0.01, 0.002],
      [0.002, 0.0004],
    ];
    const m = parseModelText(
      'm.json',
      withCovariance({ parameters: ['log(shape)', 'ecog=1'], matrix: cov }),
    );
    const draws = 4000;
    const xs: number[][] = [];
    for (let r = 0; r < draws; r++) {
      const os = drawParameters(m, createStream(21, r)).model.model.variables['os'] as {
        baseline: { shape: number };
        logHazardRatios: Record<string, number>;
      };
      xs.push([Math.log(os.baseline.shape), os.logHazardRatios['ecog=1']!]);
    }
    const mean = [0, 1].map((j) => xs.reduce((s, x) => s + x[j]!, 0) / draws);
    expect(Math.abs(mean[0]! - Math.log(1.15))).toBeLessThan(4 * Math.sqrt(0.01 / draws));
    expect(Math.abs(mean[1]! - 0.35)).toBeLessThan(4 * Math.sqrt(0.0004 / draws));
    const c01 = xs.reduce((s, x) => s + (x[0]! - mean[0]!) * (x[1]! - mean[1]!), 0) / (draws - 1);
    // correlation 0.002/sqrt(0.01·0.0004) = 1 → the draws lie on a line; the covariance is recovered
    expect(Math.abs(c01 - 0.002)).toBeLessThan(4 * Math.sqrt((0.01 * 0.0004 + 0.002 ** 2) / draws));
  });
});

describe('every parameter can be drawn (uncertaintyGaps)', () => {
  test('the hand-specified truth model lacks covariances; the fitted flagship model has them all', () => {
    const truth = parseModelText('truth-model.json', NSCLC);
    const gaps = uncertaintyGaps(truth);
    expect(gaps.map((g) => g.variable)).toEqual(['age', 'brain_mets', 'os']);
    expect(gaps[0]!.parameters).toEqual(['intercept', 'sex=male', 'log(sd)']);
    expect(gaps[2]!.parameters.slice(0, 2)).toEqual(['log(shape)', 'log(scale)']);
    const fitted = parseModelText(
      'model.json',
      readFileSync(new URL('../../examples/nsclc/model.json', import.meta.url), 'utf8'),
    );
    expect(uncertaintyGaps(fitted)).toEqual([]);
  });

  test('table rows without counts and step baselines are gaps', () => {
    const m = JSON.parse(NSCLC);
    delete m.variables.sex.table[0].counts;
    m.variables.os.baseline = { distribution: 'step', times: [6, 12], survival: [0.7, 0.4] };
    const gaps = uncertaintyGaps(parseModelText('m.json', JSON.stringify(m)));
    expect(gaps.find((g) => g.variable === 'sex')!.parameters).toEqual(['table[0].counts']);
    expect(gaps.find((g) => g.variable === 'os')!.parameters[0]).toBe('baseline (step)');
  });

  test('log(sd) and piecewise rates are drawn from the covariance', () => {
    const m = JSON.parse(NSCLC);
    m.variables.age.covariance = { parameters: ['log(sd)'], matrix: [[0.0025]] };
    m.variables.os.baseline = {
      distribution: 'piecewise-exponential',
      breaks: [0, 6],
      rates: [0.05, 0.08],
    };
    m.variables.os.covariance = {
      parameters: ['log(rate[0])', 'log(rate[6])'],
      matrix: [
        [0.01, 0],
        [0, 0.04],
      ],
    };
    const model = parseModelText('m.json', JSON.stringify(m));
    const draws = 3000;
    const logSd: number[] = [];
    const logRate6: number[] = [];
    for (let r = 0; r < draws; r++) {
      const v = drawParameters(model, createStream(31, r)).model.model.variables;
      logSd.push(Math.log((v['age'] as { sd: number }).sd));
      logRate6.push(Math.log((v['os'] as { baseline: { rates: number[] } }).baseline.rates[1]!));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = (xs: number[]) => {
      const mu = mean(xs);
      return xs.reduce((a, b) => a + (b - mu) ** 2, 0) / (xs.length - 1);
    };
    // 4 Monte-Carlo SEs: of a mean √(v/n), of a normal variance v·√(2/(n−1))
    expect(Math.abs(mean(logSd) - Math.log(m.variables.age.sd))).toBeLessThan(
      4 * Math.sqrt(0.0025 / draws),
    );
    expect(Math.abs(variance(logSd) / 0.0025 - 1)).toBeLessThan(4 * Math.sqrt(2 / (draws - 1)));
    expect(Math.abs(mean(logRate6) - Math.log(0.08))).toBeLessThan(4 * Math.sqrt(0.04 / draws));
    expect(Math.abs(variance(logRate6) / 0.04 - 1)).toBeLessThan(4 * Math.sqrt(2 / (draws - 1)));
  });
});

describe('covariance validation', () => {
  test.each([
    [
      {
        parameters: ['log(shape)', 'nonsense'],
        matrix: [
          [1, 0],
          [0, 1],
        ],
      },
      'names an unknown parameter "nonsense"',
    ],
    [{ parameters: ['log(shape)'], matrix: [[1, 0]] }, 'must be a 1×1 matrix'],
    [
      {
        parameters: ['log(shape)', 'age'],
        matrix: [
          [1, 0.5],
          [0.4, 1],
        ],
      },
      'is not symmetric at (2, 1)',
    ],
    [
      {
        parameters: ['log(shape)', 'age'],
        matrix: [
          [-1, 0],
          [0, 1],
        ],
      },
      'negative variance for log(shape)',
    ],
  ])('%j', (cov, message) => {
    expect(() => parseModelText('m.json', withCovariance(cov))).toThrow(message);
  });
});
