/**
 * Sampling speed (issue #4): virtual patients per second on one core for a 12-variable mixed
 * network with a Weibull outcome, the ratio to the bound set by drawing the uniforms alone (one
 * per variable and patient), and 10⁷ patients within 2 GiB. The CPU time of the same draws is
 * shown too: on shared cores it moves less with other load than the wall time does.
 */
import { parseModelText } from '../src/model/load.js';
import { createStream } from '../src/random/index.js';
import { sampleCohort } from '../src/simulate/ancestral.js';
import { median, timeIt, type BenchResult } from './harness.js';

const table = (given: Record<string, string>, p: number[]) => ({ given, p });
const MODEL = {
  format: 'ecasim-model/1',
  provenance: { registry: 'bench', derivation: { method: 'expert' }, timeUnit: 'months' },
  variables: {
    sex: { kind: 'categorical', levels: ['f', 'm'], table: [table({}, [0.4, 0.6])] },
    stage: {
      kind: 'categorical',
      levels: ['III', 'IV'],
      parents: ['sex'],
      table: [table({ sex: 'f' }, [0.3, 0.7]), table({ sex: 'm' }, [0.25, 0.75])],
    },
    smoking: {
      kind: 'categorical',
      levels: ['never', 'former', 'current'],
      table: [table({}, [0.2, 0.5, 0.3])],
    },
    region: {
      kind: 'categorical',
      levels: ['a', 'b', 'c', 'd'],
      table: [table({}, [0.25, 0.25, 0.25, 0.25])],
    },
    age: {
      kind: 'continuous',
      parents: ['sex'],
      intercept: 65,
      coefficients: { 'sex=m': 1 },
      sd: 9,
      bounds: [18, 95],
      round: true,
    },
    bmi: {
      kind: 'continuous',
      parents: ['age'],
      intercept: 26,
      coefficients: { age: -0.02 },
      centers: { age: 65 },
      sd: 4,
    },
    crp: {
      kind: 'continuous',
      parents: ['stage'],
      intercept: 2,
      coefficients: { 'stage=IV': 0.5 },
      sd: 0.8,
      transform: 'log',
    },
    ldh: {
      kind: 'continuous',
      parents: ['stage'],
      intercept: 250,
      coefficients: { 'stage=IV': 40 },
      sd: 60,
    },
    ecog: {
      kind: 'logistic',
      levels: ['0', '1+'],
      parents: ['age', 'smoking'],
      intercept: -0.3,
      coefficients: { age: 0.02, 'smoking=current': 0.3 },
      centers: { age: 65 },
    },
    brain: {
      kind: 'logistic',
      levels: ['no', 'yes'],
      parents: ['stage'],
      intercept: -2,
      coefficients: { 'stage=IV': 0.8 },
    },
    nmets: {
      kind: 'count',
      distribution: 'poisson',
      parents: ['stage'],
      intercept: 0.3,
      coefficients: { 'stage=IV': 0.6 },
    },
    os: {
      kind: 'time-to-event',
      parents: ['age', 'stage', 'ecog', 'brain', 'crp', 'nmets'],
      baseline: { distribution: 'weibull', shape: 1.2, scale: 14 },
      logHazardRatios: {
        age: 0.01,
        'stage=IV': 0.4,
        'ecog=1+': 0.5,
        'brain=yes': 0.3,
        crp: 0.05,
        nmets: 0.1,
      },
      centers: { age: 65, crp: 8, nmets: 2 },
    },
  },
};

/** Median CPU time (user + system) of `runs` calls, in ms; the result is kept so it is not optimised away. */
function cpuMs(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  const keep: unknown[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.cpuUsage();
    keep.push(fn());
    const d = process.cpuUsage(t0);
    times.push((d.user + d.system) / 1000);
    keep.length = 0;
  }
  return median(times);
}

export async function run(): Promise<BenchResult[]> {
  const model = parseModelText('bench-model.json', JSON.stringify(MODEL));
  const n = 1_000_000;
  const sampling = timeIt(() => sampleCohort(model, n, createStream(1)), 5);
  const cpu = cpuMs(() => sampleCohort(model, n, createStream(1)), 5);
  // The bound: one uniform per variable and patient, into a typed array, nothing else.
  const uniforms = timeIt(() => {
    const rng = createStream(1);
    const out = new Float64Array(n);
    for (let v = 0; v < 12; v++) {
      const s = rng.substream(v);
      for (let i = 0; i < n; i++) out[i] = s.random();
    }
    return out;
  }, 5);
  const big = 10_000_000;
  const t0 = process.hrtime.bigint();
  const cohort = sampleCohort(model, big, createStream(2));
  const bigMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = process.memoryUsage();
  return [
    {
      name: `sample 12-variable network, n = 1e6`,
      medianMs: sampling,
      runs: 5,
      note: `${(n / (sampling / 1000) / 1e6).toFixed(2)} M patients/s (CPU time: ${(n / (cpu / 1000) / 1e6).toFixed(2)}); ${(sampling / uniforms).toFixed(1)}x the uniforms-only bound (${uniforms.toFixed(0)} ms)`,
    },
    {
      name: `sample 12-variable network, n = 1e7`,
      medianMs: bigMs,
      runs: 1,
      peakMiB: after.rss / 2 ** 20, // whole-process RSS after the draw
      note: `${cohort.n} patients; process RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB (target < 2048)`,
    },
  ];
}
