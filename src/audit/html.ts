/**
 * `audit.html`: the audit result → a view model of formatted strings → `templates/audit.hbs`,
 * styled with the dossier's own CSS. Nothing is recomputed here. Every data-derived string goes
 * through handlebars' HTML escaping (`{{ }}`); only our CSS and our SVG chart are inserted raw.
 * The page has no scripts and loads nothing from the network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { kaplanMeierChart, PALETTE } from '../report/charts.js';
import { packageRoot } from '../package-info.js';
import type { AuditResult } from './index.js';

/** Fixed-decimal formatting for display; "—" for a missing value. */
const fmt = (x: number | null | undefined, decimals = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(decimals);
const pct = (x: number | null | undefined, d = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(d)}%`;
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
const iv = (x: { estimate: number; lower: number; upper: number }, d = 3): string =>
  `${fmt(x.estimate, d)} (${fmt(x.lower, d)} to ${fmt(x.upper, d)})`;

/** The view model of the audit page (formatted strings only). */
export async function auditViewModel(a: AuditResult): Promise<Record<string, unknown>> {
  const h = a.privacy.holdout;
  const flagged = (metric: string): string => {
    const f = a.privacy.flags.find((x) => x.metric === metric);
    return f === undefined ? 'not assessed' : f.leaking ? 'LEAK' : 'ok';
  };
  const o = a.fidelity.outcome;
  let kmChart: string | null = null;
  if (o) {
    kmChart = await kaplanMeierChart(
      [
        {
          label: 'Registry',
          color: PALETTE.neutral,
          time: o.curves.real.time,
          surv: o.curves.real.surv,
        },
        {
          label: 'Synthetic',
          color: PALETTE.control,
          time: o.curves.synthetic.time,
          surv: o.curves.synthetic.surv,
        },
      ],
      {
        timeUnit: a.model.timeUnit,
        title: `Kaplan–Meier: registry vs synthetic (${a.outcome ?? 'outcome'})`,
        description: `Largest vertical gap ${fmt(o.km.supDifference, 3)}; mean gap ${fmt(o.km.meanAbsDifference, 3)} up to ${fmt(o.km.tau, 1)} ${a.model.timeUnit}.`,
      },
    );
  }
  const r = a.replication;
  const p = a.privacy;
  return {
    a,
    ecasim: a.software.ecasim,
    model: a.model,
    epsilon: a.model.epsilon === null ? 'none' : String(a.model.epsilon),
    data: a.data,
    incompleteText: incompleteText(a.data.incomplete),
    inputs: a.inputs,
    settings: {
      ...a.settings,
      threshold: pct(a.settings.threshold, 0),
      screen: yesNo(a.settings.screen),
    },
    verdict: {
      leaking: p.leaking,
      exceeding: a.fidelity.exceeding.join(', '),
      nExceeding: a.fidelity.exceeding.length,
    },
    univariate: a.fidelity.univariate.map((u) => ({
      variable: u.variable,
      type: u.type,
      difference: pct(u.difference, 2),
      exceeds: u.exceedsThreshold,
      detail:
        u.type === 'categorical'
          ? `TV ${fmt(u.totalVariation, 4)}, Hellinger ${fmt(u.hellinger, 4)}; ` +
            u.levels!.map((l) => `${l.level} ${pct(l.real)} vs ${pct(l.synthetic)}`).join(', ')
          : `KS D ${fmt(u.ks, 4)}, W₁ ${fmt(u.wasserstein, 3)}; mean ${fmt(u.real!.mean, 2)} vs ${fmt(u.synthetic!.mean, 2)}, SD ${fmt(u.real!.sd, 2)} vs ${fmt(u.synthetic!.sd, 2)}`,
    })),
    bivariate: {
      meanDifference: fmt(a.fidelity.bivariate.meanDifference, 3),
      maxDifference: fmt(a.fidelity.bivariate.maxDifference, 3),
      meanCiOverlap: fmt(a.fidelity.bivariate.meanCiOverlap, 2),
      shareOverlapAbove50: pct(a.fidelity.bivariate.shareOverlapAbove50, 0),
      bootstrap: a.fidelity.bivariate.interval.bootstrap,
      bins: a.fidelity.bivariate.bins,
      pairs: a.fidelity.bivariate.pairs.map((q) => ({
        pair: `${q.a} × ${q.b}`,
        measure: q.measure === 'pearson' ? 'Pearson r' : "Cramér's V",
        real: iv(q.real),
        synthetic: iv(q.synthetic),
        difference: fmt(q.difference, 3),
        overlap: fmt(q.ciOverlap, 2),
        low: q.ciOverlap <= 0.5,
      })),
    },
    outcome: o
      ? {
          name: a.outcome,
          sup: fmt(o.km.supDifference, 3),
          mean: fmt(o.km.meanAbsDifference, 3),
          tau: fmt(o.km.tau, 1),
          chart: kmChart,
          meanCiOverlap: fmt(o.meanCiOverlap, 2),
          hrs: o.hazardRatios.map((x) => ({
            term: x.term,
            real: `${fmt(Math.exp(x.real.estimate), 2)} (${fmt(Math.exp(x.real.lower), 2)} to ${fmt(Math.exp(x.real.upper), 2)})`,
            synthetic: `${fmt(Math.exp(x.synthetic.estimate), 2)} (${fmt(Math.exp(x.synthetic.lower), 2)} to ${fmt(Math.exp(x.synthetic.upper), 2)})`,
            overlap: fmt(x.ciOverlap, 2),
          })),
        }
      : null,
    privacy: {
      distanceNote: p.distance.note,
      dcr: `mean ${fmt(p.dcrTraining.mean, 4)}, median ${fmt(p.dcrTraining.median, 4)}, 5th percentile ${fmt(p.dcrTraining.p05, 4)}`,
      exactMatchRate: pct(p.exactMatchRate, 2),
      nndr: `median ${fmt(p.nndr.median, 3)}, 5th percentile ${fmt(p.nndr.p05, 3)}`,
      holdout: h
        ? {
            n: h.n,
            dcrTraining: fmt(h.dcrTraining.median, 4),
            dcrHoldout: fmt(h.dcrHoldout.median, 4),
            dcrRatio: fmt(h.dcrRatio, 3),
            dcrRatioFlag: flagged('dcrRatio'),
            share: pct(h.shareCloserToTraining),
            shareFlag: flagged('shareCloserToTraining'),
            emT: pct(h.exactMatchRateTraining, 2),
            emH: pct(h.exactMatchRateHoldout, 2),
            emFlag: flagged('exactMatchRate'),
            nndrS: fmt(h.nndrSynthetic.median, 3),
            nndrH: fmt(h.nndrHoldout.median, 3),
            nndrFlag: flagged('nndr'),
            auc: fmt(h.membershipAuc, 3),
            aucSd: fmt(h.membershipAucNullSd, 3),
            aucFlag: flagged('membershipAuc'),
          }
        : null,
      rare: {
        ...p.rareCombinations,
        columns: p.rareCombinations.columns.join(', '),
        shareSyn: pct(p.rareCombinations.shareSyntheticInRareCells, 2),
        shareHold: pct(p.rareCombinations.shareHoldoutInRareCells, 2),
        flag: flagged('rareCombinations'),
      },
      flags: p.flags.map((f) => ({
        metric: f.metric,
        verdict: f.leaking ? 'LEAK' : 'ok',
        rule: f.rule,
      })),
      dp: p.differentialPrivacy.statement,
      hidden: p.hiddenRate.statement,
      standIn: p.hiddenRate.standIn,
    },
    replication: r
      ? {
          alpha: r.alpha,
          real: `${fmt(r.real.hr, 3)} (${fmt(r.real.lower, 3)} to ${fmt(r.real.upper, 3)}), p ${fmt(r.real.p, 4)}, ${r.real.decision}`,
          synthetic: `${fmt(r.synthetic.hr, 3)} (${fmt(r.synthetic.lower, 3)} to ${fmt(r.synthetic.upper, 3)}), p ${fmt(r.synthetic.p, 4)}, ${r.synthetic.decision}`,
          decision: yesNo(r.decisionAgreement),
          estimate: yesNo(r.estimateAgreement),
          std: `${fmt(r.standardizedDifference.statistic, 2)} (p ${fmt(r.standardizedDifference.p, 3)}; ${r.standardizedDifference.agreement ? 'agreement' : 'disagreement'})`,
          overlap: fmt(r.ciOverlap, 2),
        }
      : null,
    screening: {
      ...a.screening,
      screened: a.screening.screened,
      share: pct(a.screening.outOfSupport.share, 2),
      checks: [...a.screening.rareCategories, ...a.screening.tails].map((c) => ({
        variable: c.variable,
        what: c.what,
        expected: pct(c.expected, 2),
        observed: pct(c.observed, 2),
        ratio: fmt(c.ratio, 2),
        flagged: c.flagged,
      })),
    },
    warnings: a.warnings,
  };
}

/**
 * Renders `audit.html`: self-contained (inline CSS, inline SVG, no scripts, no network) and
 * deterministic (same audit, same bytes).
 *
 * @example
 * writeFileSync('audit.html', await auditHtml(audit));
 */
export async function auditHtml(audit: AuditResult): Promise<string> {
  const dir = join(packageRoot(), 'templates');
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(join(dir, 'audit.hbs'), 'utf8'), { strict: false });
  const css = readFileSync(join(dir, 'dossier.css'), 'utf8');
  return template({ ...(await auditViewModel(audit)), css });
}

/** Rows left out for a missing value, in words; empty when none were. */
function incompleteText(m: { training: number; holdout: number | null }): string {
  const parts = [
    ...(m.training > 0 ? [`${m.training} training`] : []),
    ...(m.holdout !== null && m.holdout > 0 ? [`${m.holdout} holdout`] : []),
  ];
  return parts.length === 0
    ? ''
    : `complete cases: ${parts.join(' and ')} row(s) with a missing value left out, as ecasim fit leaves them out`;
}
