import { standardizedDifferences } from '../../src/stats/balance.js';
import { propensityWeights } from '../../src/stats/propensity.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

// Expected values: test/reference/propensity.R — cobalt's documented formulas (FAQ vignette and
// col_w_smd / col_w_vr) evaluated in R; cobalt itself is not installed.
interface Row {
  name: string;
  type: 'binary' | 'continuous';
  mean1: number;
  mean0: number;
  diff: number;
  diffUnadjusted: number;
  sdDenominator: number | null;
  varianceRatio: number | null;
  varianceRatioUnadjusted: number | null;
}
interface Fx {
  propensity: {
    treated: number[];
    x: number[][];
    names: string[];
    scores: number[];
    balanceUnweightedATT: Row[];
    balanceUnweightedATE: Row[];
    cases: {
      name: string;
      estimand: 'ATT' | 'ATE' | 'ATO';
      trim: [number, number] | null;
      expected: { balance: Row[] };
    }[];
  };
  lungBalance: {
    treated: number[];
    x: number[][];
    names: string[];
    weights: number[];
    att: Row[];
    ate: Row[];
  };
}
const fx = loadFixture<{ cases: Fx }>('propensity').cases;

function compare(
  label: string,
  actual: ReturnType<typeof standardizedDifferences>,
  expected: Row[],
): void {
  expect(actual.rows.map((r) => r.name)).toEqual(expected.map((r) => r.name));
  actual.rows.forEach((r, j) => {
    const e = expected[j]!;
    const l = `${label} ${r.name}`;
    expect(r.type).toBe(e.type);
    // atol: ATO weights balance the means exactly, so some differences are ~1e-14
    const o = { rtol: 1e-10, atol: 1e-12 };
    expectClose(r.mean1, e.mean1, { ...o, label: `${l} mean1` });
    expectClose(r.mean0, e.mean0, { ...o, label: `${l} mean0` });
    expectClose(r.diff, e.diff, { ...o, label: `${l} diff` });
    expectClose(r.diffUnadjusted, e.diffUnadjusted, { ...o, label: `${l} diffUnadjusted` });
    expectClose(r.sdDenominator, e.sdDenominator, { ...o, label: `${l} sd` });
    expectClose(r.varianceRatio, e.varianceRatio, { ...o, label: `${l} VR` });
    expectClose(r.varianceRatioUnadjusted, e.varianceRatioUnadjusted, {
      ...o,
      label: `${l} VR unadjusted`,
    });
    expect(r.flagged).toBe(Math.abs(e.diff) >= 0.1);
    expect(r.flaggedUnadjusted).toBe(Math.abs(e.diffUnadjusted) >= 0.1);
  });
}

describe('standardizedDifferences', () => {
  const p = fx.propensity;
  test.each(p.cases.map((c) => [c.name, c] as const))(
    '%s weights match cobalt conventions',
    (name, c) => {
      const w = propensityWeights(p.scores, p.treated, {
        estimand: c.estimand,
        ...(c.trim ? { trim: c.trim } : {}),
      }).weights;
      const r = standardizedDifferences(p.x, p.names, p.treated, {
        weights: w,
        estimand: c.estimand,
      });
      compare(name, r, c.expected.balance);
      expect(r.nFlagged).toBe(c.expected.balance.filter((e) => Math.abs(e.diff) >= 0.1).length);
    },
  );

  test('unweighted, ATT and ATE denominators', () => {
    compare('ATT', standardizedDifferences(p.x, p.names, p.treated), p.balanceUnweightedATT);
    compare(
      'ATE',
      standardizedDifferences(p.x, p.names, p.treated, { estimand: 'ATE' }),
      p.balanceUnweightedATE,
    );
  });

  test('lung data with arbitrary weights', () => {
    const l = fx.lungBalance;
    compare(
      'lung ATT',
      standardizedDifferences(l.x, l.names, l.treated, { weights: l.weights }),
      l.att,
    );
    compare(
      'lung ATE',
      standardizedDifferences(l.x, l.names, l.treated, { weights: l.weights, estimand: 'ATE' }),
      l.ate,
    );
  });

  test('binary override and threshold', () => {
    const r = standardizedDifferences(p.x, p.names, p.treated, { binary: [], threshold: 0.05 });
    expect(r.rows.every((row) => row.type === 'continuous')).toBe(true);
    expect(r.threshold).toBe(0.05);
  });

  test('zero standardisation factor is reported, not NaN', () => {
    const r = standardizedDifferences([[1, 1, 2, 3]], ['k'], [1, 1, 0, 0]);
    expect(r.rows[0]!.diff).toBeNull();
    expect(r.rows[0]!.flagged).toBe(true);
    expect(r.warnings.map((w) => w.code)).toEqual(['zero-sd']);
  });

  test('validates its input', () => {
    const code = (f: () => unknown): [string, number | undefined] | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(StatsError);
        return [(e as StatsError).code, (e as StatsError).index];
      }
      return undefined;
    };
    const x = [[1, 2, 3, 4, 5]];
    const t = [1, 1, 0, 0, 0];
    expect(code(() => standardizedDifferences(x, ['a'], [1, 1, 0, 0, 3]))).toEqual([
      'invalid-group',
      4,
    ]);
    expect(code(() => standardizedDifferences([[1, 2, NaN, 4, 5]], ['a'], t))).toEqual([
      'invalid-covariate',
      2,
    ]);
    expect(code(() => standardizedDifferences(x, ['a'], t, { weights: [1, 1, 1, -1, 1] }))).toEqual(
      ['invalid-weight', 3],
    );
    expect(code(() => standardizedDifferences(x, ['a'], t, { weights: [1, 0, 1, 1, 1] }))).toEqual([
      'too-few-observations',
      undefined,
    ]);
    expect(code(() => standardizedDifferences(x, ['a'], [1, 0, 0, 0, 0]))).toEqual([
      'too-few-observations',
      undefined,
    ]);
    expect(code(() => standardizedDifferences(x, ['a', 'b'], t))).toEqual([
      'length-mismatch',
      undefined,
    ]);
    expect(code(() => standardizedDifferences(x, ['a'], t, { binary: ['a'] }))).toEqual([
      'invalid-option',
      undefined,
    ]);
    expect(code(() => standardizedDifferences(x, ['a'], t, { binary: ['zz'] }))).toEqual([
      'invalid-option',
      undefined,
    ]);
    expect(code(() => standardizedDifferences(x, ['a'], t, { estimand: 'ATC' as 'ATT' }))).toEqual([
      'invalid-option',
      undefined,
    ]);
  });
});
