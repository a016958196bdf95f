/**
 * The limitations checklist, decided here from the other results (so results.json holds every
 * verdict the dossier shows, with its rule, thresholds and evidence; the report only formats).
 * Each verdict reads results fields and counts warnings by code; none recomputes a statistic.
 */
import type { Results, Verdict, Warning } from '../results.js';

/** Thresholds of the checklist (shown with each verdict). */
export const VERDICT_THRESHOLDS = {
  /** The synthetic control arm's effective sample size below this fraction of its size. */
  essFraction: 0.5,
  /** Acceptance of virtual candidates below this rate. */
  acceptanceRate: 0.05,
  /** The PH test flags when p < alpha in more than this fraction of the replicates. */
  phFractionBelowAlpha: 0.5,
} as const;

/** Warning codes each verdict counts. */
export const VERDICT_WARNINGS = {
  'propensity-overlap': ['poor-overlap', 'extreme-scores', 'trimmed', 'separation'],
  'effective-sample-size': ['low-ess'],
  'unseen-configurations': ['unseen-configuration', 'unseen-level'],
  convergence: ['not-converged', 'cox-not-converged', 'cox-infinite-coefficient'],
} as const;

function count(warnings: readonly Warning[], codes: readonly string[]): number {
  return warnings.filter((w) => codes.includes(w.code)).length;
}

/** The verdicts for results that hold everything else. */
export function computeVerdicts(results: Omit<Results, 'verdicts'>): Verdict[] {
  const T = VERDICT_THRESHOLDS;
  const W = VERDICT_WARNINGS;
  const w = results.warnings;
  const alpha = results.alpha;
  const out: Verdict[] = [];
  if (results.arms.treated.km !== null) {
    const ph = results.sensitivity.phTest;
    out.push({
      key: 'proportional-hazards',
      name: 'Proportional hazards (primary model)',
      rule: `cox.zph global test: median p over the replicates < ${alpha}, or p < ${alpha} in more than ${T.phFractionBelowAlpha * 100}% of them`,
      thresholds: { alpha, fractionBelowAlpha: T.phFractionBelowAlpha },
      source: {
        fields: ['sensitivity.phTest.medianP', 'sensitivity.phTest.fractionBelowAlpha'],
        warnings: [],
      },
      assessed: ph !== null,
      flagged:
        ph !== null && (ph.medianP < alpha || ph.fractionBelowAlpha > T.phFractionBelowAlpha),
    });
  }
  out.push({
    key: 'propensity-overlap',
    name: 'Propensity-score overlap',
    rule: 'patients outside the other arm’s range of scores, extreme scores, separation',
    thresholds: {},
    source: { fields: ['balance.propensity'], warnings: [...W['propensity-overlap']] },
    assessed: results.balance.propensity !== null,
    flagged: count(w, W['propensity-overlap']) > 0,
  });
  const ess = results.primary.ess;
  const controlN = results.arms.control.n;
  out.push({
    key: 'effective-sample-size',
    name: 'Effective sample size after weighting',
    rule: `synthetic control ESS below ${T.essFraction * 100}% of its ${controlN} patients`,
    thresholds: { essFraction: T.essFraction, ess: T.essFraction * controlN },
    source: {
      fields: ['primary.ess.control', 'arms.control.n'],
      warnings: [...W['effective-sample-size']],
    },
    assessed: ess !== null,
    flagged:
      (ess !== null && ess.control < T.essFraction * controlN) ||
      count(w, W['effective-sample-size']) > 0,
  });
  const bal = results.balance;
  out.push({
    key: 'covariate-balance',
    name: 'Covariate balance',
    rule: `|SMD| ≥ ${bal.threshold}${bal.weighted ? ' after weighting' : ''}`,
    thresholds: { smd: bal.threshold },
    source: { fields: ['balance.rows[].flagged', 'balance.maxAbsSmd'], warnings: [] },
    assessed: bal.rows.length > 0,
    flagged: bal.rows.some((r) => r.flagged),
  });
  out.push({
    key: 'unseen-configurations',
    name: 'Parent configurations unseen in the registry',
    rule: 'conditional probability rows without registry counts',
    thresholds: {},
    source: { fields: [], warnings: [...W['unseen-configurations']] },
    assessed: true,
    flagged: count(w, W['unseen-configurations']) > 0,
  });
  out.push({
    key: 'acceptance-rate',
    name: 'Acceptance of virtual candidates',
    rule: `acceptance rate below ${T.acceptanceRate * 100}%`,
    thresholds: { acceptanceRate: T.acceptanceRate },
    source: { fields: ['attrition.acceptanceRate'], warnings: [] },
    assessed: true,
    flagged: results.attrition.acceptanceRate < T.acceptanceRate,
  });
  const analyses = [results.primary, ...results.secondary];
  out.push({
    key: 'convergence',
    name: 'Model convergence',
    rule: 'Newton–Raphson convergence of every model in every replicate',
    thresholds: {},
    source: {
      fields: ['primary.details.converged', 'secondary[].details.converged'],
      warnings: [...W.convergence],
    },
    assessed: true,
    flagged: count(w, W.convergence) > 0 || analyses.some((a) => a.details['converged'] === false),
  });
  // The interval is calibrated only when it carries the registry's sampling error
  // (docs/combining.md); Monte-Carlo noise should be a small part of it.
  const c = results.primary.combining;
  out.push({
    key: 'registry-uncertainty',
    name: 'Registry uncertainty',
    rule: 'the interval carries the registry’s sampling error (control.parameterUncertainty on)',
    thresholds: {},
    source: {
      fields: [
        'primary.combining.parameterUncertainty',
        'primary.combining.decomposition.registry',
      ],
      warnings: [],
    },
    assessed: true,
    flagged: !c.parameterUncertainty,
  });
  out.push({
    key: 'monte-carlo-noise',
    name: 'Monte-Carlo noise',
    rule: `Monte-Carlo share of the primary variance at or above ${c.recommendation.target * 100}%`,
    thresholds: { share: c.recommendation.target },
    source: {
      fields: [
        'primary.combining.decomposition.monteCarlo.share',
        'primary.combining.recommendation',
      ],
      warnings: [],
    },
    assessed: true,
    flagged: !c.recommendation.met,
  });
  return out;
}
