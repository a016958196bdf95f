/**
 * Parameter uncertainty: Dirichlet(counts + ½) rows and N(estimate, covariance) coefficients, by
 * their moments over many draws (tolerances of 4 Monte-Carlo standard errors), determinism, and
 * the validation of a model's covariance.
 */
import { readFileSync } from 'node:fs';
import { parseModelText } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { DIRICHLET_PRIOR, drawParameters } from '../../src/simulate/uncertainty.js';

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
