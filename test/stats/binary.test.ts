import fc from 'fast-check';
import { fisherExact, oddsRatio, riskDifference, riskRatio } from '../../src/stats/binary.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';
import { propertyOptions } from '../helpers/properties.js';

// Expected values: test/reference/effects.R — prop.test(correct = FALSE) for the Wilson limits of
// Newcombe's method 10 and the pooled z test; Wald log RR / OR by formula (checked there against
// glm with log and logit links); fisher.test for the p-value and, for the conditional MLE and its
// interval, fisher.test's equations solved with uniroot(tol = 1e-13).
type Num = number | 'Inf' | null;
interface BinaryCase {
  events1: number;
  n1: number;
  events0: number;
  n0: number;
  confLevel: number;
  expected: {
    rd: Record<string, number>;
    rr: Record<string, number> & { mn: { lower: number; upper: Num } };
    or: Record<string, number> & { mn: { lower: number; upper: Num } };
    fisher: {
      p: number;
      rEstimate: Num;
      rLower: Num;
      rUpper: Num;
      tight: { estimate: Num; lower: Num; upper: Num };
    };
  };
}
const fx = loadFixture<{ cases: { binary: BinaryCase[] } }>('effects');
const num = (v: Num): number | null => (v === 'Inf' ? Infinity : v);
const label = (c: BinaryCase): string => `${c.events1}/${c.n1} vs ${c.events0}/${c.n0}`;
const cases = fx.cases.binary.map((c) => [label(c), c] as const);

describe('riskDifference', () => {
  test.each(cases)('%s matches R', (name, c) => {
    const r = riskDifference(c.events1, c.n1, c.events0, c.n0, { confLevel: c.confLevel });
    const e = c.expected.rd;
    const o = { rtol: 1e-12, atol: 1e-15, label: name };
    expectClose(r.estimate, e.estimate, { ...o, label: `${name} estimate` });
    expectClose(r.se, e.se, { ...o, label: `${name} se` });
    expectClose(r.lower, e.newcombeLower, {
      rtol: 1e-10,
      atol: 1e-14,
      label: `${name} newcombe lower`,
    });
    expectClose(r.upper, e.newcombeUpper, {
      rtol: 1e-10,
      atol: 1e-14,
      label: `${name} newcombe upper`,
    });
    expectClose(r.intervals.wald.lower, e.waldLower, { ...o, label: `${name} wald lower` });
    expectClose(r.intervals.wald.upper, e.waldUpper, { ...o, label: `${name} wald upper` });
    expectClose(r.statistic, e.statistic, { rtol: 1e-10, atol: 1e-15, label: `${name} statistic` });
    expectClose(r.p, e.p, { rtol: 1e-9, label: `${name} p` });
    expect(r.method).toBe('newcombe-hybrid-score');
    const w = riskDifference(c.events1, c.n1, c.events0, c.n0, {
      confLevel: c.confLevel,
      interval: 'wald',
    });
    expect([w.lower, w.upper]).toEqual([r.intervals.wald.lower, r.intervals.wald.upper]);
    expect(w.method).toBe('wald');
  });

  test('degenerate tables carry warnings, never NaN', () => {
    const r = riskDifference(0, 12, 0, 15);
    expect(r.warnings.map((w) => w.code)).toEqual(['degenerate-wald', 'degenerate-test']);
    expect(r.p).toBe(1);
    expect(Number.isNaN(r.lower) || Number.isNaN(r.upper)).toBe(false);
  });
});

describe.each([
  ['riskRatio', riskRatio, 'rr'],
  ['oddsRatio', oddsRatio, 'or'],
] as const)('%s', (_name, fn, key) => {
  test.each(cases)('%s matches R', (name, c) => {
    const r = fn(c.events1, c.n1, c.events0, c.n0, { confLevel: c.confLevel });
    const e = c.expected[key];
    for (const k of ['estimate', 'logEstimate', 'se', 'lower', 'upper', 'statistic'] as const) {
      expectClose(r[k], e[k], { rtol: 1e-12, atol: 1e-15, label: `${name} ${k}` });
    }
    expectClose(r.p, e.p, { rtol: 1e-9, label: `${name} p` });
    expect(r.correction).toBe(e.correction);
    expect(r.warnings.some((w) => w.code === 'zero-cell-correction')).toBe(e.correction! > 0);
    expect(r.method).toBe('wald-log');
    // Miettinen–Nurminen: both sides solve the score equation by root finding (R: uniroot 1e-14)
    const mn = r.intervals.miettinenNurminen;
    expectClose(mn.lower, e.mn.lower, { rtol: 1e-9, label: `${name} MN lower` });
    expectClose(mn.upper, num(e.mn.upper), { rtol: 1e-9, label: `${name} MN upper` });
    const s = fn(c.events1, c.n1, c.events0, c.n0, {
      confLevel: c.confLevel,
      interval: 'miettinen-nurminen',
    });
    expect([s.lower, s.upper, s.method]).toEqual([mn.lower, mn.upper, 'miettinen-nurminen']);
  });
});

describe('the zero-cell rule shared by riskRatio and oddsRatio', () => {
  test('risk ratio: corrected only for an arm without events; all events: se 0, p 1', () => {
    const all = riskRatio(5, 5, 4, 4);
    expect([all.correction, all.se, all.p, all.estimate]).toEqual([0, 0, 1, 1]);
    expect(all.warnings.map((w) => w.code)).toEqual(['degenerate-wald']);
    const none = riskRatio(0, 5, 2, 4);
    expect(none.correction).toBe(0.5);
    expect(none.warnings.map((w) => w.code)).toEqual(['zero-cell-correction']);
    expectClose(none.logEstimate, Math.log(0.5 / 6) - Math.log(2.5 / 5), { rtol: 1e-15 });
  });
  test('odds ratio: corrected for any zero cell, also all events in an arm', () => {
    const r = oddsRatio(5, 5, 2, 4);
    expect(r.correction).toBe(0.5);
    expect(r.warnings.map((w) => w.code)).toEqual(['zero-cell-correction']);
    expectClose(r.logEstimate, Math.log((5.5 * 2.5) / (0.5 * 2.5)), { rtol: 1e-14 });
    expect(oddsRatio(3, 5, 2, 4).correction).toBe(0);
  });
});

describe('fisherExact', () => {
  test.each(cases)('%s matches fisher.test', (name, c) => {
    const r = fisherExact(c.events1, c.n1 - c.events1, c.events0, c.n0 - c.events0, {
      confLevel: c.confLevel,
    });
    const e = c.expected.fisher;
    expectClose(r.p, e.p, { rtol: 1e-9, label: `${name} p` });
    // our roots are solved to double precision: compare to the tight solution of R's equations
    expectClose(r.estimate, num(e.tight.estimate), { rtol: 1e-8, label: `${name} estimate` });
    expectClose(r.lower, num(e.tight.lower), { rtol: 1e-8, label: `${name} lower` });
    expectClose(r.upper, num(e.tight.upper), { rtol: 1e-8, label: `${name} upper` });
    // ...and within uniroot's default tolerance of what fisher.test itself prints
    expectClose(r.estimate, num(e.rEstimate), { rtol: 1e-2, label: `${name} R estimate` });
    expectClose(r.lower, num(e.rLower), { rtol: 2e-2, label: `${name} R lower` });
    expectClose(r.upper, num(e.rUpper), { rtol: 2e-2, label: `${name} R upper` });
  });

  test('a table with an empty margin warns', () => {
    const r = fisherExact(0, 12, 0, 15);
    expect(r.warnings.map((w) => w.code)).toEqual(['degenerate-table']);
    expect(r.p).toBe(1);
  });
});

describe('input validation', () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(StatsError);
      return (e as StatsError).code;
    }
    return undefined;
  };
  test.each([
    ['riskDifference', riskDifference],
    ['riskRatio', riskRatio],
    ['oddsRatio', oddsRatio],
  ] as const)('%s', (_n, fn) => {
    expect(code(() => fn(5, 4, 1, 4))).toBe('invalid-count');
    expect(code(() => fn(1, 4, 5, 4))).toBe('invalid-count');
    expect(code(() => fn(1.5, 4, 1, 4))).toBe('invalid-count');
    expect(code(() => fn(-1, 4, 1, 4))).toBe('invalid-count');
    expect(code(() => fn(0, 0, 1, 4))).toBe('invalid-count');
    expect(code(() => fn(1, 4, 1, 4, { confLevel: 0 }))).toBe('invalid-option');
    expect(() => fn(1, 4, 1, NaN)).toThrow('invalid `n0`: expected an integer >= 1, found NaN');
  });
  test('fisherExact', () => {
    expect(code(() => fisherExact(0, 0, 1, 4))).toBe('empty-arm');
    expect(code(() => fisherExact(1, -1, 1, 4))).toBe('invalid-count');
    expect(code(() => riskDifference(1, 4, 1, 4, { interval: 'exact' as 'wald' }))).toBe(
      'invalid-option',
    );
    expect(code(() => riskRatio(1, 4, 1, 4, { interval: 'x' as 'wald-log' }))).toBe(
      'invalid-option',
    );
    expect(code(() => oddsRatio(1, 4, 1, 4, { interval: 'x' as 'wald-log' }))).toBe(
      'invalid-option',
    );
  });
});

describe('properties (fast-check)', () => {
  const table = fc
    .tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }))
    .chain(([n1, n0]) =>
      fc.tuple(
        fc.integer({ min: 0, max: n1 }),
        fc.constant(n1),
        fc.integer({ min: 0, max: n0 }),
        fc.constant(n0),
      ),
    );
  test('intervals contain their estimate and respect the parameter space; never NaN', () => {
    fc.assert(
      fc.property(table, ([x1, n1, x0, n0]) => {
        const rd = riskDifference(x1, n1, x0, n0);
        expect(rd.lower).toBeGreaterThanOrEqual(-1 - 1e-12);
        expect(rd.upper).toBeLessThanOrEqual(1 + 1e-12);
        expect(rd.lower).toBeLessThanOrEqual(rd.estimate + 1e-12);
        expect(rd.upper).toBeGreaterThanOrEqual(rd.estimate - 1e-12);
        for (const r of [riskRatio(x1, n1, x0, n0), oddsRatio(x1, n1, x0, n0)]) {
          for (const v of [r.estimate, r.lower, r.upper, r.se, r.p])
            expect(Number.isNaN(v)).toBe(false);
          const mn = r.intervals.miettinenNurminen;
          expect(mn.lower).toBeLessThanOrEqual(mn.upper);
          expect(mn.lower).toBeGreaterThanOrEqual(0);
        }
        const f = fisherExact(x1, n1 - x1, x0, n0 - x0);
        expect(f.p).toBeGreaterThan(0);
        expect(f.p).toBeLessThanOrEqual(1);
        expect(f.lower).toBeLessThanOrEqual(f.estimate);
        expect(f.upper).toBeGreaterThanOrEqual(f.estimate);
      }),
      propertyOptions(200),
    );
  });
});
