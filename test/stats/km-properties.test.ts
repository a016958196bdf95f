import fc from 'fast-check';
import { argsortNonNegative, kaplanMeier } from '../../src/stats/km.js';
import { logRank } from '../../src/stats/logrank.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { propertyOptions } from '../helpers/properties.js';

// Properties that hold for any data: no fixture values. Times on a coarse grid so ties are common.
const row = fc.record({
  time: fc.integer({ min: 1, max: 30 }).map((k) => k / 2),
  status: fc.integer({ min: 0, max: 1 }),
  weight: fc.integer({ min: 1, max: 400 }).map((k) => k / 100),
  group: fc.integer({ min: 0, max: 2 }),
});
const rows = fc.array(row, { minLength: 2, maxLength: 80 });

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('Kaplan–Meier properties', () => {
  test('S is in [0, 1] and non-increasing, with and without weights', () => {
    fc.assert(
      fc.property(rows, fc.boolean(), (d, weighted) => {
        const fit = kaplanMeier(
          d.map((r) => r.time),
          d.map((r) => r.status),
          weighted ? { weights: d.map((r) => r.weight) } : {},
        );
        for (let i = 0; i < fit.surv.length; i++) {
          const s = fit.surv[i]!;
          expect(s >= 0 && s <= 1).toBe(true);
          if (i > 0) expect(s <= fit.surv[i - 1]!).toBe(true);
          expect(Number.isNaN(fit.stdErr[i]!)).toBe(false);
        }
      }),
      propertyOptions(200),
    );
  });

  test('without censoring S(t) = 1 − ECDF(t) (weighted ECDF with weights)', () => {
    fc.assert(
      fc.property(rows, fc.boolean(), (d, weighted) => {
        const time = d.map((r) => r.time);
        const w = d.map((r) => (weighted ? r.weight : 1));
        const fit = kaplanMeier(
          time,
          time.map(() => 1),
          weighted ? { weights: w } : {},
        );
        const total = w.reduce((a, b) => a + b, 0);
        const expected = Array.from(fit.time, (t) => {
          let after = 0;
          for (let i = 0; i < time.length; i++) if (time[i]! > t) after += w[i]!;
          return after / total;
        });
        // the last value is exactly 0 in both; a product of ratios vs one ratio elsewhere
        expectAllClose(fit.surv, expected, { rtol: 1e-12, atol: 1e-15, label: '1 - ECDF' });
      }),
      propertyOptions(200),
    );
  });

  test('row order does not matter: the curve', () => {
    fc.assert(
      fc.property(rows, fc.integer(), fc.boolean(), (d, seed, weighted) => {
        const fit = (x: typeof d) =>
          kaplanMeier(
            x.map((r) => r.time),
            x.map((r) => r.status),
            weighted ? { weights: x.map((r) => r.weight) } : {},
          );
        const a = fit(d);
        const b = fit(shuffled(d, seed));
        expect(Array.from(b.time)).toEqual(Array.from(a.time));
        // weighted sums within a tie run change order: 1e-12
        expectAllClose(b.surv, a.surv, { rtol: 1e-12, label: 'surv' });
        expectAllClose(b.nRisk, a.nRisk, { rtol: 1e-12, label: 'n.risk' });
        expectAllClose(b.stdErr, a.stdErr, { rtol: 1e-10, label: 'std.err' });
      }),
      propertyOptions(200),
    );
  });

  test('row order does not matter: the log-rank test', () => {
    fc.assert(
      fc.property(rows, fc.integer(), fc.constantFrom(0, 1), (d0, seed, rho) => {
        // make the group codes dense 0..k-1 with at least two groups
        const d = d0.map((r, i) => ({ ...r, group: i < 2 ? i : Math.min(r.group, 1) }));
        const run = (x: typeof d) =>
          logRank(
            x.map((r) => r.time),
            x.map((r) => r.status),
            x.map((r) => r.group),
            { rho },
          );
        // a singular variance (R: "system is exactly singular") must not depend on order either
        const attempt = (x: typeof d) => {
          try {
            return run(x);
          } catch (e) {
            expect((e as StatsError).code).toBe('singular-variance');
            return null;
          }
        };
        const a = attempt(d);
        const b = attempt(shuffled(d, seed));
        expect(b === null).toBe(a === null);
        if (a === null || b === null) return;
        expectAllClose(b.observed, a.observed, { rtol: 1e-12, label: 'obs' });
        expectAllClose(b.expected, a.expected, { rtol: 1e-12, label: 'exp' });
        expectClose(b.statistic, a.statistic, { rtol: 1e-9, atol: 1e-12, label: 'chisq' });
      }),
      propertyOptions(200),
    );
  });

  test('the radix argsort is a stable sort of non-negative doubles', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 5 }),
            fc.double({ min: 0, max: 1e300, noNaN: true }),
            fc.double({ min: 0, max: 1e-300, noNaN: true }),
          ),
          { maxLength: 300 },
        ),
        (xs) => {
          const values = Float64Array.from(xs, (x) => Math.abs(x));
          const expected = Array.from(values.keys()).sort(
            (a, b) => values[a]! - values[b]! || a - b,
          );
          expect(Array.from(argsortNonNegative(values))).toEqual(expected);
        },
      ),
      propertyOptions(300),
    );
  });
});
