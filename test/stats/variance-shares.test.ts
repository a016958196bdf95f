/**
 * fitCox's `varianceGroups`: each arm's part of the treatment coefficient's infinitesimal-
 * jackknife variance, against R's dfbeta residuals (test/reference/variance-shares.R, survival
 * 3.5-3 on `lung`), and the dfbeta residuals themselves (`dfbeta: true`). Tolerance 1e-8 relative
 * (of each column's largest residual for the residuals).
 */
import { readFileSync } from 'node:fs';
import { fitCox, type CoxOptions, type CoxTies } from '../../src/stats/cox.js';

interface Case {
  name: string;
  ties: CoxTies;
  covariates: string[];
  weighted: boolean;
  shares: { control: number; treated: number };
  /** residuals(fit, type = "dfbeta"), one row per observation. */
  dfbeta: number[][];
}
const fixture = JSON.parse(
  readFileSync(new URL('../reference/fixtures/variance-shares.json', import.meta.url), 'utf8'),
) as { cases: { data: Record<string, number[]>; cases: Case[] } };
const { data, cases } = fixture.cases;

/** The case's model as the R script fits it, with `extra` options. */
const fitCase = (c: Case, extra: CoxOptions) =>
  fitCox(
    {
      time: data['time']!,
      status: data['status']!,
      x: c.covariates.map((v) => data[v]!),
      names: c.covariates,
      ...(c.weighted ? { weights: data['w']! } : {}),
    },
    { ties: c.ties, ...extra, ...(c.weighted ? { robust: true } : {}) },
  );

describe('fitCox varianceGroups (R dfbeta shares)', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const fit = fitCase(c, { varianceGroups: data['arm']! });
    const parts = fit.groupVariance!;
    expect(Math.abs(parts.get(1)![0]! / c.shares.treated - 1)).toBeLessThan(1e-8);
    expect(Math.abs(parts.get(0)![0]! / c.shares.control - 1)).toBeLessThan(1e-8);
  });

  test.each(cases.map((c) => [c.name, c] as const))('dfbeta residuals: %s', (_name, c) => {
    const fit = fitCase(c, { dfbeta: true });
    const p = c.covariates.length;
    const d = fit.dfbeta!;
    // a one-coefficient row is written unboxed (jsonlite's auto_unbox)
    const rows = c.dfbeta.map((r) => (Array.isArray(r) ? r : [r as unknown as number]));
    expect(d.length).toBe(rows.length * p);
    // relative to the largest |D| of the column: single residuals can be ~0
    for (let j = 0; j < p; j++) {
      const big = Math.max(...rows.map((r) => Math.abs(r[j]!)));
      rows.forEach((r, i) => {
        expect(Math.abs(d[i * p + j]! - r[j]!) / big).toBeLessThan(1e-8);
      });
    }
  });

  test('parts are absent unless asked for, and add up to the robust variance', () => {
    const base = {
      time: data['time']!,
      status: data['status']!,
      x: [data['arm']!, data['age']!],
      names: ['arm', 'age'],
    };
    expect(fitCox(base).groupVariance).toBeUndefined();
    expect(fitCox(base).dfbeta).toBeUndefined();
    const fit = fitCox(base, { varianceGroups: data['arm']!, robust: true });
    const g = fit.groupVariance!;
    for (let j = 0; j < 2; j++) {
      const sum = g.get(0)![j]! + g.get(1)![j]!;
      expect(Math.abs(sum / fit.var[j * 2 + j]! - 1)).toBeLessThan(1e-12);
    }
  });
});
