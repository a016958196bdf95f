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
 * `coxph(Surv(t, e) ~ treated * (x − x̄_T))`. An interaction that is a linear combination of the
 * interactions before it within the treated arm (all zero when its covariate is constant there,
 * e.g. a level no treated patient has; or two levels that together cover every treated patient)
 * is dropped and listed in `dropped`, where R would report it as aliased (NA): a Gram–Schmidt
 * pass over the treated rows, in column order, with relative tolerance 1e-9 on the squared norm.
 * Complexity O(n · columns²).
 */
export function byArmDesign(design: Design, group: ArrayLike<number>): Design {
  const n = group.length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (group[i] === 1) rows.push(i);
  const x: Float64Array[] = [];
  const interactions: Float64Array[] = [];
  const interactionNames: string[] = [];
  const dropped = [...design.dropped];
  // orthonormal basis of the accepted interactions, on the treated rows
  const basis: Float64Array[] = [];
  design.x.forEach((col, k) => {
    let mean = 0;
    for (const i of rows) mean += col[i]! / rows.length;
    const centred = Float64Array.from(col, (v) => v - mean);
    x.push(centred);
    const r = Float64Array.from(rows, (i) => centred[i]!);
    let norm0 = 0;
    for (const v of r) norm0 += v * v;
    for (const b of basis) {
      let dot = 0;
      for (let j = 0; j < r.length; j++) dot += r[j]! * b[j]!;
      for (let j = 0; j < r.length; j++) r[j]! -= dot * b[j]!;
    }
    let norm = 0;
    for (const v of r) norm += v * v;
    const name = `treated:${design.names[k]!}`;
    if (norm0 === 0 || norm <= 1e-9 * norm0) {
      dropped.push(name);
      return;
    }
    basis.push(r.map((v) => v / Math.sqrt(norm)));
    interactions.push(Float64Array.from(centred, (v, i) => (group[i] === 1 ? v : 0)));
    interactionNames.push(name);
  });
  return { x: [...x, ...interactions], names: [...design.names, ...interactionNames], dropped };
}
