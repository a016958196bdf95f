/**
 * Differentially private fitting (PrivBayes-style): with a large ε the noisy tables approach the
 * maximum-likelihood ones; with a small ε they are noisier; the same seed gives the same model;
 * the budget and its split are recorded; inputs the mechanism cannot protect are refused.
 */
import { cohortTable, fitModel } from '../../src/model/fit.js';
import { parseFitSpecText } from '../../src/model/fit-spec.js';
import { loadModel } from '../../src/model/load.js';
import { laplace, mutualInformationSensitivity } from '../../src/model/dp-fit.js';
import type { CategoricalVariable } from '../../src/model/schema.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';

const truth = loadModel('test/model/fit-fixtures/truth.json');
const table = cohortTable(sampleCohort(truth, 5000, createStream(7)), ['os'], 'sim.csv', 40);

function spec(structure: string, extra = ''): string {
  return `
format: ecasim-fit/1
registry: { name: simulated }
timeUnit: months
variables:
  sex: { kind: categorical, levels: [female, male] }
  stage: { kind: categorical, levels: [III, IV] }
  age: { kind: continuous, bins: [55, 65, 75] }
  ecog: { kind: logistic }
  nmets: { kind: count, bins: [1, 3] }
  crp: { kind: continuous, transform: log, bins: [5, 10, 20] }
  os: { kind: time-to-event, time: os_time, event: os_event, baseline: piecewise-exponential, breaks: [0, 6, 12, 24], horizon: 36 }
${extra}
structure:
  ${structure}
`;
}
const FIXED =
  'graph: { stage: [sex], age: [sex], ecog: [age, stage], nmets: [stage], crp: [ecog], os: [age, stage, ecog] }';

const fitDp = (eps: number, seed: number, structure = FIXED) =>
  fitModel(table, parseFitSpecText('fit.yaml', spec(structure)), {
    epsilon: eps,
    rng: createStream(seed),
    software: 't',
  });

/** The ML table of `name` on the same binned data: DP with ε → ∞ has no noise. */
function tableOf(m: ReturnType<typeof fitDp>, name: string): CategoricalVariable {
  const v = m.model.variables[name]!;
  if (v.kind !== 'categorical') throw new Error(`${name} is ${v.kind}`);
  return v;
}

function meanAbsDiff(a: CategoricalVariable, b: CategoricalVariable): number {
  let s = 0;
  let k = 0;
  a.table.forEach((row, r) =>
    row.p.forEach((p, l) => {
      s += Math.abs(p - b.table[r]!.p[l]!);
      k++;
    }),
  );
  return s / k;
}

describe('PrivBayes-style fitting', () => {
  const exact = fitDp(1e9, 1);

  test('the model loads; provenance records ε, the split and the mechanism', () => {
    expect(exact.method).toBe('fitted-dp');
    const d = exact.model.provenance.derivation;
    expect(d.epsilon).toBe(1e9);
    expect(d.notes).toMatch(/PrivBayes/);
    expect(d.notes).toMatch(/fixed graph, nothing spent/);
    expect(d.notes).toMatch(/age \[55, 65, 75\]/);
    expect(d.notes).toMatch(/missing counts withheld/);
  });

  test('numeric covariates come out categorical over their bins; the outcome piecewise-exponential', () => {
    expect(tableOf(exact, 'age').levels).toEqual(['<55', '[55,65)', '[65,75)', '>=75']);
    const os = exact.model.variables['os']!;
    expect(os.kind === 'time-to-event' && os.baseline.distribution).toBe('piecewise-exponential');
    if (os.kind !== 'time-to-event') return;
    // true log-HRs: stage=IV 0.6, ecog=1 0.5 (age binned, so its effect is spread over levels)
    expect(os.logHazardRatios['stage=IV']).toBeGreaterThan(0.3);
    expect(os.logHazardRatios['ecog=1']).toBeGreaterThan(0.2);
  });

  test('with ε very large the tables equal the ML tables of the binned data', () => {
    const ml = fitModel(
      table,
      parseFitSpecText(
        'fit.yaml',
        spec(FIXED).replace('age: { kind: continuous, bins', 'age: { kind: categorical, bins'),
      ),
      { software: 't' },
    );
    const a = tableOf(exact, 'stage');
    const b = ml.model.variables['stage'] as CategoricalVariable;
    expect(meanAbsDiff(a, b)).toBeLessThan(1e-6);
    expect(
      meanAbsDiff(tableOf(exact, 'age'), ml.model.variables['age'] as CategoricalVariable),
    ).toBeLessThan(1e-6);
  });

  test('smaller ε, noisier tables', () => {
    const err = (eps: number): number => {
      let s = 0;
      for (let seed = 1; seed <= 5; seed++) {
        const m = fitDp(eps, seed);
        s += meanAbsDiff(tableOf(m, 'age'), tableOf(exact, 'age'));
        s += meanAbsDiff(tableOf(m, 'ecog'), tableOf(exact, 'ecog'));
      }
      return s;
    };
    const e10 = err(10);
    const e01 = err(0.1);
    expect(e10).toBeGreaterThan(0);
    expect(e01).toBeGreaterThan(3 * e10);
  });

  test('same seed, same model; another seed, another model', () => {
    expect(fitDp(1, 42).model).toEqual(fitDp(1, 42).model);
    expect(fitDp(1, 43).model).not.toEqual(fitDp(1, 42).model);
  });

  test('learned structure: respects tiers, whitelist and maxParents; deterministic by seed', () => {
    const learn =
      'learn: { tiers: [[sex, age], [stage, ecog, nmets, crp], [os]], whitelist: [[stage, os]], blacklist: [[sex, crp]], maxParents: 2 }';
    const a = fitDp(5, 9, learn);
    expect(a.model.provenance.derivation.notes).toMatch(/epsilon 5 = 1.5 structure/);
    expect(a.graph['os']).toContain('stage');
    expect(a.graph['crp']).not.toContain('sex');
    for (const ps of Object.values(a.graph)) expect(ps.length).toBeLessThanOrEqual(2);
    for (const p of a.graph['sex']!.concat(a.graph['age']!)) expect(['sex', 'age']).toContain(p);
    expect(fitDp(5, 9, learn).graph).toEqual(a.graph);
  });

  test('a whitelisted parent declared after its child is visited first (no cycle)', () => {
    const a = fitDp(5, 3, 'learn: { whitelist: [[crp, ecog]], maxParents: 2 }');
    expect(a.graph['ecog']).toContain('crp');
    expect(a.graph['crp']).not.toContain('ecog');
    expect(a.loaded.order.indexOf('crp')).toBeLessThan(a.loaded.order.indexOf('ecog'));
  });

  test('numeric variables need bins; the time-to-event needs breaks and horizon', () => {
    const s = spec(FIXED).replace(', bins: [55, 65, 75]', '').replace(', horizon: 36', '');
    expect(() =>
      fitModel(table, parseFitSpecText('fit.yaml', s), {
        epsilon: 1,
        rng: createStream(1),
        software: 't',
      }),
    ).toThrow(/"age" \(continuous\) needs "bins" under --epsilon/);
  });
});

describe('mechanism pieces', () => {
  test('Laplace draws have mean 0 and variance 2b²', () => {
    const rng = createStream(3);
    let s = 0;
    let ss = 0;
    const n = 200000;
    for (let i = 0; i < n; i++) {
      const x = laplace(2, rng);
      s += x;
      ss += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(ss / n - 8) / 8).toBeLessThan(0.03);
  });

  test('mutual-information sensitivity (Zhang et al. 2017, Lemma 4.1) shrinks like log(n)/n', () => {
    const n = 1000;
    expect(mutualInformationSensitivity(n)).toBeCloseTo(
      (2 / n) * Math.log((n + 1) / 2) + ((n - 1) / n) * Math.log((n + 1) / (n - 1)),
      15,
    );
    expect(mutualInformationSensitivity(10 * n)).toBeLessThan(mutualInformationSensitivity(n) / 5);
  });
});
