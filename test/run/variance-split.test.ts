/**
 * Each analysis splits its variance u into the synthetic control arm's part (`uControl`) and the
 * treated arm's (docs/combining.md): by the arm terms of the variance formula, or for Cox models
 * by the infinitesimal-jackknife parts of the fit (themselves checked against R's dfbeta in
 * test/stats/variance-shares.test.ts). Expected values here are those closed forms.
 */
import type { Cohort } from '../../src/cohort.js';
import { runAnalysis, type StackedArms } from '../../src/run/analyses.js';
import type { AnalysisSpec } from '../../src/protocol/schema.js';
import { controlVariances } from '../../src/run/combine.js';
import { fitCox } from '../../src/stats/cox.js';
import { twinControlVariance } from '../../src/stats/combine.js';
import { kaplanMeier } from '../../src/stats/km.js';
import { rmst, rmstInfluence } from '../../src/stats/rmst.js';

/** A deterministic two-arm data set: 40 treated, 60 controls, one numeric covariate. */
function arms(): StackedArms {
  const n = 100;
  const time = new Float64Array(n);
  const status = new Float64Array(n);
  const group = new Float64Array(n);
  const age = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    group[i] = i < 40 ? 1 : 0;
    age[i] = 50 + ((i * 37) % 30);
    time[i] = 1 + ((i * 7919) % 97) / 4 + (group[i] ? 3 : 0);
    status[i] = (i * 13) % 5 === 0 ? 0 : 1;
  }
  const covariates: Cohort = { n, columns: new Map([['age', { kind: 'numeric', values: age }]]) };
  return { time, status, group, covariates };
}

const spec = (over: Record<string, unknown>) =>
  ({
    ties: 'efron',
    covariates: [],
    weighting: { estimand: 'ATT' },
    ...over,
  }) as unknown as AnalysisSpec;

describe('the control arm part of each analysis variance', () => {
  const a = arms();

  test('Cox: the control arm share of the IJ variance, applied to the in-use variance', () => {
    const est = runAnalysis(spec({ method: 'cox-unadjusted' }), a, 'test');
    const fit = fitCox(
      { time: a.time, status: a.status, x: [a.group], names: ['treated'] },
      { varianceGroups: a.group },
    );
    const c = fit.groupVariance!.get(0)![0]!;
    const t = fit.groupVariance!.get(1)![0]!;
    expect(est.u).toBeCloseTo(fit.se[0]! ** 2, 15);
    expect(Math.abs(est.uControl / ((est.u * c) / (c + t)) - 1)).toBeLessThan(1e-12);
    expect(est.uControl).toBeGreaterThan(0);
    expect(est.uControl).toBeLessThan(est.u);
  });

  test('Cox with pair clusters (twin mode): the control part itself', () => {
    const cluster = Int32Array.from({ length: 100 }, (_, i) => i % 40);
    const est = runAnalysis(spec({ method: 'cox-unadjusted' }), { ...a, cluster }, 'test');
    const fit = fitCox(
      { time: a.time, status: a.status, x: [a.group], names: ['treated'], cluster },
      { varianceGroups: a.group },
    );
    expect(Math.abs(est.uControl / fit.groupVariance!.get(0)![0]! - 1)).toBeLessThan(1e-12);
  });

  test("twin mode: each pair's control dfbeta, and the control part taken across replicates", () => {
    const cluster = Int32Array.from({ length: 100 }, (_, i) => i % 40);
    const est = runAnalysis(spec({ method: 'cox-unadjusted' }), { ...a, cluster }, 'test');
    const fit = fitCox(
      { time: a.time, status: a.status, x: [a.group], names: ['treated'], cluster },
      { dfbeta: true },
    );
    const want = new Float64Array(40);
    for (let i = 40; i < 100; i++) want[cluster[i]!]! += fit.dfbeta![i]!;
    expect(Array.from(est.controlInfluence!)).toEqual(Array.from(want));
    // a population design reports none, and its control parts stay the analysis's own
    const pop = runAnalysis(spec({ method: 'cox-unadjusted' }), a, 'test');
    expect(pop.controlInfluence).toBeUndefined();
    expect(controlVariances([pop, pop])).toEqual([pop.uControl, pop.uControl]);
    // across replicates: Σ over pairs of the variance of each pair's influence (the same for all)
    const shifted = (k: number) => ({
      ...est,
      controlInfluence: est.controlInfluence!.map((d, i) => d + 0.001 * k * ((i % 3) - 1)),
    });
    const reps = [shifted(0), shifted(1), shifted(2)];
    // pair i moves by 0.001·((i mod 3) − 1)·k, k = 0, 1, 2 (variance 1 in k): 27 of the 40 pairs
    // move, each with variance 1e-6
    const expected = 27e-6;
    expect(twinControlVariance(reps.map((r) => r.controlInfluence))).toBeCloseTo(expected, 15);
    // the same for every replicate (the variance is larger than 27e-6 here)
    controlVariances(reps).forEach((v, r) => {
      expect(reps[r]!.u).toBeGreaterThan(expected);
      expect(v).toBeCloseTo(expected, 15);
    });
  });

  test('RMST difference: the control arm RMST variance', () => {
    const est = runAnalysis(spec({ method: 'rmst', tau: 15 }), a, 'test');
    const r = rmst(a.time, a.status, a.group, { tau: 15 });
    expect(Math.abs(est.uControl / r.control.variance - 1)).toBeLessThan(1e-12);
    expect(Math.abs(est.u - est.uControl - r.treated.variance) / est.u).toBeLessThan(1e-9);
  });

  test('RMST difference with pair clusters (twin mode): paired variance and pair influences', () => {
    // 40 treated; controls 40..99 are twins of patients i % 40 (the first 20 have two)
    const cluster = Int32Array.from({ length: 100 }, (_, i) => i % 40);
    const est = runAnalysis(spec({ method: 'rmst', tau: 15 }), { ...a, cluster }, 'test');
    const arm = (g: number) => {
      const rows = [...Array(100).keys()].filter((i) => a.group[i] === g);
      const time = rows.map((i) => a.time[i]!);
      const status = rows.map((i) => a.status[i]!);
      return { rows, d: rmstInfluence(kaplanMeier(time, status), time, status, 15) };
    };
    const t = arm(1);
    const c = arm(0);
    const pair = new Float64Array(40);
    const control = new Float64Array(40);
    t.rows.forEach((i, j) => (pair[cluster[i]!]! += t.d[j]!));
    c.rows.forEach((i, j) => {
      pair[cluster[i]!]! -= c.d[j]!;
      control[cluster[i]!]! -= c.d[j]!;
    });
    const paired = pair.reduce((s, v) => s + v * v, 0);
    const r = rmst(a.time, a.status, a.group, { tau: 15 });
    expect(Math.abs(est.u / paired - 1)).toBeLessThan(1e-12);
    expect(est.details['variance']).toBe('robust (clusters)');
    // the control part before the across-replicate estimate: the control arm's own variance
    expect(Math.abs(est.uControl / Math.min(paired, r.control.variance) - 1)).toBeLessThan(1e-12);
    expect(Array.from(est.controlInfluence!)).toEqual(Array.from(control));
    // the estimate and its Wald limits on the paired standard error
    expect(est.q).toBe(r.difference.estimate);
    expect(est.upper - est.q).toBeCloseTo(1.959963984540054 * Math.sqrt(paired), 12);
    // clusters of one observation each give back the unpaired (Greenwood) analysis
    const own = Int32Array.from({ length: 100 }, (_, i) => i);
    const single = runAnalysis(spec({ method: 'rmst', tau: 15 }), { ...a, cluster: own }, 'test');
    expect(Math.abs(single.u / r.difference.se ** 2 - 1)).toBeLessThan(1e-12);
  });

  test('risk difference and log risk/odds ratios: the control arm terms', () => {
    // status as the response: treated 40 with k1 events, controls 60 with k0
    let k1 = 0;
    let k0 = 0;
    for (let i = 0; i < 100; i++) {
      if (a.group[i]) k1 += a.status[i]!;
      else k0 += a.status[i]!;
    }
    const p0 = k0 / 60;
    const rd = runAnalysis(spec({ method: 'risk-difference' }), a, 'test');
    expect(rd.uControl).toBeCloseTo((p0 * (1 - p0)) / 60, 15);
    const rr = runAnalysis(spec({ method: 'risk-ratio' }), a, 'test');
    expect(rr.uControl).toBeCloseTo(1 / k0 - 1 / 60, 15);
    const or = runAnalysis(spec({ method: 'odds-ratio' }), a, 'test');
    expect(or.uControl).toBeCloseTo(1 / k0 + 1 / (60 - k0), 15);
    expect(rr.u - rr.uControl).toBeCloseTo(1 / k1 - 1 / 40, 15);
  });

  test('mean difference: s0²/n0 of the Welch variance', () => {
    const est = runAnalysis(spec({ method: 'mean-difference' }), a, 'test');
    const x0 = Array.from(a.time.subarray(40));
    const m0 = x0.reduce((s, x) => s + x, 0) / 60;
    const v0 = x0.reduce((s, x) => s + (x - m0) ** 2, 0) / 59;
    expect(est.uControl).toBeCloseTo(v0 / 60, 14);
  });
});

describe("the treated part's degrees of freedom (treatedDf; docs/combining.md)", () => {
  const a = arms();
  // the fixture's treated events and size, counted independently of the code under test
  let d1 = 0;
  for (let i = 0; i < 40; i++) d1 += a.status[i]!;
  const values = { ...a, status: new Float64Array(100).fill(1) };

  test('a hazard ratio: 2·d₁, the treated events (ATT weights are 1 for the treated)', () => {
    expect(d1).toBe(32);
    for (const method of ['cox-unadjusted', 'cox-adjusted'])
      expect(runAnalysis(spec({ method, covariates: ['age'] }), a, 'test').treatedDf).toBe(2 * d1);
    const iptw = runAnalysis(spec({ method: 'cox-iptw', covariates: ['age'] }), a, 'test');
    expect(iptw.treatedDf).toBeCloseTo(2 * d1, 12);
  });

  test("under ATE weights, twice the treated events' Kish effective number", () => {
    const est = runAnalysis(
      spec({ method: 'cox-iptw', covariates: ['age'], weighting: { estimand: 'ATE' } }),
      a,
      'test',
    );
    let sw = 0;
    let sw2 = 0;
    for (let i = 0; i < 40; i++)
      if (a.status[i]! > 0) [sw, sw2] = [sw + est.weights![i]!, sw2 + est.weights![i]! ** 2];
    expect(est.treatedDf).toBeCloseTo((2 * sw * sw) / sw2, 12);
    expect(est.treatedDf).toBeLessThan(2 * d1);
  });

  test('an RMST or a mean difference: n₁ − 1; risk and odds ratios: none', () => {
    expect(runAnalysis(spec({ method: 'rmst', tau: 20 }), a, 'test').treatedDf).toBe(39);
    expect(runAnalysis(spec({ method: 'mean-difference' }), values, 'test').treatedDf).toBe(39);
    for (const method of ['risk-ratio', 'odds-ratio', 'risk-difference'])
      expect(runAnalysis(spec({ method }), a, 'test').treatedDf).toBeUndefined();
  });
});
