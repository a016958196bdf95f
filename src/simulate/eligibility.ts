/**
 * Eligibility by batched rejection: draw candidates from the covariate model, keep those meeting
 * every criterion, and count how many each criterion excluded (in protocol order: a candidate is
 * counted against the first criterion it fails), which is the attrition table of the dossier.
 */
import type { CovariateModel } from '../model/load.js';
import type { CompiledExpression, RowReader } from '../protocol/expressions.js';
import type { RandomSource } from '../random/index.js';
import { cohortSampler } from './ancestral.js';
import { concatCohorts, selectRows, type Cohort, type Column } from '../cohort.js';

export interface Criterion {
  name: string;
  expression: CompiledExpression;
}

export interface Attrition {
  /** Candidates drawn up to the one that completed the arm. */
  drawn: number;
  /** Excluded by each criterion (first failed), in protocol order. */
  excluded: number[];
  accepted: number;
  acceptanceRate: number;
}

/** Thrown when the target cannot be reached within `maxDraws`; carries the counts so far. */
export class UnreachableTargetError extends Error {
  readonly attrition: Attrition;
  constructor(message: string, attrition: Attrition) {
    super(message);
    this.name = 'UnreachableTargetError';
    this.attrition = attrition;
  }
}

/** Reads variables of a cohort for expressions: numbers for numeric columns, level text for categorical. */
export function cohortReader(cohort: Cohort): RowReader {
  const cache = new Map<string, Column>();
  return (name, i) => {
    let c = cache.get(name);
    if (c === undefined) {
      c = cohort.columns.get(name);
      if (c === undefined) throw new Error(`internal: expression reads unknown column "${name}"`);
      cache.set(name, c);
    }
    return c.kind === 'numeric' ? c.values[i]! : c.levels[c.codes[i]!]!;
  };
}

/**
 * For each row, the index of the first criterion it fails, or -1 when it meets all.
 * Complexity O(n · criteria).
 */
export function firstFailed(cohort: Cohort, criteria: readonly Criterion[]): Int32Array {
  const read = cohortReader(cohort);
  const out = new Int32Array(cohort.n).fill(-1);
  for (let i = 0; i < cohort.n; i++) {
    for (let k = 0; k < criteria.length; k++) {
      if (criteria[k]!.expression.evaluate(read, i) !== true) {
        out[i] = k;
        break;
      }
    }
  }
  return out;
}

const MIN_BATCH = 1024;
/** The smallest chunk a batch is drawn in (see drawEligible). */
const MIN_CHUNK = 64;

/**
 * Draws `target` eligible virtual patients. Batch `b` is drawn from `rng.substream(b)`, and batch
 * sizes depend only on the counts so far, so the result is a function of the seed and the inputs.
 * Stops with `UnreachableTargetError` when `maxDraws` candidates would not suffice (judged from the
 * acceptance rate once at least 10 000 candidates have been seen), instead of looping.
 *
 * Complexity O(drawn · (variables + criteria)).
 */
export function drawEligible(
  model: CovariateModel,
  criteria: readonly Criterion[],
  target: number,
  rng: RandomSource,
  maxDraws: number,
  derive: (c: Cohort) => Cohort = (c) => c,
): { cohort: Cohort; attrition: Attrition } {
  const excluded = new Array<number>(criteria.length).fill(0);
  const kept: Cohort[] = [];
  const keptIndex: number[][] = [];
  let drawn = 0;
  let accepted = 0;
  for (let batch = 0; accepted < target; batch++) {
    const rate = drawn > 0 ? accepted / drawn : 1;
    const need = target - accepted;
    if (drawn >= 10_000 && (rate === 0 || drawn + need / rate > maxDraws)) {
      throw new UnreachableTargetError(
        `only ${accepted} of ${drawn} candidates met the eligibility criteria`,
        { drawn, excluded, accepted, acceptanceRate: rate },
      );
    }
    if (drawn >= maxDraws) {
      throw new UnreachableTargetError(`the cap of ${maxDraws} candidates was reached`, {
        drawn,
        excluded,
        accepted,
        acceptanceRate: rate,
      });
    }
    const size = Math.min(
      maxDraws - drawn,
      Math.max(MIN_BATCH, Math.ceil((need / Math.max(rate, 0.01)) * 1.1)),
    );
    // The batch's candidates are drawn a chunk at a time (cohortSampler: the same patients as one
    // draw of `size`), and only until the target is met: the rest of a batch was never used.
    const sampler = cohortSampler(model, rng.substream(batch));
    let used = 0;
    let found = 0;
    while (used < size && accepted + found < target) {
      const seen = drawn + used;
      const r = seen > 0 ? (accepted + found) / seen : 1;
      const chunk = Math.min(
        size - used,
        Math.max(MIN_CHUNK, Math.ceil(((target - accepted - found) / Math.max(r, 0.01)) * 1.1)),
      );
      const cohort = derive(sampler.next(chunk));
      const failed = firstFailed(cohort, criteria);
      const index: number[] = [];
      let take = chunk;
      for (let i = 0; i < chunk; i++) {
        const k = failed[i]!;
        if (k >= 0) excluded[k]!++;
        else {
          index.push(i);
          if (accepted + found + index.length === target) {
            take = i + 1;
            break;
          }
        }
      }
      used += take;
      found += index.length;
      kept.push(cohort);
      keptIndex.push(index);
    }
    drawn += used;
    accepted += found;
  }
  const parts = kept.map((c, b) => selectRows(c, keptIndex[b]!));
  return {
    cohort: concatCohorts(parts),
    attrition: { drawn, excluded, accepted, acceptanceRate: accepted / drawn },
  };
}
