/**
 * Distances between distributions and between records, for auditing synthetic data: the pure
 * kernels behind `ecasim audit` (no I/O, no formatting). Univariate distances (total variation,
 * Hellinger, Kolmogorov–Smirnov, Wasserstein-1), associations (Pearson correlation with its Fisher
 * interval, Cramér's V), the Mann–Whitney AUC, and exact nearest-neighbour search under Gower's
 * mixed-type distance with a k-d tree.
 */
import { qnorm } from './distributions.js';
import { StatsError } from './errors.js';
import { checkAtLeast, checkValue, checkValues, countOnes, type Subject } from './validate.js';

/* ------------------------------------------------------------------------------------------ */
/* Validation                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/** The elements of input `field`, as messages name them (`` invalid value in `x` at … ``). */
function valuesOf(field: string, unit?: string): Subject {
  return { code: 'invalid-value', what: `value in \`${field}\``, field, ...(unit ? { unit } : {}) };
}

function checkFinite(x: ArrayLike<number>, field: string, min = 1): void {
  checkAtLeast(x == null ? 0 : x.length, min, field);
  checkValues(x, 'finite', valuesOf(field));
}

/** Integer codes 0..k−1 of a categorical input `field`. */
function codesOf(field: string): Subject {
  return { code: 'invalid-code', what: `code in \`${field}\``, field };
}

function normalise(p: ArrayLike<number>, field: string): Float64Array {
  const subject = valuesOf(field, 'position');
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    checkValue(v, i, 'non-negative', subject);
    s += v;
  }
  if (!(s > 0)) {
    throw new StatsError('empty-input', `\`${field}\` sums to 0: no mass to compare`, { field });
  }
  return Float64Array.from(p, (v) => v / s);
}

function checkSameLength(p: ArrayLike<number>, q: ArrayLike<number>, a: string, b: string): void {
  if (p.length !== q.length) {
    throw new StatsError(
      'length-mismatch',
      `\`${b}\` has ${q.length} values but \`${a}\` has ${p.length}: they must have the same length`,
      { field: b },
    );
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Categorical distributions                                                                   */
/* ------------------------------------------------------------------------------------------ */

/**
 * Total variation distance between two discrete distributions, TV(P, Q) = ½ Σ |p_i − q_i|: the
 * largest difference in probability the two give to any event (Levin, Peres & Wilmer 2009,
 * *Markov Chains and Mixing Times*, §4.1). Inputs are counts or probabilities over the same
 * categories, each normalised to sum 1. Range [0, 1]. Complexity O(k).
 *
 * @example
 * totalVariation([0.5, 0.5], [0.4, 0.6]); // 0.1
 */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  checkSameLength(p, q, 'p', 'q');
  const a = normalise(p, 'p');
  const b = normalise(q, 'q');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return 0.5 * s;
}

/**
 * Hellinger distance between two discrete distributions (Hellinger 1909; Le Cam & Yang 2000,
 * *Asymptotics in Statistics*, §3.2): H(P, Q) = √(½ Σ (√p_i − √q_i)²) = √(1 − Σ √(p_i q_i)).
 * Range [0, 1]; H² ≤ TV ≤ H·√2. Inputs as for {@link totalVariation}. Complexity O(k).
 *
 * @example
 * hellinger([1, 0], [0, 1]); // 1
 */
export function hellinger(p: ArrayLike<number>, q: ArrayLike<number>): number {
  checkSameLength(p, q, 'p', 'q');
  const a = normalise(p, 'p');
  const b = normalise(q, 'q');
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.sqrt(a[i]!) - Math.sqrt(b[i]!);
    s += d * d;
  }
  return Math.sqrt(0.5 * s);
}

/* ------------------------------------------------------------------------------------------ */
/* Continuous distributions                                                                    */
/* ------------------------------------------------------------------------------------------ */

/**
 * Checks two samples (finite, non-empty) and walks their distinct pooled values t in increasing
 * order, calling `visit(t, |F_x(t) − F_y(t)|)` with the empirical distribution functions at t
 * (ties included, so each step is R's `ecdf`): the one merge of sorted samples behind both
 * distances below. O((n + m) log(n + m)).
 */
function ecdfGaps(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  visit: (t: number, gap: number) => void,
): void {
  checkFinite(x, 'x');
  checkFinite(y, 'y');
  const a = Float64Array.from(x).sort();
  const b = Float64Array.from(y).sort();
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const t = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n && a[i]! <= t) i++;
    while (j < m && b[j]! <= t) j++;
    visit(t, Math.abs(i / n - j / m));
  }
}

/**
 * Two-sample Kolmogorov–Smirnov statistic D = sup_t |F_x(t) − F_y(t)| of the empirical
 * distribution functions (Kolmogorov 1933; Smirnov 1948), evaluated at the distinct pooled values
 * so ties are handled exactly as R's `ks.test(x, y)$statistic`. Range [0, 1]. Complexity
 * O((n + m) log(n + m)).
 *
 * @example
 * ksStatistic([1, 2, 3], [2, 3, 4]); // 0.3333333333333333
 */
export function ksStatistic(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  ecdfGaps(x, y, (_t, gap) => {
    if (gap > d) d = gap;
  });
  return d;
}

/**
 * Wasserstein-1 (earth mover's) distance between two empirical distributions,
 * W₁ = ∫ |F_x(t) − F_y(t)| dt (Vallender 1974, Theory Probab. Appl. 18:784–786), in the units of
 * the data: the average distance mass must move to turn one sample into the other. Complexity
 * O((n + m) log(n + m)).
 *
 * @example
 * wasserstein1([0, 1], [1, 2]); // 1
 */
export function wasserstein1(x: ArrayLike<number>, y: ArrayLike<number>): number {
  // the gap found at one pooled value holds up to the next: W₁ = Σ gap(t_k)·(t_{k+1} − t_k)
  let w = 0;
  let prevT = 0;
  let prevGap = 0;
  ecdfGaps(x, y, (t, gap) => {
    w += prevGap * (t - prevT);
    prevT = t;
    prevGap = gap;
  });
  return w;
}

/**
 * Sample quantile by linear interpolation of the order statistics, R's default `quantile(type = 7)`
 * (Hyndman & Fan 1996, The American Statistician 50:361–365). `sortedX` must be sorted ascending.
 * Complexity O(1).
 *
 * @example
 * quantileSorted(new Float64Array([1, 2, 3, 4]), 0.5); // 2.5
 */
export function quantileSorted(sortedX: ArrayLike<number>, p: number): number {
  const n = sortedX.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sortedX[lo]! + (h - lo) * (sortedX[hi]! - sortedX[lo]!);
}

/* ------------------------------------------------------------------------------------------ */
/* Associations                                                                                */
/* ------------------------------------------------------------------------------------------ */

/** An association estimate with its confidence interval. */
export interface Association {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confLevel: number;
  readonly method: 'pearson-fisher-z' | 'cramers-v';
  readonly n: number;
}

/**
 * Pearson's product-moment correlation with the interval of R's `cor.test`: Fisher's z
 * transform, tanh(atanh(r) ± z_{1−α/2}/√(n − 3)) (Fisher 1915, Biometrika 10:507–521). Needs
 * n ≥ 4 and both variables non-constant. Complexity O(n).
 *
 * @example
 * pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]).estimate; // 0.8
 */
export function pearson(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  { confLevel = 0.95 }: { confLevel?: number } = {},
): Association {
  checkFinite(x, 'x', 4);
  checkFinite(y, 'y', 4);
  checkSameLength(x, y, 'x', 'y');
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) {
    throw new StatsError(
      'constant-variable',
      `cannot compute a correlation: \`${sxx > 0 ? 'y' : 'x'}\` is constant`,
      { field: sxx > 0 ? 'y' : 'x' },
    );
  }
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  const z = Math.atanh(r);
  const h = qnorm(1 - (1 - confLevel) / 2) / Math.sqrt(n - 3);
  return {
    estimate: r,
    lower: Math.tanh(z - h),
    upper: Math.tanh(z + h),
    confLevel,
    method: 'pearson-fisher-z',
    n,
  };
}

/**
 * Cramér's V of two categorical variables given as integer codes 0..k−1:
 * V = √(χ² / (n · (min(r, c) − 1))) with Pearson's χ² of the r × c table of the levels that occur
 * (no continuity correction: R's `chisq.test(table(a, b), correct = FALSE)`) (Cramér 1946,
 * *Mathematical Methods of Statistics*, §21.9). Range [0, 1]; 0 when either variable has a single
 * occurring level. Complexity O(n + r·c).
 *
 * @example
 * cramersV([0, 0, 1, 1], [0, 0, 1, 1]); // 1
 */
export function cramersV(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkSameLength(a, b, 'a', 'b');
  const n = a.length;
  checkAtLeast(n, 2, 'a');
  const codesA = codesOf('a');
  const codesB = codesOf('b');
  checkValues(a, 'code', codesA);
  checkValues(b, 'code', codesB);
  let ka = 0;
  let kb = 0;
  for (let i = 0; i < n; i++) {
    ka = Math.max(ka, a[i]! + 1);
    kb = Math.max(kb, b[i]! + 1);
  }
  const table = new Float64Array(ka * kb);
  const ra = new Float64Array(ka);
  const cb = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    table[a[i]! * kb + b[i]!]! += 1;
    ra[a[i]!]! += 1;
    cb[b[i]!]! += 1;
  }
  return cramersVTable(table, ra, cb, n);
}

/** @internal Cramér's V from a table (row-major ka × kb) and its margins. */
export function cramersVTable(
  table: Float64Array,
  rows: Float64Array,
  cols: Float64Array,
  n: number,
): number {
  const ka = rows.length;
  const kb = cols.length;
  let r = 0;
  let c = 0;
  for (let i = 0; i < ka; i++) if (rows[i]! > 0) r++;
  for (let j = 0; j < kb; j++) if (cols[j]! > 0) c++;
  const m = Math.min(r, c);
  if (m < 2) return 0;
  let chi2 = 0;
  for (let i = 0; i < ka; i++) {
    if (rows[i] === 0) continue;
    for (let j = 0; j < kb; j++) {
      if (cols[j] === 0) continue;
      const e = (rows[i]! * cols[j]!) / n;
      const d = table[i * kb + j]! - e;
      chi2 += (d * d) / e;
    }
  }
  return Math.min(1, Math.sqrt(chi2 / (n * (m - 1))));
}

/**
 * Area under the ROC curve of `scores` for telling `labels` 1 from 0, by the Mann–Whitney
 * statistic with mid-ranks for ties: AUC = (R₁ − n₁(n₁ + 1)/2) / (n₁ n₀), the probability that a
 * random positive scores above a random negative, ties counting ½ (Hanley & McNeil 1982,
 * Radiology 143:29–36). Equals R's `wilcox.test(s[y == 1], s[y == 0])$statistic / (n1 * n0)`.
 * Complexity O(n log n).
 *
 * @example
 * aucMannWhitney([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 */
export function aucMannWhitney(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkFinite(scores, 'scores', 2);
  checkSameLength(scores, labels, 'scores', 'labels');
  const n = scores.length;
  const n1 = countOnes(labels, { code: 'invalid-label', what: 'label', field: 'labels' });
  const n0 = n - n1;
  if (n1 === 0 || n0 === 0) {
    throw new StatsError('one-class', 'the labels hold a single class: an AUC needs both 0 and 1', {
      field: 'labels',
    });
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i]! - scores[j]!);
  let r1 = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]!] === 1) r1 += rank;
    i = j + 1;
  }
  return (r1 - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/* ------------------------------------------------------------------------------------------ */
/* Gower distance and nearest-neighbour search                                                 */
/* ------------------------------------------------------------------------------------------ */

/** Mixed-type records, column-major: numeric columns and categorical columns (integer codes). */
export interface MixedData {
  readonly numeric: readonly ArrayLike<number>[];
  readonly categorical: readonly ArrayLike<number>[];
}

function mixedRows(d: MixedData, field: string): number {
  const cols = [...d.numeric, ...d.categorical];
  if (cols.length === 0) {
    throw new StatsError('no-variables', `\`${field}\` has no columns`, { field });
  }
  const n = cols[0]!.length;
  cols.forEach((c, j) => {
    if (c.length !== n) {
      throw new StatsError(
        'length-mismatch',
        `column ${j} of \`${field}\` has ${c.length} values but column 0 has ${n}`,
        { field },
      );
    }
  });
  d.numeric.forEach((c) => checkFinite(c, field, 0));
  d.categorical.forEach((c) => checkValues(c, 'code', codesOf(field)));
  return n;
}

/**
 * Gower's ranges of numeric columns: max − min over the reference data. A zero range (constant
 * column) is reported as 0; such a column then contributes 0 when values are equal and 1 otherwise.
 */
export function gowerRanges(d: MixedData): Float64Array {
  return Float64Array.from(d.numeric, (c) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return c.length === 0 ? 0 : hi - lo;
  });
}

/** A k-d tree over reference records for exact Gower nearest-neighbour search. */
export interface GowerIndex {
  readonly n: number;
  readonly ranges: Float64Array;
  readonly pNum: number;
  readonly pCat: number;
  /** @internal row-major scaled numeric values in tree order */
  readonly num: Float64Array;
  /** @internal row-major codes in tree order */
  readonly cat: Int32Array;
  /** @internal original index of each point in tree order */
  readonly perm: Int32Array;
  /** @internal per node: start, end (points), left, right (nodes; −1 for a leaf) */
  readonly nodes: Int32Array;
  /** @internal per node and numeric column: lo, hi (scaled) */
  readonly boxes: Float64Array;
  /** @internal per node and categorical column: bit mask of the levels present (31+ share bit 31) */
  readonly masks: Uint32Array;
}

const LEAF = 12;

function scaleOf(range: number): number {
  // A constant column: any difference is a full mismatch (handled by clamping at 1).
  return range > 0 ? 1 / range : 1e300;
}

/**
 * Builds a k-d tree (Bentley 1975, CACM 18:509–517; Friedman, Bentley & Finkel 1977, ACM TOMS
 * 3:209–226) over mixed-type records for exact nearest-neighbour search under Gower's distance
 * (Gower 1971, Biometrics 27:857–871):
 *
 *   d(a, b) = (1/p) [ Σ_numeric min(1, |a_j − b_j| / R_j) + Σ_categorical 1{a_j ≠ b_j} ]
 *
 * with R_j the range of numeric column j in `ranges` (default: the range in `reference`, as
 * Gower's), p the number of columns. Differences beyond the range are clamped at 1 so d ∈ [0, 1].
 * Nodes hold a bounding box (numeric) and the set of levels present (categorical); a node splits
 * the column of widest spread (a categorical column with two or more levels counts as 1), at the
 * median for a numeric column and into two halves of the level set for a categorical one.
 * Complexity O(n log² n) time, O(n·p) memory.
 *
 * @example
 * const index = gowerIndex({ numeric: [[1, 5, 9]], categorical: [[0, 1, 1]] });
 * nearestNeighbours(index, { numeric: [[5]], categorical: [[1]] }).distance; // Float64Array [0]
 */
export function gowerIndex(
  reference: MixedData,
  { ranges }: { ranges?: ArrayLike<number> } = {},
): GowerIndex {
  const n = mixedRows(reference, 'reference');
  if (n === 0) throw new StatsError('empty-input', 'the reference data have no rows', {});
  const pNum = reference.numeric.length;
  const pCat = reference.categorical.length;
  const R = ranges ? Float64Array.from(ranges) : gowerRanges(reference);
  if (R.length !== pNum) {
    throw new StatsError(
      'length-mismatch',
      `\`ranges\` has ${R.length} values but there are ${pNum} numeric columns`,
      { field: 'ranges' },
    );
  }
  const scale = Float64Array.from(R, scaleOf);
  const num0 = new Float64Array(n * pNum);
  const cat0 = new Int32Array(n * pCat);
  for (let j = 0; j < pNum; j++) {
    const c = reference.numeric[j]!;
    for (let i = 0; i < n; i++) num0[i * pNum + j] = c[i]! * scale[j]!;
  }
  for (let j = 0; j < pCat; j++) {
    const c = reference.categorical[j]!;
    for (let i = 0; i < n; i++) cat0[i * pCat + j] = c[i]!;
  }
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  // Every leaf holds at least one record, so a binary tree over n records has at most 2n − 1
  // nodes. (A bound from the leaf size alone is not one: uneven categorical splits make small
  // leaves, and an overflowing node table would send the search back to the root forever.)
  const maxNodes = 2 * n - 1;
  const nodes = new Int32Array(maxNodes * 4);
  const boxes = new Float64Array(maxNodes * pNum * 2);
  const masks = new Uint32Array(maxNodes * pCat);
  let count = 0;
  const keyBuf = new Float64Array(n);

  const build = (start: number, end: number): number => {
    const id = count++;
    nodes[id * 4] = start;
    nodes[id * 4 + 1] = end;
    nodes[id * 4 + 2] = -1;
    nodes[id * 4 + 3] = -1;
    let bestDim = -1;
    let bestSpread = 0;
    for (let j = 0; j < pNum; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = start; k < end; k++) {
        const v = num0[perm[k]! * pNum + j]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      boxes[(id * pNum + j) * 2] = lo;
      boxes[(id * pNum + j) * 2 + 1] = hi;
      const spread = Math.min(1, hi - lo);
      if (spread > bestSpread) {
        bestSpread = spread;
        bestDim = j;
      }
    }
    let catDim = -1;
    let catLevels = 0;
    for (let j = 0; j < pCat; j++) {
      let mask = 0;
      for (let k = start; k < end; k++) {
        const c = cat0[perm[k]! * pCat + j]!;
        mask |= 1 << Math.min(c, 31);
      }
      masks[id * pCat + j] = mask >>> 0;
      let bits = 0;
      for (let m = mask >>> 0; m !== 0; m &= m - 1) bits++;
      if (bits >= 2 && bits > catLevels) {
        catLevels = bits;
        catDim = j;
      }
    }
    if (end - start <= LEAF) return id;
    // A categorical split separates levels fully (a mismatch costs 1/p): prefer it unless a
    // numeric column is spread over most of its range.
    let mid = -1;
    if (catDim >= 0 && bestSpread < 1) {
      // Split the levels present into two groups of about equal counts.
      const cnt = new Map<number, number>();
      for (let k = start; k < end; k++) {
        const c = cat0[perm[k]! * pCat + catDim]!;
        cnt.set(c, (cnt.get(c) ?? 0) + 1);
      }
      const levels = [...cnt.keys()].sort((a, b) => a - b);
      const left = new Set<number>();
      let acc = 0;
      const half = (end - start) / 2;
      for (const l of levels) {
        if (left.size > 0 && acc + cnt.get(l)! / 2 > half) break;
        left.add(l);
        acc += cnt.get(l)!;
        if (left.size === levels.length - 1) break;
      }
      // Partition perm[start, end) by level membership.
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if (left.has(cat0[perm[i]! * pCat + catDim]!)) i++;
        else {
          const t = perm[i]!;
          perm[i] = perm[j]!;
          perm[j] = t;
          j--;
        }
      }
      mid = i;
    } else if (bestDim >= 0) {
      for (let k = start; k < end; k++) keyBuf[k] = num0[perm[k]! * pNum + bestDim]!;
      const idx = Array.from({ length: end - start }, (_, t) => start + t);
      idx.sort((a, b) => keyBuf[a]! - keyBuf[b]!);
      const sortedPerm = idx.map((t) => perm[t]!);
      for (let t = 0; t < sortedPerm.length; t++) perm[start + t] = sortedPerm[t]!;
      mid = start + ((end - start) >> 1);
    }
    if (mid <= start || mid >= end) return id; // all records identical: keep a fat leaf
    nodes[id * 4 + 2] = build(start, mid);
    nodes[id * 4 + 3] = build(mid, end);
    return id;
  };
  build(0, n);

  const num = new Float64Array(n * pNum);
  const cat = new Int32Array(n * pCat);
  for (let k = 0; k < n; k++) {
    const i = perm[k]!;
    for (let j = 0; j < pNum; j++) num[k * pNum + j] = num0[i * pNum + j]!;
    for (let j = 0; j < pCat; j++) cat[k * pCat + j] = cat0[i * pCat + j]!;
  }
  return {
    n,
    ranges: R,
    pNum,
    pCat,
    num,
    cat,
    perm,
    nodes: nodes.slice(0, count * 4),
    boxes: boxes.slice(0, count * pNum * 2),
    masks: masks.slice(0, count * pCat),
  };
}

/** Distances from each query record to its nearest and second-nearest reference records. */
export interface NearestNeighbours {
  /** Gower distance to the nearest reference record. */
  readonly distance: Float64Array;
  /** 0-based index (in the reference data) of a nearest record (ties broken arbitrarily). */
  readonly index: Int32Array;
  /** Gower distance to the second-nearest reference record (Infinity with one reference record). */
  readonly distance2: Float64Array;
}

/**
 * Exact nearest and second-nearest neighbours under Gower's distance (see {@link gowerIndex}) by
 * depth-first branch-and-bound search of the k-d tree: children are visited nearest first and a
 * node is skipped when the lower bound of the distance to its box (each numeric column's gap to
 * the box, each categorical column whose level is absent from the node) is not below the current
 * second-best distance. Queries use the index's ranges. Complexity O(m log n) per query in the
 * best case, O(m·n) in the worst; memory O(m).
 *
 * @example
 * const index = gowerIndex({ numeric: [[0, 10]], categorical: [[0, 1]] });
 * nearestNeighbours(index, { numeric: [[1]], categorical: [[0]] }).distance; // [0.05]
 */
export function nearestNeighbours(index: GowerIndex, query: MixedData): NearestNeighbours {
  const m = mixedRows(query, 'query');
  const { pNum, pCat, num, cat, perm, nodes, boxes, masks } = index;
  if (query.numeric.length !== pNum || query.categorical.length !== pCat) {
    throw new StatsError(
      'length-mismatch',
      `the query has ${query.numeric.length} numeric and ${query.categorical.length} categorical columns; the index has ${pNum} and ${pCat}`,
      { field: 'query' },
    );
  }
  const p = pNum + pCat;
  const scale = Float64Array.from(index.ranges, scaleOf);
  const distance = new Float64Array(m);
  const distance2 = new Float64Array(m);
  const nearest = new Int32Array(m);
  const q = new Float64Array(pNum);
  const qc = new Int32Array(pCat);
  const qbit = new Uint32Array(pCat);
  // Pending nodes: one sibling per level of the path, so the tree depth bounds the size.
  let stack = new Int32Array(256);
  let stackBound = new Float64Array(256);
  const nodeBound = (id: number): number => {
    let s = 0;
    const bo = id * pNum * 2;
    for (let j = 0; j < pNum; j++) {
      const x = q[j]!;
      const lo = boxes[bo + 2 * j]!;
      const hi = boxes[bo + 2 * j + 1]!;
      const g = x < lo ? lo - x : x > hi ? x - hi : 0;
      s += g < 1 ? g : 1;
    }
    const mo = id * pCat;
    for (let j = 0; j < pCat; j++) if ((masks[mo + j]! & qbit[j]!) === 0) s += 1;
    return s;
  };
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < pNum; j++) q[j] = query.numeric[j]![r]! * scale[j]!;
    for (let j = 0; j < pCat; j++) {
      qc[j] = query.categorical[j]![r]!;
      qbit[j] = (1 << Math.min(qc[j]!, 31)) >>> 0;
    }
    // Distances are accumulated unscaled by 1/p (sums), divided at the end.
    let best1 = Infinity;
    let best2 = Infinity;
    let bestIdx = -1;
    let top = 0;
    stack[top] = 0;
    stackBound[top++] = 0;
    while (top > 0) {
      top--;
      const id = stack[top]!;
      if (stackBound[top]! >= best2) continue;
      const left = nodes[id * 4 + 2]!;
      if (left < 0) {
        const start = nodes[id * 4]!;
        const end = nodes[id * 4 + 1]!;
        for (let k = start; k < end; k++) {
          let s = 0;
          const no = k * pNum;
          for (let j = 0; j < pNum; j++) {
            const d = Math.abs(num[no + j]! - q[j]!);
            s += d < 1 ? d : 1;
          }
          if (s >= best2) continue;
          const co = k * pCat;
          for (let j = 0; j < pCat; j++) if (cat[co + j] !== qc[j]) s += 1;
          if (s >= best2) continue;
          const orig = perm[k]!;
          if (s < best1) {
            if (bestIdx >= 0) best2 = best1;
            best1 = s;
            bestIdx = orig;
          } else if (s < best2) {
            best2 = s;
          }
        }
        continue;
      }
      const right = nodes[id * 4 + 3]!;
      const bl = nodeBound(left);
      const br = nodeBound(right);
      if (top + 2 > stack.length) {
        const grown = new Int32Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
        const grownBound = new Float64Array(stack.length);
        grownBound.set(stackBound);
        stackBound = grownBound;
      }
      // Push the farther child first so the nearer is searched first (ties: the left is nearer);
      // a child whose bound cannot beat the second-best distance is not pushed.
      const leftNearer = bl <= br;
      const far = leftNearer ? right : left;
      const farBound = leftNearer ? br : bl;
      if (farBound < best2) {
        stack[top] = far;
        stackBound[top++] = farBound;
      }
      const nearBound = leftNearer ? bl : br;
      if (nearBound < best2) {
        stack[top] = leftNearer ? left : right;
        stackBound[top++] = nearBound;
      }
    }
    distance[r] = best1 / p;
    distance2[r] = best2 / p;
    nearest[r] = bestIdx;
  }
  return { distance, index: nearest, distance2 };
}

/**
 * Brute-force nearest and second-nearest neighbours under Gower's distance with the given ranges:
 * the reference implementation {@link nearestNeighbours} is tested against. Complexity O(m·n·p).
 *
 * @example
 * nearestNeighboursBrute({ numeric: [[0, 10]], categorical: [[0, 1]] },
 *   { numeric: [[1]], categorical: [[0]] }, [10]).distance; // [0.05]
 */
export function nearestNeighboursBrute(
  reference: MixedData,
  query: MixedData,
  ranges: ArrayLike<number> = gowerRanges(reference),
): NearestNeighbours {
  const n = mixedRows(reference, 'reference');
  const m = mixedRows(query, 'query');
  const pNum = reference.numeric.length;
  const pCat = reference.categorical.length;
  const p = pNum + pCat;
  const scale = Float64Array.from(ranges, scaleOf);
  const distance = new Float64Array(m);
  const distance2 = new Float64Array(m);
  const nearest = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    let b1 = Infinity;
    let b2 = Infinity;
    let bi = -1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < pNum; j++) {
        const d = Math.abs(reference.numeric[j]![i]! - query.numeric[j]![r]!) * scale[j]!;
        s += d < 1 ? d : 1;
      }
      for (let j = 0; j < pCat; j++)
        if (reference.categorical[j]![i] !== query.categorical[j]![r]) s += 1;
      if (s < b1) {
        b2 = b1;
        b1 = s;
        bi = i;
      } else if (s < b2) b2 = s;
    }
    distance[r] = b1 / p;
    distance2[r] = b2 / p;
    nearest[r] = bi;
  }
  return { distance, index: nearest, distance2 };
}
