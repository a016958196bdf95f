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

/** An arm's follow-up times and event indicators (1 = event). */
export interface ArmOutcomes {
  readonly time: ArrayLike<number>;
  readonly event: ArrayLike<number>;
}

/**
 * The time, status and group columns of `treated` stacked above `control` (group 1, then 0).
 * Complexity O(n).
 */
export function stackOutcomes(
  treated: ArmOutcomes,
  control: ArmOutcomes,
): Pick<StackedArms, 'time' | 'status' | 'group'> {
  const nT = treated.time.length;
  const n = nT + control.time.length;
  const time = new Float64Array(n);
  const status = new Float64Array(n);
  const group = new Float64Array(n);
  time.set(treated.time);
  time.set(control.time, nT);
  status.set(treated.event);
  status.set(control.event, nT);
  group.fill(1, 0, nT);
  return { time, status, group };
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
 * treatment indicator, the covariates and the interactions before it (with the baseline hazard
 * absorbing a constant) is dropped and listed in `dropped`, where R would report it as aliased
 * (NA): all zero when its covariate is constant in the treated arm (a level no treated patient
 * has), equal to its covariate up to the treatment indicator when the covariate is constant in
 * the control arm, or a combination of others (two levels that cover the treated arm). The check
 * is a Gram–Schmidt pass in R's column order over the columns centred at their means, with
 * relative tolerance 1e-9 on the squared norm; collinear covariates themselves are left to the
 * Cox fit's error, as in the common-effects model. Complexity O(n · columns²).
 */
export function byArmDesign(design: Design, group: ArrayLike<number>): Design {
  const n = group.length;
  let nTreated = 0;
  for (let i = 0; i < n; i++) if (group[i] === 1) nTreated++;
  const basis: Float64Array[] = [];
  /** Adds `col` (centred at its mean) to the basis unless it is aliased; says which. */
  const independent = (col: ArrayLike<number>): boolean => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += col[i]! / n;
    const r = Float64Array.from({ length: n }, (_, i) => col[i]! - mean);
    let norm0 = 0;
    for (const v of r) norm0 += v * v;
    for (const b of basis) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += r[i]! * b[i]!;
      for (let i = 0; i < n; i++) r[i]! -= dot * b[i]!;
    }
    let norm = 0;
    for (const v of r) norm += v * v;
    if (norm0 === 0 || norm <= 1e-9 * norm0) return false;
    basis.push(r.map((v) => v / Math.sqrt(norm)));
    return true;
  };
  independent(group);
  const x = design.x.map((col) => {
    let mean = 0;
    for (let i = 0; i < n; i++) if (group[i] === 1) mean += col[i]! / nTreated;
    return Float64Array.from(col, (v) => v - mean);
  });
  for (const col of x) independent(col);
  const interactions: Float64Array[] = [];
  const interactionNames: string[] = [];
  const dropped = [...design.dropped];
  x.forEach((centred, k) => {
    const col = Float64Array.from(centred, (v, i) => (group[i] === 1 ? v : 0));
    const name = `treated:${design.names[k]!}`;
    if (!independent(col)) dropped.push(name);
    else {
      interactions.push(col);
      interactionNames.push(name);
    }
  });
  return { x: [...x, ...interactions], names: [...design.names, ...interactionNames], dropped };
}
