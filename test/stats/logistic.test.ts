import { fitLogistic } from '../../src/stats/logistic.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

// Expected values: test/reference/propensity.R — glm(y ~ ., family = binomial, weights = w) with
// R's defaults; coef(summary(fit)), vcov(fit), fit$deviance, fit$iter, fit$converged.
interface GlmCase {
  name: string;
  y: number[];
  x: number[][];
  names: string[];
  weights: number[] | null;
  expected: {
    names: string[];
    coefficients: number[];
    se: number[];
    statistic: number[];
    p: number[];
    deviance: number;
    nullDeviance: number;
    dfResidual: number;
    iterations: number;
    converged: boolean;
    fitted: number[];
    covariance: number[];
    fittedZeroOne: boolean;
    aliased: string[];
  };
}
const fx = loadFixture<{ cases: { logistic: GlmCase[] } }>('propensity');
const regular = fx.cases.logistic.filter(
  (c) => !c.expected.fittedZeroOne && c.expected.aliased.length === 0,
);

describe('fitLogistic', () => {
  test.each(regular.map((c) => [c.name, c] as const))('%s matches glm', (name, c) => {
    const fit = fitLogistic(c.y, c.x, c.names, c.weights ? { weights: c.weights } : {});
    const e = c.expected;
    expect(fit.names).toEqual(e.names);
    expect(fit.iterations).toBe(e.iterations);
    expect(fit.converged).toBe(e.converged);
    // glm stops at a relative deviance change < 1e-8, so both implementations sit on the same
    // iterate: agreement is limited by floating point (QR in R, Cholesky on standardised columns here).
    const o = { rtol: 1e-8 };
    expectAllClose(fit.coefficients, e.coefficients, { ...o, label: `${name} coefficients` });
    expectAllClose(fit.se, e.se, { ...o, label: `${name} se` });
    expectAllClose(fit.statistic, e.statistic, { ...o, label: `${name} z` });
    expectAllClose(fit.p, e.p, { ...o, label: `${name} p` });
    expectAllClose(fit.covariance, e.covariance, {
      rtol: 1e-8,
      atol: 1e-14,
      label: `${name} vcov`,
    });
    expectAllClose(fit.fitted, e.fitted, { rtol: 1e-9, label: `${name} fitted` });
    expectClose(fit.deviance, e.deviance, { rtol: 1e-11, label: `${name} deviance` });
    expectClose(fit.nullDeviance, e.nullDeviance, { rtol: 1e-11, label: `${name} null deviance` });
    expect(fit.dfResidual).toBe(e.dfResidual);
    expect(fit.warnings).toEqual([]);
    expect(fit.method).toBe('irls');
  });

  test('separation: warns as glm does', () => {
    const c = fx.cases.logistic.find((k) => k.name === 'separation')!;
    expect(c.expected.fittedZeroOne).toBe(true);
    const fit = fitLogistic(c.y, c.x, c.names);
    const codes = fit.warnings.map((w) => w.code);
    expect(codes).toContain('fitted-probabilities-0-1');
    expect(codes).toContain('separation');
    expect(fit.iterations).toBe(c.expected.iterations);
  });

  test('an empty cell of an indicator is quasi-complete separation, where glm stays silent', () => {
    // No observation with rare = 1 has the outcome: the MLE of its coefficient is −∞, and IRLS
    // stops at a large negative value with no 0/1 fitted probability (glm gives no warning).
    const y = [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0];
    const rare = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    const age = [61, 70, 65, 72, 58, 66, 69, 63, 71, 60, 67, 64, 73, 62, 68, 59];
    const fit = fitLogistic(y, [rare, age], ['rare', 'age']);
    const sep = fit.warnings.filter((w) => w.code === 'separation');
    expect(sep).toHaveLength(1);
    expect(sep[0]!.message).toMatch(/no observation with `rare` = 1 \(3\) has the outcome/);
    expect(fit.coefficients[1]!).toBeLessThan(-5);
    // every observation with the indicator at 0 has the outcome: the intercept diverges instead
    const all = fitLogistic([1, 1, 1, 0, 1, 0], [[0, 0, 0, 1, 1, 1]], ['x']);
    expect(all.warnings.map((w) => w.message).join()).toMatch(
      /every observation with `x` = 0 \(3\)/,
    );
    // no empty cell, no warning
    expect(fitLogistic([1, 0, 1, 0, 1, 0], [[0, 0, 1, 1, 1, 0]], ['x']).warnings).toEqual([]);
  });

  test('collinear columns: an error naming them (glm reports NA)', () => {
    const c = fx.cases.logistic.find((k) => k.name === 'collinear')!;
    expect(c.expected.aliased).toEqual(['combo']);
    expect(() => fitLogistic(c.y, c.x, c.names)).toThrow(/`combo` is a linear combination/);
    try {
      fitLogistic(c.y, c.x, c.names);
    } catch (e) {
      expect((e as StatsError).code).toBe('collinear');
      expect((e as StatsError).field).toBe('combo');
    }
    expect(() => fitLogistic([0, 1, 0, 1], [[2, 2, 2, 2]], ['k'])).toThrow(/`k` is constant/);
  });

  test('not converged within maxit', () => {
    const c = regular[0]!;
    const fit = fitLogistic(c.y, c.x, c.names, { maxit: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(2);
    expect(fit.warnings.map((w) => w.code)).toEqual(['not-converged']);
  });

  test('validates its input', () => {
    const code = (f: () => unknown): [string, number | undefined] | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(StatsError);
        return [(e as StatsError).code, (e as StatsError).index];
      }
      return undefined;
    };
    const x = [[1, 2, 3, 4]];
    expect(code(() => fitLogistic([0, 1, 2, 1], x, ['a']))).toEqual(['invalid-outcome', 2]);
    expect(code(() => fitLogistic([0, 1, 0, 1], [[1, 2, NaN, 4]], ['a']))).toEqual([
      'invalid-covariate',
      2,
    ]);
    expect(code(() => fitLogistic([0, 1, 0, 1], [[1, 2, 3]], ['a']))).toEqual([
      'length-mismatch',
      undefined,
    ]);
    expect(code(() => fitLogistic([0, 1, 0, 1], x, ['a', 'b']))).toEqual([
      'length-mismatch',
      undefined,
    ]);
    expect(code(() => fitLogistic([0, 1, 0, 1], x, ['a'], { weights: [1, 1, 0, 1] }))).toEqual([
      'invalid-weight',
      2,
    ]);
    expect(code(() => fitLogistic([0, 1, 0, 1], x, ['a'], { weights: [1, 1] }))).toEqual([
      'length-mismatch',
      undefined,
    ]);
    expect(code(() => fitLogistic([0, 0, 0, 0], x, ['a']))).toEqual([
      'constant-outcome',
      undefined,
    ]);
    expect(code(() => fitLogistic([1], [[1]], ['a']))).toEqual(['too-few-observations', undefined]);
    expect(code(() => fitLogistic([0, 1, 0, 1], [x[0]!, x[0]!], ['a', 'a']))).toEqual([
      'invalid-name',
      undefined,
    ]);
    expect(code(() => fitLogistic([0, 1, 0, 1], x, ['a'], { maxit: 0 }))).toEqual([
      'invalid-option',
      undefined,
    ]);
    expect(() => fitLogistic([0, 1, 0.5, 1], x, ['a'])).toThrow(
      'invalid outcome at observation 2: expected 0 or 1, found 0.5',
    );
  });

  test('no covariates: the intercept-only model', () => {
    const c = regular[0]!;
    const fit = fitLogistic(c.y, [], []);
    const m = c.y.reduce((s, v) => s + v, 0) / c.y.length;
    expectClose(fit.coefficients[0], Math.log(m / (1 - m)), { rtol: 1e-10, atol: 1e-12 }); // atol: the logit is 0 here
    expectClose(fit.deviance, c.expected.nullDeviance, { rtol: 1e-11 });
  });
});
