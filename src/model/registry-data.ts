/**
 * The registry extract as the fitters see it (typed columns of complete cases) and the per-term
 * estimates they report: shared by maximum-likelihood and differential-privacy fitting.
 */
import type { Column } from '../cohort.js';

export interface SurvivalColumn {
  readonly time: Float64Array;
  readonly status: Float64Array;
}

/** Complete cases of the registry, one typed column per variable. */
export interface RegistryData {
  /** Rows kept (complete cases). */
  readonly n: number;
  /** Data rows in the file. */
  readonly nTotal: number;
  /** Categorical kinds as level codes; numeric kinds as values; time-to-event as 0 (see `surv`). */
  readonly columns: ReadonlyMap<string, Column>;
  readonly surv: ReadonlyMap<string, SurvivalColumn>;
  /** Missing values per variable (before complete cases). */
  readonly missing: Readonly<Record<string, number>>;
}

export interface TermEstimate {
  readonly term: string;
  readonly estimate: number;
  readonly se: number;
}
