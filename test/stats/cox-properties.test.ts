import fc from 'fast-check';
import { fitCox, type CoxData, type CoxFit, type CoxOptions } from '../../src/stats/cox.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose } from '../helpers/close.js';

/**
 * A covariate value in [−3, 3]; magnitudes below 1e-12 become 0. fast-check's doubles include
 * subnormal numbers (|x| < 2.2e-308), whose few bits of precision make a column such as
 * (0, …, 0, −2.4e-305) collinear or not depending on row order — no data set has such a
 * covariate, and the properties are about data.
 */
const covariate = fc
  .double({ min: -3, max: 3, noNaN: true })
  .map((v) => (Math.abs(v) < 1e-12 ? 0 : v));

/** Small data sets with tied integer times, a continuous and a binary covariate, optional weights/strata. */
const dataset = fc.integer({ min: 8, max: 40 }).chain((n) =>
  fc.record({
    time: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: n, maxLength: n }),
    status: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    x1: fc.array(covariate, { minLength: n, maxLength: n }),
    x2: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    weights: fc.option(
      fc.array(fc.double({ min: 0.2, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
    ),
    strata: fc.option(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n })),
    cluster: fc.option(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n })),
    ties: fc.constantFrom<'efron' | 'breslow'>('efron', 'breslow'),
  }),
);

type Gen = typeof dataset extends fc.Arbitrary<infer T> ? T : never;

function toData(g: Gen): CoxData {
  const d: CoxData = { time: g.time, status: g.status, x: [g.x1, g.x2], names: ['x1', 'x2'] };
  if (g.weights) d.weights = g.weights;
  if (g.strata) d.strata = g.strata;
  if (g.cluster) d.cluster = g.cluster;
  return d;
}

/**
 * Fits, or returns undefined for degenerate draws (no events, constant/collinear columns, infinite
 * β). A |log HR| above 20 (HR beyond 5·10⁸) is a monotone likelihood even when R's rule does not
 * flag it (e.g. a covariate whose values are all ~1e-45): its variance is numerically meaningless.
 */
function tryFit(d: CoxData, options: CoxOptions): CoxFit | undefined {
  try {
    const f = fitCox(d, options);
    return f.warnings.length === 0 && f.coef.every((b) => Math.abs(b) <= 20) ? f : undefined;
  } catch (e) {
    if (e instanceof StatsError) return undefined;
    throw e;
  }
}

describe('fitCox properties', () => {
  test('negating a covariate negates its coefficient and keeps its variance', () => {
    fc.assert(
      fc.property(dataset, (g) => {
        const d = toData(g);
        const f = tryFit(d, { ties: g.ties });
        fc.pre(f !== undefined);
        const neg = { ...d, x: [Array.from(d.x[0]!, (v) => -v), d.x[1]!] } as CoxData;
        const h = fitCox(neg, { ties: g.ties });
        expectAllClose([-h.coef[0]!, h.coef[1]!], f!.coef, {
          rtol: 1e-6,
          atol: 1e-9,
          label: 'coef',
        });
        expectAllClose(h.se, f!.se, { rtol: 1e-6, atol: 1e-12, label: 'se' });
        expectAllClose(h.loglik, f!.loglik, { rtol: 1e-9, label: 'loglik' });
      }),
      { numRuns: 150 },
    );
  });

  test('row order does not matter', () => {
    fc.assert(
      fc.property(dataset, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (g, seed) => {
        const d = toData(g);
        const f = tryFit(d, { ties: g.ties });
        fc.pre(f !== undefined);
        // a seeded shuffle of the rows
        const n = d.time.length;
        const perm = Array.from({ length: n }, (_, i) => i);
        let s = seed;
        for (let i = n - 1; i > 0; i--) {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          const j = s % (i + 1);
          [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        }
        const pick = (a: ArrayLike<number>): number[] => perm.map((i) => a[i]!);
        const shuffled: CoxData = {
          ...d,
          time: pick(d.time),
          status: pick(d.status),
          x: d.x.map(pick),
        };
        if (d.weights) shuffled.weights = pick(d.weights);
        if (d.strata) shuffled.strata = pick(d.strata);
        if (d.cluster) shuffled.cluster = pick(d.cluster);
        const h = fitCox(shuffled, { ties: g.ties });
        expectAllClose(h.coef, f!.coef, { rtol: 1e-6, atol: 1e-9, label: 'coef' });
        expectAllClose(h.var, f!.var, { rtol: 1e-6, atol: 1e-12, label: 'var' });
        expectAllClose(h.loglik, f!.loglik, { rtol: 1e-9, label: 'loglik' });
        const lp = perm.map((i) => f!.internal.linearPredictor[i]!);
        expectAllClose(h.internal.linearPredictor, lp, { rtol: 1e-6, atol: 1e-9, label: 'lp' });
      }),
      { numRuns: 150 },
    );
  });
});
