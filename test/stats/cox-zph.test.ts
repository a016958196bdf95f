import { fitCox, type CoxData } from '../../src/stats/cox.js';
import { coxZph, type ZphTransform } from '../../src/stats/cox-zph.js';
import { StatsError } from '../../src/stats/errors.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

type Num = number | number[];
type Str = string | string[];
interface ZphCase {
  name: string;
  data: {
    time: number[];
    status: number[];
    x: number[][];
    names: Str;
    strata: number[] | null;
    offset: number[] | null;
    weights: number[] | null;
    cluster: number[] | null;
  };
  ties: 'efron' | 'breslow';
  coef: Num;
  results: {
    transform: ZphTransform;
    terms: string[];
    statistic: number[];
    df: number[];
    p: number[];
  }[];
}

// Written by test/reference/cox-zph.R: survival::cox.zph(coxph(...), transform = ...), survival 3.5-3.
const cases = loadFixture<{ cases: ZphCase[] }>('cox-zph').cases;
const arr = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function input(c: ZphCase): CoxData {
  const d: CoxData = {
    time: c.data.time,
    status: c.data.status,
    x: c.data.x.map(arr),
    names: arr(c.data.names),
  };
  if (c.data.strata) d.strata = c.data.strata;
  if (c.data.offset) d.offset = c.data.offset;
  if (c.data.weights) d.weights = c.data.weights;
  if (c.data.cluster) d.cluster = c.data.cluster;
  return d;
}

const rows = cases.flatMap((c) =>
  c.results.map((r) => [`${c.name} / ${r.transform}`, c, r] as const),
);

describe('coxZph against survival::cox.zph', () => {
  test.each(rows)('%s', (name, c, r) => {
    const data = input(c);
    const fit = fitCox(data, { ties: c.ties });
    expectAllClose(fit.coef, arr(c.coef), { rtol: 1e-6, label: `${name}: coef` });
    const z = coxZph(fit, data, { transform: r.transform });
    expect(z.transform).toBe(r.transform);
    const got = [...z.terms, z.global];
    expect(got.map((t) => t.term)).toEqual(r.terms);
    expectAllClose(
      got.map((t) => t.statistic),
      r.statistic,
      { rtol: 1e-6, label: `${name}: chisq` },
    );
    expect(got.map((t) => t.df)).toEqual(r.df);
    expectAllClose(
      got.map((t) => t.p),
      r.p,
      { rtol: 1e-6, label: `${name}: p` },
    );
  });
});

describe('coxZph options and errors', () => {
  const c = cases[0]!;
  const data = input(c);
  const fit = fitCox(data);
  test('km is the default transform and terms = false gives the same table', () => {
    const r = c.results.find((x) => x.transform === 'km')!;
    const z = coxZph(fit, data, { terms: false });
    expect(z.transform).toBe('km');
    expectClose(z.global.statistic, r.statistic[r.statistic.length - 1], { rtol: 1e-6 });
  });
  test('refuses data of another shape and unknown transforms', () => {
    const other = {
      ...data,
      time: Array.from(data.time).slice(1),
      status: Array.from(data.status).slice(1),
    };
    expect(() => coxZph(fit, other)).toThrow(StatsError);
    expect(() => coxZph(fit, data, { transform: 'sqrt' as ZphTransform })).toThrow(/transform/);
  });
});
