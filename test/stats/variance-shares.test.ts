/**
 * fitCox's `varianceGroups`: each arm's part of the treatment coefficient's infinitesimal-
 * jackknife variance, against R's dfbeta residuals (test/reference/variance-shares.R, survival
 * 3.5-3 on `lung`). Tolerance 1e-8 relative.
 */
import { readFileSync } from 'node:fs';
import { fitCox, type CoxTies } from '../../src/stats/cox.js';

interface Case {
  name: string;
  ties: CoxTies;
  covariates: string[];
  weighted: boolean;
  shares: { control: number; treated: number };
}
const fixture = JSON.parse(
  readFileSync(new URL('../reference/fixtures/variance-shares.json', import.meta.url), 'utf8'),
) as { cases: { data: Record<string, number[]>; cases: Case[] } };
const { data, cases } = fixture.cases;

describe('fitCox varianceGroups (R dfbeta shares)', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const fit = fitCox(
      {
        time: data['time']!,
        status: data['status']!,
        x: c.covariates.map((v) => data[v]!),
        names: c.covariates,
        ...(c.weighted ? { weights: data['w']! } : {}),
      },
      { ties: c.ties, varianceGroups: data['arm']!, ...(c.weighted ? { robust: true } : {}) },
    );
    const parts = fit.groupVariance!;
    expect(Math.abs(parts.get(1)![0]! / c.shares.treated - 1)).toBeLessThan(1e-8);
    expect(Math.abs(parts.get(0)![0]! / c.shares.control - 1)).toBeLessThan(1e-8);
  });

  test('parts are absent unless asked for, and add up to the robust variance', () => {
    const base = {
      time: data['time']!,
      status: data['status']!,
      x: [data['arm']!, data['age']!],
      names: ['arm', 'age'],
    };
    expect(fitCox(base).groupVariance).toBeUndefined();
    const fit = fitCox(base, { varianceGroups: data['arm']!, robust: true });
    const g = fit.groupVariance!;
    for (let j = 0; j < 2; j++) {
      const sum = g.get(0)![j]! + g.get(1)![j]!;
      expect(Math.abs(sum / fit.var[j * 2 + j]! - 1)).toBeLessThan(1e-12);
    }
  });
});
