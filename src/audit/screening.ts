/**
 * Screening synthetic records against degenerate generators: are the registry's rare categories
 * and tails present at their expected rates (a generator that collapses onto common values fails
 * here), and which synthetic records lie outside the registry's support (a value outside the
 * observed range, or a pair of categorical levels never seen together)?
 */
import { quantileSorted } from '../stats/distances.js';
import { levelCounts, type AuditData } from './data.js';

export interface RateCheck {
  variable: string;
  /** `level` for a rare category, `below p01` / `above p99` for a tail. */
  what: string;
  /** Share in the registry (expected share in synthetic data). */
  expected: number;
  observed: number;
  /** observed / expected; null when the registry has none (expected 0). */
  ratio: number | null;
  /** Synthetic count expected; the check is only judged when it is at least 5. */
  expectedCount: number;
  /** Outside [0.5, 2] × expected with an expected count ≥ 5. */
  flagged: boolean;
}

export interface ScreeningResult {
  /** Categories with a registry share below `rareShare` (default 0.05). */
  rareCategories: RateCheck[];
  /** Shares below the registry's 1st and above its 99th percentile (type-7 quantiles). */
  tails: RateCheck[];
  /** Synthetic records outside the registry's support. */
  outOfSupport: {
    records: number;
    share: number;
    /** Per variable: values below the registry minimum or above its maximum. */
    outOfRange: { variable: string; count: number; min: number; max: number }[];
    /** Per categorical variable: synthetic records with a level the registry does not have. */
    unseenLevels: { variable: string; level: string; count: number }[];
    /** Pairs of levels present in the registry but never together there, found in synthetic records. */
    unseenPairs: { a: string; levelA: string; b: string; levelB: string; count: number }[];
  };
  /** With `--screen`: the records removed (0 otherwise) and how many remain. */
  screened: boolean;
  removed: number;
  kept: number;
}

const RATE_LOW = 0.5;
const RATE_HIGH = 2;

function check(
  variable: string,
  what: string,
  expected: number,
  observedCount: number,
  n: number,
): RateCheck {
  const observed = observedCount / n;
  const expectedCount = expected * n;
  const ratio = expected > 0 ? observed / expected : null;
  return {
    variable,
    what,
    expected,
    observed,
    ratio,
    expectedCount,
    flagged: ratio !== null && expectedCount >= 5 && (ratio < RATE_LOW || ratio > RATE_HIGH),
  };
}

/**
 * Screens synthetic records against the registry: rare categories (registry share < `rareShare`)
 * and tails (below the 1st / above the 99th percentile) at their expected rates (flagged outside
 * [0.5, 2] × expected when at least 5 records are expected), and records outside the registry's
 * support — a numeric value outside [min, max] of the registry, a level the registry lacks, or a pair of categorical levels
 * each present in the registry but never together (a structural zero of the pair's table).
 * Returns the check and a mask of the records to keep. Complexity O(p²·n + p·n log n).
 */
export function screenSynthetic(
  registry: AuditData,
  synthetic: AuditData,
  variables: readonly string[],
  { rareShare = 0.05 }: { rareShare?: number } = {},
): { result: Omit<ScreeningResult, 'screened' | 'removed' | 'kept'>; outside: Uint8Array } {
  const n = synthetic.n;
  const outside = new Uint8Array(n);
  const rareCategories: RateCheck[] = [];
  const tails: RateCheck[] = [];
  const outOfRange: ScreeningResult['outOfSupport']['outOfRange'] = [];
  const unseenPairs: ScreeningResult['outOfSupport']['unseenPairs'] = [];
  const unseenLevels: ScreeningResult['outOfSupport']['unseenLevels'] = [];
  for (const name of variables) {
    const r = registry.cohort.columns.get(name)!;
    const s = synthetic.cohort.columns.get(name)!;
    if (r.kind === 'categorical' && s.kind === 'categorical') {
      const k = r.levels.length;
      const cr = levelCounts(r.codes, k);
      const cs = levelCounts(s.codes, k);
      for (let j = 0; j < k; j++) {
        const p = cr[j]! / registry.n;
        if (p < rareShare) rareCategories.push(check(name, r.levels[j]!, p, cs[j]!, n));
        if (cr[j] === 0 && cs[j]! > 0) {
          unseenLevels.push({ variable: name, level: r.levels[j]!, count: cs[j]! });
          for (let i = 0; i < n; i++) if (s.codes[i] === j) outside[i] = 1;
        }
      }
    } else if (r.kind === 'numeric' && s.kind === 'numeric') {
      const sorted = Float64Array.from(r.values).sort();
      const lo = sorted[0]!;
      const hi = sorted[sorted.length - 1]!;
      const q01 = quantileSorted(sorted, 0.01);
      const q99 = quantileSorted(sorted, 0.99);
      let below = 0;
      let above = 0;
      for (const v of sorted) {
        if (v < q01) below++;
        if (v > q99) above++;
      }
      let sb = 0;
      let sa = 0;
      let out = 0;
      for (let i = 0; i < n; i++) {
        const v = s.values[i]!;
        if (v < q01) sb++;
        if (v > q99) sa++;
        if (v < lo || v > hi) {
          out++;
          outside[i] = 1;
        }
      }
      tails.push(check(name, 'below p01', below / registry.n, sb, n));
      tails.push(check(name, 'above p99', above / registry.n, sa, n));
      if (out > 0) outOfRange.push({ variable: name, count: out, min: lo, max: hi });
    }
  }
  const cats = variables.filter((v) => registry.cohort.columns.get(v)!.kind === 'categorical');
  for (let x = 0; x < cats.length; x++) {
    for (let y = x + 1; y < cats.length; y++) {
      const ra = registry.cohort.columns.get(cats[x]!)! as {
        codes: Int32Array;
        levels: readonly string[];
      };
      const rb = registry.cohort.columns.get(cats[y]!)! as {
        codes: Int32Array;
        levels: readonly string[];
      };
      const sa = synthetic.cohort.columns.get(cats[x]!)! as { codes: Int32Array };
      const sb = synthetic.cohort.columns.get(cats[y]!)! as { codes: Int32Array };
      const ka = ra.levels.length;
      const kb = rb.levels.length;
      const seen = new Uint8Array(ka * kb);
      const presentA = new Uint8Array(ka);
      const presentB = new Uint8Array(kb);
      for (let i = 0; i < registry.n; i++) {
        seen[ra.codes[i]! * kb + rb.codes[i]!] = 1;
        presentA[ra.codes[i]!] = 1;
        presentB[rb.codes[i]!] = 1;
      }
      const count = new Float64Array(ka * kb);
      for (let i = 0; i < n; i++) {
        const a = sa.codes[i]!;
        const b = sb.codes[i]!;
        if (presentA[a] && presentB[b] && !seen[a * kb + b]) {
          count[a * kb + b]! += 1;
          outside[i] = 1;
        }
      }
      for (let a = 0; a < ka; a++) {
        for (let b = 0; b < kb; b++) {
          if (count[a * kb + b]! > 0) {
            unseenPairs.push({
              a: cats[x]!,
              levelA: ra.levels[a]!,
              b: cats[y]!,
              levelB: rb.levels[b]!,
              count: count[a * kb + b]!,
            });
          }
        }
      }
    }
  }
  let records = 0;
  for (const o of outside) records += o;
  return {
    result: {
      rareCategories,
      tails,
      outOfSupport: {
        records,
        share: n > 0 ? records / n : 0,
        outOfRange,
        unseenLevels,
        unseenPairs,
      },
    },
    outside,
  };
}
