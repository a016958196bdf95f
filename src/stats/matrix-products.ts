/**
 * Products of small dense p×p matrices, row-major `Float64Array`s of length p·p as in linalg.ts,
 * for the variances of the fitters: a covariance carried through a linear map, V ↦ A·V·Aᵀ (a
 * change of parameterisation or scale, the delta method), and the robust variance's V·B·V.
 * Every entry is summed over k in ascending order, so a product is the same to the last bit
 * wherever it is computed.
 */

/**
 * A·B for p×p row-major matrices.
 *
 * Complexity: O(p³).
 * @example
 * matMul([1, 2, 3, 4], [0, 1, 1, 0], 2); // Float64Array [2, 1, 4, 3]
 */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, p: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let r = 0; r < p; r++)
    for (let c = 0; c < p; c++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += a[r * p + k]! * b[k * p + c]!;
      out[r * p + c] = s;
    }
  return out;
}

/** Aᵀ for a p×p row-major matrix. */
function transpose(a: ArrayLike<number>, p: number): Float64Array {
  const t = new Float64Array(p * p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) t[c * p + r] = a[r * p + c]!;
  return t;
}

/**
 * A·V·Aᵀ for p×p row-major matrices: the covariance of A·θ when θ has covariance V.
 *
 * Complexity: O(p³).
 * @example
 * sandwich([2, 0, 0, 1], [1, 0.5, 0.5, 1], 2); // Float64Array [4, 1, 1, 1]
 */
export function sandwich(a: ArrayLike<number>, v: ArrayLike<number>, p: number): Float64Array {
  return matMul(matMul(a, v, p), transpose(a, p), p);
}
