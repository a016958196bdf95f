/** An analysis's details pooled over its replicates (src/run/combine.ts, poolDetails). */
import { AnalysisError } from '../../src/errors.js';
import type { AnalysisEstimate } from '../../src/run/analyses.js';
import { combine, poolDetails } from '../../src/run/combine.js';

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

describe('an unbounded combined interval (a near-degenerate fit)', () => {
  const settings = { confLevel: 0.95, parameterUncertainty: true, controlSize: 100 };
  const replicate = (q: number, u: number): AnalysisEstimate => ({
    measure: 'hazard-ratio',
    q,
    u,
    uControl: u / 10,
    treatedDf: 14,
    estimate: Math.exp(q),
    lower: 0,
    upper: 1,
    p: 0.5,
    method: 'cox-adjusted',
    details: {},
    warnings: [],
  });

  test('is an analysis error naming the analysis, not an overflowing number', () => {
    // SE ≈ 380 on the log scale: exp(q̄ + t·SE) is beyond every double
    const per = [-7.1, -7.2, -7.1].map((q) => replicate(q, 400 ** 2));
    expect(() => combine('secondary.1', 'Adjusted Cox', per, settings)).toThrow(AnalysisError);
    expect(() => combine('secondary.1', 'Adjusted Cox', per, settings)).toThrow(
      /Adjusted Cox: the combined interval is unbounded/,
    );
  });

  test('a large but representable interval is reported', () => {
    const per = [-7.1, -7.2, -7.1].map((q) => replicate(q, 30 ** 2));
    const c = combine('secondary.1', 'Adjusted Cox', per, settings);
    expect(Number.isFinite(c.upper)).toBe(true);
    expect(c.upper).toBeGreaterThan(1e20);
  });
});
