/**
 * Censoring by design: entry times, administrative censoring and exponential dropout, checked
 * against closed forms with a fixed seed (4 standard errors per check).
 */
import { EcasimError } from '../../src/errors.js';
import { createStream } from '../../src/random/index.js';
import { applyCensoring, type CensoringDesign } from '../../src/simulate/censoring.js';

const N = 200_000;

function within4se(label: string, observed: number, expected: number, se: number): void {
  const ok = Math.abs(observed - expected) <= 4 * se;
  if (!ok)
    throw new Error(`${label}: observed ${observed}, expected ${expected}, 4·se = ${4 * se}`);
  expect(ok).toBe(true);
}

function exponentialTimes(rate: number, n: number, seed: number): Float64Array {
  const rng = createStream(seed);
  return Float64Array.from({ length: n }, () => -Math.log(rng.uniformOpen()) / rate);
}

const mean = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
};

describe('administrative censoring from uniform accrual', () => {
  test('with no events, follow-up is uniform on (D − A, D]', () => {
    const design: CensoringDesign = {
      accrual: { duration: 12, shape: 'uniform' },
      studyDuration: 36,
    };
    const { time, event } = applyCensoring(
      new Float64Array(N).fill(Infinity),
      design,
      createStream(1),
    );
    expect(event.every((e) => e === 0)).toBe(true);
    expect(time.every((t) => t > 24 && t <= 36)).toBe(true);
    // Uniform(24, 36]: mean 30, sd 12/√12
    within4se('mean follow-up', mean(time), 30, 12 / Math.sqrt(12 * N));
  });

  test('event fraction with exponential events matches the closed form', () => {
    // P(T ≤ C), T ~ Exp(λ), C ~ U(D − A, D): 1 − (e^{−λ(D−A)} − e^{−λD}) / (λA)
    const [lambda, a, d] = [0.05, 12, 36];
    const p = 1 - (Math.exp(-lambda * (d - a)) - Math.exp(-lambda * d)) / (lambda * a);
    const t = exponentialTimes(lambda, N, 11);
    const { time, event } = applyCensoring(
      t,
      { accrual: { duration: a, shape: 'uniform' }, studyDuration: d },
      createStream(2),
    );
    within4se('P(event)', mean(event), p, Math.sqrt((p * (1 - p)) / N));
    for (let i = 0; i < N; i++) {
      if (event[i] === 1) expect(time[i]).toBe(t[i]);
      else if (!(time[i]! < t[i]! && time[i]! > d - a))
        throw new Error(`censored time ${time[i]} at ${i} inconsistent`);
    }
  });

  test('accrual duration 0: everyone followed for the whole study', () => {
    const { time, event } = applyCensoring(
      [5, 50, Infinity],
      { accrual: { duration: 0, shape: 'uniform' }, studyDuration: 24 },
      createStream(3),
    );
    expect(Array.from(time)).toEqual([5, 24, 24]);
    expect(Array.from(event)).toEqual([1, 0, 0]);
  });
});

describe('exponential dropout', () => {
  test('competing exponentials: P(event) = λ/(λ + δ) and mean time 1/(λ + δ)', () => {
    const [lambda, delta] = [0.1, 0.025];
    const t = exponentialTimes(lambda, N, 12);
    // a study long enough that administrative censoring never acts (P < e^{-125·1e4})
    const { time, event } = applyCensoring(
      t,
      { accrual: { duration: 0, shape: 'uniform' }, studyDuration: 1e6, dropoutRate: delta },
      createStream(4),
    );
    const p = lambda / (lambda + delta);
    within4se('P(event)', mean(event), p, Math.sqrt((p * (1 - p)) / N));
    within4se('mean time', mean(time), 1 / (lambda + delta), 1 / (lambda + delta) / Math.sqrt(N));
  });

  test('all three together: event fraction matches the closed form', () => {
    // P(T ≤ min(C, D)) = λ/(λ+δ) · (1 − (e^{−(λ+δ)(S−A)} − e^{−(λ+δ)S}) / ((λ+δ)A))
    const [lambda, delta, a, s] = [0.04, 0.02, 18, 42];
    const r = lambda + delta;
    const p = (lambda / r) * (1 - (Math.exp(-r * (s - a)) - Math.exp(-r * s)) / (r * a));
    const t = exponentialTimes(lambda, N, 13);
    const { event } = applyCensoring(
      t,
      { accrual: { duration: a, shape: 'uniform' }, studyDuration: s, dropoutRate: delta },
      createStream(5),
    );
    within4se('P(event)', mean(event), p, Math.sqrt((p * (1 - p)) / N));
  });
});

describe('reproducibility and validation', () => {
  const design: CensoringDesign = {
    accrual: { duration: 12, shape: 'uniform' },
    studyDuration: 30,
    dropoutRate: 0.01,
  };

  test('same seed, same result; a prefix of the patients gives a prefix of the result', () => {
    const t = exponentialTimes(0.05, 1000, 14);
    const a = applyCensoring(t, design, createStream(6, 1));
    const b = applyCensoring(t, design, createStream(6, 1));
    expect(Array.from(a.time)).toEqual(Array.from(b.time));
    const c = applyCensoring(t.subarray(0, 100), design, createStream(6, 1));
    expect(Array.from(c.time)).toEqual(Array.from(a.time.subarray(0, 100)));
    expect(Array.from(c.event)).toEqual(Array.from(a.event.subarray(0, 100)));
  });

  test('a bad design names every bad field', () => {
    let err: EcasimError | undefined;
    try {
      applyCensoring(
        [1],
        {
          accrual: { duration: -1, shape: 'uniform' },
          studyDuration: Number.NaN,
          dropoutRate: -0.1,
        },
        createStream(1),
      );
    } catch (e) {
      err = e as EcasimError;
    }
    const problems = [err!, ...err!.related];
    expect(problems.map((p) => p.details.field)).toEqual([
      'accrual.duration',
      'studyDuration',
      'dropoutRate',
    ]);
    expect(problems[0]!.message).toBe(
      'invalid censoring design: `accrual.duration` must be a finite number >= 0. Value: `-1`.',
    );
    expect(problems[2]!.message).toBe(
      'invalid censoring design: `dropoutRate` must be a finite number >= 0. Value: `-0.1`.',
    );
  });

  test('a study shorter than its accrual is refused', () => {
    expect(() =>
      applyCensoring(
        [1],
        { accrual: { duration: 12, shape: 'uniform' }, studyDuration: 12 },
        createStream(1),
      ),
    ).toThrow(
      'invalid censoring design: `studyDuration` must be a finite number greater than the accrual duration (12). Value: `12`.',
    );
  });

  test('an event time that is not > 0 is refused with its index', () => {
    expect(() => applyCensoring([1, 0], design, createStream(1))).toThrow(
      'invalid event time at observation 1: expected a number > 0 (or Infinity), found 0',
    );
    expect(() => applyCensoring([Number.NaN], design, createStream(1))).toThrow(
      /observation 0.*found NaN/,
    );
  });
});
