import { eValue, inflationTippingPoint, tippingPoint } from '../../src/stats/sensitivity.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

// Expected values: test/reference/effects.R (E-values by the formulas of VanderWeele & Ding 2017
// as in EValue::evalues.HR; tipping points in closed form; inflation roots by uniroot(tol = 1e-14)).
interface EValueCase {
  hr: number;
  lower: number | null;
  upper: number | null;
  rare: boolean;
  expected: {
    rr: number;
    rrLower: number | null;
    rrUpper: number | null;
    estimate: number;
    limit: number | null;
    method: string;
  };
}
interface TipCase {
  logHr: number;
  se: number;
  alpha: number;
  sided: 1 | 2;
  direction: 'benefit' | 'harm';
  shifts: number[];
  expected: {
    shift: number;
    estimate: number;
    z: number;
    grid: {
      estimate: number[];
      lower: number[];
      upper: number[];
      p: number[];
      significant: boolean[];
    };
  };
}
interface InflCase {
  a: number;
  b: number;
  s0: number;
  c: number;
  alpha: number;
  sided: 1 | 2;
  grid: number[];
  expected: { inflation: number | null; significant: boolean; gridSignificant: boolean[] };
}
const fx = loadFixture<{
  cases: { evalues: EValueCase[]; tipping: TipCase[]; inflation: InflCase[] };
}>('effects');
const RTOL = 1e-12;

describe('eValue', () => {
  test.each(fx.cases.evalues.map((c, i) => [i, c] as const))(
    'case %i matches the formula in R',
    (i, c) => {
      const r = eValue(c.hr, c.lower, c.upper, { rare: c.rare });
      const e = c.expected;
      expectClose(r.rr.estimate, e.rr, { rtol: RTOL, label: `${i} rr` });
      expectClose(r.rr.lower, e.rrLower, { rtol: RTOL, label: `${i} rrLower` });
      expectClose(r.rr.upper, e.rrUpper, { rtol: RTOL, label: `${i} rrUpper` });
      expectClose(r.estimate, e.estimate, { rtol: RTOL, label: `${i} estimate` });
      expectClose(r.limit, e.limit, { rtol: RTOL, label: `${i} limit` });
      expect(r.method).toBe(e.method);
    },
  );

  test('validates its input', () => {
    expect(() => eValue(0, 0.1, 1, { rare: true })).toThrow(StatsError);
    expect(() => eValue(0.5, 0.6, 0.9, { rare: true })).toThrow(/lower <= hr <= upper/);
    expect(() => eValue(0.5, 0.4, null, { rare: true })).toThrow(/both confidence limits/);
    expect(() => eValue(0.5, 0.4, 0.6, {} as { rare: boolean })).toThrow(/`rare`/);
    expect(() => eValue(0.5, -1, 0.6, { rare: true })).toThrow(/`lower`/);
  });
});

describe('tippingPoint', () => {
  test.each(fx.cases.tipping.map((c, i) => [i, c] as const))('case %i matches R', (i, c) => {
    const r = tippingPoint(c.logHr, c.se, {
      alpha: c.alpha,
      sided: c.sided,
      direction: c.direction,
      shifts: c.shifts,
    });
    const e = c.expected;
    expectClose(r.shift, e.shift, { rtol: 1e-12, label: `${i} shift` });
    expectClose(r.estimate, e.estimate, { rtol: 1e-12, label: `${i} estimate` });
    expectClose(r.z, e.z, { rtol: 1e-12, label: `${i} z` });
    expectAllClose(
      r.grid.map((g) => g.estimate),
      e.grid.estimate,
      { rtol: 1e-12, label: `${i} grid estimate` },
    );
    expectAllClose(
      r.grid.map((g) => g.lower),
      e.grid.lower,
      { rtol: 1e-12, label: `${i} grid lower` },
    );
    expectAllClose(
      r.grid.map((g) => g.upper),
      e.grid.upper,
      { rtol: 1e-12, label: `${i} grid upper` },
    );
    expectAllClose(
      r.grid.map((g) => g.p),
      e.grid.p,
      { rtol: 1e-9, label: `${i} grid p` },
    );
    expect(r.grid.map((g) => g.significant)).toEqual(e.grid.significant);
    expect(r.significant).toBe(c.direction === 'benefit' ? e.shift > 0 : e.shift < 0);
  });

  test('default grid runs from 0 to twice the tipping shift', () => {
    const c = fx.cases.tipping[0]!;
    const r = tippingPoint(c.logHr, c.se);
    expect(r.grid).toHaveLength(21);
    expect(r.grid[0]!.shift).toBe(0);
    expectClose(r.grid[20]!.shift, 2 * c.expected.shift, { rtol: 1e-12 });
    expectClose(r.grid[10]!.upper, 1, { rtol: 1e-12, label: 'upper limit at the tipping point' });
  });

  test('validates its input', () => {
    expect(() => tippingPoint(NaN, 0.1)).toThrow(/log hazard ratio/);
    expect(() => tippingPoint(-0.5, 0)).toThrow(/standard error/);
    expect(() => tippingPoint(-0.5, 0.1, { alpha: 0 })).toThrow(/`alpha`/);
    expect(() => tippingPoint(-0.5, 0.1, { sided: 3 as 1 })).toThrow(/`sided`/);
    expect(() => tippingPoint(-0.5, 0.1, { direction: 'up' as 'harm' })).toThrow(/`direction`/);
    expect(() => tippingPoint(-0.5, 0.1, { shifts: [0, Infinity] })).toThrow(/position 1/);
  });
});

describe('inflationTippingPoint', () => {
  test.each(fx.cases.inflation.map((c, i) => [i, c] as const))(
    'case %i matches uniroot in R',
    (i, c) => {
      const refit = (k: number) => ({
        logHr: c.a + c.b * Math.log(k),
        se: c.s0 * (1 + c.c * (k - 1)),
      });
      const r = inflationTippingPoint(refit, {
        alpha: c.alpha,
        sided: c.sided,
        grid: c.grid,
        tol: 1e-12,
      });
      expect(r.significant).toBe(c.expected.significant);
      expect(r.grid.map((g) => g.significant)).toEqual(c.expected.gridSignificant);
      if (c.expected.inflation === null) {
        expect(r.inflation).toBeNull();
        expect(r.warnings.map((w) => w.code)).toEqual(['no-tipping-point']);
      } else {
        // bisection to 1e-12 against uniroot to 1e-14
        expectClose(r.inflation, c.expected.inflation, { rtol: 1e-10, label: `${i} inflation` });
        expect(r.bracket![0]).toBeLessThanOrEqual(c.expected.inflation + 1e-12);
        expect(r.bracket![1]).toBeGreaterThanOrEqual(c.expected.inflation - 1e-12);
        expect(r.evaluations).toBeGreaterThan(c.grid.length);
      }
    },
  );

  test('warns when the conclusion changes more than once', () => {
    const r = inflationTippingPoint((k) => ({ logHr: k > 1.5 && k < 2.5 ? 0 : -1, se: 0.1 }), {
      grid: [1, 2, 3],
    });
    expect(r.warnings.map((w) => w.code)).toEqual(['non-monotone']);
  });

  test('validates its input and what refit returns', () => {
    expect(() => inflationTippingPoint(() => ({ logHr: -1, se: 0.1 }), { grid: [1] })).toThrow(
      /at least 2/,
    );
    expect(() => inflationTippingPoint(() => ({ logHr: -1, se: 0.1 }), { grid: [1, 1] })).toThrow(
      /grid position 1/,
    );
    expect(() => inflationTippingPoint(() => ({ logHr: NaN, se: 0.1 }))).toThrow(
      /returned by refit\(1\)/,
    );
    expect(() => inflationTippingPoint(() => ({ logHr: -1, se: 0.1 }), { tol: 0 })).toThrow(
      /`tol`/,
    );
  });
});
