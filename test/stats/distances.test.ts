/**
 * Distance kernels of `ecasim audit` against R (test/reference/audit.R: ks.test, cor.test,
 * chisq.test-based Cramér's V, wilcox.test AUC, quantile type 7, Wasserstein-1 by R's ecdf),
 * closed forms on known distributions, and the k-d tree against brute force (fast-check).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { createStream } from '../../src/random/index.js';
import {
  aucMannWhitney,
  cramersV,
  gowerIndex,
  gowerRanges,
  hellinger,
  ksStatistic,
  nearestNeighbours,
  nearestNeighboursBrute,
  pearson,
  quantileSorted,
  totalVariation,
  wasserstein1,
} from '../../src/stats/distances.js';
import { pnorm } from '../../src/stats/distributions.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';
import { propertyOptions } from '../helpers/properties.js';

interface Case {
  name: string;
  x: number[];
  y: number[];
  ks: number;
  wasserstein: number;
  quantiles: { p: number[]; q: number[] };
  u: number[];
  v: number[];
  cor: { estimate: number; lower: number; upper: number };
  a: number[];
  b: number[];
  cramersV: number;
  scores: number[];
  labels: number[];
  auc: number;
}
const fixture = loadFixture('audit') as unknown as { cases: Case[] };

describe.each(fixture.cases.map((c) => [c.name, c] as const))('against R: %s', (_name, c) => {
  test('ks.test(x, y)$statistic', () => {
    expectClose(ksStatistic(c.x, c.y), c.ks, { rtol: 1e-12, label: 'D' });
  });
  test('Wasserstein-1 (integral of |ecdf(x) - ecdf(y)|)', () => {
    expectClose(wasserstein1(c.x, c.y), c.wasserstein, { rtol: 1e-9, label: 'W1' });
  });
  test('quantile(type = 7)', () => {
    const s = Float64Array.from(c.x).sort();
    c.quantiles.p.forEach((p, i) =>
      expectClose(quantileSorted(s, p), c.quantiles.q[i]!, { rtol: 1e-12, label: `q${p}` }),
    );
  });
  test('cor.test estimate and Fisher-z interval', () => {
    const r = pearson(c.u, c.v);
    expectClose(r.estimate, c.cor.estimate, { rtol: 1e-9, label: 'r' });
    expectClose(r.lower, c.cor.lower, { rtol: 1e-9, label: 'lower' });
    expectClose(r.upper, c.cor.upper, { rtol: 1e-9, label: 'upper' });
  });
  test("Cramér's V from chisq.test(correct = FALSE)", () => {
    expectClose(cramersV(c.a, c.b), c.cramersV, { rtol: 1e-9, label: 'V' });
  });
  test('AUC = wilcox.test W / (n1 n0)', () => {
    expectClose(aucMannWhitney(c.scores, c.labels), c.auc, { rtol: 1e-12, label: 'AUC' });
  });
});

describe('known distributions (closed forms)', () => {
  const rng = createStream(7);
  const n = 200000;
  const z1 = Float64Array.from({ length: n }, () => rng.normal());
  const z2 = Float64Array.from({ length: n }, () => rng.normal() + 0.5);

  test('KS of N(0,1) vs N(0.5,1) → 2Φ(0.25) − 1', () => {
    // sup |Φ(t) − Φ(t − 0.5)| is at t = 0.25; sampling error ~ 1.36·√(2/n) ≈ 0.004
    expectClose(ksStatistic(z1, z2), 2 * pnorm(0.25) - 1, { rtol: 0, atol: 0.006 });
  });
  test('Wasserstein-1 of N(0,1) vs N(0.5,1) → 0.5 (a shift moves every unit of mass 0.5)', () => {
    expectClose(wasserstein1(z1, z2), 0.5, { rtol: 0, atol: 0.01 });
  });
  test('Wasserstein-1 of a sample and its shift by c is exactly c', () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    expectClose(
      wasserstein1(
        x,
        x.map((v) => v + 2.5),
      ),
      2.5,
      { rtol: 1e-12 },
    );
    expect(ksStatistic(x, x)).toBe(0);
    expect(wasserstein1(x, x)).toBe(0);
  });
  test('total variation and Hellinger of Bernoulli(0.3) vs Bernoulli(0.5)', () => {
    expectClose(totalVariation([0.7, 0.3], [0.5, 0.5]), 0.2, { rtol: 1e-12 });
    const bc = Math.sqrt(0.7 * 0.5) + Math.sqrt(0.3 * 0.5);
    expectClose(hellinger([0.7, 0.3], [0.5, 0.5]), Math.sqrt(1 - bc), { rtol: 1e-12 });
    // counts are normalised
    expectClose(totalVariation([70, 30], [5, 5]), 0.2, { rtol: 1e-12 });
    expect(totalVariation([1, 0], [0, 1])).toBe(1);
    expect(hellinger([1, 0], [0, 1])).toBe(1);
  });
  test("Cramér's V is 1 for a perfect association and 0 for a constant", () => {
    expect(cramersV([0, 1, 2, 0, 1, 2], [2, 0, 1, 2, 0, 1])).toBeCloseTo(1, 12);
    expect(cramersV([0, 0, 0, 0], [0, 1, 0, 1])).toBe(0);
  });
  test('AUC is 1 for perfect separation and ½ for identical scores', () => {
    expect(aucMannWhitney([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(aucMannWhitney([1, 1, 1, 1], [0, 0, 1, 1])).toBe(0.5);
  });
});

describe('validation', () => {
  const err = (f: () => unknown, code: string) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(StatsError);
      expect((e as StatsError).code).toBe(code);
      return e as StatsError;
    }
    throw new Error('expected a StatsError');
  };
  test('non-finite values are reported with their index', () => {
    const e = err(() => ksStatistic([1, NaN, 3], [1, 2]), 'invalid-value');
    expect(e.index).toBe(1);
    expect(e.message).toMatch(/observation 1/);
    err(() => wasserstein1([1, 2], [Infinity]), 'invalid-value');
  });
  test('length mismatches, negative masses, empty masses', () => {
    err(() => totalVariation([0.5, 0.5], [1]), 'length-mismatch');
    err(() => hellinger([-1, 2], [1, 1]), 'invalid-value');
    err(() => totalVariation([0, 0], [1, 1]), 'empty-input');
    err(() => pearson([1, 2, 3, 4, 5], [1, 2, 3, 4]), 'length-mismatch');
  });
  test('a constant variable has no correlation; too few observations', () => {
    err(() => pearson([1, 1, 1, 1], [1, 2, 3, 4]), 'constant-variable');
    err(() => pearson([1, 2, 3], [1, 2, 3]), 'too-few-observations');
  });
  test('bad codes and labels', () => {
    err(() => cramersV([0, 1.5], [0, 1]), 'invalid-code');
    err(() => aucMannWhitney([1, 2, 3], [0, 2, 1]), 'invalid-label');
    err(() => aucMannWhitney([1, 2, 3], [1, 1, 1]), 'one-class');
  });
  test('Gower index: column mismatch between query and index', () => {
    const idx = gowerIndex({ numeric: [[1, 2]], categorical: [] });
    err(() => nearestNeighbours(idx, { numeric: [], categorical: [[0]] }), 'length-mismatch');
    err(() => gowerIndex({ numeric: [[1, 2]], categorical: [[0]] }), 'length-mismatch');
    err(() => gowerIndex({ numeric: [], categorical: [[0, -1]] }), 'invalid-code');
  });
});

describe('Gower nearest neighbours', () => {
  test('worked example', () => {
    // d = (|1 − 0|/10 + 0)/2 = 0.05 to the first record; (0.9 + 1)/2 = 0.95 to the second.
    const idx = gowerIndex({ numeric: [[0, 10]], categorical: [[0, 1]] });
    const r = nearestNeighbours(idx, { numeric: [[1]], categorical: [[0]] });
    expectClose(r.distance[0]!, 0.05, { rtol: 1e-12 });
    expectClose(r.distance2[0]!, 0.95, { rtol: 1e-12 });
    expect(r.index[0]).toBe(0);
    expect(Array.from(gowerRanges({ numeric: [[3, -1, 7]], categorical: [] }))).toEqual([8]);
  });

  test('differences beyond the training range are capped at 1 per column', () => {
    const idx = gowerIndex({ numeric: [[0, 1]], categorical: [[0, 0]] });
    const r = nearestNeighbours(idx, { numeric: [[100]], categorical: [[1]] });
    expect(r.distance[0]).toBe(1);
  });

  const record = fc.record({
    n: fc.integer({ min: 1, max: 120 }),
    m: fc.integer({ min: 1, max: 40 }),
    pNum: fc.integer({ min: 0, max: 4 }),
    pCat: fc.integer({ min: 0, max: 4 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
    ties: fc.boolean(),
  });
  test('the k-d tree finds the same distances as brute force (property)', () => {
    fc.assert(
      fc.property(record, ({ n, m, pNum, pCat, seed, ties }) => {
        if (pNum + pCat === 0) return;
        const rng = createStream(seed);
        const gen = (k: number) => ({
          numeric: Array.from({ length: pNum }, () =>
            Float64Array.from({ length: k }, () =>
              ties ? Math.floor(rng.random() * 4) : rng.normal() * 3,
            ),
          ),
          categorical: Array.from({ length: pCat }, (_, j) =>
            Int32Array.from({ length: k }, () => Math.floor(rng.random() * (2 + j))),
          ),
        });
        const ref = gen(n);
        const q = gen(m);
        const tree = nearestNeighbours(gowerIndex(ref), q);
        const brute = nearestNeighboursBrute(ref, q);
        for (let i = 0; i < m; i++) {
          expectClose(tree.distance[i]!, brute.distance[i]!, {
            rtol: 0,
            atol: 1e-12,
            label: `d1[${i}]`,
          });
          if (Number.isFinite(brute.distance2[i]!))
            expectClose(tree.distance2[i]!, brute.distance2[i]!, {
              rtol: 0,
              atol: 1e-12,
              label: `d2[${i}]`,
            });
          else expect(tree.distance2[i]).toBe(Infinity);
        }
      }),
      propertyOptions(150),
    );
  });

  test('exact on a larger mixed sample (2000 × 300, 15 columns)', () => {
    const rng = createStream(99);
    const gen = (k: number) => {
      const z = Float64Array.from({ length: k }, () => rng.normal());
      return {
        numeric: Array.from({ length: 7 }, (_, j) =>
          Float64Array.from(
            z,
            (zi) => Math.round(50 + 10 * (0.6 * zi + rng.normal())) + (j > 3 ? rng.random() : 0),
          ),
        ),
        categorical: Array.from({ length: 8 }, (_, j) =>
          Int32Array.from(z, (zi) =>
            Math.min(1 + (j % 4), Math.max(0, Math.floor(zi + rng.normal() + 1))),
          ),
        ),
      };
    };
    const ref = gen(2000);
    const q = gen(300);
    const tree = nearestNeighbours(gowerIndex(ref), q);
    const brute = nearestNeighboursBrute(ref, q);
    for (let i = 0; i < 300; i++) {
      expectClose(tree.distance[i]!, brute.distance[i]!, { rtol: 0, atol: 1e-12 });
      expectClose(tree.distance2[i]!, brute.distance2[i]!, { rtol: 0, atol: 1e-12 });
    }
  });
});

describe('Gower nearest neighbours: deep trees', () => {
  test('a categorical column with many levels (deep categorical splits) stays exact', () => {
    const rng = createStream(5);
    const gen = (k: number) => ({
      numeric: [Float64Array.from({ length: k }, () => rng.normal())],
      categorical: [Int32Array.from({ length: k }, () => Math.floor(rng.random() * 600))],
    });
    const ref = gen(3000);
    const q = gen(200);
    const tree = nearestNeighbours(gowerIndex(ref), q);
    const brute = nearestNeighboursBrute(ref, q);
    for (let i = 0; i < 200; i++)
      expectClose(tree.distance[i]!, brute.distance[i]!, { rtol: 0, atol: 1e-12 });
  });
});

describe('k-d tree with uneven categorical splits (regression)', () => {
  // 200 synthetic records of the flagship audit (runAudit with seed 1, n 200, mixed Gower data:
  // 2 numeric and 6 categorical columns) whose categorical splits made 73 nodes, more than the
  // node table's former bound 2·⌈n/6⌉ + 1 = 69: the search then cycled back to the root forever.
  const data = JSON.parse(
    readFileSync(new URL('./fixtures/kd-uneven-splits.json', import.meta.url), 'utf8'),
  ) as { ranges: number[]; numeric: number[][]; categorical: number[][] };

  test('the index holds every node and the search matches brute force', () => {
    const index = gowerIndex(data, { ranges: data.ranges });
    const n = data.numeric[0]!.length;
    expect(index.nodes.length / 4).toBeGreaterThan(2 * Math.ceil(n / 6) + 1);
    expect(index.nodes.length / 4).toBeLessThanOrEqual(2 * n - 1);
    const fast = nearestNeighbours(index, data);
    const slow = nearestNeighboursBrute(data, data, data.ranges);
    // the tree sums pre-scaled differences, the brute force scales each: equal to rounding
    for (let i = 0; i < n; i++) {
      expect(Math.abs(fast.distance[i]! - slow.distance[i]!)).toBeLessThan(1e-12);
      expect(Math.abs(fast.distance2[i]! - slow.distance2[i]!)).toBeLessThan(1e-12);
    }
  });
});
