/**
 * Kaplan–Meier for two arms plus the log-rank test, against R's
 * `survfit(Surv(t, e) ~ g, d); survdiff(Surv(t, e) ~ g, d)` on the same data: n = 1e5 and 1e6,
 * two arms, exponential times rounded up to 0.1 (many ties), about 30% censored.
 */
import { createStream } from '../src/random/index.js';
import { kaplanMeier } from '../src/stats/km.js';
import { logRank } from '../src/stats/logrank.js';
import { timeIt, timeR, writeCsv, type BenchResult } from './harness.js';

interface Data {
  t: Float64Array;
  e: Uint8Array;
  g: Uint8Array;
}

function generate(n: number, seed: number): Data {
  const rng = createStream(seed, n);
  const t = new Float64Array(n);
  const e = new Uint8Array(n);
  const g = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const arm = i & 1;
    const rate = arm === 1 ? 0.07 : 0.1;
    // censoring hazard 3/7 of the event hazard: P(censored) = 0.3
    const tEvent = -Math.log(rng.uniformOpen()) / rate;
    const tCens = -Math.log(rng.uniformOpen()) / ((rate * 3) / 7);
    const x = Math.min(tEvent, tCens);
    t[i] = Math.ceil(x * 10) / 10;
    e[i] = tEvent <= tCens ? 1 : 0;
    g[i] = arm;
  }
  return { t, e, g };
}

/** Our side of the work: split by arm, one Kaplan–Meier per arm, one log-rank test. */
function ours(d: Data): unknown {
  const n = d.t.length;
  let n1 = 0;
  for (let i = 0; i < n; i++) n1 += d.g[i]!;
  const t0 = new Float64Array(n - n1);
  const e0 = new Uint8Array(n - n1);
  const t1 = new Float64Array(n1);
  const e1 = new Uint8Array(n1);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (d.g[i] === 1) {
      t1[b] = d.t[i]!;
      e1[b++] = d.e[i]!;
    } else {
      t0[a] = d.t[i]!;
      e0[a++] = d.e[i]!;
    }
  }
  const km0 = kaplanMeier(t0, e0);
  const km1 = kaplanMeier(t1, e1);
  const lr = logRank(d.t, d.e, d.g);
  return [km0.surv[km0.surv.length - 1], km1.median.estimate, lr.statistic];
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const [n, runs, rRuns] of [
    [1e5, 15, 5],
    [1e6, 7, 3],
  ] as const) {
    const d = generate(n, 20261123);
    let censored = 0;
    for (let i = 0; i < n; i++) censored += 1 - d.e[i]!;
    const label = `n=${n.toExponential(0)}`;
    const both = timeIt(() => ours(d), runs);
    const kmOnly = timeIt(() => kaplanMeier(d.t, d.e), runs);
    const lrOnly = timeIt(() => logRank(d.t, d.e, d.g), runs);
    const csv = writeCsv({ t: d.t, e: d.e, g: d.g });
    let rBoth: number | undefined;
    let rKm: number | undefined;
    let rLr: number | undefined;
    try {
      rBoth = timeR(
        csv.file,
        'list(survfit(Surv(t, e) ~ g, d), survdiff(Surv(t, e) ~ g, d))',
        rRuns,
      );
      rKm = timeR(csv.file, 'survfit(Surv(t, e) ~ 1, d)', rRuns);
      rLr = timeR(csv.file, 'survdiff(Surv(t, e) ~ g, d)', rRuns);
    } finally {
      csv.cleanup();
    }
    const note = `${((100 * censored) / n).toFixed(0)}% censored, ties (times on a 0.1 grid)`;
    const entry = (name: string, ms: number, r: number | undefined): BenchResult => ({
      name,
      medianMs: ms,
      runs,
      ...(r !== undefined ? { rMedianMs: r, speedup: r / ms } : {}),
      note,
    });
    results.push(entry(`survival-curves KM x2 arms + log-rank ${label}`, both, rBoth));
    results.push(entry(`survival-curves KM pooled ${label}`, kmOnly, rKm));
    results.push(entry(`survival-curves log-rank ${label}`, lrOnly, rLr));
  }
  return results;
}
