import { kaplanMeier } from '../../src/stats/km.js';
import {
  rmst,
  rmstArea,
  rmstInfluence,
  type RmstContrast,
  type RmstEstimate,
} from '../../src/stats/rmst.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

interface Est {
  estimate: number;
  se: number;
  lower: number;
  upper: number;
}
interface Arm {
  n: number;
  events: number;
  rmst: Est;
  rmtl: Est;
  variance: number;
  survival_rmean: number;
  survival_se_rmean: number;
}
interface Contrast {
  estimate: number;
  lower: number;
  upper: number;
  p: number;
  se: number;
}
interface RmstCase {
  name: string;
  call: string;
  input: { time: number[]; status: number[]; arm: number[]; tau: number | null };
  confLevel: number;
  tau: number;
  tau_bound: number;
  control: Arm;
  treated: Arm;
  difference: Contrast;
  ratio: Contrast;
  rmtl_ratio: Contrast;
}

// Every expected value: test/reference/rmst.R — survRM2 1.0-4's rmst1/rmst2 method written out
// on survfit (survival 3.5-3), each arm also checked there against summary(fit, rmean = tau).
const fixture = loadFixture<{ cases: RmstCase[] }>('rmst');
const opts = { rtol: 1e-10 };

function closeEst(a: RmstEstimate | RmstContrast, e: Est | Contrast, label: string): void {
  expectClose(a.estimate, e.estimate, { ...opts, label: `${label} estimate` });
  expectClose(a.se, e.se, { ...opts, label: `${label} se` });
  expectClose(a.lower, e.lower, { ...opts, label: `${label} lower` });
  expectClose(a.upper, e.upper, { ...opts, label: `${label} upper` });
  if ('p' in e) expectClose((a as RmstContrast).p, e.p, { rtol: 1e-9, label: `${label} p` });
}

describe('rmst matches survRM2::rmst2 (unadjusted)', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = rmst(c.input.time, c.input.status, c.input.arm, {
      tau: c.input.tau ?? undefined,
      confLevel: c.confLevel,
    });
    expect(r.tau).toBe(c.tau);
    expect(r.tauDefault).toBe(c.input.tau === null);
    for (const [arm, e] of [
      [r.control, c.control],
      [r.treated, c.treated],
    ] as const) {
      expect(arm.n).toBe(e.n);
      expect(arm.events).toBe(e.events);
      closeEst(arm.rmst, e.rmst, 'rmst');
      closeEst(arm.rmtl, e.rmtl, 'rmtl');
      expectClose(arm.variance, e.variance, { ...opts, label: 'variance' });
      // R survival's own restricted mean and its se
      expectClose(arm.rmst.estimate, e.survival_rmean, { ...opts, label: 'rmean' });
      expectClose(arm.rmst.se, e.survival_se_rmean, { ...opts, label: 'se(rmean)' });
    }
    closeEst(r.difference, c.difference, 'difference');
    closeEst(r.ratio, c.ratio, 'ratio');
    closeEst(r.rmtlRatio!, c.rmtl_ratio, 'rmtl ratio');
  });

  test('a tau past the limit is an error, as in survRM2', () => {
    const c = fixture.cases.find((x) => x.name.startsWith('small n, shorter arm censored'))!;
    expect(() =>
      rmst(c.input.time, c.input.status, c.input.arm, { tau: c.tau_bound + 0.5 }),
    ).toThrow(StatsError);
    try {
      rmst(c.input.time, c.input.status, c.input.arm, { tau: c.tau_bound + 0.5 });
    } catch (e) {
      expect((e as StatsError).code).toBe('tau-out-of-range');
    }
    // at the limit it is fine
    expect(rmst(c.input.time, c.input.status, c.input.arm, { tau: c.tau_bound }).tau).toBe(
      c.tau_bound,
    );
  });
});

describe('rmst edge cases and validation', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(StatsError);
      return (e as StatsError).code;
    }
    throw new Error('expected a StatsError');
  };
  test('an arm without events: warning; RMTL ratio null', () => {
    const r = rmst([1, 2, 3, 1.5, 2.5, 6], [0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1], { tau: 3 });
    expect(r.warnings.map((w) => w.code)).toEqual(['no-events', 'rmtl-zero']);
    expect(r.control.rmst.estimate).toBe(3);
    expect(r.rmtlRatio).toBeNull();
  });
  test('no events in either arm before tau is an error', () => {
    expect(code(() => rmst([1, 2, 3, 4], [0, 0, 0, 0], [0, 0, 1, 1]))).toBe('no-events');
  });
  test('bad input', () => {
    expect(code(() => rmst([1, NaN, 3, 4], [1, 1, 1, 1], [0, 0, 1, 1]))).toBe('invalid-time');
    expect(code(() => rmst([1, 2, 3, 4], [1, 1, 1, 2], [0, 0, 1, 1]))).toBe('invalid-status');
    expect(code(() => rmst([1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 1]))).toBe('length-mismatch');
    expect(code(() => rmst([], [], []))).toBe('empty-input');
    expect(code(() => rmst([1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 0, 0]))).toBe('single-group');
    expect(code(() => rmst([1, 2, 3, 4], [1, 1, 1, 1], [0, 1, 2, 2]))).toBe('invalid-group');
    expect(code(() => rmst([1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 1, Infinity]))).toBe('invalid-group');
    expect(code(() => rmst([1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 1, 1], { tau: -1 }))).toBe(
      'invalid-option',
    );
    expect(code(() => rmst([1, 2, 3, 4], [1, 1, 1, 1], [0, 0, 1, 1], { confLevel: 2 }))).toBe(
      'invalid-option',
    );
  });
});

describe('rmstArea: the one RMST of a Kaplan–Meier fit (rmst2 per arm; survmean with weights)', () => {
  test("an unweighted arm's fit gives exactly rmst's arm", () => {
    for (const c of fixture.cases) {
      const r = rmst(c.input.time, c.input.status, c.input.arm, {
        tau: c.input.tau ?? undefined,
        confLevel: c.confLevel,
      });
      for (const [code, arm] of [
        [r.groupCodes[0], r.control],
        [r.groupCodes[1], r.treated],
      ] as const) {
        const keep = c.input.arm.map((g, i) => (g === code ? i : -1)).filter((i) => i >= 0);
        const fit = kaplanMeier(
          keep.map((i) => c.input.time[i]!),
          keep.map((i) => c.input.status[i]!),
        );
        const a = rmstArea(fit, r.tau);
        expect(a.estimate).toBe(arm.rmst.estimate);
        expect(a.se).toBe(arm.rmst.se);
        expect(a.variance).toBe(arm.variance);
        expect(a.events).toBe(arm.events);
      }
    }
  });

  test('integer case weights act as repeated observations', () => {
    const time = [2, 3, 3, 5, 7, 8, 11];
    const status = [1, 0, 1, 1, 0, 1, 0];
    const w = [2, 1, 3, 1, 2, 1, 2];
    const rep = (x: number[]): number[] => x.flatMap((v, i) => new Array<number>(w[i]!).fill(v));
    const weighted = rmstArea(kaplanMeier(time, status, { weights: w }), 10);
    const repeated = rmstArea(kaplanMeier(rep(time), rep(status)), 10);
    for (const k of ['estimate', 'se', 'variance', 'events'] as const) {
      expectClose(weighted[k], repeated[k], { rtol: 1e-14, label: k });
    }
  });

  test('a tau before the first time: the area is tau, with no variance', () => {
    const a = rmstArea(kaplanMeier([2, 3, 4], [1, 1, 0]), 1.5);
    expect(a).toEqual({ estimate: 1.5, se: 0, variance: 0, events: 0 });
  });
});

interface InfluenceCase {
  name: string;
  input: { time: number[]; status: number[]; tau: number };
  influence: number[];
  sum_squares: number;
  se_rmean: number;
}
interface PairedCase {
  name: string;
  input: {
    time1: number[];
    status1: number[];
    time0: number[];
    status0: number[];
    tau: number;
  };
  paired_variance: number;
  unpaired_variance: number;
}

describe('rmstInfluence against R (resid(survfit(...), type = "sojourn"))', () => {
  const fixture = loadFixture<{ cases: (InfluenceCase | PairedCase)[] }>('rmst-influence');
  const single = fixture.cases.filter((c): c is InfluenceCase => 'influence' in c);
  const influenceOf = (time: number[], status: number[], tau: number): Float64Array =>
    rmstInfluence(kaplanMeier(time, status), time, status, tau);

  it.each(single.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { time, status, tau } = c.input;
    const d = influenceOf(time, status, tau);
    // |D| near 0 for observations past the last event before τ: 1e-12 absolute floor
    d.forEach((v, i) =>
      expectClose(v, c.influence[i]!, { label: `D[${i}]`, rtol: 1e-9, atol: 1e-12 }),
    );
    const ss = d.reduce((a, v) => a + v * v, 0);
    expectClose(ss, c.sum_squares, { rtol: 1e-9 });
    // Σ D² is the Greenwood variance of the area, which rmstArea and R's se(rmean) report
    expectClose(ss, rmstArea(kaplanMeier(time, status), tau).variance, { rtol: 1e-9 });
    expectClose(Math.sqrt(ss), c.se_rmean, { rtol: 1e-9 });
  });

  it('gives the paired (cluster-robust) variance of a difference between twin arms', () => {
    const c = fixture.cases.find((x): x is PairedCase => 'paired_variance' in x)!;
    const { time1, status1, time0, status0, tau } = c.input;
    const d1 = influenceOf(time1, status1, tau);
    const d0 = influenceOf(time0, status0, tau);
    let paired = 0;
    for (let i = 0; i < d1.length; i++) paired += (d1[i]! - d0[i]!) ** 2;
    expectClose(paired, c.paired_variance, { rtol: 1e-9 });
    expect(paired).toBeLessThan(c.unpaired_variance);
  });

  it('refuses observations that are not the fit’s', () => {
    const fit = kaplanMeier([1, 2, 3], [1, 0, 1]);
    expect(() => rmstInfluence(fit, [1, 2], [1, 0], 2)).toThrow(StatsError);
  });
});
