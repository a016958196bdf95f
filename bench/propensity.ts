/**
 * Propensity benchmark: logistic IRLS at n = 1e5, p = 10 against R's glm on the same data, then
 * the weights, effective sample sizes and cobalt-style balance table on the fitted scores.
 */
import { createStream } from '../src/random/index.js';
import { standardizedDifferences } from '../src/stats/balance.js';
import { fitLogistic } from '../src/stats/logistic.js';
import {
  effectiveSampleSizeByArm,
  estimatePropensity,
  propensityWeights,
} from '../src/stats/propensity.js';
import { timeIt, timeR, writeCsv, type BenchResult } from './harness.js';

const N = 100_000;
const P = 10;

function makeData(): { treated: Float64Array; x: Float64Array[]; names: string[] } {
  const rng = createStream(20260325, 3);
  const names = Array.from({ length: P }, (_, j) => `x${j + 1}`);
  // half continuous (normal), half binary covariates
  const x = names.map((_, j) => {
    const col = new Float64Array(N);
    for (let i = 0; i < N; i++)
      col[i] = j % 2 === 0 ? rng.normal() : rng.random() < 0.3 + 0.04 * j ? 1 : 0;
    return col;
  });
  const beta = names.map((_, j) => (j % 3 === 0 ? 0.3 : -0.15));
  const treated = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let lp = -0.5;
    for (let j = 0; j < P; j++) lp += beta[j]! * x[j]![i]!;
    treated[i] = rng.random() < 1 / (1 + Math.exp(-lp)) ? 1 : 0;
  }
  return { treated, x, names };
}

export async function run(): Promise<BenchResult[]> {
  const { treated, x, names } = makeData();
  const results: BenchResult[] = [];
  const columns: Record<string, ArrayLike<number>> = { treated };
  names.forEach((nm, j) => (columns[nm] = x[j]!));
  const csv = writeCsv(columns);
  try {
    const fit = fitLogistic(treated, x, names);
    const ours = timeIt(() => fitLogistic(treated, x, names), 5);
    const r = timeR(csv.file, 'glm(treated ~ ., data = d, family = binomial)', 5);
    results.push({
      name: `logistic IRLS n=${N} p=${P}`,
      medianMs: ours,
      runs: 5,
      ...(r !== undefined ? { rMedianMs: r, speedup: r / ours } : {}),
      note: `${fit.iterations} iterations`,
    });

    const ps = fit.fitted;
    const wOurs = timeIt(() => {
      const w = propensityWeights(ps, treated, { estimand: 'ATE' }).weights;
      return effectiveSampleSizeByArm(w, treated);
    }, 9);
    const wR = timeR(
      csv.file,
      'local({ w <- ifelse(d$treated == 1, 1 / e, 1 / (1 - e)); sapply(split(w, d$treated), function(v) sum(v)^2 / sum(v^2)) })',
      9,
      'e <- fitted(glm(treated ~ ., data = d, family = binomial))',
    );
    results.push({
      name: `ATE weights + ESS n=${N}`,
      medianMs: wOurs,
      runs: 9,
      ...(wR !== undefined ? { rMedianMs: wR, speedup: wR / wOurs } : {}),
    });

    const w = propensityWeights(ps, treated, { estimand: 'ATE' }).weights;
    const bOurs = timeIt(
      () => standardizedDifferences(x, names, treated, { weights: w, estimand: 'ATE' }),
      9,
    );
    // the same formulas as cobalt's col_w_smd / col_w_vr (cobalt is not installed), vectorised in R
    const bR = timeR(
      csv.file,
      `local({ t <- d$treated == 1; sapply(names(d)[-1], function(v) { x <- d[[v]];
        wm <- function(x, w) sum(w * x) / sum(w);
        wv <- function(x, w) { m <- wm(x, w); sum(w * (x - m)^2) * sum(w) / (sum(w)^2 - sum(w^2)) };
        s <- sqrt((var(x[t]) + var(x[!t])) / 2);
        c((wm(x[t], w[t]) - wm(x[!t], w[!t])) / s, wv(x[t], w[t]) / wv(x[!t], w[!t])) }) })`,
      9,
      'e <- fitted(glm(treated ~ ., data = d, family = binomial)); w <- ifelse(d$treated == 1, 1 / e, 1 / (1 - e))',
    );
    results.push({
      name: `balance table (SMD + VR) n=${N} p=${P}`,
      medianMs: bOurs,
      runs: 9,
      ...(bR !== undefined ? { rMedianMs: bR, speedup: bR / bOurs } : {}),
    });

    const eOurs = timeIt(() => estimatePropensity(treated, x, names, { estimand: 'ATT' }), 5);
    results.push({ name: `estimatePropensity end-to-end n=${N} p=${P}`, medianMs: eOurs, runs: 5 });
  } finally {
    csv.cleanup();
  }
  return results;
}
