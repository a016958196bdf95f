/**
 * bootstrapCovariance against the ideal bootstrap's closed form: for the sample mean the
 * bootstrap covariance (B → ∞) is exactly the plug-in covariance / n, Σ(x − x̄)(y − ȳ)/n², so a
 * Monte-Carlo bootstrap of B = 20 000 resamples must agree within its MC error (relative SE of a
 * variance estimate ≈ √(2/B) ≈ 1%; tolerance 5%, about 5 SE).
 */
import { createStream } from '../../src/random/index.js';
import { bootstrapCovariance } from '../../src/stats/bootstrap.js';
import { StatsError } from '../../src/stats/errors.js';

const x = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 6.1, 4.9, 3.7, 2.2, 5.1, 3.9, 4.1, 2.6];
const y = x.map((v, i) => 0.5 * v + (i % 3) - 1);
const n = x.length;
const meanOf = (a: readonly number[], rows: Int32Array): number => {
  let s = 0;
  for (const i of rows) s += a[i]!;
  return s / rows.length;
};
const plugIn = (a: readonly number[], b: readonly number[]): number => {
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  return a.reduce((s, v, i) => s + (v - ma) * (b[i]! - mb), 0) / n / n;
};

describe('bootstrapCovariance', () => {
  test('the covariance of two means matches the ideal bootstrap within MC error', () => {
    const r = bootstrapCovariance(
      n,
      20000,
      (rows) => [meanOf(x, rows), meanOf(y, rows)],
      createStream(20261203),
    );
    expect(r.kept).toBe(20000);
    expect(r.failed).toBe(0);
    const want = [plugIn(x, x), plugIn(x, y), plugIn(y, x), plugIn(y, y)];
    want.forEach((w, k) => expect(Math.abs(r.covariance[k]! / w - 1)).toBeLessThan(0.05));
    expect(r.covariance[1]).toBe(r.covariance[2]);
  });

  test('is a function of the stream: same stream, same matrix; another stream, another', () => {
    const est = (rows: Int32Array) => [meanOf(x, rows)];
    const a = bootstrapCovariance(n, 200, est, createStream(1));
    const b = bootstrapCovariance(n, 200, est, createStream(1));
    const c = bootstrapCovariance(n, 200, est, createStream(2));
    expect(Array.from(a.covariance)).toEqual(Array.from(b.covariance));
    expect(c.covariance[0]).not.toBe(a.covariance[0]);
  });

  test('resamples the estimator cannot use are counted, not re-drawn', () => {
    const r = bootstrapCovariance(
      n,
      400,
      (rows) => (rows[0]! < n / 2 ? null : [meanOf(x, rows)]),
      createStream(3),
    );
    expect(r.kept + r.failed).toBe(400);
    expect(r.failed).toBeGreaterThan(100);
    expect(r.kept).toBeGreaterThan(100);
    // non-finite estimates are failures too
    const inf = bootstrapCovariance(n, 10, () => [Infinity], createStream(4));
    expect(inf.kept).toBe(0);
    expect(Number.isNaN(inf.covariance[0])).toBe(true);
  });

  test('validates its input', () => {
    const est = (rows: Int32Array) => [meanOf(x, rows)];
    expect(() => bootstrapCovariance(0, 10, est, createStream(1))).toThrow(StatsError);
    expect(() => bootstrapCovariance(n, 1, est, createStream(1))).toThrow(
      /replicates must be an integer >= 2, found 1/,
    );
    let k = 0;
    expect(() =>
      bootstrapCovariance(n, 5, () => (k++ === 0 ? [1] : [1, 2]), createStream(1)),
    ).toThrow(/returned 2 values on one resample and 1 on another/);
  });
});
