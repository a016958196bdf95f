import fc from 'fast-check';
import {
  combineExternalControl,
  combineRiskDifference,
  combineSynthetic,
  ciOverlap,
  monteCarloPlan,
  twinControlVariance,
} from '../../src/stats/combine.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';
import { propertyOptions } from '../helpers/properties.js';

interface SyntheticCase {
  name: string;
  estimates: number[];
  variances: number[];
  confLevel: number;
  nSyn: number;
  nObs: number;
  expected: Record<string, number | string | null>;
}
interface OverlapCase {
  name: string;
  l1: number;
  u1: number;
  l2: number;
  u2: number;
  expected: number;
}
// Expected values: test/reference/combine.R (closed forms of Raghunathan, Reiter & Rubin 2003,
// Reiter 2002 and Karr et al. 2006 evaluated in R).
interface ExternalCase {
  name: string;
  estimates: number[];
  variances: number[];
  controlVariances: number[];
  confLevel: number;
  parameterUncertainty: boolean;
  /** ν_T; null: Infinity (the treated part taken as known). */
  treatedDf: number | null;
  expected: Record<string, number | null>;
}
const fx = loadFixture<{
  cases: { synthetic: SyntheticCase[]; overlap: OverlapCase[]; external: ExternalCase[] };
}>('combine');
const RTOL = 1e-12;

describe('combineSynthetic', () => {
  test.each(fx.cases.synthetic.map((c) => [c.name, c] as const))('%s matches R', (_n, c) => {
    const r = combineSynthetic(c.estimates, c.variances, {
      confLevel: c.confLevel,
      nSyn: c.nSyn,
      nObs: c.nObs,
    });
    const e = c.expected;
    for (const k of [
      'estimate',
      'se',
      'lower',
      'upper',
      'statistic',
      'between',
      'within',
      'totalVariance',
    ] as const) {
      expectClose(r[k], e[k] as number, { rtol: RTOL, label: `${c.name} ${k}` });
    }
    // p and df go through the t distribution (incomplete beta): 1e-9
    expectClose(r.p, e.p as number, { rtol: 1e-9, label: `${c.name} p` });
    expect(r.m).toBe(e.m);
    expect(r.method).toBe(e.method);
    if (e.method === 'raghunathan-2003') {
      expectClose(r.df, e.df as number, { rtol: RTOL, label: `${c.name} df` });
      expect(r.warnings).toHaveLength(0);
    } else {
      expect(r.df).toBe(Infinity);
      expect(r.warnings.map((w) => w.code)).toEqual(['nonpositive-variance']);
    }
  });

  test("the treated part's degrees of freedom widen the interval, and vanish as they grow", () => {
    const q = [-0.31, -0.12, -0.25, -0.4, -0.18, -0.22, -0.35, -0.09, -0.28, -0.2];
    const u = q.map(() => 0.034);
    const uc = q.map(() => 0.008);
    const known = combineExternalControl(q, u, uc);
    const widths = [10, 40, 160, 1e6].map((treatedDf) => {
      const r = combineExternalControl(q, u, uc, { treatedDf });
      // the variance itself does not change: only the reference distribution
      expect(r.totalVariance).toBe(known.totalVariance);
      expect(r.df).toBeLessThan(known.df);
      return r.upper - r.lower;
    });
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeLessThan(widths[i - 1]!);
    expectClose(widths[3]!, known.upper - known.lower, { rtol: 1e-5, label: 'ν_T → ∞' });
    // V̂_P = 0 (b below ū_C): the t reference is the treated part's alone, ν = ν_T·T²/ū_T²
    const flat = combineExternalControl(
      [0.1, 0.1, 0.1],
      [0.03, 0.03, 0.03],
      [0.006, 0.006, 0.006],
      {
        treatedDf: 39,
      },
    );
    expectClose(flat.df, (39 * flat.totalVariance ** 2) / 0.024 ** 2, { rtol: 1e-12, label: 'ν' });
  });

  test('validates its input', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(StatsError);
        return (e as StatsError).code;
      }
      return undefined;
    };
    expect(code(() => combineSynthetic([1, 2], [0.1]))).toBe('length-mismatch');
    expect(code(() => combineSynthetic([1], [0.1]))).toBe('too-few-replicates');
    expect(code(() => combineSynthetic([1, NaN], [0.1, 0.1]))).toBe('invalid-estimate');
    expect(code(() => combineSynthetic([1, 2], [0.1, -1]))).toBe('invalid-variance');
    expect(code(() => combineSynthetic([1, 2], [0.1, 0.1], { confLevel: 1.2 }))).toBe(
      'invalid-option',
    );
    expect(code(() => combineSynthetic([1, 2], [0.1, 0.1], { nSyn: 0 }))).toBe('invalid-option');
    expect(code(() => combineSynthetic([1, 1], [0, 0]))).toBe('zero-variance');
    try {
      combineSynthetic([1, 2, 3], [0.1, 0.1, Infinity]);
    } catch (e) {
      expect((e as StatsError).index).toBe(2);
      expect((e as StatsError).message).toBe(
        'invalid variance at replicate 2: expected a finite number >= 0, found Infinity',
      );
    }
  });
});

describe('ciOverlap', () => {
  test.each(fx.cases.overlap.map((c) => [c.name, c] as const))('%s matches R', (_n, c) => {
    expectClose(ciOverlap(c.l1, c.u1, c.l2, c.u2), c.expected, {
      rtol: RTOL,
      atol: 1e-15,
      label: c.name,
    });
  });

  test('is symmetric in its two intervals', () => {
    for (const c of fx.cases.overlap) {
      expectClose(ciOverlap(c.l2, c.u2, c.l1, c.u1), c.expected, {
        rtol: RTOL,
        atol: 1e-15,
        label: c.name,
      });
    }
  });

  test('validates its input', () => {
    expect(() => ciOverlap(1, 0, 0, 1)).toThrow(StatsError);
    expect(() => ciOverlap(0, 1, 0, 0)).toThrow(/interval 2/);
    expect(() => ciOverlap(NaN, 1, 0, 1)).toThrow(/lower1/);
  });
});

describe('properties (fast-check)', () => {
  const finite = fc.double({ min: -1e3, max: 1e3, noNaN: true });
  test('ciOverlap is symmetric, 1 for identical intervals, and at most 1', () => {
    fc.assert(
      fc.property(finite, finite, finite, finite, (a, b, c, d) => {
        fc.pre(a !== b && c !== d);
        const [l1, u1] = a < b ? [a, b] : [b, a];
        const [l2, u2] = c < d ? [c, d] : [d, c];
        const j = ciOverlap(l1, u1, l2, u2);
        expectClose(ciOverlap(l2, u2, l1, u1), j, { rtol: 1e-12, atol: 1e-12 });
        expect(j).toBeLessThanOrEqual(1 + 1e-12);
        expectClose(ciOverlap(l1, u1, l1, u1), 1, { rtol: 1e-12 });
      }),
      propertyOptions(100),
    );
  });
  test('combineSynthetic does not depend on the order of the replicates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(finite, fc.double({ min: 1e-6, max: 10, noNaN: true })), {
          minLength: 2,
          maxLength: 30,
        }),
        (reps) => {
          fc.pre(new Set(reps.map((r) => r[0])).size > 1);
          const a = combineSynthetic(
            reps.map((r) => r[0]),
            reps.map((r) => r[1]),
          );
          const rev = [...reps].reverse();
          const b = combineSynthetic(
            rev.map((r) => r[0]),
            rev.map((r) => r[1]),
          );
          expectClose(b.estimate, a.estimate, { rtol: 1e-9, atol: 1e-9 });
          expectClose(b.se, a.se, { rtol: 1e-9 });
          expect(b.method).toBe(a.method);
          expect(a.lower).toBeLessThanOrEqual(a.estimate);
          expect(a.upper).toBeGreaterThanOrEqual(a.estimate);
        },
      ),
      propertyOptions(100),
    );
  });
});

describe('combineSynthetic with floor: within (the run pipeline, docs/validation.md)', () => {
  // estimates 1, 2, 3 and variances 1: q̄ = 2, b = 1, ū = 1, T = (1 + 1/3)·1 − 1 = 1/3 < ū
  test('T below ū: T* = ū with a normal reference', () => {
    const r = combineSynthetic([1, 2, 3], [1, 1, 1], { floor: 'within' });
    expect(r.method).toBe('within-floor');
    expect(r.totalVariance).toBe(1);
    expect(r.se).toBe(1);
    expect(r.df).toBe(Infinity);
    expect(r.warnings.map((w) => w.code)).toEqual(['within-floor']);
    // the published rule keeps T = 1/3 here
    expect(combineSynthetic([1, 2, 3], [1, 1, 1]).method).toBe('raghunathan-2003');
  });

  test('T at or above ū: the published rule is kept', () => {
    // b = 4, ū = 1: T = (4/3)·4 − 1 = 13/3 ≥ 1
    const r = combineSynthetic([0, 2, 4], [1, 1, 1], { floor: 'within' });
    expect(r.method).toBe('raghunathan-2003');
    expect(r.totalVariance).toBeCloseTo(13 / 3, 12);
  });

  test('T ≤ 0 falls back as before', () => {
    const r = combineSynthetic([2, 2, 2.1], [1, 1, 1], { floor: 'within' });
    expect(r.method).toBe('reiter-2002-fallback');
    expect(r.totalVariance).toBe(1);
  });
});

describe('combineExternalControl (the run pipeline; docs/combining.md)', () => {
  test.each(fx.cases.external.map((c) => [c.name, c] as const))('%s matches R', (_n, c) => {
    const r = combineExternalControl(c.estimates, c.variances, c.controlVariances, {
      confLevel: c.confLevel,
      parameterUncertainty: c.parameterUncertainty,
      ...(c.treatedDf !== null ? { treatedDf: c.treatedDf } : {}),
    });
    expect(r.treatedDf).toBe(c.treatedDf ?? Infinity);
    const e = c.expected;
    const got: Record<string, number> = {
      ...r,
      treated: r.components.treated,
      registry: r.components.registry,
      monteCarlo: r.components.monteCarlo,
    } as unknown as Record<string, number>;
    for (const k of [
      'estimate',
      'se',
      'lower',
      'upper',
      'statistic',
      'between',
      'within',
      'withinControl',
      'withinTreated',
      'parameterVariance',
      'totalVariance',
      'treated',
      'registry',
      'monteCarlo',
    ]) {
      // atol for exact zeros (V_P = 0 and an estimate of 0 can only be met absolutely)
      expectClose(got[k]!, e[k] as number, { rtol: RTOL, atol: 1e-15, label: `${c.name} ${k}` });
    }
    expectClose(r.p, e['p'] as number, { rtol: 1e-9, label: `${c.name} p` });
    if (e['df'] === null) expect(r.df).toBe(Infinity);
    else expectClose(r.df, e['df']!, { rtol: RTOL, label: `${c.name} df` });
    expect(r.components.treated + r.components.registry + r.components.monteCarlo).toBeCloseTo(
      r.totalVariance,
      14,
    );
  });

  test('the interval does not shrink below the registry information as the arms grow', () => {
    // replicate spread b = V_P + u_C exactly (V_P = 0.004 from the registry, u_C ∝ 1/n_C), u_T = 0.01
    const z = [-1.2, 0.4, 0.9, -0.3, 1.5, -0.8, 0.1, -1.1, 0.6, -0.1];
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, x) => s + (x - mean) ** 2, 0) / (z.length - 1));
    const vp = 0.004;
    const totals = [0.01, 0.001, 0.0001, 0].map((uc) => {
      const q = z.map((x) => ((x - mean) / sd) * Math.sqrt(vp + uc));
      return combineExternalControl(
        q,
        q.map(() => 0.01 + uc),
        q.map(() => uc),
      ).totalVariance;
    });
    for (let i = 1; i < totals.length; i++) expect(totals[i]).toBeLessThan(totals[i - 1]!);
    // with no Monte-Carlo variance left, T = u_T + (1 + 1/m)·V_P: bounded by the registry
    expect(totals[3]).toBeCloseTo(0.01 + 1.1 * vp, 14);
  });

  test('validates its input', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(StatsError);
        return (e as StatsError).code;
      }
      return undefined;
    };
    expect(code(() => combineExternalControl([1, 2], [0.1, 0.1], [0.1]))).toBe('length-mismatch');
    expect(code(() => combineExternalControl([1], [0.1], [0.05]))).toBe('too-few-replicates');
    expect(code(() => combineExternalControl([1, NaN], [0.1, 0.1], [0, 0]))).toBe(
      'invalid-estimate',
    );
    expect(code(() => combineExternalControl([1, 2], [0.1, -1], [0, 0]))).toBe('invalid-variance');
    expect(code(() => combineExternalControl([1, 1], [0, 0], [0, 0]))).toBe('zero-variance');
    expect(code(() => combineExternalControl([1, 2], [0.1, 0.1], [0, 0.2]))).toBe(
      'invalid-variance',
    );
    for (const treatedDf of [0, -3, NaN])
      expect(code(() => combineExternalControl([1, 2], [0.1, 0.1], [0, 0], { treatedDf }))).toBe(
        'invalid-option',
      );
  });
});

describe('monteCarloPlan', () => {
  // components: u_T = 0.01, V_P = 0.002, u_C = 0.004, m = 10 → MC part (0.004 + 0.002)/10
  const combined = {
    components: { treated: 0.01, registry: 0.002, monteCarlo: 0.0006 },
    withinControl: 0.004,
    parameterVariance: 0.002,
    m: 10,
  };
  test('share, replicates and size that meet the target (closed form)', () => {
    const plan = monteCarloPlan(combined, 400);
    expect(plan.share).toBeCloseTo(0.0006 / 0.0126, 14);
    // allowed MC part: 0.012/9; m' > 0.006/(0.012/9) = 4.5
    expect(plan.replicates).toBe(5);
    // n' > 0.004·400 / (10·0.012/9 − 0.002) = 1.6/0.011333 = 141.2
    expect(plan.controlSize).toBe(142);
    const check = (n: number, mm: number) => (0.004 * (400 / n) + 0.002) / mm;
    expect(check(142, 10) / (0.012 + check(142, 10))).toBeLessThan(0.1);
    expect(check(141, 10) / (0.012 + check(141, 10))).toBeGreaterThanOrEqual(0.1);
  });
  test('no synthetic size helps when the parameter draws alone are too noisy', () => {
    const plan = monteCarloPlan({ ...combined, parameterVariance: 0.004, m: 2 }, 400);
    expect(plan.controlSize).toBeNull();
    expect(monteCarloPlan(combined, null).controlSize).toBeNull();
  });
});

describe('twinControlVariance (twin mode: the control part across replicates)', () => {
  test("the sum over pairs of each pair's variance over replicates (closed form)", () => {
    // pair 0: 0.1, −0.1, 0 → variance 0.01; pair 1: −0.2, 0, 0.2 → 0.04
    expect(
      twinControlVariance([
        [0.1, -0.2],
        [-0.1, 0.0],
        [0.0, 0.2],
      ]),
    ).toBeCloseTo(0.05, 15);
    // a part shared by every replicate (the covariates' own) is not Monte-Carlo noise
    expect(
      twinControlVariance([
        [0.5, 1],
        [0.5, 1],
      ]),
    ).toBe(0);
  });

  test('is below Σ D² of a replicate when the pairs have a shared part', () => {
    const shared = [0.3, -0.2, 0.25, -0.35];
    const reps = [0, 1, 2, 3, 4].map((r) => shared.map((s, i) => s + 0.05 * Math.sin(r * 7 + i)));
    const sumSq = reps[0]!.reduce((a, d) => a + d * d, 0);
    expect(twinControlVariance(reps)).toBeLessThan(sumSq / 10);
  });

  test('validates its input', () => {
    expect(() => twinControlVariance([[0.1]])).toThrow(/needs at least 2 replicates, found 1/);
    expect(() => twinControlVariance([[0.1, 0.2], [0.1]])).toThrow(
      /replicate 0 has 2 pairs, replicate 1 has 1/,
    );
    expect(() => twinControlVariance([[0.1], [NaN]])).toThrow(
      /invalid dfbeta residual at pair 0: expected a finite number, found NaN/,
    );
  });
});

describe('combineRiskDifference (hybrid score limits for the combined risk difference)', () => {
  // Ten replicates of one treated arm (27 of 60) against synthetic arms of 300: q_r = p̂₁ − p₀,r,
  // u_r the unpooled Wald variance, uControl_r its control term.
  const p1 = 27 / 60;
  const p0 = [0.3, 0.33, 0.28, 0.31, 0.35, 0.29, 0.32, 0.3, 0.34, 0.27];
  const q = p0.map((p) => p1 - p);
  const uc = p0.map((p) => (p * (1 - p)) / 300);
  const u = uc.map((v) => v + (p1 * (1 - p1)) / 60);
  const treated = { events: 27, n: 60 };

  test('keeps the external-control estimate and variance; only the limits and p change', () => {
    const w = combineExternalControl(q, u, uc);
    const h = combineRiskDifference(q, u, uc, treated);
    expect(h.estimate).toBe(w.estimate);
    expect(h.totalVariance).toBe(w.totalVariance);
    expect(h.se).toBe(w.se);
    expect(h.limits).toBe('hybrid-score');
    expect(h.risk0).toBeCloseTo(p1 - w.estimate, 15);
    const k = 1 + 1 / 10;
    expectClose(h.controlVariance, k * w.parameterVariance + w.withinControl / 10, { rtol: 1e-14 });
    // Wilson limits are pulled towards ½: for p̂₁ < ½ the upper limit moves out, the lower in.
    expect(h.upper - w.estimate).toBeGreaterThan(w.estimate - h.lower);
  });

  test('p is the test the interval agrees with: the (1 − p) interval has 0 as its limit', () => {
    const h = combineRiskDifference(q, u, uc, treated);
    expect(h.p).toBeGreaterThan(1e-6);
    expect(h.p).toBeLessThan(0.5);
    const at = combineRiskDifference(q, u, uc, treated, { confLevel: 1 - h.p });
    expect(Math.abs(at.lower)).toBeLessThan(1e-9);
    // and the 95% interval excludes 0 exactly when p < 0.05
    expect(h.lower > 0).toBe(h.p < 0.05);
  });

  test('with a huge treated arm and no registry term it is the t interval (Wilson → Wald)', () => {
    const n = 10_000_000;
    const big = { events: Math.round(0.45 * n), n };
    const ub = uc.map((v) => v + (0.45 * 0.55) / n);
    const qb = p0.map((p) => 0.45 - p);
    const o = { parameterUncertainty: false };
    const w = combineExternalControl(qb, ub, uc, o);
    const h = combineRiskDifference(qb, ub, uc, big, o);
    expectClose(h.lower, w.lower, { rtol: 1e-4 });
    expectClose(h.upper, w.upper, { rtol: 1e-4 });
    expectClose(h.p, w.p, { rtol: 1e-3 });
  });

  test('a negative difference inverts the upper limit; no difference gives p = 1', () => {
    const neg = combineRiskDifference(
      q.map((x) => -x),
      u,
      uc,
      { events: 60 - 27, n: 60 },
    );
    const at = combineRiskDifference(
      q.map((x) => -x),
      u,
      uc,
      { events: 33, n: 60 },
      {
        confLevel: 1 - neg.p,
      },
    );
    expect(Math.abs(at.upper)).toBeLessThan(1e-9);
    const zero = combineRiskDifference([0.01, -0.01], [0.01, 0.01], [0.002, 0.002], treated);
    expect(zero.estimate).toBe(0);
    expect(zero.p).toBe(1);
  });

  test('refuses treated counts that are not 0 <= events <= n', () => {
    for (const bad of [
      { events: 61, n: 60 },
      { events: -1, n: 60 },
      { events: 2.5, n: 60 },
      { events: 0, n: 0 },
    ])
      expect(() => combineRiskDifference(q, u, uc, bad)).toThrow(/invalid treated arm/);
  });
});
