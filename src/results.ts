/**
 * The shape of `results.json` (schema `ecasim-results/1`) and `manifest.json`: every number the
 * dossier shows lives here, so the report only formats and never recomputes. Keys documented here
 * are stable; later versions may add keys but do not rename or remove these.
 */

export const RESULTS_SCHEMA = 'ecasim-results/1';
export const MANIFEST_SCHEMA = 'ecasim-manifest/1';
/** `ecasim analyze`'s results.json (two real arms, no simulation). */
export const ANALYZE_SCHEMA = 'ecasim-analysis/1';

export interface Warning {
  code: string;
  message: string;
  /** Where it arose, e.g. `primary` or `arms.control`. */
  source?: string;
}

export interface Interval {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}

/** A Kaplan–Meier curve at its distinct times, as plotted. */
export interface CurveResult {
  confType: string;
  confLevel: number;
  time: number[];
  nRisk: number[];
  nEvent: number[];
  surv: number[];
  lower: (number | null)[];
  upper: (number | null)[];
}

export interface ArmResult {
  label: string;
  n: number;
  events: number;
  /** Median survival with its interval; null parts where not reached. */
  median: Interval;
  /** Number at risk at regular times, for the table under the chart. */
  atRisk: { time: number[]; nRisk: number[] };
  /** Time-to-event endpoints; null for a binary endpoint. */
  km: CurveResult | null;
  /** Binary endpoints: the proportion responding with its interval (control: replicate spread). */
  response: { proportion: number; lower: number; upper: number } | null;
  /** Continuous endpoints: mean and SD (control: all replicates together). */
  mean?: { mean: number; sd: number } | null;
}

/**
 * The synthetic control arm over all replicates: the pooled Kaplan–Meier curve (all replicates'
 * patients together), and the 2.5th and 97.5th percentiles of the replicate curves on a time grid
 * — the spread due to drawing a synthetic arm.
 */
export interface ControlArmResult extends ArmResult {
  /** Per replicate: n, events and median. */
  perReplicate: { n: number; events: number; median: number | null }[];
  spread: { time: number[]; lower: number[]; upper: number[] };
}

/** What an analysis estimates. */
export type Measure =
  | 'hazard-ratio'
  | 'rmst-difference'
  | 'risk-difference'
  | 'risk-ratio'
  | 'odds-ratio'
  | 'mean-difference';

/** An analysis combined over the replicates (Raghunathan, Reiter & Rubin 2003). */
/** A variance component of the combined estimate and its share of the total. */
export interface VarianceComponent {
  variance: number;
  share: number;
}

/** How the m replicates were combined (src/stats/combine.ts `combineExternalControl`). */
export interface Combining {
  method: 'external-control';
  /** Why this rule, in words. */
  rule: string;
  /**
   * How the interval and p are formed: `t`, q̄ ± t_df·√T; `hybrid-score` (risk difference), the
   * treated arm's Wilson limits with the combined control proportion's t limits (Newcombe 1998;
   * `combineRiskDifference`), df being the control part's.
   */
  limits: 't' | 'hybrid-score';
  m: number;
  /** false: the registry's sampling error is ignored (the protocol said so). */
  parameterUncertainty: boolean;
  /**
   * ν_T, the degrees of freedom of ū_T (the treated arm's part, estimated from its patients):
   * 2·d₁ for a hazard ratio, n₁ − 1 for an RMST or mean difference; part of `df`. Null where ū_T
   * is referred to the normal (risk and odds ratios; the risk difference has its own limits).
   */
  treatedDf: number | null;
  /** b, the between-replicate variance. */
  between: number;
  /** ū and its split into the treated arm's and the synthetic arm's parts. */
  within: number;
  withinTreated: number;
  withinControl: number;
  /** V̂_P = max(0, b − ū_C): what the parameter draws add between replicates. */
  parameterVariance: number;
  /** T, the variance of the combined estimate. */
  totalVariance: number;
  /** T = treated + registry + Monte-Carlo. */
  decomposition: {
    treated: VarianceComponent;
    registry: VarianceComponent;
    monteCarlo: VarianceComponent;
  };
  /** The m and synthetic size at which the Monte-Carlo share falls below `target`. */
  recommendation: {
    target: number;
    /** The Monte-Carlo share is already below the target. */
    met: boolean;
    /** The fewest replicates meeting the target at the current synthetic size. */
    replicates: number;
    /** The smallest synthetic size meeting it at the current m; null if none can (or twin mode). */
    controlSize: number | null;
    /** The synthetic size per replicate of this run; null in twin mode. */
    currentControlSize: number | null;
  };
}

export interface CombinedAnalysis {
  key: string;
  name: string;
  measure: Measure;
  method: string;
  details: Record<string, string | number | boolean | null>;
  confLevel: number;
  estimate: number;
  lower: number;
  upper: number;
  /** The estimate on the combining scale: log HR for hazard ratios, the difference for RMST. */
  logEstimate: number;
  /** Hazard ratios only: the same estimate under the names users look for. */
  hr?: number;
  logHr?: number;
  /** Standard error on the combining scale. */
  se: number;
  /** Degrees of freedom of the t reference; null under the normal fallback. */
  df: number | null;
  p: number;
  combining: Combining;
  /**
   * Per replicate, in replicate order: the estimate and interval on the reported scale, and on
   * the combining scale q, its variance and the synthetic control arm's part of that variance.
   */
  replicates: {
    estimate: number;
    lower: number;
    upper: number;
    p: number;
    q: number;
    variance: number;
    controlVariance: number;
  }[];
  /** Propensity weighting: mean effective sample sizes over replicates. */
  ess: { treated: number; control: number } | null;
}

export interface AttritionStep {
  criterion: string;
  expression: string;
  excluded: number;
  remaining: number;
}

export interface BalanceRowResult {
  name: string;
  type: string;
  /** Means over replicates of the arm means (unweighted) and standardized differences. */
  meanTreated: number;
  meanControl: number;
  smdBefore: number | null;
  smdAfter: number | null;
  varianceRatioBefore: number | null;
  varianceRatioAfter: number | null;
  flagged: boolean;
}

export interface Results {
  schema: typeof RESULTS_SCHEMA;
  protocol: {
    id: string;
    title: string;
    version: string;
    sponsor: string;
    indication: string;
    date: string;
    contextOfUse: string | null;
    estimand: {
      population: string;
      treatment: string;
      comparator: string;
      endpoint: string;
      intercurrentEvents: { event: string; strategy: string; rationale: string | null }[];
      summary: string;
    };
  };
  outcome: { variable: string; label: string; timeUnit: string };
  seed: number;
  control: {
    mode: string;
    size: number;
    replicates: number;
    /** How substreams are assigned. */
    substreams: string;
    parameterUncertainty: {
      enabled: boolean;
      drawn: string[];
      fixed: string[];
      method: string;
      /**
       * How the model's covariances were estimated, per variable that has one (the model's
       * `covariance.method`; 'unstated' for a model that does not say, e.g. written by hand).
       */
      covariances: { variable: string; method: string; replicates: number | null }[];
    };
    eligibility: { name: string; expression: string }[];
    /**
     * The trial's follow-up. A binary or continuous endpoint is observed once per patient and
     * not censored: its accrual, studyDuration and dropoutRate are null.
     */
    followUp: {
      accrual: number | null;
      studyDuration: number | null;
      dropoutRate: number | null;
      timeUnit: string;
      indexDate: string | null;
      accrualPattern: { breaks: number[]; weights: number[] } | null;
      eventDriven: { events: number } | null;
    };
  };
  /** Totals over all replicates. */
  attrition: { drawn: number; steps: AttritionStep[]; accepted: number; acceptanceRate: number };
  /** The treated file's missing baseline covariates and the protocol's policy (`inputs.treated.missing`). */
  treatedMissing: {
    policy: 'impute' | 'exclude';
    /** Patients in the file. */
    rows: number;
    /** Patients with at least one missing covariate. */
    patients: number;
    /** Patients dropped ('exclude'); 0 under 'impute'. */
    excluded: number;
    byVariable: { variable: string; column: string; missing: number }[];
    /** How the missing cells were filled; null when none were. */
    method: string | null;
  };
  model: {
    registry: string;
    extractDate: string | null;
    population: string | null;
    n: number | null;
    derivation: string;
    epsilon: number | null;
    /** The network, for its figure: variables with labels, units, kinds and parents. */
    variables: {
      name: string;
      label: string;
      unit: string | null;
      kind: string;
      parents: string[];
    }[];
  };
  /** Baseline characteristics by arm (control: all replicates together). */
  table1: Table1Row[];
  arms: { treated: ArmResult; control: ControlArmResult };
  /** Log-rank per replicate, with the median statistic and p over replicates (time-to-event only). */
  logrank: {
    method: string;
    df: number;
    medianStatistic: number;
    medianP: number;
    /** How many replicates give p < alpha. */
    belowAlpha: number;
    replicates: { statistic: number; p: number }[];
  } | null;
  primary: CombinedAnalysis;
  secondary: CombinedAnalysis[];
  /** Every replicate: its substream, parameter draw, control arm, attrition and primary estimate. */
  replicates: {
    index: number;
    substream: number[];
    parametersDrawn: string[];
    /** Calendar time of the data cut (event-driven cuts vary by replicate); null for a binary or continuous endpoint. */
    cut: number | null;
    control: { n: number; events: number; median: number | null };
    attrition: { drawn: number; accepted: number; acceptanceRate: number };
    primary: {
      estimate: number;
      lower: number;
      upper: number;
      p: number;
      logEstimate: number;
      se: number;
    };
  }[];
  balance: {
    method: string;
    estimand: string;
    weighted: boolean;
    threshold: number;
    maxAbsSmd: number;
    rows: BalanceRowResult[];
    /** Propensity weighting: distribution of the scores by arm (mean count per bin over replicates). */
    propensity: { breaks: number[]; treated: number[]; control: number[] } | null;
  };
  sensitivity: {
    /**
     * One entry per cox-adjusted analysis with common covariate effects: the same model with
     * covariate effects by arm on the same replicates, and their difference (a sensitivity
     * analysis, src/run/covariate-check.ts).
     */
    covariateEffects: CovariateEffectsCheck[];
    eValue: { rareOutcome: boolean; estimate: number; limit: number | null; method: string } | null;
    tippingPoint: {
      shift: number;
      estimate: number;
      direction: string;
      grid: {
        shift: number;
        estimate: number;
        lower: number;
        upper: number;
        significant: boolean;
      }[];
    } | null;
    phTest: {
      transform: string;
      medianP: number;
      fractionBelowAlpha: number;
      replicates: { statistic: number; df: number; p: number }[];
    } | null;
  };
  /** The protocol's `audit:` of the model against its registry (headline numbers), when asked for. */
  audit: (AuditSummary & { registry: string; holdout: string | null }) | null;
  alpha: number;
  successCriterion: { expression: string; met: boolean };
  warnings: Warning[];
  /** The limitations checklist: each diagnostic's rule, thresholds, evidence and verdict. */
  verdicts: Verdict[];
}

/**
 * One diagnostic of the limitations checklist, decided from other results (never by the report):
 * the rule in words, the numbers it compares with, where its evidence is, and the verdict.
 */
/**
 * The covariate-effects check of one common-effects adjusted Cox analysis: the same model with
 * covariate effects by arm on the same replicates (a sensitivity analysis; no verdict).
 */
export interface CovariateEffectsCheck {
  /** The key of the analysis checked (e.g. `secondary.1`). */
  analysis: string;
  name: string;
  method: string;
  /** False when the by-arm model could not be fitted in every replicate (see `reason`). */
  assessed: boolean;
  reason: string | null;
  /** The by-arm model combined over the replicates as the analysis is (HR at the treated arm's mean profile). */
  byArm: {
    estimate: number;
    lower: number;
    upper: number;
    logEstimate: number;
    se: number;
    p: number;
  } | null;
  /** log HR(by arm) − log HR(common), both combined. */
  difference: { logEstimate: number } | null;
}

export interface Verdict {
  /** Stable identifier, e.g. `proportional-hazards`. */
  key: string;
  /** What is checked, as the dossier names it. */
  name: string;
  /** The rule that flags it, with its thresholds. */
  rule: string;
  /** The thresholds the rule compares with, by name (e.g. `alpha`, `essFraction`). */
  thresholds: Record<string, number>;
  /** The evidence: results.json paths the rule reads and the warning codes it counts. */
  source: { fields: string[]; warnings: string[] };
  /** False when the check does not apply to this run (e.g. no weighting, no PH test asked for). */
  assessed: boolean;
  flagged: boolean;
}

export interface FileRecord {
  role: string;
  path: string;
  sha256: string;
}

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  command: string;
  /** What `ecasim verify` needs to re-run: the protocol (as given, and relative to the output directory), the seed override and SOURCE_DATE_EPOCH. */
  run: {
    protocol: string;
    protocolFromOutput: string | null;
    seedOverride: number | null;
    replicatesOverride: number | null;
    /** A sponsor's template directory the dossier was rendered with, as given. */
    templates?: string | null;
    sourceDateEpoch: string | null;
  };
  ecasim: string;
  node: string;
  dependencies: Record<string, string>;
  seed: number;
  /** ISO time from SOURCE_DATE_EPOCH, present only when it is set. */
  createdAt?: string;
  inputs: FileRecord[];
  outputs: FileRecord[];
  resultsDigest: string;
}

/** Table 1: one covariate's summary by arm. */
export interface NumericSummary {
  n: number;
  mean: number;
  sd: number;
  median: number;
  q1: number;
  q3: number;
}

export interface Table1Row {
  name: string;
  label: string;
  unit: string | null;
  type: 'numeric' | 'categorical';
  treated: NumericSummary | null;
  control: NumericSummary | null;
  levels: {
    level: string;
    label: string;
    treated: { n: number; pct: number } | null;
    control: { n: number; pct: number };
  }[];
}

/** The headline numbers of an audit, for the dossier's panel. */
export interface AuditSummary {
  nSynthetic: number;
  univariate: { maxDifference: number; exceeding: string[]; threshold: number };
  bivariate: { meanDifference: number; meanCiOverlap: number; shareOverlapAbove50: number };
  outcome: { kmSupDifference: number; hrMeanCiOverlap: number | null } | null;
  privacy: {
    leaking: boolean;
    flagged: string[];
    exactMatchRate: number;
    dcrRatio: number | null;
    shareCloserToTraining: number | null;
    membershipAuc: number | null;
    epsilon: number | null;
  };
  replication: {
    decisionAgreement: boolean;
    estimateAgreement: boolean;
    standardizedDifference: number;
    ciOverlap: number;
  } | null;
  screening: { outOfSupport: number; removed: number; flaggedRates: number };
}

/**
 * Rounds every number in a JSON-bound value to `digits` significant digits, so results (and their
 * digest) do not depend on the last bits of floating-point arithmetic.
 */
export function roundDeep<T>(value: T, digits = 10): T {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value;
    return Number(value.toPrecision(digits)) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => roundDeep(v, digits)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = roundDeep(v, digits);
    return out as T;
  }
  return value;
}

/** Stable JSON text: two-space indent, trailing newline; non-finite numbers are refused. */
export function toJsonText(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (key, v: unknown) => {
        if (typeof v === 'number' && !Number.isFinite(v)) {
          throw new Error(
            `internal: a non-finite number (${v}) reached the results (field "${key}")`,
          );
        }
        return v;
      },
      2,
    ) + '\n'
  );
}
