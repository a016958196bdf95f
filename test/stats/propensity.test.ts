import {
  effectiveSampleSize,
  effectiveSampleSizeByArm,
  estimatePropensity,
  propensityWeights,
} from '../../src/stats/propensity.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

// Expected values: test/reference/propensity.R — scores from glm(treated ~ ., family = binomial);
// weights, ESS (Kish) and quantile(type = 7) summaries by formula in R.
interface PropCase {
  name: string;
  estimand: 'ATT' | 'ATE' | 'ATO';
  trim: [number, number] | null;
  expected: {
    weights: number[];
    essTreated: number;
    essControl: number;
    trimmedTreated: number;
    trimmedControl: number;
  };
}
interface Fixture {
  treated: number[];
  x: number[][];
  names: string[];
  scores: number[];
  summaryTreated: Record<string, number>;
  summaryControl: Record<string, number>;
  outsideTreated: number;
  outsideControl: number;
  cases: PropCase[];
}
const fx = loadFixture<{ cases: { propensity: Fixture } }>('propensity').cases.propensity;

describe('propensityWeights (R scores)', () => {
  test.each(fx.cases.map((c) => [c.name, c] as const))('%s matches R', (name, c) => {
    const r = propensityWeights(fx.scores, fx.treated, {
      estimand: c.estimand,
      ...(c.trim ? { trim: c.trim } : {}),
    });
    expectAllClose(r.weights, c.expected.weights, { rtol: 1e-12, label: `${name} weights` });
    expect(r.trimmed).toEqual({
      treated: c.expected.trimmedTreated,
      control: c.expected.trimmedControl,
    });
    const ess = effectiveSampleSizeByArm(r.weights, fx.treated);
    expectClose(ess.treated, c.expected.essTreated, { rtol: 1e-12, label: `${name} ESS treated` });
    expectClose(ess.control, c.expected.essControl, { rtol: 1e-12, label: `${name} ESS control` });
    expect(r.warnings.some((w) => w.code === 'trimmed')).toBe(c.trim !== null);
    expect(r.warnings.some((w) => w.code === 'estimand-changed')).toBe(
      c.estimand === 'ATT' && c.expected.trimmedTreated > 0,
    );
  });

  test('a symmetric threshold t means [t, 1 − t]', () => {
    const a = propensityWeights(fx.scores, fx.treated, { estimand: 'ATE', trim: 0.1 });
    const b = propensityWeights(fx.scores, fx.treated, { estimand: 'ATE', trim: [0.1, 0.9] });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(a.trim).toEqual([0.1, 0.9]);
  });
});

describe('estimatePropensity', () => {
  test.each(fx.cases.map((c) => [c.name, c] as const))(
    '%s: the whole pipeline matches R',
    (name, c) => {
      const r = estimatePropensity(fx.treated, fx.x, fx.names, {
        estimand: c.estimand,
        ...(c.trim ? { trim: c.trim } : {}),
      });
      expectAllClose(r.scores, fx.scores, { rtol: 1e-9, label: `${name} scores` });
      expectAllClose(r.weights, c.expected.weights, { rtol: 1e-8, label: `${name} weights` });
      expectClose(r.ess.treated, c.expected.essTreated, {
        rtol: 1e-8,
        label: `${name} ESS treated`,
      });
      expectClose(r.ess.control, c.expected.essControl, {
        rtol: 1e-8,
        label: `${name} ESS control`,
      });
      for (const [arm, e] of [
        ['treated', fx.summaryTreated],
        ['control', fx.summaryControl],
      ] as const) {
        const s = r.summary[arm];
        expect(s.n).toBe(e.n);
        for (const k of ['min', 'q1', 'median', 'mean', 'q3', 'max'] as const) {
          expectClose(s[k], e[k], { rtol: 1e-9, label: `${name} ${arm} ${k}` });
        }
      }
      expect(r.outsideSupport).toEqual({ treated: fx.outsideTreated, control: fx.outsideControl });
      expect(r.n.treated + r.n.control).toBe(fx.treated.length);
      // 7 of 192 controls lie outside the treated range (> 5%): poor overlap
      expect(r.warnings.some((w) => w.code === 'poor-overlap')).toBe(
        fx.outsideTreated > 0.05 * r.n.treated || fx.outsideControl > 0.05 * r.n.control,
      );
    },
  );

  test('warns about a low effective sample size', () => {
    const r = estimatePropensity(fx.treated, fx.x, fx.names, { essWarnFraction: 0.9 });
    expect(r.warnings.map((w) => w.code)).toContain('low-ess');
  });

  test('separated arms are an error, not NaN weights', () => {
    const t = [0, 0, 0, 0, 1, 1, 1, 1];
    expect(() => estimatePropensity(t, [[1, 2, 3, 4, 5, 6, 7, 8]], ['x'])).toThrow(StatsError);
  });
});

describe('effectiveSampleSize', () => {
  test('Kish', () => {
    expect(effectiveSampleSize([1, 1, 1, 1])).toBe(4);
    expectClose(effectiveSampleSize([1, 1, 2, 4]), 64 / 22, { rtol: 1e-15 });
    expect(effectiveSampleSize([0, 3, 0])).toBe(1);
  });
  test('validates', () => {
    expect(() => effectiveSampleSize([1, -1])).toThrow(
      'invalid weight at observation 1: expected a finite number >= 0, found -1',
    );
    expect(() => effectiveSampleSize([0, 0])).toThrow(/every weight is 0/);
  });
});

describe('input validation', () => {
  const code = (f: () => unknown): [string, number | undefined] | undefined => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(StatsError);
      return [(e as StatsError).code, (e as StatsError).index];
    }
    return undefined;
  };
  test('propensityWeights', () => {
    expect(code(() => propensityWeights([0.5, 1, 0.2], [1, 0, 0]))).toEqual([
      'invalid-propensity',
      1,
    ]);
    expect(code(() => propensityWeights([0.5, 0.3, 0.2], [1, 2, 0]))).toEqual(['invalid-group', 1]);
    expect(code(() => propensityWeights([0.5, 0.3], [1, 0, 0]))).toEqual([
      'length-mismatch',
      undefined,
    ]);
    expect(code(() => propensityWeights([0.5, 0.3], [1, 1]))).toEqual(['empty-arm', undefined]);
    expect(code(() => propensityWeights([0.5, 0.3], [1, 0], { trim: 0.6 }))).toEqual([
      'invalid-option',
      undefined,
    ]);
    expect(code(() => propensityWeights([0.5, 0.3], [1, 0], { trim: [0.4, 0.2] }))).toEqual([
      'invalid-option',
      undefined,
    ]);
    expect(code(() => propensityWeights([0.5, 0.05], [1, 0], { trim: 0.1 }))).toEqual([
      'empty-arm',
      undefined,
    ]);
    expect(code(() => propensityWeights([0.5, 0.3], [1, 0], { estimand: 'ATC' as 'ATT' }))).toEqual(
      ['invalid-option', undefined],
    );
  });
  test('estimatePropensity', () => {
    expect(
      code(() => estimatePropensity([1, 0, 1], [[1, 2, 3]], ['x'], { essWarnFraction: 2 })),
    ).toEqual(['invalid-option', undefined]);
    expect(code(() => estimatePropensity([1, 0, 5], [[1, 2, 3]], ['x']))).toEqual([
      'invalid-group',
      2,
    ]);
  });
});
