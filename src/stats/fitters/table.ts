/**
 * Probability tables of a categorical child given its categorical parents: the counts per parent
 * configuration and the multinomial log-likelihood at the ML estimates (`ecasim fit`).
 */

/** Counts of a categorical child per configuration of its categorical parents. */
export interface TableCounts {
  /** Row-major nConfig × k counts; configuration index mixed-radix, last parent fastest. */
  readonly counts: Float64Array;
  readonly nConfig: number;
  readonly k: number;
}

/**
 * Counts of `child` (codes 0..k−1) per configuration of `parents` (codes, with `parentK` levels
 * each), the configuration index mixed-radix with the last parent fastest (the order of
 * `parentConfigurations` in network.ts). O(n · (1 + parents)).
 *
 * @example
 * tableCounts(Int32Array.of(0, 1, 1), 2, [Int32Array.of(0, 0, 1)], [2]).counts; // [1, 1, 0, 1]
 */
export function tableCounts(
  child: ArrayLike<number>,
  k: number,
  parents: readonly ArrayLike<number>[],
  parentK: readonly number[],
): TableCounts {
  const n = child.length;
  let nConfig = 1;
  const strides = new Array<number>(parents.length);
  for (let j = parents.length - 1; j >= 0; j--) {
    strides[j] = nConfig;
    nConfig *= parentK[j]!;
  }
  const counts = new Float64Array(nConfig * k);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < parents.length; j++) c += parents[j]![i]! * strides[j]!;
    counts[c * k + child[i]!]! += 1;
  }
  return { counts, nConfig, k };
}

/** Σ n_jk log(n_jk / n_j): the maximised log-likelihood of a probability table. */
export function tableLogLik(t: TableCounts): number {
  let ll = 0;
  for (let c = 0; c < t.nConfig; c++) {
    let tot = 0;
    for (let l = 0; l < t.k; l++) tot += t.counts[c * t.k + l]!;
    if (tot === 0) continue;
    for (let l = 0; l < t.k; l++) {
      const m = t.counts[c * t.k + l]!;
      if (m > 0) ll += m * Math.log(m / tot);
    }
  }
  return ll;
}
