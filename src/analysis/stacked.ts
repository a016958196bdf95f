/**
 * Two arms stacked for a comparison (treated first), with their baseline covariates as a cohort,
 * and the design matrix of model columns built from those covariates. Shared by `ecasim run` (a
 * real treated arm against each synthetic control arm) and `ecasim analyze` (two real arms).
 */
import type { Cohort } from '../cohort.js';

/** Both arms stacked (treated first), with their baseline covariates. */
export interface StackedArms {
  time: Float64Array;
  status: Float64Array;
  /** 1 = treated, 0 = control. */
  group: Float64Array;
  covariates: Cohort;
  /** Cluster codes for a robust variance (twin mode: patient and twin share one). */
  cluster?: Int32Array;
  /** Case weights (> 0): Kaplan–Meier, Cox and RMST use them; the log-rank test cannot. */
  weights?: Float64Array;
  /** Stratum codes: a stratified log-rank test and Cox model. */
  strata?: Int32Array;
}

export interface Design {
  x: Float64Array[];
  names: string[];
  /** Covariate columns dropped because they are constant in these data. */
  dropped: string[];
}

/**
 * Model columns for `covariates`: numeric variables as they are; a categorical variable as
 * indicators of its levels after the first (the reference), named `variable=level`. Columns
 * constant in these data (e.g. a level no patient has) are dropped and listed.
 * Complexity O(n · columns).
 *
 * @example
 * designMatrix(arms.covariates, ['age', 'ecog']).names; // ['age', 'ecog=1', 'ecog=2']
 */
export function designMatrix(cohort: Cohort, covariates: readonly string[]): Design {
  const x: Float64Array[] = [];
  const names: string[] = [];
  const dropped: string[] = [];
  const push = (name: string, col: Float64Array): void => {
    let constant = true;
    for (let i = 1; i < col.length && constant; i++) if (col[i] !== col[0]) constant = false;
    if (constant) dropped.push(name);
    else {
      x.push(col);
      names.push(name);
    }
  };
  for (const name of covariates) {
    const c = cohort.columns.get(name);
    if (c === undefined)
      throw new Error(`internal: covariate ${name} missing from the stacked arms`);
    if (c.kind === 'numeric') push(name, c.values);
    else {
      for (let level = 1; level < c.levels.length; level++) {
        push(
          `${name}=${c.levels[level]}`,
          Float64Array.from(c.codes, (k) => (k === level ? 1 : 0)),
        );
      }
    }
  }
  return { x, names, dropped };
}

/**
 * The design of a Cox model with covariate effects by arm: every column of `design` centred at
 * the treated arm's mean (group 1), and its interaction with treatment (`treated:NAME`, the
 * centred value in the treated arm, 0 in the control arm). With the treatment indicator first,
 * the treatment coefficient is then the log hazard ratio at the treated arm's mean covariate
 * profile, and each arm has its own covariate effects — R's
 * `coxph(Surv(t, e) ~ treated * (x − x̄_T))`. An interaction whose covariate is constant in the
 * treated arm (a level no treated patient has) is all zero and is dropped (listed in `dropped`).
 * Complexity O(n · columns).
 */
export function byArmDesign(design: Design, group: ArrayLike<number>): Design {
  const n = group.length;
  let nTreated = 0;
  for (let i = 0; i < n; i++) if (group[i] === 1) nTreated++;
  const x: Float64Array[] = [];
  const names: string[] = [];
  const interactions: Float64Array[] = [];
  const interactionNames: string[] = [];
  const dropped = [...design.dropped];
  design.x.forEach((col, k) => {
    let mean = 0;
    for (let i = 0; i < n; i++) if (group[i] === 1) mean += col[i]! / nTreated;
    const centred = Float64Array.from(col, (v) => v - mean);
    x.push(centred);
    names.push(design.names[k]!);
    // constant in the treated arm: the interaction is all zero
    let first = NaN;
    let varies = false;
    for (let i = 0; i < n && !varies; i++) {
      if (group[i] !== 1) continue;
      if (Number.isNaN(first)) first = col[i]!;
      else if (col[i] !== first) varies = true;
    }
    const name = `treated:${design.names[k]!}`;
    if (!varies) dropped.push(name);
    else {
      interactions.push(Float64Array.from(centred, (v, i) => (group[i] === 1 ? v : 0)));
      interactionNames.push(name);
    }
  });
  return { x: [...x, ...interactions], names: [...names, ...interactionNames], dropped };
}
