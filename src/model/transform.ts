/**
 * The scale a continuous variable's linear-Gaussian model holds on: `none` (x itself), `log`
 * (log x, for positive measurements) or `log1p` (log(1 + x), for skewed measurements and counts
 * with zeros). The model is fitted to y = g(x) and draws x = g⁻¹(y); the likelihood of x carries
 * the Jacobian log|dy/dx|, so fits on different scales compare on the same data.
 */
export const TRANSFORMS = ['none', 'log', 'log1p'] as const;
export type Transform = (typeof TRANSFORMS)[number];

/** y = g(x). */
export function forward(t: Transform, x: number): number {
  return t === 'log' ? Math.log(x) : t === 'log1p' ? Math.log1p(x) : x;
}

/** x = g⁻¹(y). */
export function inverse(t: Transform, y: number): number {
  return t === 'log' ? Math.exp(y) : t === 'log1p' ? Math.expm1(y) : y;
}

/** log|dg/dx| at x: −log x, −log(1 + x), or 0. */
export function logJacobian(t: Transform, x: number): number {
  return t === 'log' ? -Math.log(x) : t === 'log1p' ? -Math.log1p(x) : 0;
}

/** The values g accepts are those above this limit: 0 for log, −1 for log1p, −∞ otherwise. */
export function lowerLimit(t: Transform): number {
  return t === 'log' ? 0 : t === 'log1p' ? -1 : -Infinity;
}

/** How the transformed scale is written in a message: `log(x)`, `log(1 + x)` or `x`. */
export function scaleOf(t: Transform, x = 'x'): string {
  return t === 'log' ? `log(${x})` : t === 'log1p' ? `log(1 + ${x})` : x;
}
