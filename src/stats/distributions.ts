/**
 * Distribution functions the analyses need, with R's names and tail conventions. Upper tails are
 * computed directly (regularised incomplete gamma/beta, erfc), never as 1 − cdf, so small
 * p-values keep their precision as in R's `pchisq(..., lower.tail = FALSE)`.
 * The kernels are @stdlib's (https://stdlib.io).
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import betainc from '@stdlib/math-base-special-betainc';
import erfc from '@stdlib/math-base-special-erfc';
import gammaln from '@stdlib/math-base-special-gammaln';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

const SQRT1_2 = Math.SQRT1_2;

/** Standard normal cdf; `lower = false` gives the upper tail. R: `pnorm(x, lower.tail = lower)`. */
export function pnorm(x: number, lower = true): number {
  if (Number.isNaN(x)) return NaN;
  return 0.5 * erfc((lower ? -x : x) * SQRT1_2);
}

/** Standard normal quantile. R: `qnorm(p)`. */
export function qnorm(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** Chi-square distribution function; upper tail by default (p-values). R: `pchisq(x, df, lower.tail = FALSE)`. */
export function pchisq(x: number, df: number, lower = false): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return lower ? 0 : 1;
  return gammainc(x / 2, df / 2, true, !lower);
}

/** Student t distribution function. R: `pt(x, df, lower.tail = lower)`. */
export function pt(x: number, df: number, lower = true): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (!Number.isFinite(df)) return pnorm(x, lower);
  // P(|T| > |x|) = I_{df/(df+x^2)}(df/2, 1/2)
  const tail = 0.5 * betainc(df / (df + x * x), df / 2, 0.5, true, false);
  // `tail` is the probability beyond |x| on x's side; return it directly where asked for.
  const farSide = lower ? x < 0 : x > 0;
  return farSide ? tail : 1 - tail;
}

/** Student t quantile; `df = Infinity` gives the normal quantile. R: `qt(p, df)`. */
export function qt(p: number, df: number): number {
  if (!Number.isFinite(df)) return qnorm(p);
  return tQuantile(p, df);
}

/** Two-sided p-value of a standard normal statistic. R: `2 * pnorm(-abs(z))`. */
export function pTwoSidedNormal(z: number): number {
  return 2 * pnorm(-Math.abs(z));
}

/** log Γ(x). R: `lgamma(x)`. */
export function lgamma(x: number): number {
  return gammaln(x);
}
