/**
 * Small dense symmetric-matrix helpers for p×p information matrices (p is the number of
 * covariates, usually < 50). Matrices are row-major `Float64Array`s of length p·p.
 *
 * The factorisation is R survival's `cholesky2` / `chsolve2` / `chinv2` (Therneau, survival
 * package, src/cholesky2.c, chsolve2.c, chinv2.c): a generalised Cholesky A = L·D·Lᵀ with unit
 * lower-triangular L, which tolerates positive *semi*-definite A by zeroing pivots below
 * `toler · max(diag A)` and reporting those columns as singular. Solving and inverting then treat
 * the singular columns as absent (their coefficients / rows / columns are 0), exactly as coxph does.
 */

/** The L·D·Lᵀ factor of a symmetric p×p matrix, with its rank check. */
export interface CholeskyFactor {
  /** Order of the matrix. */
  readonly p: number;
  /**
   * Row-major p×p: strictly below the diagonal, L (unit diagonal implied); on the diagonal, D
   * (0 for a singular column). Above the diagonal: unused.
   */
  readonly factor: Float64Array;
  /** Number of non-singular pivots. */
  readonly rank: number;
  /** 0-based indices of the columns found singular (pivot < toler · max diagonal, or not finite). */
  readonly singular: readonly number[];
  /** False when some pivot was clearly negative (< −8 · toler · max diagonal): A is not PSD. */
  readonly nonNegative: boolean;
}

/**
 * Generalised Cholesky factorisation A = L·D·Lᵀ of a symmetric matrix, with R's tolerance-based
 * rank check (survival's `cholesky2`): a pivot below `toler · max_i A[i][i]` (or non-finite) is set
 * to 0 and its column reported as singular.
 *
 * Reference: Therneau T. survival package for R, src/cholesky2.c.
 * Complexity: O(p³) time, O(p²) memory. Only the upper triangle of `a` is read (as R does).
 *
 * @param a - row-major p×p symmetric matrix (not modified)
 * @param p - its order
 * @param toler - relative pivot tolerance (R's `toler.chol`, default 1e-9)
 * @example
 * const f = cholesky([4, 2, 2, 3], 2); // f.rank === 2, f.singular = []
 * cholesky([1, 1, 1, 1], 2).singular; // [1]
 */
export function cholesky(a: ArrayLike<number>, p: number, toler = 1e-9): CholeskyFactor {
  const m = new Float64Array(p * p);
  let eps = 0;
  for (let i = 0; i < p; i++) {
    const d = a[i * p + i]!;
    if (d > eps) eps = d;
    m[i * p + i] = d;
    // R reads the upper triangle and mirrors it into the lower, where the factor is built.
    for (let j = i + 1; j < p; j++) m[j * p + i] = a[i * p + j]!;
  }
  eps = eps === 0 ? toler : eps * toler;
  let rank = 0;
  let nonNegative = true;
  const singular: number[] = [];
  for (let i = 0; i < p; i++) {
    const pivot = m[i * p + i]!;
    if (!Number.isFinite(pivot) || pivot < eps) {
      m[i * p + i] = 0;
      singular.push(i);
      if (pivot < -8 * eps) nonNegative = false;
    } else {
      rank++;
      for (let j = i + 1; j < p; j++) {
        const temp = m[j * p + i]! / pivot;
        m[j * p + i] = temp;
        m[j * p + j] -= temp * temp * pivot;
        for (let k = j + 1; k < p; k++) m[k * p + j] -= temp * m[k * p + i]!;
      }
    }
  }
  return { p, factor: m, rank, singular, nonNegative };
}

/**
 * Solves A·x = b from the factor of A (survival's `chsolve2`); components of x for singular
 * columns are 0.
 *
 * Complexity: O(p²).
 * @example
 * choleskySolve(cholesky([4, 2, 2, 3], 2), [2, 1]); // Float64Array [0.5, 0]
 */
export function choleskySolve(chol: CholeskyFactor, b: ArrayLike<number>): Float64Array {
  const { p, factor: m } = chol;
  const y = Float64Array.from({ length: p }, (_, i) => b[i]!);
  // forward: L z = b
  for (let i = 0; i < p; i++) {
    let t = y[i]!;
    for (let j = 0; j < i; j++) t -= y[j]! * m[i * p + j]!;
    y[i] = t;
  }
  // backward: D Lᵀ x = z
  for (let i = p - 1; i >= 0; i--) {
    const d = m[i * p + i]!;
    if (d === 0) {
      y[i] = 0;
    } else {
      let t = y[i]! / d;
      for (let j = i + 1; j < p; j++) t -= y[j]! * m[j * p + i]!;
      y[i] = t;
    }
  }
  return y;
}

/**
 * The (generalised) inverse of A from its factor (survival's `chinv2`), as a full symmetric
 * row-major p×p matrix; rows and columns of singular columns are 0.
 *
 * Complexity: O(p³).
 * @example
 * choleskyInverse(cholesky([4, 2, 2, 3], 2)); // Float64Array [0.375, -0.25, -0.25, 0.5]
 */
export function choleskyInverse(chol: CholeskyFactor): Float64Array {
  const { p } = chol;
  const m = Float64Array.from(chol.factor);
  // Invert L (unit diagonal) in the lower triangle and D on the diagonal.
  for (let i = 0; i < p; i++) {
    if (m[i * p + i]! > 0) {
      m[i * p + i] = 1 / m[i * p + i]!;
      for (let j = i + 1; j < p; j++) {
        m[j * p + i] = -m[j * p + i]!;
        for (let k = 0; k < i; k++) m[j * p + k] += m[j * p + i]! * m[i * p + k]!;
      }
    }
  }
  // F'DF, accumulated into the upper triangle (row i, columns ≥ i).
  for (let i = 0; i < p; i++) {
    if (m[i * p + i] === 0) {
      for (let j = 0; j < i; j++) m[i * p + j] = 0;
      for (let j = i; j < p; j++) m[j * p + i] = 0;
    } else {
      for (let j = i + 1; j < p; j++) {
        const temp = m[j * p + i]! * m[j * p + j]!;
        m[i * p + j] = temp;
        for (let k = i; k < j; k++) m[i * p + k] += temp * m[j * p + k]!;
      }
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) m[i * p + j] = m[j * p + i]!;
  return m;
}

/**
 * y = A·x for a row-major p×p matrix A.
 *
 * Complexity: O(p²).
 * @example
 * matVec([1, 2, 3, 4], 2, [1, 1]); // Float64Array [3, 7]
 */
export function matVec(a: ArrayLike<number>, p: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += a[i * p + j]! * x[j]!;
    y[i] = s;
  }
  return y;
}

/**
 * The quadratic form xᵀ·A·x for a row-major p×p matrix A.
 *
 * Complexity: O(p²).
 * @example
 * quadForm([2, 0, 0, 3], 2, [1, 2]); // 14
 */
export function quadForm(a: ArrayLike<number>, p: number, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p; i++) {
    let r = 0;
    for (let j = 0; j < p; j++) r += a[i * p + j]! * x[j]!;
    s += x[i]! * r;
  }
  return s;
}
