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
import type { FileRecord, Results } from '../results.js';
import { kaplanMeierChart, PALETTE } from './charts.js';

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

function singular(unit: string): string {
  return unit.endsWith('s') ? unit.slice(0, -1) : unit;
}

/** Renders the dossier HTML. Deterministic: the same results and repro info give the same bytes. */
export async function renderDossier(results: Results, repro: ReproInfo): Promise<string> {
  const dir = templatesDir();
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(join(dir, 'dossier.hbs'), 'utf8'));
  const css = readFileSync(join(dir, 'dossier.css'), 'utf8');
  const { treated, control } = results.arms;
  const p = results.primary;
  const confPct = String(Math.round(p.confLevel * 100));
  const kmChart = await kaplanMeierChart(
    [
      { ...treated.km, label: treated.label, color: PALETTE.treated },
      { ...control.km, label: control.label, color: PALETTE.control },
    ],
    {
      timeUnit: results.outcome.timeUnit,
      title: `${results.outcome.label}: Kaplan–Meier estimates by arm`,
      description:
        `Survival curves for ${treated.label} (n = ${treated.n}, ${treated.events} events) and ` +
        `${control.label} (n = ${control.n}, ${control.events} events); hazard ratio ${fmt(p.hr)} ` +
        `(${confPct}% CI ${fmt(p.lower)} to ${fmt(p.upper)}).`,
    },
  );
  const armRow = (a: typeof treated): Record<string, unknown> => ({
    label: a.label,
    n: a.n,
    events: a.events,
    median: fmt(a.median.estimate, 1),
    ci: `${fmt(a.median.lower, 1)} to ${a.median.upper === null ? 'not reached' : fmt(a.median.upper, 1)}`,
  });
  const view = {
    css,
    kmChart,
    seed: results.seed,
    protocol: results.protocol,
    model: results.model,
    outcome: {
      ...results.outcome,
      timeUnitSingular: singular(results.outcome.timeUnit),
      timeUnitTitle: results.outcome.timeUnit[0]!.toUpperCase() + results.outcome.timeUnit.slice(1),
    },
    control: { ...results.control, substreamText: results.control.substream.join(', ') },
    attrition: {
      ...results.attrition,
      steps: results.attrition.steps.map((s, k) => ({ ...s, step: k + 1 })),
      acceptanceRatePct: fmt(results.attrition.acceptanceRate * 100, 1),
    },
    arms: results.arms,
    atRiskTimes: treated.atRisk.time.map((t) => fmt(t, 0)),
    armRows: [armRow(treated), armRow(control)],
    primary: {
      confPct,
      hr: fmt(p.hr),
      lower: fmt(p.lower),
      upper: fmt(p.upper),
      p: fmtP(p.p),
      methodText: `Cox proportional hazards, unadjusted; ${p.ties} ties; ${p.variance} variance`,
    },
    logrank: {
      ...results.logrank,
      statistic: fmt(results.logrank.statistic),
      p: fmtP(results.logrank.p),
    },
    successCriterion: results.successCriterion,
    warnings: results.warnings,
    repro,
  };
  return template(view);
}
