/**
 * Imputation of treated patients' missing covariates (src/simulate/impute.ts) against conditional
 * distributions known in closed form by Bayes' rule, so the likelihood weighting is checked, not
 * only the forward draw: a missing parent given its observed child, and a Gaussian chain.
 */
import type { Cohort } from '../../src/cohort.js';
import { parseModelText } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { imputeCovariates, logDensity } from '../../src/simulate/impute.js';

/** A model with A (binary, P(a1) = 0.3) → B ~ N(2·[A = a1], 1), X ~ N(0, 1) → Y ~ N(X, 1), and an outcome. */
const MODEL = parseModelText(
  'impute-test.json',
  JSON.stringify({
    format: 'ecasim-model/1',
    provenance: { registry: 'test', derivation: { method: 'expert' }, timeUnit: 'months' },
    variables: {
      a: { kind: 'categorical', levels: ['a0', 'a1'], table: [{ given: {}, p: [0.7, 0.3] }] },
      b: {
        kind: 'continuous',
        parents: ['a'],
        intercept: 0,
        coefficients: { 'a=a1': 2 },
        centers: {},
        sd: 1,
      },
      x: { kind: 'continuous', intercept: 0, sd: 1 },
      y: {
        kind: 'continuous',
        parents: ['x'],
        intercept: 0,
        coefficients: { x: 1 },
        centers: {},
        sd: 1,
      },
      os: {
        kind: 'time-to-event',
        parents: ['a', 'x'],
        baseline: { distribution: 'exponential', rate: 0.1 },
        logHazardRatios: { 'a=a1': 0.5, x: 0.2 },
        centers: {},
      },
    },
  }),
);

const N = 1500;

/** N patients with a and x missing (code −2 / NaN), b = bValue and y = yValue observed. */
function incomplete(bValue: number, yValue: number): Cohort {
  return {
    n: N,
    columns: new Map([
      [
        'a',
        { kind: 'categorical' as const, codes: new Int32Array(N).fill(-2), levels: ['a0', 'a1'] },
      ],
      ['b', { kind: 'numeric' as const, values: new Float64Array(N).fill(bValue) }],
      ['x', { kind: 'numeric' as const, values: new Float64Array(N).fill(NaN) }],
      ['y', { kind: 'numeric' as const, values: new Float64Array(N).fill(yValue) }],
    ]),
  };
}

const ALL = Int32Array.from({ length: N }, (_, i) => i);
const CELLS = [
  { variable: 'a', rows: ALL },
  { variable: 'x', rows: ALL },
];

describe('imputeCovariates', () => {
  test('a missing parent is drawn from its posterior given the observed child (Bayes rule)', () => {
    for (const b of [-0.5, 1, 2.5]) {
      const done = imputeCovariates(MODEL, incomplete(b, 0), CELLS, createStream(11, 1));
      const codes = (done.columns.get('a') as { codes: Int32Array }).codes;
      const share = codes.reduce((s, c) => s + c, 0) / N;
      // P(a1 | b) = 0.3 φ(b − 2) / (0.3 φ(b − 2) + 0.7 φ(b))
      const l1 = 0.3 * Math.exp(-0.5 * (b - 2) ** 2);
      const l0 = 0.7 * Math.exp(-0.5 * b * b);
      const p = l1 / (l1 + l0);
      const mcse = Math.sqrt((p * (1 - p)) / N);
      // forward sampling alone would give 0.3 whatever b is
      expect(Math.abs(share - p)).toBeLessThan(4 * mcse + 0.01);
    }
  });

  test('a Gaussian chain: X | Y = y is N(y/2, 1/2)', () => {
    const y = 1.6;
    const done = imputeCovariates(MODEL, incomplete(0, y), CELLS, createStream(12, 1));
    const xs = (done.columns.get('x') as { values: Float64Array }).values;
    const mean = xs.reduce((s, v) => s + v, 0) / N;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (N - 1);
    expect(Math.abs(mean - y / 2)).toBeLessThan(4 * Math.sqrt(0.5 / N));
    // SD of a sample variance ≈ σ²·√(2/(N − 1)); SIR with 200 candidates shrinks it by ~1/200
    expect(Math.abs(variance - 0.5)).toBeLessThan(4 * 0.5 * Math.sqrt(2 / (N - 1)) + 0.01);
  });

  test('observed cells and complete patients are untouched; the draw is reproducible', () => {
    const cohort = incomplete(1, 0.5);
    // patients 0..9 complete: a = a1, x = 3
    const a = (cohort.columns.get('a') as { codes: Int32Array }).codes;
    const x = (cohort.columns.get('x') as { values: Float64Array }).values;
    for (let i = 0; i < 10; i++) [a[i], x[i]] = [1, 3];
    const rows = Int32Array.from({ length: N - 10 }, (_, i) => i + 10);
    const cells = [
      { variable: 'a', rows },
      { variable: 'x', rows },
    ];
    const one = imputeCovariates(MODEL, cohort, cells, createStream(5, 2));
    const two = imputeCovariates(MODEL, cohort, cells, createStream(5, 2));
    const other = imputeCovariates(MODEL, cohort, cells, createStream(5, 3));
    const ax = (c: Cohort) => [
      (c.columns.get('a') as { codes: Int32Array }).codes,
      (c.columns.get('x') as { values: Float64Array }).values,
    ];
    const [a1, x1] = ax(one);
    expect(Array.from(a1!.subarray(0, 10))).toEqual(Array(10).fill(1));
    expect(Array.from(x1!.subarray(0, 10))).toEqual(Array(10).fill(3));
    expect(a1!.every((c) => c === 0 || c === 1)).toBe(true);
    expect(x1!.every(Number.isFinite)).toBe(true);
    expect(ax(two)).toEqual([a1, x1]);
    expect(ax(other)[1]).not.toEqual(x1);
    // the input cohort is not modified
    expect(a[10]).toBe(-2);
    expect(Number.isNaN(x[10]!)).toBe(true);
    // b and y are the observed columns themselves
    expect(one.columns.get('b')).toBe(cohort.columns.get('b'));
  });

  test('a cohort without missing cells is returned as it is', () => {
    const cohort = incomplete(0, 0);
    expect(imputeCovariates(MODEL, cohort, [], createStream(1, 1))).toBe(cohort);
  });
});

describe('logDensity', () => {
  test('normal, bounded normal, Poisson, negative binomial and logistic factors', () => {
    const columns = new Map([
      ['p', { kind: 'numeric' as const, values: Float64Array.from([0, 1]) }],
    ]);
    const x = { kind: 'numeric' as const, values: Float64Array.from([0.5, 2]) };
    const normal = { kind: 'continuous', intercept: 1, coefficients: { p: 1 }, centers: {}, sd: 2 };
    const ln = logDensity(normal as never, x, columns, 2);
    // up to the constant −log(σ√(2π)): −z²/2 with z = (x − μ)/σ
    expect(ln[0]).toBeCloseTo(-0.5 * ((0.5 - 1) / 2) ** 2, 12);
    expect(ln[1]).toBeCloseTo(-0.5 * ((2 - 2) / 2) ** 2, 12);
    const bounded = { ...normal, bounds: [0, 3] };
    const lb = logDensity(bounded as never, x, columns, 2);
    // truncation mass Φ((3 − μ)/σ) − Φ((0 − μ)/σ) for μ = 1: Φ(1) − Φ(−0.5)
    expect(lb[0]! - ln[0]!).toBeCloseTo(-Math.log(0.841344746068543 - 0.308537538725987), 9);
    const k = { kind: 'numeric' as const, values: Float64Array.from([3, 0]) };
    const pois = {
      kind: 'count',
      distribution: 'poisson',
      intercept: 0.5,
      coefficients: { p: 0.2 },
      centers: {},
    };
    const lp = logDensity(pois as never, k, columns, 2);
    // dpois(3, exp(0.5), log = TRUE) and dpois(0, exp(0.7), log = TRUE)
    expect(lp[0]).toBeCloseTo(3 * 0.5 - Math.exp(0.5) - Math.log(6), 12);
    expect(lp[1]).toBeCloseTo(-Math.exp(0.7), 12);
    const nb = { ...pois, distribution: 'negative-binomial', dispersion: 2 };
    const lnb = logDensity(nb as never, k, columns, 2);
    // dnbinom(0, size = 2, mu = exp(0.7), log = TRUE) = 2 log(2 / (2 + mu))
    expect(lnb[1]).toBeCloseTo(2 * Math.log(2 / (2 + Math.exp(0.7))), 12);
    const logistic = {
      kind: 'logistic',
      intercept: -1,
      coefficients: { p: 2 },
      centers: {},
      levels: ['n', 'y'],
    };
    const yes = {
      kind: 'categorical' as const,
      codes: Int32Array.from([1, 0]),
      levels: ['n', 'y'],
    };
    const ll = logDensity(logistic as never, yes, columns, 2);
    expect(ll[0]).toBeCloseTo(Math.log(1 / (1 + Math.exp(1))), 12);
    expect(ll[1]).toBeCloseTo(Math.log(1 - 1 / (1 + Math.exp(-1))), 12);
  });
});
