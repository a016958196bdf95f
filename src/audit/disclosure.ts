/**
 * Privacy of synthetic records with respect to the real records they were derived from, by the
 * holdout-based distance metrics of Platzer & Reutterer (2021, "Holdout-based empirical assessment
 * of mixed-type synthetic data", Frontiers in Big Data 4:679939): distance to closest record
 * (DCR) to training and to holdout records, nearest-neighbour distance ratio (NNDR), exact
 * matches; a distance-based membership-inference attack; and disclosure of rare combinations.
 * Distances are Gower's (1971) on all audited columns, numeric ranges from the training data.
 */
import type { RandomSource } from '../random/index.js';
import {
  aucMannWhitney,
  gowerIndex,
  gowerRanges,
  nearestNeighbours,
  quantileSorted,
  type MixedData,
} from '../stats/distances.js';
import type { StatsWarning } from '../stats/errors.js';
import type { AuditData } from './data.js';
import { binCodes, binCuts } from './fidelity.js';

/** Summary of a distance distribution. */
export interface DistanceSummary {
  mean: number;
  median: number;
  /** 5th percentile: the closest records, where a leak shows first. */
  p05: number;
}

/** A metric with the verdict of its stated rule. */
export interface PrivacyFlag {
  metric: string;
  /** True when the rule says the synthetic data reveal the training records. */
  leaking: boolean;
  rule: string;
}

export interface PrivacyResult {
  distance: {
    method: 'gower';
    /** Numeric columns scaled by their training range; categorical columns count 0/1. */
    columns: number;
    note: string;
  };
  /** Synthetic → training (all training records). */
  dcrTraining: DistanceSummary;
  /** Share of synthetic records identical to a training record (DCR = 0). */
  exactMatchRate: number;
  /** NNDR = d₁/d₂ of each synthetic record to its two nearest training records (0 when d₁ = 0). */
  nndr: DistanceSummary;
  holdout: null | {
    /** Records compared per side (training is subsampled to the holdout's size, or vice versa). */
    n: number;
    /** Synthetic → training subsample, and synthetic → holdout. */
    dcrTraining: DistanceSummary;
    dcrHoldout: DistanceSummary;
    /** median DCR to training / median DCR to holdout; ≈ 1 when nothing leaks, < 1 when it does. */
    dcrRatio: number | null;
    /** Share of synthetic records closer to training than to holdout (ties ½); 0.5 when nothing leaks. */
    shareCloserToTraining: number;
    /** Exact matches to the training subsample and, for comparison, to the holdout. */
    exactMatchRateTraining: number;
    exactMatchRateHoldout: number;
    /** NNDR of synthetic and of holdout records against the training subsample. */
    nndrSynthetic: DistanceSummary;
    nndrHoldout: DistanceSummary;
    /** Distance-based membership inference: AUC of −(distance to closest synthetic) for training vs holdout. */
    membershipAuc: number;
    /** Standard deviation of the AUC under no leak (Mann–Whitney null). */
    membershipAucNullSd: number;
  };
  rareCombinations: {
    k: number;
    /** Columns of the combination: categorical as they are, numbers (and follow-up time) in quantile bins, the event indicator. */
    columns: string[];
    bins: number;
    /** Training cells (combinations present) with fewer than k patients. */
    rareCells: number;
    /** Rare cells that some synthetic record reproduces exactly. */
    rareCellsReproduced: number;
    /** Share of synthetic records that fall in a rare training cell. */
    shareSyntheticInRareCells: number;
    /** The same share for holdout records (the rate expected without disclosure), when a holdout is given. */
    shareHoldoutInRareCells: number | null;
    /**
     * With a holdout: rare training cells reproduced by equal-sized samples (m records each) of the
     * synthetic and the holdout records. A fresh sample from the population reproduces a rare cell
     * only as often as the cell is common; a generator that memorised the training records
     * reproduces more.
     */
    equalSample: null | { m: number; reproducedBySynthetic: number; reproducedByHoldout: number };
  };
  differentialPrivacy: { epsilon: number | null; statement: string };
  /** The avatar method's hidden rate and what stands in for it. */
  hiddenRate: { available: false; statement: string; standIn: string };
  flags: PrivacyFlag[];
  /** True when any flag is. */
  leaking: boolean;
  warnings: StatsWarning[];
}

function summary(d: Float64Array): DistanceSummary {
  const s = Float64Array.from(d).sort();
  let m = 0;
  for (const v of s) m += v;
  return {
    mean: s.length ? m / s.length : Number.NaN,
    median: quantileSorted(s, 0.5),
    p05: quantileSorted(s, 0.05),
  };
}

function ratios(d1: Float64Array, d2: Float64Array): Float64Array {
  return Float64Array.from(d1, (a, i) => {
    const b = d2[i]!;
    if (a === 0) return 0;
    return Number.isFinite(b) && b > 0 ? a / b : 1;
  });
}

function share(x: Float64Array, f: (v: number) => boolean): number {
  let c = 0;
  for (const v of x) if (f(v)) c++;
  return x.length ? c / x.length : 0;
}

/** A random subset of size m of 0..n−1 (partial Fisher–Yates), sorted. */
export function subsample(n: number, m: number, rng: RandomSource): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  if (m >= n) return idx;
  for (let i = 0; i < m; i++) {
    const j = i + Math.min(n - i - 1, Math.floor(rng.random() * (n - i)));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, m).sort();
}

function rowsOf(d: MixedData, index: Int32Array): MixedData {
  return {
    numeric: d.numeric.map((c) => Float64Array.from(index, (i) => c[i]!)),
    categorical: d.categorical.map((c) => Int32Array.from(index, (i) => c[i]!)),
  };
}

/** Combination keys of records over the quasi-identifier columns (numbers binned at training quantiles). */
function comboKeys(
  data: AuditData,
  variables: readonly string[],
  cuts: Map<string, number[]>,
): string[] {
  const parts: ArrayLike<number>[] = variables.map((name) => {
    const c = data.cohort.columns.get(name)!;
    return c.kind === 'categorical' ? c.codes : binCodes(c.values, cuts.get(name)!);
  });
  if (data.time && cuts.has('\u0000time')) parts.push(binCodes(data.time, cuts.get('\u0000time')!));
  if (data.event) parts.push(data.event);
  const keys = new Array<string>(data.n);
  for (let i = 0; i < data.n; i++) {
    let k = '';
    for (const p of parts) k += `${p[i]},`;
    keys[i] = k;
  }
  return keys;
}

export interface PrivacyInput {
  training: AuditData;
  holdout?: AuditData;
  synthetic: AuditData;
  /** Covariates (the columns of the rare-combination check). */
  variables: readonly string[];
  /** Gower inputs in the same column order for all three. */
  mixed: { training: MixedData; holdout?: MixedData; synthetic: MixedData };
  /** Differential-privacy budget from the model's provenance (null: none). */
  epsilon: number | null;
  rng: RandomSource;
  /** Rare-cell size (default 5). */
  k?: number;
  /** Quantile bins for numbers in the rare-combination check (default 5). */
  bins?: number;
}

/** Null-hypothesis margin: 3 standard errors (about a 0.1% one-sided false-alarm rate). */
const Z = 3;

export const HIDDEN_RATE_STATEMENT =
  "The avatar method's hidden rate (Guillaudeux et al. 2023, npj Digital Medicine 6:37) is the share of real patients whose own synthetic counterpart is not their closest synthetic record; it needs a one-to-one link between each original and its synthetic record. Synthetic patients drawn from a Bayesian network have no such link: each is sampled from the fitted distribution, not derived from one patient, so the hidden rate is not defined here.";

export const HIDDEN_RATE_STAND_IN =
  'Stand-in: the distance-based membership-inference attack with the holdout (its AUC; 0.5 means the attacker cannot tell training patients from unseen ones, so 1 − AUC plays the role of the rate at which the attack fails), together with the share of synthetic records closer to training than to holdout.';

/**
 * Privacy metrics (definitions and rules in the field docs of {@link PrivacyResult}):
 *
 * - DCR: Gower distance of each synthetic record to its closest training record; with a holdout of
 *   equal size (Platzer & Reutterer 2021), the same to the holdout, the ratio of medians and the
 *   share closer to training. Rule: leaking when the share exceeds ½ + 3·√(1/(4m)), or the median
 *   ratio is below 0.9.
 * - NNDR: d₁/d₂ to the two nearest training records (Lowe 2004's ratio test as used by Platzer &
 *   Reutterer); leaking when the synthetic median is below 0.9 × the holdout's median.
 * - Exact matches: leaking when the rate to training exceeds the rate to holdout by 3 standard
 *   errors √((r_t + r_h)/m).
 * - Membership inference (distance attack, Hilprecht, Härterich & Bernau 2019, PoPETs 2019(4):232):
 *   score −DCR(real record → synthetic); AUC of training vs holdout; leaking when it exceeds
 *   ½ + 3·√((n₁ + n₀ + 1)/(12 n₁ n₀)).
 * - Rare combinations: training cells (covariates, numbers and follow-up time in quantile bins,
 *   event) with fewer than k patients (the k of Sweeney 2002's k-anonymity) that synthetic records
 *   reproduce exactly; leaking when m synthetic records reproduce more of them than m holdout
 *   records by 3·√(sum) (a Poisson margin on the two counts).
 *
 * Complexity: dominated by the nearest-neighbour searches, O((m + n) log n) typical.
 */
export function privacyMetrics(input: PrivacyInput): PrivacyResult {
  const { training, holdout, synthetic, mixed, rng, variables } = input;
  const k = input.k ?? 5;
  const bins = input.bins ?? 5;
  const warnings: StatsWarning[] = [];
  const flags: PrivacyFlag[] = [];
  const ranges = gowerRanges(mixed.training);
  const p = mixed.training.numeric.length + mixed.training.categorical.length;

  const trainIndex = gowerIndex(mixed.training, { ranges });
  const nnT = nearestNeighbours(trainIndex, mixed.synthetic);
  const exactMatchRate = share(nnT.distance, (v) => v === 0);
  const nndrAll = ratios(nnT.distance, nnT.distance2);

  let holdoutResult: PrivacyResult['holdout'] = null;
  if (holdout && mixed.holdout) {
    const m = Math.min(training.n, holdout.n);
    const ti = subsample(training.n, m, rng.substream(0));
    const hi = subsample(holdout.n, m, rng.substream(1));
    const tSub = rowsOf(mixed.training, ti);
    const hSub = rowsOf(mixed.holdout, hi);
    const tIdx = gowerIndex(tSub, { ranges });
    const hIdx = gowerIndex(hSub, { ranges });
    const sT = nearestNeighbours(tIdx, mixed.synthetic);
    const sH = nearestNeighbours(hIdx, mixed.synthetic);
    let closer = 0;
    for (let i = 0; i < synthetic.n; i++) {
      const a = sT.distance[i]!;
      const b = sH.distance[i]!;
      closer += a < b ? 1 : a === b ? 0.5 : 0;
    }
    const shareCloser = closer / synthetic.n;
    const dT = summary(sT.distance);
    const dH = summary(sH.distance);
    const dcrRatio = dH.median > 0 ? dT.median / dH.median : dT.median > 0 ? null : null;
    if (dcrRatio === null) {
      warnings.push({
        code: 'dcr-ratio-undefined',
        message:
          'the median distance to holdout records is 0 (most synthetic records match a holdout record exactly), so the DCR ratio is not defined; see the share closer to training',
      });
    }
    const emT = share(sT.distance, (v) => v === 0);
    const emH = share(sH.distance, (v) => v === 0);
    // NNDR of holdout records against the training subsample: what an unseen patient looks like.
    const hT = nearestNeighbours(tIdx, hSub);
    const nndrS = summary(ratios(sT.distance, sT.distance2));
    const nndrH = summary(ratios(hT.distance, hT.distance2));
    // Membership inference: members = training subsample, non-members = holdout.
    const synIndex = gowerIndex(mixed.synthetic, { ranges });
    const dm = nearestNeighbours(synIndex, tSub).distance;
    const dn = nearestNeighbours(synIndex, hSub).distance;
    const scores = new Float64Array(2 * m);
    const labels = new Uint8Array(2 * m);
    for (let i = 0; i < m; i++) {
      scores[i] = -dm[i]!;
      labels[i] = 1;
      scores[m + i] = -dn[i]!;
    }
    const auc = aucMannWhitney(scores, labels);
    const aucSd = Math.sqrt((2 * m + 1) / (12 * m * m));
    holdoutResult = {
      n: m,
      dcrTraining: dT,
      dcrHoldout: dH,
      dcrRatio,
      shareCloserToTraining: shareCloser,
      exactMatchRateTraining: emT,
      exactMatchRateHoldout: emH,
      nndrSynthetic: nndrS,
      nndrHoldout: nndrH,
      membershipAuc: auc,
      membershipAucNullSd: aucSd,
    };
    const ms = synthetic.n;
    flags.push(
      {
        metric: 'shareCloserToTraining',
        leaking: shareCloser > 0.5 + Z * Math.sqrt(0.25 / ms),
        rule: `share closer to training > 0.5 + 3·√(0.25/${ms})`,
      },
      {
        metric: 'dcrRatio',
        leaking: dcrRatio !== null ? dcrRatio < 0.9 : emT > emH,
        rule: 'median DCR to training / median DCR to holdout < 0.9',
      },
      {
        metric: 'nndr',
        leaking: nndrS.median < 0.9 * nndrH.median,
        rule: 'median NNDR of synthetic records < 0.9 × median NNDR of holdout records',
      },
      {
        metric: 'exactMatchRate',
        leaking: emT - emH > Z * Math.sqrt((emT + emH) / ms) && emT > emH,
        rule: 'exact matches to training exceed those to holdout by 3 standard errors',
      },
      {
        metric: 'membershipAuc',
        leaking: auc > 0.5 + Z * aucSd,
        rule: `membership-inference AUC > 0.5 + 3 × ${aucSd.toPrecision(3)}`,
      },
    );
  } else {
    warnings.push({
      code: 'no-holdout',
      message:
        'no holdout data: DCR ratio, share closer to training, membership inference and the baselines of the other metrics need real records not used to build the model (--holdout)',
    });
  }

  // Rare combinations.
  const cuts = new Map<string, number[]>();
  for (const name of variables) {
    const c = training.cohort.columns.get(name)!;
    if (c.kind === 'numeric') cuts.set(name, binCuts(c.values, bins));
  }
  if (training.time) cuts.set('\u0000time', binCuts(training.time, bins));
  const columnsUsed = [
    ...variables,
    ...(training.time ? ['time'] : []),
    ...(training.event ? ['event'] : []),
  ];
  const trainKeys = comboKeys(training, variables, cuts);
  const counts = new Map<string, number>();
  for (const key of trainKeys) counts.set(key, (counts.get(key) ?? 0) + 1);
  let rareCells = 0;
  for (const c of counts.values()) if (c < k) rareCells++;
  const reproduced = new Set<string>();
  let synInRare = 0;
  const synKeys = comboKeys(synthetic, variables, cuts);
  for (const key of synKeys) {
    const c = counts.get(key);
    if (c !== undefined && c < k) {
      synInRare++;
      reproduced.add(key);
    }
  }
  const shareSyn = synInRare / synthetic.n;
  let shareHold: number | null = null;
  let equalSample: PrivacyResult['rareCombinations']['equalSample'] = null;
  if (holdout) {
    const holdKeys = comboKeys(holdout, variables, cuts);
    let h = 0;
    for (const key of holdKeys) {
      const c = counts.get(key);
      if (c !== undefined && c < k) h++;
    }
    shareHold = h / holdout.n;
    const m = Math.min(synthetic.n, holdout.n);
    const reproducedBy = (keys: string[], index: Int32Array): number => {
      const hit = new Set<string>();
      for (const i of index) {
        const c = counts.get(keys[i]!);
        if (c !== undefined && c < k) hit.add(keys[i]!);
      }
      return hit.size;
    };
    const rS = reproducedBy(synKeys, subsample(synthetic.n, m, rng.substream(2)));
    const rH = reproducedBy(holdKeys, subsample(holdout.n, m, rng.substream(3)));
    equalSample = { m, reproducedBySynthetic: rS, reproducedByHoldout: rH };
    flags.push({
      metric: 'rareCombinations',
      leaking: rS - rH > Z * Math.sqrt(rS + rH),
      rule: `rare training cells (< ${k} patients) reproduced by ${m} synthetic records exceed those reproduced by ${m} holdout records by 3·√(sum)`,
    });
  }

  const epsilon = input.epsilon;
  return {
    distance: {
      method: 'gower',
      columns: p,
      note: "Gower (1971) distance over all audited columns (covariates, and time and event when present): each numeric column's absolute difference divided by its range in the training data (capped at 1), each categorical column 0 when equal and 1 otherwise, averaged over the columns.",
    },
    dcrTraining: summary(nnT.distance),
    exactMatchRate,
    nndr: summary(nndrAll),
    holdout: holdoutResult,
    rareCombinations: {
      k,
      columns: columnsUsed,
      bins,
      rareCells,
      rareCellsReproduced: reproduced.size,
      shareSyntheticInRareCells: shareSyn,
      shareHoldoutInRareCells: shareHold,
      equalSample,
    },
    differentialPrivacy: {
      epsilon,
      statement:
        epsilon === null
          ? 'The model records no differential-privacy guarantee (provenance.derivation.epsilon is null or absent): privacy rests on the empirical checks on this page.'
          : `The model was derived under ε-differential privacy with a total budget ε = ${epsilon} (provenance.derivation.epsilon); synthetic records drawn from it inherit that guarantee by post-processing (Dwork & Roth 2014, Prop. 2.1).`,
    },
    hiddenRate: {
      available: false,
      statement: HIDDEN_RATE_STATEMENT,
      standIn: HIDDEN_RATE_STAND_IN,
    },
    flags,
    leaking: flags.some((f) => f.leaking),
    warnings,
  };
}
