/**
 * `ecasim fit` with structure learning on 10⁵ registry rows × 15 variables of mixed kinds
 * (7 categorical, 2 logistic, 4 continuous — two log-normal —, 1 count, a Weibull time-to-event
 * outcome and a binary endpoint): the registry is sampled from a known network (seeded), then
 *  - structure learning alone (hill-climbing on BIC, from the read data), target < 10 s;
 *  - the whole fit (read the table, learn, fit every variable with standard errors, validate).
 * No R reference: bnlearn is not installed and has no Weibull or Poisson local scores.
 */
import { cohortTable, fitModel, learnStructure, readRegistry } from '../src/model/fit.js';
import { parseFitSpecText, type LearnSpec } from '../src/model/fit-spec.js';
import { parseModelText } from '../src/model/load.js';
import { createStream } from '../src/random/index.js';
import { sampleCohort } from '../src/simulate/ancestral.js';
import { timeIt, type BenchResult } from './harness.js';

const cat = (levels: string[], p: number[]) => ({
  kind: 'categorical',
  levels,
  table: [{ given: {}, p }],
});

/** The known 15-variable network the bench registry is drawn from. */
export const BENCH_MODEL = {
  format: 'ecasim-model/1',
  provenance: { registry: 'bench', derivation: { method: 'expert' }, timeUnit: 'months' },
  variables: {
    sex: cat(['female', 'male'], [0.45, 0.55]),
    region: cat(['north', 'south', 'east', 'west'], [0.3, 0.3, 0.2, 0.2]),
    smoker: {
      kind: 'categorical',
      levels: ['never', 'former', 'current'],
      parents: ['sex'],
      table: [
        { given: { sex: 'female' }, p: [0.5, 0.3, 0.2] },
        { given: { sex: 'male' }, p: [0.3, 0.4, 0.3] },
      ],
    },
    histology: {
      kind: 'categorical',
      levels: ['adeno', 'squamous'],
      parents: ['smoker'],
      table: [
        { given: { smoker: 'never' }, p: [0.8, 0.2] },
        { given: { smoker: 'former' }, p: [0.6, 0.4] },
        { given: { smoker: 'current' }, p: [0.5, 0.5] },
      ],
    },
    stage: {
      kind: 'categorical',
      levels: ['II', 'III', 'IV'],
      parents: ['region'],
      table: [
        { given: { region: 'north' }, p: [0.2, 0.3, 0.5] },
        { given: { region: 'south' }, p: [0.3, 0.3, 0.4] },
        { given: { region: 'east' }, p: [0.1, 0.3, 0.6] },
        { given: { region: 'west' }, p: [0.25, 0.35, 0.4] },
      ],
    },
    mutation: {
      kind: 'categorical',
      levels: ['none', 'egfr'],
      parents: ['histology', 'smoker'],
      table: [
        { given: { histology: 'adeno', smoker: 'never' }, p: [0.6, 0.4] },
        { given: { histology: 'adeno', smoker: 'former' }, p: [0.85, 0.15] },
        { given: { histology: 'adeno', smoker: 'current' }, p: [0.9, 0.1] },
        { given: { histology: 'squamous', smoker: 'never' }, p: [0.95, 0.05] },
        { given: { histology: 'squamous', smoker: 'former' }, p: [0.97, 0.03] },
        { given: { histology: 'squamous', smoker: 'current' }, p: [0.98, 0.02] },
      ],
    },
    site: cat(['academic', 'community', 'private'], [0.4, 0.4, 0.2]),
    age: {
      kind: 'continuous',
      parents: ['sex', 'smoker'],
      intercept: 64,
      coefficients: { 'sex=male': 2, 'smoker=current': -3 },
      sd: 9,
    },
    bmi: {
      kind: 'continuous',
      parents: ['age'],
      intercept: 26,
      coefficients: { age: -0.05 },
      centers: { age: 64 },
      sd: 4,
    },
    ldh: {
      kind: 'continuous',
      transform: 'log',
      parents: ['stage'],
      intercept: 5.4,
      coefficients: { 'stage=III': 0.1, 'stage=IV': 0.3 },
      sd: 0.3,
    },
    crp: {
      kind: 'continuous',
      transform: 'log',
      parents: ['stage', 'ldh'],
      intercept: 1.5,
      coefficients: { 'stage=IV': 0.5, ldh: 0.002 },
      centers: { ldh: 250 },
      sd: 0.8,
    },
    ecog: {
      kind: 'logistic',
      parents: ['age', 'stage'],
      intercept: -0.8,
      coefficients: { age: 0.04, 'stage=IV': 0.7 },
      centers: { age: 64 },
    },
    nmets: {
      kind: 'count',
      distribution: 'poisson',
      parents: ['stage'],
      intercept: -0.5,
      coefficients: { 'stage=III': 0.5, 'stage=IV': 1.2 },
    },
    os: {
      kind: 'time-to-event',
      parents: ['age', 'stage', 'ecog', 'mutation'],
      baseline: { distribution: 'weibull', shape: 1.2, scale: 20 },
      logHazardRatios: { age: 0.02, 'stage=IV': 0.6, 'ecog=1': 0.5, 'mutation=egfr': -0.4 },
      centers: { age: 64 },
    },
    orr: {
      kind: 'binary-endpoint',
      parents: ['mutation', 'ecog'],
      intercept: -1,
      coefficients: { 'mutation=egfr': 1, 'ecog=1': -0.5 },
    },
  },
};

export const BENCH_SPEC = `
format: ecasim-fit/1
registry: { name: bench registry }
timeUnit: months
variables:
  sex: { kind: categorical, levels: [female, male] }
  region: { kind: categorical, levels: [north, south, east, west] }
  smoker: { kind: categorical, levels: [never, former, current] }
  histology: { kind: categorical, levels: [adeno, squamous] }
  stage: { kind: categorical, levels: [II, III, IV] }
  mutation: { kind: categorical, levels: [none, egfr] }
  site: { kind: categorical, levels: [academic, community, private] }
  age: { kind: continuous }
  bmi: { kind: continuous }
  ldh: { kind: continuous, transform: log }
  crp: { kind: continuous, transform: log }
  ecog: { kind: logistic }
  nmets: { kind: count }
  os: { kind: time-to-event, time: os_time, event: os_event, baseline: weibull }
  orr: { kind: binary-endpoint }
structure:
  learn:
    tiers: [[sex, region, site, smoker, age], [histology, stage, mutation, bmi, ldh, crp, ecog, nmets], [os, orr]]
    maxParents: 4
`;

export async function run(): Promise<BenchResult[]> {
  const n = 100_000;
  const truth = parseModelText('bench-model.json', JSON.stringify(BENCH_MODEL));
  const table = cohortTable(
    sampleCohort(truth, n, createStream(20261123)),
    ['os'],
    'bench.csv',
    36,
  );
  const loaded = parseFitSpecText('bench-fit.yaml', BENCH_SPEC);
  const learn = (loaded.spec.structure as { learn: LearnSpec }).learn;
  const data = readRegistry(table, loaded);
  let arcs = 0;
  const learnMs = timeIt(() => {
    const g = learnStructure(data, loaded.spec, learn);
    arcs = Object.values(g).reduce((s, ps) => s + ps.length, 0);
    return g;
  }, 3);
  const fitMs = timeIt(() => fitModel(table, loaded, { software: 'bench' }), 3);
  const trueArcs = Object.values(BENCH_MODEL.variables).reduce(
    (s, v) => s + ('parents' in v ? (v.parents?.length ?? 0) : 0),
    0,
  );
  return [
    {
      name: 'fit: structure learning, 1e5 rows x 15 vars',
      medianMs: learnMs,
      runs: 3,
      note: `${arcs} arcs learned (${trueArcs} in the true network); target < 10 000 ms`,
    },
    {
      name: 'fit: read + learn + fit + validate, 1e5 x 15',
      medianMs: fitMs,
      runs: 3,
    },
  ];
}
