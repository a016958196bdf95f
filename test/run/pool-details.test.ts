/** An analysis's details pooled over its replicates (src/run/combine.ts, poolDetails). */
import { poolDetails } from '../../src/run/combine.js';

test('shared values are kept, flags must hold everywhere, numbers that vary are averaged with their range', () => {
  const pooled = poolDetails([
    { ties: 'efron', converged: true, iterations: 4, tau: 24, trimmed: 0, interval: 'wald' },
    { ties: 'efron', converged: false, iterations: 6, tau: 24, trimmed: 2, interval: 'wald' },
    { ties: 'efron', converged: true, iterations: 5, tau: 24, trimmed: 1, interval: 'score' },
  ]);
  expect(pooled).toEqual({
    ties: 'efron',
    converged: false,
    iterations: 5,
    iterationsMin: 4,
    iterationsMax: 6,
    tau: 24,
    trimmed: 1,
    trimmedMin: 0,
    trimmedMax: 2,
    interval: 'wald | score',
    pooled: 'over 3 replicates',
  });
});

test('one replicate is its own details', () => {
  expect(poolDetails([{ converged: true, iterations: 3 }])).toEqual({
    converged: true,
    iterations: 3,
    pooled: 'over 1 replicate',
  });
});
