import { hedgesG, meanDifference } from '../../src/stats/continuous.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

// Expected values: test/reference/effects.R — t.test(x1, x0, var.equal = FALSE) for Welch; Hedges' g
// by formula (exact J, Hedges & Olkin variance), checked there against metafor::escalc("SMD").
interface ContCase {
  x1: number[];
  x0: number[];
  confLevel: number;
  expected: { welch: Record<string, number>; hedges: Record<string, number> };
}
const fx = loadFixture<{ cases: { continuous: ContCase[] } }>('effects');
const cases = fx.cases.continuous.map((c) => [`n1=${c.x1.length} n0=${c.x0.length}`, c] as const);

describe('meanDifference', () => {
  test.each(cases)('%s matches t.test', (name, c) => {
    const r = meanDifference(c.x1, c.x0, { confLevel: c.confLevel });
    const e = c.expected.welch;
    for (const k of ['estimate', 'se', 'df', 'statistic'] as const) {
      expectClose(r[k], e[k], { rtol: 1e-9, label: `${name} ${k}` });
    }
    // p and the limits go through pt/qt (incomplete beta and its inverse)
    expectClose(r.p, e.p, { rtol: 1e-8, label: `${name} p` });
    expectClose(r.lower, e.lower, { rtol: 1e-8, label: `${name} lower` });
    expectClose(r.upper, e.upper, { rtol: 1e-8, label: `${name} upper` });
    expect(r.method).toBe('welch');
  });
});

describe('hedgesG', () => {
  test.each(cases)('%s matches the formula / metafor', (name, c) => {
    const r = hedgesG(c.x1, c.x0, { confLevel: c.confLevel });
    const e = c.expected.hedges;
    for (const k of ['estimate', 'se', 'lower', 'upper', 'd', 'correction', 'sdPooled'] as const) {
      expectClose(r[k], e[k], { rtol: 1e-9, label: `${name} ${k}` });
    }
  });
});

describe('input validation', () => {
  test.each([
    ['meanDifference', meanDifference],
    ['hedgesG', hedgesG],
  ] as const)('%s', (_n, fn) => {
    expect(() => fn([1], [1, 2])).toThrow('`x1` needs at least 2 observations, found 1');
    expect(() => fn([1, 2], [1, NaN, 3])).toThrow(
      'invalid value in `x0` at observation 1: expected a finite number, found NaN',
    );
    expect(() => fn([1, 1], [2, 2])).toThrow(/constant/);
    expect(() => fn([1, 2], [1, 2], { confLevel: 2 })).toThrow(/confLevel/);
    try {
      fn([1, 2, Infinity], [1, 2]);
    } catch (e) {
      expect(e).toBeInstanceOf(StatsError);
      expect((e as StatsError).index).toBe(2);
      expect((e as StatsError).field).toBe('x1');
    }
  });
});
