/**
 * Cox regression against R's `coxph` on the same data:
 *  - n = 1e6, p = 5 (two normal, one uniform, two binary covariates), Efron, times on a 0.1 grid
 *    (many ties), ~30% censored: model-based variance.
 *  - n = 1e5, p = 5, non-integer weights, 2e4 clusters, Efron: robust (sandwich) variance.
 * Peak memory is the process's maximum resident set (process.resourceUsage().maxRSS), read after
 * our runs and before the CSV for R is written, so it includes the input data (and the node
 * runtime). The small robust case runs first so that its reading is not the 1e6 case's.
 */
import { createStream } from '../src/random/index.js';
import { fitCox, type CoxData } from '../src/stats/cox.js';
import { timeIt, timeR, writeCsv, type BenchResult } from './harness.js';

interface Gen {
  data: CoxData;
  columns: Record<string, ArrayLike<number>>;
}

function generate(n: number, seed: number, weighted: boolean, nClusters: number): Gen {
  const rng = createStream(seed, n);
  const t = new Float64Array(n);
  const e = new Uint8Array(n);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const x3 = new Float64Array(n);
  const x4 = new Float64Array(n);
  const x5 = new Float64Array(n);
  const w = new Float64Array(n);
  const id = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = rng.normal();
    x2[i] = rng.normal();
    x3[i] = 40 + 40 * rng.random();
    x4[i] = rng.random() < 0.4 ? 1 : 0;
    x5[i] = rng.random() < 0.5 ? 1 : 0;
    const eta = 0.4 * x1[i]! - 0.2 * x2[i]! + 0.02 * (x3[i]! - 60) - 0.5 * x4[i]! + 0.3 * x5[i]!;
    const rate = 0.1 * Math.exp(eta);
    const tEvent = -Math.log(rng.uniformOpen()) / rate;
    const tCens = -Math.log(rng.uniformOpen()) / ((0.1 * 3) / 7);
    t[i] = Math.ceil(Math.min(tEvent, tCens) * 10) / 10;
    e[i] = tEvent <= tCens ? 1 : 0;
    w[i] = 0.5 + 1.5 * rng.random();
    id[i] = nClusters > 0 ? rng.uint32() % nClusters : i;
  }
  const data: CoxData = {
    time: t,
    status: e,
    x: [x1, x2, x3, x4, x5],
    names: ['x1', 'x2', 'x3', 'x4', 'x5'],
  };
  const columns: Record<string, ArrayLike<number>> = { t, e, x1, x2, x3, x4, x5 };
  if (weighted) {
    data.weights = w;
    columns.w = w;
  }
  if (nClusters > 0) {
    data.cluster = id;
    columns.id = id;
  }
  return { data, columns };
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const formula = 'Surv(t, e) ~ x1 + x2 + x3 + x4 + x5';
  const cases = [
    {
      name: 'cox efron robust n=1e5 p=5 weights, 2e4 clusters',
      n: 1e5,
      weighted: true,
      clusters: 2e4,
      runs: 7,
      rRuns: 1,
      r: `coxph(${formula}, d, weights = w, cluster = id)`,
    },
    {
      name: 'cox efron n=1e6 p=5 ties',
      n: 1e6,
      weighted: false,
      clusters: 0,
      runs: 5,
      rRuns: 3,
      r: `coxph(${formula}, d)`,
    },
  ];
  for (const c of cases) {
    const g = generate(c.n, 20261123, c.weighted, c.clusters);
    let fit = fitCox(g.data);
    const ms = timeIt(() => (fit = fitCox(g.data)), c.runs);
    const peak = peakRssMiB();
    const csv = writeCsv(g.columns);
    let rMs: number | undefined;
    try {
      rMs = timeR(csv.file, c.r, c.rRuns);
    } finally {
      csv.cleanup();
    }
    results.push({
      name: c.name,
      medianMs: ms,
      runs: c.runs,
      ...(rMs !== undefined ? { rMedianMs: rMs, speedup: rMs / ms } : {}),
      peakMiB: peak,
      note: `${fit.events} events, ${fit.iterations} iterations, variance ${fit.variance}; R runs ${c.rRuns}; peak = process max RSS`,
    });
  }
  return results;
}
