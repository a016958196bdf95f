import { standardizedDifferences } from '../../src/stats/balance.js';
import { fitCox, type CoxData } from '../../src/stats/cox.js';
import { coxZph, type ZphTransform } from '../../src/stats/cox-zph.js';
import { logRank } from '../../src/stats/logrank.js';
import { rmst } from '../../src/stats/rmst.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

// Issue 12, "Parity on data the fixtures never had". Every expected value and every input comes
// from test/reference/fixtures/parity.json, written by test/reference/parity.R (R 4.2, survival
// 3.5-3; cobalt's default conventions written out in base R, see the script's header).

type Num = number | number[];
type Str = string | string[];
const arr = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

interface Data {
  time: number[];
  status: number[];
  x: number[][];
  names: Str;
}
interface ZphCase {
  name: string;
  data: Data;
  coef: Num;
  results: {
    transform: ZphTransform;
    terms: string[];
    statistic: number[];
    df: number[];
    p: number[];
  }[];
}
interface Test {
  statistic: number;
  df: number;
}
interface WaldCase {
  name: string;
  data: Data;
  coef: Num;
  wald: Test & { p: number; rank: number };
  score: Test;
  likelihoodRatio: Test;
}
interface BalanceRowFx {
  name: string;
  type: 'binary' | 'continuous';
  level: number | null;
  cobaltName: string;
  mean1: number;
  mean0: number;
  mean1Unadjusted: number;
  mean0Unadjusted: number;
  diff: number;
  diffUnadjusted: number;
  sdDenominator: number | null;
  varianceRatio: number | null;
  varianceRatioUnadjusted: number | null;
}
interface BalanceCase {
  name: string;
  treated: number[];
  x: number[][];
  names: string[];
  estimands: { estimand: 'ATO' | 'ATE' | 'ATT'; weights: number[]; rows: BalanceRowFx[] }[];
}
interface LogRankCase {
  name: string;
  time: number[];
  status: number[];
  group: number[];
  codes: Num;
  n: Num;
  observed: Num;
  expected: Num;
  statistic: number;
  df: number;
  p: number;
}
const fx = loadFixture<{
  cases: { zph: ZphCase[]; wald: WaldCase[]; balance: BalanceCase[]; logrank: LogRankCase[] };
}>('parity').cases;

const coxData = (d: Data): CoxData => ({
  time: d.time,
  status: d.status,
  x: d.x,
  names: arr(d.names),
});

describe('cox.zph on covariates in the thousands (scale-invariant rank check)', () => {
  const rows = fx.zph.flatMap((c) =>
    c.results.map((r) => [`${c.name} / ${r.transform}`, c, r] as const),
  );
  test.each(rows)('%s matches survival::cox.zph', (name, c, r) => {
    const data = coxData(c.data);
    const fit = fitCox(data);
    expectAllClose(fit.coef, arr(c.coef), { rtol: 1e-6, label: `${name}: coef` });
    const z = coxZph(fit, data, { transform: r.transform });
    const got = [...z.terms, z.global];
    expect(got.map((t) => t.term)).toEqual(r.terms);
    expect(got.map((t) => t.df)).toEqual(r.df);
    // rtol 1e-6: the statistics inherit the relative error of β̂ (eps 1e-9 convergence)
    expectAllClose(
      got.map((t) => t.statistic),
      r.statistic,
      { rtol: 1e-6, label: `${name}: chisq` },
    );
    expectAllClose(
      got.map((t) => t.p),
      r.p,
      { rtol: 1e-6, label: `${name}: p` },
    );
  });

  test('a genuinely singular test is refused with a message naming the column', () => {
    // a copy of the first column: the β block is singular whatever the scale
    const c = fx.zph[1]!;
    const base = coxData(c.data);
    const fit = fitCox(base);
    const dup: CoxData = { ...base, x: [...base.x, base.x[0]!], names: [...base.names, 'copy'] };
    const fakeFit = { ...fit, n: fit.n, names: dup.names, internal: fit.internal };
    expect(() => coxZph(fakeFit, dup)).toThrow(/`copy`.*linear combination/);
  });
});

describe('Cox Wald test when coxph.wtest drops a column', () => {
  test.each(fx.wald.map((c) => [c.name, c] as const))(
    '%s: statistic and df as summary(coxph)$waldtest',
    (name, c) => {
      const fit = fitCox(coxData(c.data));
      expectAllClose(fit.coef, arr(c.coef), { rtol: 1e-6, label: `${name}: coef` });
      // rtol 1e-6 on the statistic and p (they inherit β̂'s relative error); df exact
      expectClose(fit.tests.wald.statistic, c.wald.statistic, {
        rtol: 1e-6,
        label: `${name}: wald`,
      });
      expect(fit.tests.wald.df).toBe(c.wald.df);
      expectClose(fit.tests.wald.p, c.wald.p, { rtol: 1e-6, label: `${name}: wald p` });
      expect(fit.tests.score.df).toBe(c.score.df);
      expectClose(fit.tests.score.statistic, c.score.statistic, { rtol: 1e-6, label: 'score' });
      expect(fit.tests.likelihoodRatio.df).toBe(c.likelihoodRatio.df);
      expectClose(fit.tests.likelihoodRatio.statistic, c.likelihoodRatio.statistic, {
        rtol: 1e-6,
        label: 'LR',
      });
    },
  );
});

describe('balance with cobalt defaults: two-valued covariates and the ATO denominator', () => {
  const rows = fx.balance.flatMap((c) =>
    c.estimands.map((e) => [`${c.name} / ${e.estimand}`, c, e] as const),
  );
  test.each(rows)('%s', (name, c, e) => {
    const b = standardizedDifferences(c.x, c.names, c.treated, {
      weights: e.weights,
      estimand: e.estimand,
    });
    expect(b.rows.map((r) => r.name)).toEqual(e.rows.map((r) => r.name));
    // rtol 1e-10 (closed-form sums); atol 1e-12 because ATO weights balance the means exactly,
    // leaving differences of ~1e-15 whose relative error is meaningless
    const o = { rtol: 1e-10, atol: 1e-12 };
    b.rows.forEach((r, j) => {
      const x = e.rows[j]!;
      const l = `${name} ${r.name}`;
      expect(r.type).toBe(x.type);
      expect(r.level).toBe(x.level);
      expect(r.cobaltName).toBe(x.cobaltName);
      expectClose(r.mean1, x.mean1, { ...o, label: `${l} mean1` });
      expectClose(r.mean0, x.mean0, { ...o, label: `${l} mean0` });
      expectClose(r.mean1Unadjusted, x.mean1Unadjusted, { ...o, label: `${l} mean1 un` });
      expectClose(r.mean0Unadjusted, x.mean0Unadjusted, { ...o, label: `${l} mean0 un` });
      expectClose(r.diff, x.diff, { ...o, label: `${l} diff` });
      expectClose(r.diffUnadjusted, x.diffUnadjusted, { ...o, label: `${l} diff un` });
      expectClose(r.sdDenominator, x.sdDenominator, { ...o, label: `${l} sd` });
      expectClose(r.varianceRatio, x.varianceRatio, { ...o, label: `${l} VR` });
      expectClose(r.varianceRatioUnadjusted, x.varianceRatioUnadjusted, {
        ...o,
        label: `${l} VR un`,
      });
    });
  });
});

describe('group codes other than 0..k−1', () => {
  test.each(fx.logrank.map((c) => [c.name, c] as const))(
    'logRank %s matches survdiff',
    (name, c) => {
      const r = logRank(c.time, c.status, c.group);
      expect(r.groupCodes).toEqual(arr(c.codes));
      expect(Array.from(r.n)).toEqual(arr(c.n));
      // rtol 1e-12: sums of ratios of counts
      expectAllClose(r.observed, arr(c.observed), { rtol: 1e-12, label: `${name} O` });
      expectAllClose(r.expected, arr(c.expected), { rtol: 1e-12, label: `${name} E` });
      expectClose(r.statistic, c.statistic, { rtol: 1e-10, label: `${name} chisq` });
      expect(r.df).toBe(c.df);
      expectClose(r.p, c.p, { rtol: 1e-8, label: `${name} p` });
    },
  );

  test('rmst with arms coded 1/2 equals 0/1 coding (lower code = control)', () => {
    const c = fx.logrank[0]!; // lung, sex coded 1/2
    const a = rmst(c.time, c.status, c.group);
    const b = rmst(
      c.time,
      c.status,
      c.group.map((g) => g - 1),
    );
    expect(a.groupCodes).toEqual([1, 2]);
    expect(b.groupCodes).toEqual([0, 1]);
    expect(a.tau).toBe(b.tau);
    expect(a.difference).toEqual(b.difference);
    expect(a.control).toEqual(b.control);
    expect(a.treated).toEqual(b.treated);
  });

  test('rmst refuses more than two codes, naming them', () => {
    expect(() => rmst([1, 2, 3, 4], [1, 1, 1, 1], [1, 2, 5, 5])).toThrow(/1, 2, 5/);
  });
});
