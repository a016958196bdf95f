import { logRank } from '../../src/stats/logrank.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

interface LrCase {
  name: string;
  call: string;
  input: { time: number[]; status: number[]; group: number[]; strata: number[] | null };
  rho: number;
  n: number[];
  observed: number[];
  expected: number[];
  observed_by_stratum: number[][] | null;
  expected_by_stratum: number[][] | null;
  variance: number[][];
  statistic: number;
  df: number;
  p: number;
}

// Every expected value: test/reference/logrank.R (survival 3.5-3), the R call in each case's `call`.
const fixture = loadFixture<{ cases: LrCase[] }>('logrank');

function run(c: LrCase) {
  return logRank(c.input.time, c.input.status, c.input.group, {
    rho: c.rho,
    strata: c.input.strata ?? undefined,
  });
}

describe('logRank matches survdiff', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = run(c);
    // sums in R's order; the statistic solves a small system: 1e-10
    const opts = { rtol: 1e-10 };
    expect(r.method).toBe(c.rho === 0 ? 'log-rank' : 'fleming-harrington');
    expect(Array.from(r.n)).toEqual(c.n);
    expectAllClose(r.observed, c.observed, { ...opts, label: 'obs' });
    expectAllClose(r.expected, c.expected, { ...opts, label: 'exp' });
    r.variance.forEach((row, i) =>
      // off-diagonal sums can cancel to ~0: absolute floor at 1e-12 of the diagonal scale
      expectAllClose(row, c.variance[i]!, { ...opts, atol: 1e-12, label: `var[${i}]` }),
    );
    if (c.observed_by_stratum !== null) {
      expect(r.observedByStratum).toHaveLength(c.observed_by_stratum.length);
      r.observedByStratum.forEach((o, s) =>
        expectAllClose(o, c.observed_by_stratum![s]!, { ...opts, label: `obs stratum ${s}` }),
      );
      r.expectedByStratum.forEach((e, s) =>
        expectAllClose(e, c.expected_by_stratum![s]!, { ...opts, label: `exp stratum ${s}` }),
      );
    }
    expectClose(r.statistic, c.statistic, { ...opts, label: 'chisq' });
    expect(r.df).toBe(c.df);
    expectClose(r.p, c.p, { rtol: 1e-9, label: 'p' });
  });

  test('a group never at risk at an event time is left out, with a warning', () => {
    const c = fixture.cases.find((x) => x.name === 'group never at risk at events')!;
    expect(run(c).warnings.map((w) => w.code)).toEqual(['group-not-at-risk']);
  });
});

describe('logRank edge cases and validation', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(StatsError);
      return (e as StatsError).code;
    }
    throw new Error('expected a StatsError');
  };
  test('zero events: statistic 0, p 1, a warning (R: p NaN)', () => {
    const r = logRank([1, 2, 3, 4], [0, 0, 0, 0], [0, 1, 0, 1]);
    expect(r.statistic).toBe(0);
    expect(r.p).toBe(1);
    expect(r.df).toBe(0);
    expect(r.warnings.map((w) => w.code)).toEqual(['no-events']);
  });
  test('bad input', () => {
    expect(code(() => logRank([1, -2], [1, 1], [0, 1]))).toBe('invalid-time');
    expect(code(() => logRank([1, 2], [1, 3], [0, 1]))).toBe('invalid-status');
    expect(code(() => logRank([1, 2], [1, 1], [0]))).toBe('length-mismatch');
    expect(code(() => logRank([], [], []))).toBe('empty-input');
    expect(code(() => logRank([1, 2], [1, 1], [0, 0]))).toBe('single-group');
    expect(code(() => logRank([1, 2], [1, 1], [0, NaN]))).toBe('invalid-group');
    expect(code(() => logRank([1, 2], [1, 1], [0, 1], { strata: [0, -1] }))).toBe('invalid-strata');
    expect(code(() => logRank([1, 2], [1, 1], [0, 1], { rho: NaN }))).toBe('invalid-option');
  });
  test('sparse stratum codes (larger than n) give the same test', () => {
    const c = fixture.cases.find((x) => x.name === 'veteran trt strata prior (codes 0, 10)')!;
    const a = run(c);
    const b = logRank(c.input.time, c.input.status, c.input.group, {
      strata: c.input.strata!.map((v) => v * 1e6 + 7),
    });
    expect(b.strata).toEqual([7, 10e6 + 7]);
    expect(a.strata).toEqual([0, 10]);
    expect(b.statistic).toBe(a.statistic);
  });
  test('any group codes are groups in increasing order, a huge one without a huge allocation', () => {
    const a = logRank([1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 1, 2]);
    const b = logRank([1, 2, 3, 4], [1, 1, 1, 1], [-3, -3, 0.5, 2 ** 40]);
    expect(b.groupCodes).toEqual([-3, 0.5, 2 ** 40]);
    expect(a.groupCodes).toEqual([0, 1, 2]);
    expect(b.statistic).toBe(a.statistic);
    expect(Array.from(b.n)).toEqual([2, 1, 1]);
  });
});
