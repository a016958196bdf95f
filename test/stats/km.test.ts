import {
  kaplanMeier,
  kmQuantile,
  nRiskAt,
  survivalAt,
  type ConfType,
  type KaplanMeierFit,
} from '../../src/stats/km.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

type Num = number | null;
interface KmCase {
  name: string;
  call: string;
  input: { time: number[]; status: number[]; weights?: number[] };
  confType: ConfType;
  confLevel: number;
  robust: boolean;
  fit: {
    time: number[];
    n_risk: number[];
    n_event: number[];
    n_censor: number[];
    surv: number[];
    cumhaz: number[];
    std_err: Num[];
    std_err_inf: number[] | number;
    se: Num[];
    lower?: Num[];
    upper?: Num[];
  };
  quantile: { probs: number[]; estimate: Num[]; lower?: Num[]; upper?: Num[] };
  print_median: { estimate: Num; lower?: Num; upper?: Num };
  at: {
    times: number[];
    time: number[];
    surv: number[];
    se: Num[];
    lower?: Num[];
    upper?: Num[];
    n_risk: number[];
    n_event: number[];
    n_censor: number[];
  };
  risk: { times: number[]; n_risk: number[] };
}

// Every expected value: test/reference/km.R (survival 3.5-3), the R call is in each case's `call`.
const fixture = loadFixture<{ cases: KmCase[] }>('km');
// jsonlite writes a length-1 vector as a scalar
const arr = <T>(x: T[] | T | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const nums = (x: Num[] | Num | undefined): Num[] => arr(x);

function fitOf(c: KmCase): KaplanMeierFit {
  return kaplanMeier(c.input.time, c.input.status, {
    weights: c.input.weights ?? undefined,
    confType: c.confType,
    confLevel: c.confLevel,
  });
}

describe('kaplanMeier matches survfit', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const fit = fitOf(c);
    // closed-form sums: tight; the robust variance sums n squared influences: 1e-9
    const tight = { rtol: 1e-12 };
    const opts = { rtol: c.robust ? 1e-9 : 1e-10 };
    expect(fit.variance).toBe(c.robust ? 'robust' : 'greenwood');
    expect(fit.logse).toBe(!c.robust);
    expect(fit.confType).toBe(c.confType);
    expectAllClose(fit.time, arr(c.fit.time), { ...tight, label: 'time' });
    expectAllClose(fit.nRisk, arr(c.fit.n_risk), { ...tight, label: 'n.risk' });
    expectAllClose(fit.nEvent, arr(c.fit.n_event), { ...tight, label: 'n.event' });
    expectAllClose(fit.nCensor, arr(c.fit.n_censor), { ...tight, label: 'n.censor' });
    expectAllClose(fit.surv, arr(c.fit.surv), { ...opts, label: 'surv' });
    expectAllClose(fit.cumhaz, arr(c.fit.cumhaz), { ...opts, label: 'cumhaz' });
    const inf = new Set(arr(c.fit.std_err_inf));
    const stdErr = Array.from(fit.stdErr, (v, i) => {
      expect(v === Infinity).toBe(inf.has(i));
      return v === Infinity ? NaN : v;
    });
    expectAllClose(stdErr, nums(c.fit.std_err), { ...opts, label: 'std.err' });
    expectAllClose(fit.se, nums(c.fit.se), { ...opts, label: 'summary std.err' });
    if (c.confType !== 'none') {
      expectAllClose(fit.lower, nums(c.fit.lower), { ...opts, label: 'lower' });
      expectAllClose(fit.upper, nums(c.fit.upper), { ...opts, label: 'upper' });
    }
  });
});

describe('kmQuantile matches quantile.survfit; median matches print.survfit', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const fit = fitOf(c);
    const q = kmQuantile(fit, c.quantile.probs);
    const opts = { rtol: 1e-12 };
    expectAllClose(
      q.map((x) => x.estimate),
      nums(c.quantile.estimate),
      { ...opts, label: 'quantile' },
    );
    if (c.confType !== 'none') {
      expectAllClose(
        q.map((x) => x.lower),
        nums(c.quantile.lower),
        { ...opts, label: 'quantile lower' },
      );
      expectAllClose(
        q.map((x) => x.upper),
        nums(c.quantile.upper),
        { ...opts, label: 'quantile upper' },
      );
    }
    expectAllClose([fit.median.estimate], [c.print_median.estimate], { ...opts, label: 'median' });
    if (c.confType !== 'none') {
      expectAllClose(
        [fit.median.lower, fit.median.upper],
        [c.print_median.lower ?? null, c.print_median.upper ?? null],
        { ...opts, label: 'median limits' },
      );
    } else {
      expect(fit.median.lower).toBeNull();
    }
  });

  test('median is null, not NaN, where the curve never reaches 0.5', () => {
    const c = fixture.cases.find((x) => x.name === 'median not reached')!;
    expect(fitOf(c).median.estimate).toBeNull();
  });
});

describe('survivalAt and nRiskAt match summary(fit, times)', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const fit = fitOf(c);
    const at = survivalAt(fit, c.at.times);
    const opts = { rtol: c.robust ? 1e-9 : 1e-10 };
    expectAllClose(at.time, arr(c.at.time), { rtol: 0, label: 'time' });
    expectAllClose(at.surv, arr(c.at.surv), { ...opts, label: 'surv' });
    expectAllClose(at.se, nums(c.at.se), { ...opts, label: 'std.err' });
    if (c.confType !== 'none') {
      expectAllClose(at.lower, nums(c.at.lower), { ...opts, label: 'lower' });
      expectAllClose(at.upper, nums(c.at.upper), { ...opts, label: 'upper' });
    }
    expectAllClose(at.nRisk, arr(c.at.n_risk), { rtol: 1e-12, label: 'n.risk' });
    expectAllClose(at.nEvent, arr(c.at.n_event), { rtol: 1e-12, label: 'n.event' });
    expectAllClose(at.nCensor, arr(c.at.n_censor), { rtol: 1e-12, label: 'n.censor' });
    expectAllClose(nRiskAt(fit, c.risk.times), arr(c.risk.n_risk), {
      rtol: 1e-12,
      label: 'nRiskAt',
    });
  });

  test('times after the last follow-up are dropped with a warning', () => {
    const c = fixture.cases.find((x) => x.name === 'aml')!;
    const fit = fitOf(c);
    const at = survivalAt(fit, [Math.max(...c.input.time) + 10]);
    expect(at.time).toHaveLength(0);
    expect(at.warnings.map((w) => w.code)).toEqual(['times-beyond-follow-up']);
  });
});

describe('warnings', () => {
  test('zero events is a warning, not NaN', () => {
    const c = fixture.cases.find((x) => x.name === 'no events')!;
    const fit = fitOf(c);
    expect(fit.warnings.map((w) => w.code)).toContain('no-events');
    expect(Array.from(fit.surv).every((s) => s === 1)).toBe(true);
    expect(fit.median.estimate).toBeNull();
  });

  test('undefined confidence limits (S = 0) are reported', () => {
    const c = fixture.cases.find((x) => x.name === 'small ties last event')!;
    expect(fitOf(c).warnings.map((w) => w.code)).toContain('ci-undefined');
  });
});

describe('input validation', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(StatsError);
      return (e as StatsError).code;
    }
    throw new Error('expected a StatsError');
  };

  test('negative time names its index', () => {
    try {
      kaplanMeier([1, 2, -3, 4], [1, 0, 1, 1]);
      throw new Error('no error');
    } catch (e) {
      const err = e as StatsError;
      expect(err.code).toBe('invalid-time');
      expect(err.index).toBe(2);
      expect(err.message).toBe(
        'invalid time at observation 2: expected a finite number > 0, found -3',
      );
    }
  });
  test('NaN, zero and infinite times', () => {
    expect(code(() => kaplanMeier([1, NaN], [1, 1]))).toBe('invalid-time');
    expect(code(() => kaplanMeier([0, 1], [1, 1]))).toBe('invalid-time');
    expect(code(() => kaplanMeier([1, Infinity], [1, 1]))).toBe('invalid-time');
  });
  test('status not 0/1', () => {
    expect(code(() => kaplanMeier([1, 2], [1, 2]))).toBe('invalid-status');
  });
  test('weights <= 0', () => {
    expect(code(() => kaplanMeier([1, 2], [1, 1], { weights: [1, 0] }))).toBe('invalid-weight');
    expect(code(() => kaplanMeier([1, 2], [1, 1], { weights: [1, -1] }))).toBe('invalid-weight');
  });
  test('length mismatch', () => {
    expect(code(() => kaplanMeier([1, 2, 3], [1, 1]))).toBe('length-mismatch');
    expect(code(() => kaplanMeier([1, 2], [1, 1], { weights: [1] }))).toBe('length-mismatch');
  });
  test('empty input and a single observation', () => {
    expect(code(() => kaplanMeier([], []))).toBe('empty-input');
    expect(code(() => kaplanMeier([1], [1]))).toBe('too-few-observations');
  });
  test('bad options', () => {
    expect(code(() => kaplanMeier([1, 2], [1, 1], { confLevel: 1.2 }))).toBe('invalid-option');
    expect(
      code(() => kaplanMeier([1, 2], [1, 1], { confType: 'bogus' as unknown as ConfType })),
    ).toBe('invalid-option');
    const fit = kaplanMeier([1, 2], [1, 1]);
    expect(code(() => kmQuantile(fit, [1.5]))).toBe('invalid-option');
    expect(code(() => survivalAt(fit, [NaN]))).toBe('invalid-time');
  });
  test('typed-array input gives the same fit as number[]', () => {
    const c = fixture.cases[0]!;
    const a = kaplanMeier(c.input.time, c.input.status);
    const b = kaplanMeier(Float64Array.from(c.input.time), Int32Array.from(c.input.status));
    expect(Array.from(b.surv)).toEqual(Array.from(a.surv));
  });
});
