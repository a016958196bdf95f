/**
 * Non-uniform variates drawn from a stream: @stdlib's generators (https://stdlib.io) with the
 * stream injected as their `prng`, so every draw is named by (seed, path) like the uniforms.
 * The open uniform `(0, 1)` is injected rather than `[0, 1)`, so that the samplers' logarithms
 * (ziggurat tail, gamma acceptance) never meet 0.
 *
 * Each factory is made once per stream and variable, not per draw: a factory draws the seed of
 * its own ziggurat index generator from the stream when it is made.
 */
import gammaFactory from '@stdlib/random-base-gamma';
import type { RandomSource } from './index.js';

/**
 * Gamma(shape, 1) draws from `rng` (@stdlib/random-base-gamma: Marsaglia & Tsang 2000, "A simple
 * method for generating gamma variables", ACM TOMS 26:363–372; shape < 1 by the boost
 * Gamma(a) = Gamma(a + 1)·U^(1/a)). Out-of-domain shapes (≤ 0, NaN) give NaN.
 *
 * @example
 * const draw = gammaSampler(createStream(5));
 * draw(2.5); // a Gamma(2.5, 1) variate
 */
export function gammaSampler(rng: RandomSource): (shape: number) => number {
  const draw = gammaFactory.factory({ prng: () => rng.uniformOpen() });
  return (shape) => draw(shape, 1);
}
