import { fitCox, type CoxData, type CoxOptions } from '../../src/stats/cox.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

type Num = number | number[];
interface FitCase {
  name: string;
  data: {
    time: number[];
    status: number[];
    x: number[][];
    names: string | string[];
    strata: number[] | null;
    offset: number[] | null;
    weights: number[] | null;
    cluster: number[] | null;
  };
  options: {
    ties: 'efron' | 'breslow';
    robust: boolean | null;
    maxIter: number;
    init: number[] | null;
  };
  expected: {
    call: string;
    coef: Num;
    var: Num;
    naiveVar: Num;
    variance: 'model' | 'robust';
    se: Num;
    naiveSe: Num;
    z: Num;
    p: Num;
    hr: Num;
    lower: Num;
    upper: Num;
    loglik: number[];
    iterations: number;
    score: number[];
    wald: number[];
    likelihoodRatio: number[];
    robustScore: number[] | null;
    n: number;
    events: number;
    varAtCoef: number[] | null;
    linearPredictor: number[];
    warnings: string | string[];
  };
}

// Written by test/reference/cox.R: survival::coxph (3.5-3) with default coxph.control().
const fits = loadFixture<{ cases: { fits: FitCase[] } }>('cox').cases.fits;
const arr = (v: Num): number[] => (Array.isArray(v) ? v : [v]);
const warningsOf = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

export function toInput(c: FitCase): { data: CoxData; options: CoxOptions } {
  // jsonlite unboxes length-1 vectors: a single name arrives as a string.
  const names: string | string[] = c.data.names;
  const data: CoxData = {
    time: c.data.time,
    status: c.data.status,
    x: c.data.x.map(arr),
    names: Array.isArray(names) ? names : [names],
  };
  if (c.data.strata) data.strata = c.data.strata;
  if (c.data.offset) data.offset = c.data.offset;
  if (c.data.weights) data.weights = c.data.weights;
  if (c.data.cluster) data.cluster = c.data.cluster;
  const options: CoxOptions = { ties: c.options.ties, maxIter: c.options.maxIter };
  if (c.options.robust !== null) options.robust = c.options.robust;
  if (c.options.init !== null) options.init = arr(c.options.init as unknown as Num);
  return { data, options };
}

describe('fitCox against survival::coxph', () => {
  test.each(fits.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { data, options } = toInput(c);
    const e = c.expected;
    const fit = fitCox(data, options);
    const rtol = 1e-6;
    const label = (s: string): string => `${c.name}: ${s}`;
    expect(fit.variance).toBe(e.variance);
    expect(fit.n).toBe(e.n);
    expect(fit.events).toBe(e.events);
    expectAllClose(fit.loglik, e.loglik, { rtol: 1e-9, label: label('loglik') });
    expectAllClose(fit.coef, arr(e.coef), { rtol, label: label('coef') });
    expect(fit.iterations).toBe(Math.min(e.iterations, c.options.maxIter));
    expect(fit.converged).toBe(e.iterations <= c.options.maxIter);
    expectAllClose(fit.internal.linearPredictor, e.linearPredictor, {
      rtol,
      atol: 1e-8,
      label: label('lp'),
    });
    expectClose(fit.tests.score.statistic, e.score[0], { rtol, label: label('score') });
    expect(fit.tests.score.df).toBe(e.score[1]);
    expectClose(fit.tests.score.p, e.score[2], { rtol, label: label('score p') });
    expectClose(fit.tests.likelihoodRatio.statistic, e.likelihoodRatio[0], {
      rtol,
      label: label('LR'),
    });
    expectClose(fit.tests.likelihoodRatio.p, e.likelihoodRatio[2], {
      rtol,
      atol: 1e-300,
      label: label('LR p'),
    });
    const warnings = warningsOf(e.warnings ?? []);
    if (e.varAtCoef !== null) {
      // Out of iterations: R's var is diag(1/I); ours is I⁻¹ at the returned β (coxph(init = β̂, iter.max = 0)).
      expectAllClose(fit.var, e.varAtCoef, { rtol, atol: 1e-12, label: label('var at coef') });
      expect(fit.warnings.map((w) => w.code)).toEqual(['cox-not-converged']);
      expect(warnings[0]).toMatch(/Ran out of iterations/);
      return;
    }
    expectAllClose(fit.naiveVar, arr(e.naiveVar), { rtol, atol: 1e-14, label: label('naiveVar') });
    expectAllClose(fit.var, arr(e.var), { rtol, atol: 1e-14, label: label('var') });
    // R's summary: se(coef) is naive (our seModel); "robust se" (our seRobust) is the one z, p
    // and the limits use, and so `se`, the SE in use.
    expectAllClose(fit.seModel, arr(e.naiveSe), { rtol, label: label('seModel') });
    expectAllClose(fit.se, arr(e.variance === 'robust' ? e.se : e.naiveSe), {
      rtol,
      label: label('se'),
    });
    expectAllClose(fit.z, arr(e.z), { rtol, label: label('z') });
    expectAllClose(fit.p, arr(e.p), { rtol, label: label('p') });
    expectAllClose(fit.hr, arr(e.hr), { rtol, label: label('hr') });
    expectAllClose(fit.lower, arr(e.lower), { rtol, label: label('lower') });
    // jsonlite writes R's Inf (exp of a huge upper limit) as null.
    const upper = arr(e.upper).map((v) => (v === null ? Infinity : v));
    expectAllClose(fit.upper, upper, { rtol, label: label('upper') });
    expectClose(fit.tests.wald.statistic, e.wald[0], { rtol, label: label('wald') });
    expectClose(fit.tests.wald.p, e.wald[2], { rtol, label: label('wald p') });
    if (e.robustScore !== null) {
      expect(fit.tests.robustScore).toBeDefined();
      expectClose(fit.tests.robustScore!.statistic, e.robustScore[0], {
        rtol,
        label: label('robust score'),
      });
      expectAllClose(fit.seRobust, arr(e.se), { rtol, label: label('seRobust') });
    } else {
      expect(fit.seRobust).toBeUndefined();
    }
    if (warnings.length === 0) {
      expect(fit.warnings).toEqual([]);
    } else {
      // R: "Loglik converged before variable  2 ; coefficient may be infinite." — we name it.
      expect(warnings[0]).toMatch(/Loglik converged before variable\s+(\d+)/);
      const idx = Number(/variable\s+(\d+)/.exec(warnings[0]!)![1]) - 1;
      expect(fit.warnings.map((w) => w.code)).toEqual(['cox-infinite-coefficient']);
      expect(fit.warnings[0]!.message).toContain(`\`${data.names[idx]}\``);
    }
  });
});

describe('results', () => {
  const c = fits.find((f) => f.name === 'lung efron')!;
  const { data } = toInput(c);
  test('names its method and is JSON-serialisable without internals', () => {
    const fit = fitCox(data);
    expect(fit.ties).toBe('efron');
    expect(fit.method).toBe('coxph');
    const json = JSON.parse(JSON.stringify(fit)) as Record<string, unknown>;
    expect(json.internal).toBeUndefined();
    expect(fit.internal.order.length).toBe(data.time.length);
  });
  test('cluster with robust = false is ignored with a warning, as R', () => {
    const fit = fitCox(
      { ...data, cluster: Array.from(data.time, (_, i) => i % 7) },
      { robust: false },
    );
    expect(fit.variance).toBe('model');
    expect(fit.warnings.map((w) => w.code)).toEqual(['cluster-ignored']);
  });
  test('confLevel changes the interval width', () => {
    const f90 = fitCox(data, { confLevel: 0.9 });
    const f95 = fitCox(data);
    expect(f90.upper[0]! - f90.lower[0]!).toBeLessThan(f95.upper[0]! - f95.lower[0]!);
  });
});

describe('validation', () => {
  const base = (): CoxData => ({
    time: [5, 8, 12, 3, 9, 15],
    status: [1, 1, 0, 1, 1, 0],
    x: [[0.5, 1.2, -0.3, 0.8, 2.1, 0]],
    names: ['age'],
  });
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      if (e instanceof StatsError) return `${e.code}|${e.index ?? ''}|${e.message}`;
      throw e;
    }
    return undefined;
  };
  test.each([
    [
      'negative time',
      { time: [5, 8, -3, 3, 9, 15] },
      /^invalid-time\|2\|invalid time at observation 2: expected a finite number > 0, found -3/,
    ],
    ['NaN time', { time: [5, NaN, 12, 3, 9, 15] }, /^invalid-time\|1\|/],
    ['status 2', { status: [1, 2, 0, 1, 1, 0] }, /^invalid-status\|1\|/],
    ['zero weight', { weights: [1, 1, 0, 1, 1, 1] }, /^invalid-weight\|2\|/],
    ['length mismatch', { status: [1, 1, 0] }, /^length-mismatch\|/],
    ['covariate length mismatch', { x: [[1, 2, 3]] }, /^length-mismatch\|/],
    ['NaN covariate', { x: [[1, 2, NaN, 4, 5, 6]] }, /^invalid-covariate\|2\|/],
    ['non-integer strata', { strata: [1, 1, 1.5, 2, 2, 2] }, /^invalid-strata\|2\|/],
    ['single observation', { time: [5], status: [1], x: [[1]] }, /^too-few-observations\|/],
    ['no events', { status: [0, 0, 0, 0, 0, 0] }, /^no-events\|/],
    [
      'constant covariate',
      { x: [[2, 2, 2, 2, 2, 2]] },
      /^constant-covariate\|\|.*`age` is constant/,
    ],
    ['names mismatch', { names: ['a', 'b'] }, /^length-mismatch\|/],
    ['no covariates', { x: [], names: [] }, /^no-covariates\|/],
  ] as const)('%s', (_n, patch, re) => {
    expect(code(() => fitCox({ ...base(), ...patch } as CoxData))).toMatch(re);
  });
  test('collinear covariates are refused, naming them', () => {
    const d = base();
    const x2 = Array.from(d.x[0]!, (v) => 2 * v + 1);
    expect(code(() => fitCox({ ...d, x: [d.x[0]!, x2], names: ['age', 'age2'] }))).toMatch(
      /^collinear\|\|.*`age2` is collinear/,
    );
  });
  test('bad options', () => {
    expect(code(() => fitCox(base(), { ties: 'exact' as 'efron' }))).toMatch(/^invalid-option/);
    expect(code(() => fitCox(base(), { confLevel: 1.2 }))).toMatch(/^invalid-option.*confLevel/);
    expect(code(() => fitCox(base(), { init: [1, 2] }))).toMatch(/^invalid-option.*init/);
  });
});
