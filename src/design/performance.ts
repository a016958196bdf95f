/**
 * Performance measures of a simulation study with their Monte-Carlo standard errors, after
 * Morris, White & Crowther (2019, "Using simulation studies to evaluate statistical methods",
 * Statistics in Medicine 38:2074–2102, Table 6): the coverage study's and `ecasim design`'s.
 *
 * For n_sim trials with estimates θ̂_i of a target θ:
 *  - coverage / rejection rate p̂: MC SE √(p̂(1 − p̂)/n_sim);
 *  - bias mean(θ̂_i) − θ: MC SE s/√n_sim, s the empirical SD of θ̂;
 *  - empirical SD s: MC SE s/√(2(n_sim − 1));
 *  - RMSE √mean((θ̂_i − θ)²): MC SE sd((θ̂_i − θ)²)/√n_sim / (2·RMSE) (delta method);
 *  - a mean of per-trial quantities x_i (model SE, CI width): MC SE sd(x)/√n_sim.
 */
/** A performance measure and its Monte-Carlo standard error. */
export interface Estimate {
  readonly value: number;
  readonly mcse: number;
}

function sd(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
}

/** A proportion of `k` in `n` with its binomial MC SE. */
export function proportion(k: number, n: number): Estimate {
  const p = k / n;
  return { value: p, mcse: Math.sqrt((p * (1 - p)) / n) };
}

/** The mean of xs with MC SE sd/√n (infinite values make both infinite). */
export function meanOf(xs: readonly number[]): Estimate {
  const n = xs.length;
  const value = xs.reduce((a, b) => a + b, 0) / n;
  return { value, mcse: Number.isFinite(value) ? sd(xs) / Math.sqrt(n) : Infinity };
}

/** Bias of `estimates` about `target`, with MC SE s/√n. */
export function bias(estimates: readonly number[], target: number): Estimate {
  const m = meanOf(estimates);
  return { value: m.value - target, mcse: m.mcse };
}

/** Empirical SD with MC SE s/√(2(n − 1)). */
export function empiricalSd(estimates: readonly number[]): Estimate {
  const s = sd(estimates);
  return { value: s, mcse: s / Math.sqrt(2 * (estimates.length - 1)) };
}

/** Root mean squared error about `target`, with its delta-method MC SE. */
export function rmse(estimates: readonly number[], target: number): Estimate {
  const sq = estimates.map((x) => (x - target) ** 2);
  const mse = meanOf(sq);
  const value = Math.sqrt(mse.value);
  return { value, mcse: mse.mcse / (2 * value) };
}
