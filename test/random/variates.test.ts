/**
 * Variates drawn through @stdlib's factories with a stream injected: reproducible by stream name,
 * and with the moments of their distributions (theory, fixed seeds; each check allows 4.5
 * standard errors, so a correct sampler fails one with probability about 7e-6).
 */
import { createStream } from '../../src/random/index.js';
import { gammaSampler } from '../../src/random/variates.js';

const N = 100_000;

function moments(x: Float64Array): { mean: number; variance: number } {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / (x.length - 1);
  return { mean, variance };
}

function within(label: string, observed: number, expected: number, se: number): void {
  const z = (observed - expected) / se;
  if (Math.abs(z) > 4.5) {
    throw new Error(`${label}: expected ${expected}, observed ${observed}, z = ${z.toFixed(2)}`);
  }
}

describe('normal()', () => {
  test('the same stream name gives the same normals; a sibling gives others', () => {
    const a = createStream(3, 1);
    const b = createStream(3, 1);
    const c = createStream(3, 2);
    const xa = Array.from({ length: 100 }, () => a.normal());
    expect(Array.from({ length: 100 }, () => b.normal())).toEqual(xa);
    expect(Array.from({ length: 100 }, () => c.normal())).not.toEqual(xa);
  });

  test('mean 0, variance 1 (se √(1/n) and √(2/n))', () => {
    const s = createStream(11);
    const { mean, variance } = moments(Float64Array.from({ length: N }, () => s.normal()));
    within('mean', mean, 0, Math.sqrt(1 / N));
    within('variance', variance, 1, Math.sqrt(2 / N));
  });
});

describe('gammaSampler', () => {
  test('mean and variance equal the shape, below and above 1 (var of s² ≈ (2k² + 6k)/n)', () => {
    for (const shape of [0.3, 1, 4.5]) {
      const draw = gammaSampler(createStream(12, Math.round(shape * 10)));
      const { mean, variance } = moments(Float64Array.from({ length: N }, () => draw(shape)));
      within(`mean Gamma(${shape})`, mean, shape, Math.sqrt(shape / N));
      within(
        `variance Gamma(${shape})`,
        variance,
        shape,
        Math.sqrt((2 * shape * shape + 6 * shape) / N),
      );
    }
  });

  test('reproducible by stream name; NaN for shapes out of the domain', () => {
    const a = gammaSampler(createStream(4));
    const b = gammaSampler(createStream(4));
    const xa = [a(2), a(0.5), a(7)];
    expect([b(2), b(0.5), b(7)]).toEqual(xa);
    expect(a(0)).toBeNaN();
    expect(a(-1)).toBeNaN();
  });
});
