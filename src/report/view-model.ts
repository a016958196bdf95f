/**
 * The dossier's view model: `results.json` and the reproducibility record → plain strings, rows
 * and SVG charts, in the order the template shows them. Nothing is recomputed: every number is one
 * `results.json` holds, formatted; the only logic here is choosing words (which method, which
 * warnings to quote). The limitations verdicts, with their rules and thresholds, are results
 * (results.verdicts, decided in src/run/verdicts.ts); this only puts their findings in words.
 */
import type {
  CombinedAnalysis,
  FileRecord,
  Results,
  Table1Row,
  Verdict,
  Warning,
} from '../results.js';
import {
  forestChart,
  kaplanMeierChart,
  loveChart,
  networkChart,
  PALETTE,
  propensityChart,
  replicateChart,
  tippingChart,
} from './charts.js';
import { capitalise, fmt, fmtInt, fmtInterval, fmtP, fmtPct, singular, thin } from './format.js';

/** What the dossier shows about how to reproduce the run (a subset of the manifest). */
export interface ReproInfo {
  command: string;
  ecasim: string;
  software: { name: string; version: string }[];
  inputs: FileRecord[];
  /** Outputs written before the dossier (the dossier cannot hold its own hash). */
  outputs: FileRecord[];
  resultsDigest: string;
  createdAt?: string;
  /** Node.js version, when known (the manifest records it). */
  node?: string;
}

/** The dossier's sections, in order: their anchors and headings (the browser test checks them). */
export const SECTIONS = [
  { id: 'summary', title: '1. Summary' },
  { id: 'context', title: '2. Context of use' },
  { id: 'estimand', title: '3. Estimand' },
  { id: 'data', title: '4. Data sources' },
  { id: 'generation', title: '5. Synthetic control generation' },
  { id: 'baseline', title: '6. Baseline characteristics and balance' },
  { id: 'primary', title: '7. Primary analysis' },
  { id: 'secondary', title: '8. Secondary and sensitivity analyses' },
  { id: 'limitations', title: '9. Limitations and warnings' },
  { id: 'reproducibility', title: '10. Reproducibility appendix' },
] as const;

const METHOD_TEXT: Record<string, string> = {
  'cox-unadjusted': 'Cox proportional hazards, treatment only',
  'cox-adjusted': 'Cox proportional hazards, adjusted for covariates',
  'cox-iptw': 'Cox proportional hazards weighted by the inverse probability of treatment',
  rmst: 'Restricted mean survival time difference (area under the Kaplan–Meier curve)',
  'risk-difference': 'Difference in proportions',
  'risk-ratio': 'Ratio of proportions',
  'odds-ratio': 'Odds ratio from the 2×2 table',
  'mean-difference': 'Difference in means (Welch)',
};

const SUMMARY_TEXT: Record<string, string> = {
  'hazard-ratio': 'Hazard ratio, treated versus synthetic control',
  'rmst-difference': 'Difference in restricted mean survival time, treated minus synthetic control',
  'risk-difference': 'Difference in the proportion with the event, treated minus synthetic control',
  'risk-ratio': 'Ratio of the proportions with the event, treated over synthetic control',
  'odds-ratio': 'Odds ratio of the event, treated versus synthetic control',
  'mean-difference': 'Difference in means, treated minus synthetic control',
};

type Measure = CombinedAnalysis['measure'];

/** Ratios are combined and drawn on the log scale, with no effect at 1; differences at 0. */
export function isRatio(measure: Measure): boolean {
  return measure === 'hazard-ratio' || measure === 'risk-ratio' || measure === 'odds-ratio';
}

function measureName(measure: Measure, unit: string): string {
  switch (measure) {
    case 'hazard-ratio':
      return 'Hazard ratio';
    case 'rmst-difference':
      return `RMST difference (${unit})`;
    case 'risk-difference':
      return 'Risk difference';
    case 'risk-ratio':
      return 'Risk ratio';
    case 'odds-ratio':
      return 'Odds ratio';
    case 'mean-difference':
      return 'Mean difference';
    default:
      return String(measure);
  }
}

const STRATEGY_TEXT: Record<string, string> = {
  'treatment-policy': 'Treatment policy',
  hypothetical: 'Hypothetical',
  composite: 'Composite variable',
  'while-on-treatment': 'While on treatment',
  'principal-stratum': 'Principal stratum',
};

/** The per-replicate table of the appendix shows at most this many rows (the rest are in results.json). */
const MAX_REPLICATE_ROWS = 100;

function combiningText(a: CombinedAnalysis): string {
  const c = a.combining;
  const t =
    a.df === null
      ? 'normal reference'
      : `t reference with ${fmt(a.df, 1)} df` +
        (c.treatedDf === null ? '' : ` (the treated arm's part: ${fmt(c.treatedDf, 1)} df)`);
  const ref =
    c.limits === 'hybrid-score'
      ? `hybrid score limits (the treated arm's Wilson limits with the control proportion's ${t})`
      : t;
  return (
    `treated-arm, registry and Monte-Carlo variance separated over m = ${c.m} (docs/combining.md), ${ref}` +
    (c.parameterUncertainty ? '' : '; registry uncertainty ignored (parameterUncertainty: false)')
  );
}

/** The variance-decomposition table of an analysis, and the Monte-Carlo recommendation. */
function decompositionView(a: CombinedAnalysis) {
  const c = a.combining;
  const d = c.decomposition;
  const rec = c.recommendation;
  const row = (source: string, what: string, v: { variance: number; share: number }) => ({
    source,
    what,
    variance: fmt(v.variance, 3),
    share: fmtPct(v.share),
  });
  const pct = Math.round(rec.target * 100);
  const size =
    rec.currentControlSize === null
      ? null
      : rec.controlSize === null
        ? `no synthetic-arm size reaches it with m = ${c.m}: the parameter draws' own noise needs more replicates`
        : `a synthetic arm of ${fmtInt(rec.controlSize)} patients (now ${fmtInt(rec.currentControlSize)}) with m = ${c.m}`;
  return {
    rows: [
      row('Treated arm', 'sampling of the real treated patients (ū_T)', d.treated),
      row(
        'Registry',
        c.parameterUncertainty
          ? 'the fitted model’s sampling error (V̂_P)'
          : 'ignored: parameterUncertainty is false',
        d.registry,
      ),
      row('Monte-Carlo', 'averaging m synthetic arms ((ū_C + V̂_P)/m)', d.monteCarlo),
    ],
    total: fmt(c.totalVariance, 3),
    met: rec.met,
    recommendation: rec.met
      ? `Monte-Carlo noise is ${fmtPct(d.monteCarlo.share)} of the total, below ${pct}%.`
      : `Monte-Carlo noise is ${fmtPct(d.monteCarlo.share)} of the total; it falls below ${pct}% with m = ${rec.replicates} replicates at the current size` +
        (size ? `, or with ${size}.` : '.'),
  };
}

function methodText(a: CombinedAnalysis, unit: string): string {
  const d = a.details;
  const parts: string[] = [];
  if (typeof d['ties'] === 'string') parts.push(`${capitalise(d['ties'])} ties`);
  if (typeof d['variance'] === 'string') {
    parts.push(
      d['variance'] === 'robust'
        ? 'robust (sandwich) variance'
        : d['variance'] === 'greenwood'
          ? 'Greenwood variance'
          : d['variance'] === 'robust (clusters)'
            ? 'cluster-robust variance (pairs)'
            : d['variance'] === 'model'
              ? 'model-based variance'
              : `${d['variance']} variance`,
    );
  }
  if (typeof d['estimand'] === 'string') parts.push(`${d['estimand']} weights`);
  if (typeof d['trimmed'] === 'number' && d['trimmed'] > 0)
    parts.push(`${fmtInt(d['trimmed'])} weights trimmed`);
  if (typeof d['covariates'] === 'string') parts.push(`adjusted for ${d['covariates']}`);
  if (d['covariateEffects'] === 'by-arm')
    parts.push("covariate effects by arm (the HR at the treated arm's mean profile)");
  if (typeof d['tau'] === 'number')
    parts.push(`τ = ${fmt(d['tau'], 1)} ${unit}${d['tauDefault'] === true ? ' (default)' : ''}`);
  if (typeof d['correction'] === 'number' && d['correction'] > 0)
    parts.push(`zero-cell correction ${d['correction']}`);
  else if (typeof d['correction'] === 'string') parts.push(`${d['correction']} correction`);
  parts.push(typeof d['interval'] === 'string' ? `${d['interval']} interval` : 'Wald interval');
  return `${METHOD_TEXT[a.method] ?? a.method}; ${parts.join(', ')}`;
}

function measureText(a: CombinedAnalysis, unit: string): string {
  return measureName(a.measure, unit);
}

function analysisRow(a: CombinedAnalysis, unit: string) {
  const sorted = a.replicates.map((r) => r.estimate).sort((x, y) => x - y);
  const converged =
    a.details['converged'] === false ? 'did not converge in at least one replicate' : null;
  return {
    key: a.key,
    name: a.name,
    measure: measureText(a, unit),
    method: methodText(a, unit),
    combining: combiningText(a),
    estimate: fmt(a.estimate),
    ci: fmtInterval(a.lower, a.upper),
    confPct: String(Math.round(a.confLevel * 100)),
    p: fmtP(a.p),
    se: fmt(a.se, 3),
    scale: isRatio(a.measure)
      ? `log ${measureName(a.measure, unit).toLowerCase()}`
      : a.measure === 'rmst-difference'
        ? unit
        : 'difference',
    range: sorted.length ? `${fmt(sorted[0])} to ${fmt(sorted[sorted.length - 1])}` : '—',
    between: fmt(a.combining.between, 4),
    within: fmt(a.combining.within, 4),
    total: fmt(a.combining.totalVariance, 4),
    decomposition: decompositionView(a),
    ess: a.ess
      ? `${fmt(a.ess.treated, 1)} treated, ${fmt(a.ess.control, 1)} synthetic control`
      : null,
    converged,
  };
}

function table1Rows(rows: readonly Table1Row[]) {
  const out: {
    label: string;
    level: boolean;
    group: boolean;
    treated: string;
    control: string;
  }[] = [];
  for (const r of rows) {
    const name = `${r.label}${r.unit ? ` (${r.unit})` : ''}`;
    if (r.type === 'numeric') {
      out.push({
        label: `${name}, mean (SD)`,
        level: false,
        group: false,
        treated: r.treated
          ? `${fmt(r.treated.mean, 1)} (${fmt(r.treated.sd, 1)})`
          : 'not collected',
        control: r.control ? `${fmt(r.control.mean, 1)} (${fmt(r.control.sd, 1)})` : '—',
      });
      out.push({
        label: `${name}, median [Q1, Q3]`,
        level: false,
        group: false,
        treated: r.treated
          ? `${fmt(r.treated.median, 1)} [${fmt(r.treated.q1, 1)}, ${fmt(r.treated.q3, 1)}]`
          : 'not collected',
        control: r.control
          ? `${fmt(r.control.median, 1)} [${fmt(r.control.q1, 1)}, ${fmt(r.control.q3, 1)}]`
          : '—',
      });
    } else {
      const collected = r.levels.some((l) => l.treated !== null);
      out.push({
        label: `${name}, n (%)`,
        level: false,
        group: true,
        treated: collected ? '' : 'not collected',
        control: '',
      });
      for (const l of r.levels) {
        out.push({
          label: l.label,
          level: true,
          group: false,
          treated: l.treated ? `${fmtInt(l.treated.n)} (${fmt(l.treated.pct, 1)}%)` : '',
          control: `${fmtInt(l.control.n)} (${fmt(l.control.pct, 1)}%)`,
        });
      }
    }
  }
  return out;
}

/** One line of the limitations checklist. */
interface Check {
  check: string;
  criterion: string;
  finding: string;
  flagged: boolean;
}

function has(warnings: readonly Warning[], ...codes: string[]): Warning[] {
  return warnings.filter((w) => codes.includes(w.code));
}

/** What each verdict found, in words: the numbers and warnings behind it (results.verdicts). */
function finding(v: Verdict, results: Results): string {
  const w = has(results.warnings, ...v.source.warnings);
  const messages = w.map((x) => x.message).join('; ');
  switch (v.key) {
    case 'proportional-hazards': {
      const ph = results.sensitivity.phTest;
      return ph
        ? `median p ${fmtP(ph.medianP)}; p < ${results.alpha} in ${fmt(ph.fractionBelowAlpha * 100, 0)}% of replicates`
        : 'not tested (no PH test in the protocol)';
    }
    case 'propensity-overlap':
      return v.assessed
        ? w.length
          ? messages
          : 'scores of both arms overlap'
        : 'no propensity weighting in the primary analysis';
    case 'effective-sample-size': {
      const ess = results.primary.ess;
      return ess
        ? `${fmt(ess.control, 1)} synthetic control, ${fmt(ess.treated, 1)} treated (mean over replicates)${w.length ? `; ${messages}` : ''}`
        : 'unweighted primary analysis';
    }
    case 'covariate-balance': {
      const flagged = results.balance.rows.filter((r) => r.flagged);
      return v.assessed
        ? flagged.length
          ? `imbalanced: ${flagged.map((r) => r.name).join(', ')}`
          : `largest |SMD| ${fmt(results.balance.maxAbsSmd, 3)}`
        : 'not assessable (no shared covariates)';
    }
    case 'unseen-configurations':
      return w.length ? messages : 'none reported';
    case 'acceptance-rate':
      return `${fmtPct(results.attrition.acceptanceRate)} (${fmtInt(results.attrition.accepted)} of ${fmtInt(results.attrition.drawn)})`;
    case 'convergence': {
      const notConverged = [results.primary, ...results.secondary].filter(
        (a) => a.details['converged'] === false,
      );
      return w.length || notConverged.length
        ? [
            ...notConverged.map((a) => `${a.name} did not converge`),
            ...w.map((x) => x.message),
          ].join('; ')
        : 'all models converged';
    }
    case 'registry-uncertainty': {
      const c = results.primary.combining;
      return c.parameterUncertainty
        ? `registry ${fmtPct(c.decomposition.registry.share)} of the primary variance`
        : 'ignored: the protocol sets control.parameterUncertainty to false';
    }
    case 'monte-carlo-noise':
      return decompositionView(results.primary).recommendation;
    default:
      return v.flagged ? 'flagged' : 'not flagged';
  }
}

function analysisOf(results: Results, key: string) {
  return [results.primary, ...results.secondary].find((a) => a.key === key);
}

function analysisName(results: Results, key: string): string {
  return analysisOf(results, key)?.name ?? key;
}

function analysisEstimate(results: Results, key: string): number {
  return analysisOf(results, key)?.estimate ?? NaN;
}

/** The limitations checklist: results.verdicts, with their findings in words. */
function checks(results: Results): Check[] {
  return results.verdicts.map((v) => ({
    check: v.name,
    criterion: v.rule,
    finding: finding(v, results),
    flagged: v.flagged,
  }));
}

/** The treated file's missing covariates and what was done with them, in words; null when none. */
function missingText(results: Results): string | null {
  const m = results.treatedMissing;
  if (m.patients === 0) return null;
  const cells = m.byVariable.map((b) => `${b.variable} ${fmtInt(b.missing)}`).join(', ');
  const who = `${fmtInt(m.patients)} of ${fmtInt(m.rows)} treated patients had a missing baseline covariate (${cells})`;
  return m.policy === 'exclude'
    ? `${who}; they were excluded (inputs.treated.missing: exclude), so the treated arm analysed has ${fmtInt(m.rows - m.excluded)} patients.`
    : `${who}. Treated percentages and summaries above are of the known values; in the analyses the missing values were ${m.method}.`;
}

/** Time zero, accrual, data cut and dropout, in words. */
function followUpText(results: Results) {
  const f = results.control.followUp;
  const u = f.timeUnit;
  const timeZero =
    f.indexDate ?? `as in the endpoint definition: ${results.protocol.estimand.endpoint}`;
  if (f.accrual === null || f.studyDuration === null) {
    return {
      censored: false as const,
      timeZero,
      none: `none: a ${results.arms.treated.response ? 'binary' : 'continuous'} endpoint is observed once per patient and not censored, so the synthetic patients have no entry time, data cut or dropout`,
    };
  }
  const pattern = f.accrualPattern;
  const accrual = pattern
    ? `over ${f.accrual} ${u}, piecewise uniform with relative weights ` +
      pattern.weights
        .map(
          (w, k) => `${fmt(w, 2)} on [${pattern.breaks[k]}, ${pattern.breaks[k + 1] ?? f.accrual})`,
        )
        .join(', ')
    : `uniform over ${f.accrual} ${u}`;
  return {
    censored: true as const,
    timeZero,
    accrual: `entry ${accrual}`,
    dataCut: f.eventDriven
      ? `event-driven: when ${fmtInt(f.eventDriven.events)} events have been observed, at most ${f.studyDuration} ${u} after the first entry (administrative censoring)`
      : `${f.studyDuration} ${u} after the first entry (administrative censoring)`,
    dropout: `exponential, rate ${f.dropoutRate} per ${singular(u)}`,
  };
}

function keyWarnings(warnings: readonly Warning[]): { code: string; message: string }[] {
  const seen = new Map<string, { code: string; message: string; count: number }>();
  for (const w of warnings) {
    const k = seen.get(w.code);
    if (k) k.count++;
    else seen.set(w.code, { code: w.code, message: w.message, count: 1 });
  }
  return [...seen.values()].slice(0, 6).map((k) => ({
    code: k.code,
    message: k.count > 1 ? `${k.message} (and ${k.count - 1} more like it)` : k.message,
  }));
}

/** Builds everything the template shows, including the rendered SVG charts. */
export async function buildViewModel(results: Results, repro: ReproInfo) {
  const { treated, control } = results.arms;
  const p = results.primary;
  const unit = results.outcome.timeUnit;
  const ratio = isRatio(p.measure);
  const primaryName = measureName(p.measure, unit);
  const confPct = String(Math.round(p.confLevel * 100));
  const m = results.control.replicates;
  const estimates = p.replicates.map((r) => r.estimate);
  const analyses = [p, ...results.secondary];
  const survival = treated.km !== null && control.km !== null;

  // Charts.
  const kmChart =
    treated.km !== null && control.km !== null
      ? await kaplanMeierChart(
          [
            {
              label: treated.label,
              color: PALETTE.treated,
              time: treated.km.time,
              surv: treated.km.surv,
              band: { time: treated.km.time, lower: treated.km.lower, upper: treated.km.upper },
            },
            {
              label: `${control.label} (${m} replicates pooled)`,
              color: PALETTE.control,
              time: control.km.time,
              surv: control.km.surv,
              band: control.spread,
            },
          ],
          {
            timeUnit: unit,
            title: `${results.outcome.label}: Kaplan–Meier estimates by arm`,
            description:
              `Survival curves for ${treated.label} (n = ${treated.n}, ${treated.events} events) and ` +
              `${control.label} (${m} replicates of ${control.n}); median ${fmt(treated.median.estimate, 1)} versus ` +
              `${fmt(control.median.estimate, 1)} ${unit}; ${primaryName.toLowerCase()} ${fmt(p.estimate)} ` +
              `(${confPct}% CI ${fmtInterval(p.lower, p.upper)}).`,
          },
        )
      : null;
  const responseRows = [treated, control]
    .filter((a) => a.response !== null)
    .map((a) => ({
      name: a === control ? `${a.label} (replicate spread)` : `${a.label} (${confPct}% CI)`,
      estimate: a.response!.proportion,
      lower: a.response!.lower,
      upper: a.response!.upper,
    }));
  const responseChart =
    responseRows.length > 0
      ? await forestChart(responseRows, {
          axisTitle: `Proportion of patients: ${results.outcome.label}`,
          log: false,
          ref: null,
          title: `${results.outcome.label}: proportion by arm`,
          description: responseRows
            .map(
              (r) => `${r.name}: ${fmtPct(r.estimate)} (${fmtPct(r.lower)} to ${fmtPct(r.upper)})`,
            )
            .join('; '),
        })
      : null;
  const spreadChart = await replicateChart(estimates, p, {
    axisTitle: ratio ? `${primaryName} (log scale)` : primaryName,
    log: ratio,
    title: `Primary estimate in each of the ${m} replicates, and combined`,
    description: `Replicate estimates range from ${fmt(Math.min(...estimates))} to ${fmt(Math.max(...estimates))}; combined ${fmt(p.estimate)} (${confPct}% CI ${fmtInterval(p.lower, p.upper)}).`,
  });
  const forests: { chart: string; caption: string }[] = [];
  const measures = [...new Set(analyses.map((a) => a.measure))];
  for (const measure of measures) {
    const rows = analyses.filter((a) => a.measure === measure);
    const log = isRatio(measure);
    const name = measureName(measure, unit);
    forests.push({
      chart: await forestChart(
        rows.map((a) => ({ name: a.name, estimate: a.estimate, lower: a.lower, upper: a.upper })),
        {
          axisTitle: log ? `${name} (log scale)` : name,
          log,
          ref: log ? 1 : 0,
          title: `${name}: all analyses`,
          description: rows
            .map((a) => `${a.name}: ${fmt(a.estimate)} (${fmtInterval(a.lower, a.upper)})`)
            .join('; '),
        },
      ),
      caption: log
        ? `${name} (treated vs synthetic control) with ${confPct}% intervals, combined over ${m} replicates; the dashed line is no effect (${name.toLowerCase()} = 1).`
        : `${name} (treated minus synthetic control) with ${confPct}% intervals, combined over ${m} replicates; the dashed line is no difference.`,
    });
  }
  const bal = results.balance;
  const loveRows = bal.rows.map((r) => ({ name: r.name, before: r.smdBefore, after: r.smdAfter }));
  const love = bal.rows.length
    ? await loveChart(loveRows, {
        threshold: bal.threshold,
        weighted: bal.weighted,
        title: bal.weighted
          ? 'Covariate balance before and after weighting'
          : 'Covariate balance (unweighted)',
        description: bal.rows
          .map(
            (r) =>
              `${r.name}: SMD ${fmt(r.smdBefore, 3)}${bal.weighted ? ` before, ${fmt(r.smdAfter, 3)} after` : ''}`,
          )
          .join('; '),
      })
    : null;
  const propensity = bal.propensity
    ? await propensityChart(bal.propensity, {
        treatedLabel: treated.label,
        controlLabel: control.label,
        title: 'Propensity-score overlap by arm',
        description: `Mirrored histogram of propensity scores, ${treated.label} above and ${control.label} below the axis, mean count per bin over ${m} replicates.`,
      })
    : null;
  const network = networkChart(
    results.model.variables.map((v) => ({
      name: v.name,
      label: v.label,
      kind: v.kind,
      parents: v.parents,
    })),
    {
      title: 'Covariate model: directed acyclic graph',
      description: results.model.variables
        .map(
          (v) =>
            `${v.label} (${v.name})${v.parents.length ? ` depends on ${v.parents.join(', ')}` : ' has no parents'}`,
        )
        .join('; '),
    },
  );
  const sens = results.sensitivity;
  const tipping = sens.tippingPoint
    ? await tippingChart(sens.tippingPoint.grid, sens.tippingPoint.shift, {
        measure: primaryName,
        log: ratio,
        title: `Tipping point: primary ${primaryName.toLowerCase()} under added bias`,
        description: `The interval reaches no effect at a shift of ${fmt(sens.tippingPoint.shift, 3)} (${primaryName.toLowerCase()} ${fmt(sens.tippingPoint.estimate)}).`,
      })
    : null;

  const treatedInput = repro.inputs.find((f) => f.role === 'treated dataset');
  const modelInput = repro.inputs.find((f) => f.role === 'covariate model');
  const medians = control.perReplicate.map((r) => r.median).filter((x): x is number => x !== null);
  const labelOf = new Map(results.model.variables.map((v) => [v.name, v.label]));
  const collected = results.table1.filter(
    (r) => r.treated !== null || r.levels.some((l) => l.treated !== null),
  );
  const checkRows = checks(results);
  const primaryRow = analysisRow(p, unit);
  const steps = results.attrition.steps;

  return {
    sections: SECTIONS,
    seed: results.seed,
    alpha: results.alpha,
    confPct,
    protocol: {
      ...results.protocol,
      contextOfUse: results.protocol.contextOfUse,
    },
    cover: {
      digestShort: repro.resultsDigest.slice(0, 16),
    },
    outcome: {
      ...results.outcome,
      timeUnitSingular: singular(unit),
      timeUnitTitle: capitalise(unit),
    },
    summary: {
      survival,
      treatedResponse: treated.response
        ? `${fmtPct(treated.response.proportion)} (${confPct}% CI ${fmtPct(treated.response.lower)} to ${fmtPct(treated.response.upper)})`
        : null,
      controlResponse: control.response
        ? `${fmtPct(control.response.proportion)} (replicates ${fmtPct(control.response.lower)} to ${fmtPct(control.response.upper)})`
        : null,
      measure: measureText(p, unit),
      estimate: fmt(p.estimate),
      ci: fmtInterval(p.lower, p.upper),
      p: fmtP(p.p),
      method: primaryRow.method,
      combining: primaryRow.combining,
      registryIgnored: !p.combining.parameterUncertainty,
      treatedMedian: fmt(treated.median.estimate, 1),
      controlMedian: fmt(control.median.estimate, 1),
      flaggedChecks: checkRows.filter((c) => c.flagged).length,
      totalChecks: checkRows.length,
    },
    estimand: {
      rows: [
        { attribute: 'Population', value: results.protocol.estimand.population },
        {
          attribute: 'Treatment condition',
          value: results.protocol.estimand.treatment,
          comparator: results.protocol.estimand.comparator,
        },
        {
          attribute: 'Variable (endpoint)',
          value: `${results.protocol.estimand.endpoint}; analysed as ${results.outcome.label} (${results.outcome.variable}${survival ? `, time in ${unit}` : ', binary'})`,
        },
      ],
      events: results.protocol.estimand.intercurrentEvents.map((e) => ({
        event: e.event,
        strategy: STRATEGY_TEXT[e.strategy] ?? e.strategy,
        rationale: e.rationale ?? '—',
      })),
      summary: SUMMARY_TEXT[results.protocol.estimand.summary] ?? results.protocol.estimand.summary,
    },
    data: {
      audit: auditView(results.audit),
      treatedFile: treatedInput?.path ?? '—',
      treatedHash: treatedInput?.sha256 ?? '—',
      treatedN: fmtInt(treated.n),
      treatedEvents: fmtInt(treated.events),
      outcomeNote: survival
        ? `${results.outcome.label}, time in ${unit}`
        : `${results.outcome.label}, binary`,
      treatedCovariates: collected.map((r) => `${r.label} (${r.name})`),
      modelFile: modelInput?.path ?? '—',
      modelHash: modelInput?.sha256 ?? '—',
      model: {
        registry: results.model.registry,
        extractDate: results.model.extractDate ?? 'not stated',
        population: results.model.population ?? 'not stated',
        n: results.model.n === null ? 'not stated' : fmtInt(results.model.n),
        derivation: results.model.derivation,
        privacy:
          results.model.epsilon === null
            ? 'none: the model was not released under differential privacy'
            : `differential privacy, ε = ${fmt(results.model.epsilon, 2)}`,
      },
      variables: results.model.variables.map((v) => ({
        name: v.name,
        label: v.label,
        kind: v.kind,
        unit: v.unit ?? '—',
        parents: v.parents.length
          ? v.parents.map((x) => labelOf.get(x) ?? x).join(', ')
          : '— (root)',
      })),
      network,
    },
    generation: {
      mode: results.control.mode,
      size: fmtInt(results.control.size),
      replicates: m,
      total: fmtInt(results.attrition.accepted),
      substreams: results.control.substreams,
      uncertainty: (() => {
        const u = results.control.parameterUncertainty;
        const names = (xs: readonly string[]) => xs.map((x) => labelOf.get(x) ?? x).join(', ');
        if (!u.enabled) return 'not propagated: every replicate uses the model’s point estimates';
        return (
          `each replicate draws the parameters of ${u.drawn.length ? names(u.drawn) : 'no variable'} from their posterior (${u.method})` +
          (u.fixed.length
            ? `; fixed at their estimates (no counts or covariance in the model): ${names(u.fixed)}`
            : '')
        );
      })(),
      eligibility: results.control.eligibility,
      followUp: followUpText(results),
      drawn: fmtInt(results.attrition.drawn),
      steps: steps.map((s, k) => ({
        step: k + 1,
        criterion: s.criterion,
        expression: s.expression,
        excluded: fmtInt(s.excluded),
        remaining: fmtInt(s.remaining),
      })),
      accepted: fmtInt(results.attrition.accepted),
      acceptanceRate: fmtPct(results.attrition.acceptanceRate),
    },
    baseline: {
      treatedHeader: `${treated.label} (n = ${fmtInt(treated.n)})`,
      controlHeader: `${control.label}, ${m} replicates together (n = ${fmtInt(results.attrition.accepted)})`,
      rows: table1Rows(results.table1),
      missing: missingText(results),
    },
    balance: {
      method: bal.method,
      estimand: bal.estimand,
      weighted: bal.weighted,
      threshold: bal.threshold,
      maxAbsSmd: fmt(bal.maxAbsSmd, 3),
      rows: bal.rows.map((r) => ({
        name: r.name,
        type: r.type,
        meanTreated: r.type === 'binary' ? fmtPct(r.meanTreated) : fmt(r.meanTreated, 2),
        meanControl: r.type === 'binary' ? fmtPct(r.meanControl) : fmt(r.meanControl, 2),
        smdBefore: fmt(r.smdBefore, 3),
        smdAfter: fmt(r.smdAfter, 3),
        vr: fmt(bal.weighted ? r.varianceRatioAfter : r.varianceRatioBefore, 2),
        flagged: r.flagged,
      })),
      love,
      propensity,
      ess: primaryRow.ess,
    },
    primary: {
      ...primaryRow,
      confPct,
      ratio,
      name: primaryName,
      nameLower: primaryName.toLowerCase(),
    },
    means: [treated, control].some((a) => a.mean)
      ? [treated, control]
          .filter((a) => a.mean)
          .map((a) => ({
            label: a.label,
            n: fmtInt(a.n),
            mean: fmt(a.mean!.mean, 2),
            sd: fmt(a.mean!.sd, 2),
          }))
      : null,
    response: responseChart && {
      chart: responseChart,
      rows: [treated, control]
        .filter((a) => a.response !== null)
        .map((a) => ({
          label: a.label,
          n: fmtInt(a.n),
          events: a === control ? fmt(a.events, 1) : fmtInt(a.events),
          proportion: fmtPct(a.response!.proportion),
          interval:
            a === control
              ? `${fmtPct(a.response!.lower)} to ${fmtPct(a.response!.upper)} (2.5th–97.5th percentile of replicates)`
              : `${fmtPct(a.response!.lower)} to ${fmtPct(a.response!.upper)}`,
        })),
    },
    km: kmChart && {
      chart: kmChart,
      confType: treated.km?.confType ?? '—',
      atRiskTimes: treated.atRisk.time.map((t) => fmt(t, 0)),
      treatedAtRisk: treated.atRisk.nRisk.map((v) => fmtInt(v)),
      controlAtRisk: control.atRisk.nRisk.map((v) => fmt(v, 1)),
      treatedLabel: treated.label,
      controlLabel: control.label,
      arms: [
        {
          label: treated.label,
          n: fmtInt(treated.n),
          events: fmtInt(treated.events),
          median: fmt(treated.median.estimate, 1),
          ci: fmtInterval(treated.median.lower, treated.median.upper, 1),
        },
        {
          label: `${control.label} (pooled; per-replicate means of n and events)`,
          n: fmtInt(control.n),
          events: fmt(control.events, 1),
          median: fmt(control.median.estimate, 1),
          ci: `${fmtInterval(control.median.lower, control.median.upper, 1)}${medians.length ? `; replicates ${fmt(Math.min(...medians), 1)} to ${fmt(Math.max(...medians), 1)}` : ''}`,
        },
      ],
    },
    logrank: results.logrank && {
      method: results.logrank.method,
      df: results.logrank.df,
      medianStatistic: fmt(results.logrank.medianStatistic),
      medianP: fmtP(results.logrank.medianP),
      below: results.logrank.belowAlpha,
      m: results.logrank.replicates.length,
    },
    spreadChart,
    analyses: analyses.map((a) => analysisRow(a, unit)),
    forests,
    sensitivity: {
      eValue: sens.eValue && {
        estimate: fmt(sens.eValue.estimate),
        limit: fmt(sens.eValue.limit),
        method: sens.eValue.method,
        outcome: !sens.eValue.method.startsWith('hr')
          ? `${primaryName.toLowerCase()} scale`
          : sens.eValue.rareOutcome
            ? 'rare outcome (< 15%): the hazard ratio is taken as a risk ratio'
            : 'common outcome: the hazard ratio is converted to a risk ratio (VanderWeele 2017)',
      },
      tippingPoint: sens.tippingPoint && {
        shift: fmt(sens.tippingPoint.shift, 3),
        estimate: fmt(sens.tippingPoint.estimate),
        factor: ratio ? fmt(Math.exp(sens.tippingPoint.shift), 2) : null,
        scale: ratio ? `log ${primaryName.toLowerCase()}` : primaryName.toLowerCase(),
        direction: sens.tippingPoint.direction,
        chart: tipping,
        grid: thin(sens.tippingPoint.grid, 11).map((g) => ({
          shift: fmt(g.shift, 3),
          estimate: fmt(g.estimate),
          ci: fmtInterval(g.lower, g.upper),
          significant: g.significant ? 'yes' : 'no',
        })),
      },
      covariateEffects: sens.covariateEffects.map((c) => ({
        name: analysisName(results, c.analysis),
        assessed: c.assessed,
        reason: c.reason,
        common: fmt(analysisEstimate(results, c.analysis)),
        commonCi: (() => {
          const a = analysisOf(results, c.analysis);
          return a ? fmtInterval(a.lower, a.upper) : '—';
        })(),
        byArm: c.byArm && {
          estimate: fmt(c.byArm.estimate),
          ci: fmtInterval(c.byArm.lower, c.byArm.upper),
        },
        difference: c.difference && fmt(c.difference.logEstimate, 3),
      })),
      phTest: sens.phTest && {
        transform: sens.phTest.transform,
        medianP: fmtP(sens.phTest.medianP),
        pct: fmt(sens.phTest.fractionBelowAlpha * 100, 0),
        m: sens.phTest.replicates.length,
      },
    },
    successCriterion: results.successCriterion,
    checks: checkRows,
    warnings: results.warnings.map((w) => ({ ...w, source: w.source ?? '—' })),
    keyWarnings: keyWarnings(results.warnings),
    replicateRows: (results.replicates ?? []).slice(0, MAX_REPLICATE_ROWS).map((r) => ({
      index: r.index,
      substream: `(${[results.seed, ...r.substream].join(', ')})`,
      parameters: r.parametersDrawn.length
        ? `${r.parametersDrawn.length} drawn`
        : 'point estimates',
      cut: r.cut === null ? '—' : fmt(r.cut, 1),
      n: fmtInt(r.control.n),
      events: fmtInt(r.control.events),
      median: fmt(r.control.median, 1),
      acceptance: fmtPct(r.attrition.acceptanceRate),
      estimate: fmt(r.primary.estimate),
      ci: fmtInterval(r.primary.lower, r.primary.upper),
    })),
    /** The replicate table's count column: events, responders, or none (continuous). */
    replicateEvents: survival ? 'Events' : treated.response ? 'Responders' : null,
    replicatesOmitted: Math.max(0, (results.replicates ?? []).length - MAX_REPLICATE_ROWS),
    survival,
    repro: {
      ...repro,
      node: repro.node ?? null,
    },
  };
}

export type DossierView = Awaited<ReturnType<typeof buildViewModel>>;

/** The protocol's audit of the model against its registry, as display strings. */
function auditView(a: Results['audit']) {
  if (a === null) return null;
  const pct = (x: number | null) => (x === null ? '—' : `${fmt(x * 100, 1)}%`);
  return {
    registry: a.registry,
    holdout: a.holdout ?? 'none (holdout-based privacy metrics not assessed)',
    nSynthetic: fmtInt(a.nSynthetic),
    maxDifference: pct(a.univariate.maxDifference),
    threshold: pct(a.univariate.threshold),
    exceeding: a.univariate.exceeding.length ? a.univariate.exceeding.join(', ') : 'none',
    bivariate: `${fmt(a.bivariate.meanDifference, 3)} mean difference in association; mean CI overlap ${fmt(a.bivariate.meanCiOverlap, 2)}; ${pct(a.bivariate.shareOverlapAbove50)} of pairs overlap above 50%`,
    outcome: a.outcome
      ? `largest Kaplan–Meier difference ${fmt(a.outcome.kmSupDifference, 3)}; hazard-ratio CI overlap ${a.outcome.hrMeanCiOverlap === null ? '—' : fmt(a.outcome.hrMeanCiOverlap, 2)}`
      : 'no time-to-event outcome',
    leaking: a.privacy.leaking,
    flagged: a.privacy.flagged.join(', '),
    exactMatch: pct(a.privacy.exactMatchRate),
    dcrRatio: a.privacy.dcrRatio === null ? '—' : fmt(a.privacy.dcrRatio, 3),
    closer: pct(a.privacy.shareCloserToTraining),
    auc: a.privacy.membershipAuc === null ? '—' : fmt(a.privacy.membershipAuc, 3),
    epsilon: a.privacy.epsilon === null ? 'none' : fmt(a.privacy.epsilon, 2),
    outOfSupport: fmtInt(a.screening.outOfSupport),
  };
}
