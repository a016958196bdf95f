/**
 * The evidence dossier: `results.json` (plus the reproducibility record) → a view model of
 * formatted strings → the handlebars template in `templates/`. Nothing is recomputed here; every
 * data-derived string goes through handlebars' HTML escaping (`{{ }}`), and only our own SVG and
 * CSS are inserted raw.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../package-info.js';
import type { CombinedAnalysis, FileRecord, Results } from '../results.js';
import { kaplanMeierChart, PALETTE, replicateChart } from './charts.js';

/** What the dossier shows about how to reproduce the run (a subset of the manifest). */
export interface ReproInfo {
  command: string;
  ecasim: string;
  software: { name: string; version: string }[];
  inputs: FileRecord[];
  outputs: FileRecord[];
  resultsDigest: string;
  createdAt?: string;
}

/** The package's `templates/` directory. */
export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

/** Fixed-decimal formatting for display; "—" for a missing value. */
export function fmt(x: number | null | undefined, decimals = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toFixed(decimals);
}

/** p-values as journals print them: three decimals, or "< 0.001". */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** At most `k` evenly spaced rows of a long table (first and last kept). */
function thin<T>(rows: readonly T[], k: number): T[] {
  if (rows.length <= k) return [...rows];
  return Array.from({ length: k }, (_, j) => rows[Math.round((j * (rows.length - 1)) / (k - 1))]!);
}

function singular(unit: string): string {
  return unit.endsWith('s') ? unit.slice(0, -1) : unit;
}

const METHOD_TEXT: Record<string, string> = {
  'cox-unadjusted': 'Cox proportional hazards, treatment only',
  'cox-adjusted': 'Cox proportional hazards, adjusted for covariates',
  'cox-iptw': 'Cox proportional hazards weighted by the propensity score (robust variance)',
  rmst: 'Restricted mean survival time difference (Kaplan–Meier area, Greenwood variance)',
};

function analysisRow(a: CombinedAnalysis, unit: string): Record<string, unknown> {
  const isHr = a.measure === 'hazard-ratio';
  const details: string[] = [];
  if (typeof a.details['ties'] === 'string') details.push(`${a.details['ties']} ties`);
  if (typeof a.details['variance'] === 'string') details.push(`${a.details['variance']} variance`);
  if (typeof a.details['covariates'] === 'string')
    details.push(`adjusted for ${a.details['covariates']}`);
  if (typeof a.details['estimand'] === 'string') details.push(`${a.details['estimand']} weights`);
  if (typeof a.details['tau'] === 'number') details.push(`τ = ${fmt(a.details['tau'], 1)} ${unit}`);
  const sorted = a.replicates.map((r) => r.estimate).sort((x, y) => x - y);
  return {
    name: a.name,
    measure: isHr ? 'Hazard ratio' : `RMST difference (${unit})`,
    method: `${METHOD_TEXT[a.method] ?? a.method}${details.length ? `; ${details.join(', ')}` : ''}`,
    estimate: fmt(a.estimate),
    ci: `${fmt(a.lower)} to ${fmt(a.upper)}`,
    p: fmtP(a.p),
    df: a.df === null ? 'normal (fallback)' : fmt(a.df, 1),
    range: `${fmt(sorted[0])} to ${fmt(sorted[sorted.length - 1])}`,
    combining:
      a.combining.method === 'raghunathan-2003'
        ? 'Raghunathan, Reiter & Rubin (2003)'
        : 'Reiter (2002) fallback, T ≤ 0',
    ess: a.ess ? `${fmt(a.ess.treated, 1)} treated, ${fmt(a.ess.control, 1)} control` : null,
  };
}

/** Renders the dossier HTML. Deterministic: the same results and repro info give the same bytes. */
export async function renderDossier(results: Results, repro: ReproInfo): Promise<string> {
  const dir = templatesDir();
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(join(dir, 'dossier.hbs'), 'utf8'));
  const css = readFileSync(join(dir, 'dossier.css'), 'utf8');
  const { treated, control } = results.arms;
  const p = results.primary;
  const unit = results.outcome.timeUnit;
  const isHr = p.measure === 'hazard-ratio';
  const confPct = String(Math.round(p.confLevel * 100));
  const m = results.control.replicates;
  const kmChart = await kaplanMeierChart(
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
        `${control.label} (${m} replicates of ${control.n}); ${isHr ? 'hazard ratio' : 'RMST difference'} ${fmt(p.estimate)} ` +
        `(${confPct}% CI ${fmt(p.lower)} to ${fmt(p.upper)}).`,
    },
  );
  const spreadChart = await replicateChart(
    p.replicates.map((r) => r.estimate),
    p,
    {
      axisTitle: isHr ? 'Hazard ratio (log scale)' : `RMST difference (${unit})`,
      log: isHr,
      title: `Primary estimate in each of the ${m} replicates, and combined`,
      description: `Replicate estimates range from ${fmt(Math.min(...p.replicates.map((r) => r.estimate)))} to ${fmt(Math.max(...p.replicates.map((r) => r.estimate)))}; combined ${fmt(p.estimate)} (${confPct}% CI ${fmt(p.lower)} to ${fmt(p.upper)}).`,
    },
  );
  const medians = control.perReplicate.map((r) => r.median).filter((x): x is number => x !== null);
  const sens = results.sensitivity;
  const view = {
    css,
    kmChart,
    spreadChart,
    seed: results.seed,
    alpha: results.alpha,
    protocol: results.protocol,
    model: results.model,
    outcome: {
      ...results.outcome,
      timeUnitSingular: singular(unit),
      timeUnitTitle: unit[0]!.toUpperCase() + unit.slice(1),
    },
    control: results.control,
    attrition: {
      ...results.attrition,
      steps: results.attrition.steps.map((s, k) => ({ ...s, step: k + 1 })),
      acceptanceRatePct: fmt(results.attrition.acceptanceRate * 100, 1),
    },
    arms: results.arms,
    atRiskTimes: treated.atRisk.time.map((t) => fmt(t, 0)),
    controlAtRisk: control.atRisk.nRisk.map((v) => fmt(v, 0)),
    armRows: [
      {
        label: treated.label,
        n: treated.n,
        events: treated.events,
        median: fmt(treated.median.estimate, 1),
        ci: `${fmt(treated.median.lower, 1)} to ${treated.median.upper === null ? 'not reached' : fmt(treated.median.upper, 1)}`,
      },
      {
        label: `${control.label} (per replicate)`,
        n: control.n,
        events: fmt(control.events, 1),
        median: fmt(control.median.estimate, 1),
        ci: medians.length
          ? `replicates ${fmt(Math.min(...medians), 1)} to ${fmt(Math.max(...medians), 1)}`
          : '—',
      },
    ],
    primary: { ...analysisRow(p, unit), confPct, isHr },
    analyses: [p, ...results.secondary].map((a) => analysisRow(a, unit)),
    logrank: {
      ...results.logrank,
      medianStatistic: fmt(results.logrank.medianStatistic),
      medianP: fmtP(results.logrank.medianP),
    },
    balance: {
      ...results.balance,
      maxAbsSmd: fmt(results.balance.maxAbsSmd, 3),
      rows: results.balance.rows.map((r) => ({
        ...r,
        meanTreated:
          r.type === 'binary' ? `${fmt(r.meanTreated * 100, 1)}%` : fmt(r.meanTreated, 2),
        meanControl:
          r.type === 'binary' ? `${fmt(r.meanControl * 100, 1)}%` : fmt(r.meanControl, 2),
        smdBefore: fmt(r.smdBefore, 3),
        smdAfter: fmt(r.smdAfter, 3),
        vr: fmt(results.balance.weighted ? r.varianceRatioAfter : r.varianceRatioBefore, 2),
      })),
    },
    sensitivity: {
      eValue: sens.eValue && {
        ...sens.eValue,
        estimate: fmt(sens.eValue.estimate),
        limit: fmt(sens.eValue.limit),
        outcome: sens.eValue.rareOutcome
          ? 'rare (< 15%): HR taken as a risk ratio'
          : 'common: HR converted to a risk ratio',
      },
      tippingPoint: sens.tippingPoint && {
        shift: fmt(sens.tippingPoint.shift, 3),
        estimate: fmt(sens.tippingPoint.estimate),
        factor: fmt(Math.exp(sens.tippingPoint.shift), 2),
        grid: thin(sens.tippingPoint.grid, 10).map((g) => ({
          shift: fmt(g.shift, 2),
          estimate: fmt(g.estimate),
          ci: `${fmt(g.lower)} to ${fmt(g.upper)}`,
          significant: g.significant ? 'yes' : 'no',
        })),
      },
      phTest: sens.phTest && {
        ...sens.phTest,
        medianP: fmtP(sens.phTest.medianP),
        pct: fmt(sens.phTest.fractionBelowAlpha * 100, 0),
      },
    },
    successCriterion: results.successCriterion,
    warnings: results.warnings,
    keyWarnings: results.warnings.filter((w) => !w.message.startsWith('replicate ')).slice(0, 5),
    repro,
  };
  return template(view);
}
