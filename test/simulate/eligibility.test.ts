/**
 * drawEligible draws a batch a chunk at a time and stops at the target; the patients, their order
 * and the attrition counts must be those of drawing each batch whole (the scheme the example
 * digests were made with), re-implemented here as the reference.
 */
import { loadModel, type CovariateModel } from '../../src/model/load.js';
import { patientScope } from '../../src/protocol/load.js';
import { compileExpression } from '../../src/protocol/expressions.js';
import { createStream, type RandomSource } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import {
  drawEligible,
  firstFailed,
  type Attrition,
  type Criterion,
} from '../../src/simulate/eligibility.js';
import { concatCohorts, selectRows, type Cohort } from '../../src/cohort.js';

const model = loadModel('test/model/fixtures/nsclc.json');

function criteria(m: CovariateModel, exprs: string[]): Criterion[] {
  const scope = patientScope(m);
  return exprs.map((e, k) => ({ name: `c${k}`, expression: compileExpression(e, scope) }));
}

/** The batch scheme with every batch drawn whole (min batch 1024, 1.1 × need / rate). */
function reference(
  m: CovariateModel,
  crit: readonly Criterion[],
  target: number,
  rng: RandomSource,
): { cohort: Cohort; attrition: Attrition } {
  const excluded = new Array<number>(crit.length).fill(0);
  const parts: Cohort[] = [];
  let drawn = 0;
  let accepted = 0;
  for (let batch = 0; accepted < target; batch++) {
    const rate = drawn > 0 ? accepted / drawn : 1;
    const size = Math.max(1024, Math.ceil(((target - accepted) / Math.max(rate, 0.01)) * 1.1));
    const cohort = sampleCohort(m, size, rng.substream(batch));
    const failed = firstFailed(cohort, crit);
    const index: number[] = [];
    let used = size;
    for (let i = 0; i < size; i++) {
      if (failed[i]! >= 0) excluded[failed[i]!]!++;
      else {
        index.push(i);
        if (accepted + index.length === target) {
          used = i + 1;
          break;
        }
      }
    }
    drawn += used;
    accepted += index.length;
    parts.push(selectRows(cohort, index));
  }
  return {
    cohort: concatCohorts(parts),
    attrition: { drawn, excluded, accepted, acceptanceRate: accepted / drawn },
  };
}

const arrays = (c: Cohort): unknown[] =>
  [...c.columns.values()].map((col) => Array.from(col.kind === 'numeric' ? col.values : col.codes));

test.each([
  ['most eligible, a small arm', ['age >= 40'], 120],
  ['most eligible, an arm above the smallest batch', ['age >= 40'], 2500],
  ['few eligible: several chunks and batches', ['age >= 72', 'stage == "IV"'], 400],
])('%s: the same patients and attrition as whole batches', (_, exprs, target) => {
  const crit = criteria(model, exprs);
  const got = drawEligible(model, crit, target, createStream(3, 1), 10_000_000);
  const want = reference(model, crit, target, createStream(3, 1));
  expect(got.attrition).toEqual(want.attrition);
  expect(arrays(got.cohort)).toEqual(arrays(want.cohort));
});
