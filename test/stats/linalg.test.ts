import fc from 'fast-check';
import {
  cholesky,
  choleskyInverse,
  choleskySolve,
  matVec,
  quadForm,
} from '../../src/stats/linalg.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';
import { propertyOptions } from '../helpers/properties.js';

interface LinalgCase {
  p: number;
  a: number | number[];
  b: number | number[];
  solve: number | number[];
  inverse: number | number[];
  matVec: number | number[];
  quadForm: number;
}

// jsonlite unboxes length-1 vectors (the p = 1 case).
const arr = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);

// Written by test/reference/cox.R (base R's solve(), %*%), alongside the Cox fixtures.
const cases = loadFixture<{ cases: { linalg: LinalgCase[] } }>('cox').cases.linalg;

describe('linalg against R (solve, %*%)', () => {
  test.each(cases.map((c) => [c.p, c] as const))('p = %i', (_p, c) => {
    const a = arr(c.a);
    const b = arr(c.b);
    const f = cholesky(a, c.p);
    expect(f.rank).toBe(c.p);
    expect(f.singular).toEqual([]);
    expectAllClose(choleskySolve(f, b), arr(c.solve), { rtol: 1e-9, label: 'solve' });
    expectAllClose(choleskyInverse(f), arr(c.inverse), { rtol: 1e-9, label: 'inverse' });
    expectAllClose(matVec(a, c.p, b), arr(c.matVec), { rtol: 1e-12, label: 'matVec' });
    expectClose(quadForm(a, c.p, b), c.quadForm, { rtol: 1e-12, label: 'quadForm' });
  });
});

describe('rank check (survival cholesky2 semantics)', () => {
  test('a column equal to another is singular; the rest is solved as if it were absent', () => {
    // A = X'X with x2 = x1: columns 0 and 1 identical, column 2 independent.
    const a = [2, 2, 1, 2, 2, 1, 1, 1, 3];
    const f = cholesky(a, 3);
    expect(f.rank).toBe(2);
    expect(f.singular).toEqual([1]);
    expect(f.nonNegative).toBe(true);
    // The reduced system on columns {0, 2}: [[2,1],[1,3]] x = [1, 1] -> x = [0.4, 0.2]
    const x = choleskySolve(f, [1, 1, 1]);
    const reduced = choleskySolve(cholesky([2, 1, 1, 3], 2), [1, 1]);
    expectAllClose(x, [reduced[0]!, 0, reduced[1]!], { rtol: 1e-12 });
    const inv = choleskyInverse(f);
    const rinv = choleskyInverse(cholesky([2, 1, 1, 3], 2));
    expectAllClose(inv, [rinv[0]!, 0, rinv[1]!, 0, 0, 0, rinv[2]!, 0, rinv[3]!], { rtol: 1e-12 });
  });

  test('a zero matrix is all singular; a negative pivot is flagged', () => {
    expect(cholesky([0, 0, 0, 0], 2).singular).toEqual([0, 1]);
    expect(cholesky([1, 0, 0, -1], 2).nonNegative).toBe(false);
  });

  test('the input is not modified', () => {
    const a = new Float64Array([4, 2, 2, 3]);
    cholesky(a, 2);
    expect(Array.from(a)).toEqual([4, 2, 2, 3]);
  });
});

describe('properties', () => {
  const spd = fc.integer({ min: 1, max: 6 }).chain((p) =>
    fc
      .array(fc.double({ min: -3, max: 3, noNaN: true }), {
        minLength: p * (p + 2),
        maxLength: p * (p + 2),
      })
      .map((z) => {
        const n = p + 2;
        const a = new Float64Array(p * p);
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++) {
            let s = i === j ? 0.5 : 0; // ridge keeps it well-conditioned
            for (let r = 0; r < n; r++) s += z[r * p + i]! * z[r * p + j]!;
            a[i * p + j] = s;
          }
        return { p, a };
      }),
  );

  test('A · inverse(A) = I and A · solve(A, b) = b', () => {
    fc.assert(
      fc.property(spd, ({ p, a }) => {
        const f = cholesky(a, p);
        const inv = choleskyInverse(f);
        for (let j = 0; j < p; j++) {
          const col = Float64Array.from({ length: p }, (_, i) => inv[i * p + j]!);
          const e = matVec(a, p, col);
          for (let i = 0; i < p; i++)
            expect(Math.abs(e[i]! - (i === j ? 1 : 0))).toBeLessThan(1e-8);
        }
        const b = Float64Array.from({ length: p }, (_, i) => i + 1);
        const back = matVec(a, p, choleskySolve(f, b));
        for (let i = 0; i < p; i++)
          expect(Math.abs(back[i]! - b[i]!)).toBeLessThan(1e-8 * (1 + Math.abs(b[i]!)));
      }),
      propertyOptions(200),
    );
  });
});
