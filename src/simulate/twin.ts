/**
 * Twin mode: one virtual control per treated patient, its outcome drawn given that patient's own
 * covariates. Baseline variables absent from the treated data are drawn forward from the model
 * given the observed ones — exact only when none of their descendants is observed (forward
 * sampling cannot condition on evidence below it), so that case is refused with the variables
 * named.
 */
import { InputError, throwCollected, type EcasimError } from '../errors.js';
import type { CovariateModel } from '../model/load.js';
import type { RandomSource } from '../random/index.js';
import { sampleCohort } from './ancestral.js';
import type { Cohort } from '../cohort.js';

export interface TwinPlan {
  /** Baseline variables taken from the treated data. */
  observed: string[];
  /** Baseline variables drawn from the model given the observed ones. */
  drawn: string[];
}

function descendants(model: CovariateModel, name: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(model.children.get(name) ?? [])];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (out.has(c)) continue;
    out.add(c);
    stack.push(...(model.children.get(c) ?? []));
  }
  return out;
}

/** Which baseline variables twins copy and which they draw; refuses what cannot be drawn exactly. */
export function twinPlan(
  model: CovariateModel,
  observed: ReadonlySet<string>,
  file: string,
): TwinPlan {
  const baseline = model.names.filter((n) => !model.outcomes.includes(n));
  const drawn = baseline.filter((n) => !observed.has(n));
  const problems: EcasimError[] = [];
  for (const name of drawn) {
    const seen = [...descendants(model, name)].filter((d) => observed.has(d));
    if (seen.length > 0) {
      problems.push(
        new InputError(
          `twin mode cannot draw "${name}" for the twins: it is missing from the treated data, but its descendant(s) ${seen.join(', ')} are observed, and drawing it forward would ignore them`,
          {
            file,
            field: name,
            expected: `a column for "${name}" in the treated dataset (or mapped under inputs.treated.covariates)`,
            hint: 'add the column, or use control.mode: population',
          },
        ),
      );
    }
  }
  throwCollected(problems);
  return { observed: baseline.filter((n) => observed.has(n)), drawn };
}

/**
 * Draws one twin per treated patient: observed covariates copied, the others and the outcomes
 * drawn. Complexity O(n · variables).
 */
export function drawTwins(model: CovariateModel, treated: Cohort, rng: RandomSource): Cohort {
  return sampleCohort(model, treated.n, rng, treated.columns);
}
