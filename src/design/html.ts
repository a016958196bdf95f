/**
 * design.html: the operating characteristics of a design as a self-contained page in the
 * dossier's style (its CSS inline, no scripts, no fetches): the design, the estimands, a chart of
 * the rejection rate per scenario with its Monte-Carlo error bars, and one table per analysis.
 * It formats design.json and computes nothing; every data-derived string is escaped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { packageRoot } from '../package-info.js';
import { renderSvg } from '../report/charts.js';
import { fmt, fmtPct } from '../report/format.js';
import type { DesignResults, Measure } from './summary.js';

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "4.8% (0.5)": a proportion with its MC SE, in percent. */
/** The setting a target was computed under, when the design varies one. */
function targetSetting(t: DesignResults['targets'][number]): string {
  const parts: string[] = [];
  if (t.confounder !== null)
    parts.push(
      `confounder HR ${fmt(t.confounder.hazardRatio, 2)}, ${fmtPct(t.confounder.prevalence, 0)}`,
    );
  if (t.followUp !== null)
    parts.push(
      `accrual ${fmt(t.followUp.accrual, 3)}, duration ${fmt(t.followUp.studyDuration, 3)}`,
    );
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

function pct(m: Measure): string {
  if (m === null) return '—';
  return `${fmt(100 * m.value, 1)}% (${m.mcse === null ? '—' : fmt(100 * m.mcse, 1)})`;
}

/** "0.0123 (0.0040)": a measure with its MC SE. */
function num(m: Measure, decimals = 4): string {
  if (m === null) return '—';
  return `${fmt(m.value, decimals)} (${m.mcse === null ? '—' : fmt(m.mcse, decimals)})`;
}

const EFFECT_NAME = { 'time-to-event': 'HR', binary: 'OR', continuous: 'mean shift' } as const;

/** A point of a chart: a scenario's measure with ±1.96 MC SE, in percent. */
interface Point {
  scenario: string;
  group: string;
  x: number;
  value: number;
  lo: number;
  hi: number;
}

function point(
  s: DesignResults['scenarios'][number],
  m: Measure,
  x: number,
  group: string,
): Point[] {
  if (m === null) return [];
  const se = m.mcse ?? 0;
  return [
    {
      scenario: s.id,
      group,
      x,
      value: 100 * m.value,
      lo: 100 * Math.max(0, m.value - 1.96 * se),
      hi: 100 * Math.min(1, m.value + 1.96 * se),
    },
  ];
}

/**
 * A measure of the primary analysis against one axis of the grid (the effect, or the drift), one
 * line for each setting of the other axes, with 95% Monte-Carlo error bars; `reference` is a
 * dashed horizontal line (α, or the nominal coverage).
 */
async function curveChart(
  points: Point[],
  title: string,
  xTitle: string,
  yTitle: string,
  reference: number,
  description: string,
): Promise<string> {
  const x = { field: 'x', type: 'quantitative' as const, title: xTitle, scale: { zero: false } };
  const color = { field: 'group', type: 'nominal' as const, title: 'scenario (other settings)' };
  const spec: TopLevelSpec = {
    width: 480,
    height: 240,
    title,
    background: 'white',
    data: { values: points },
    layer: [
      {
        mark: { type: 'line' },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: yTitle }, color },
      },
      {
        mark: { type: 'point', filled: true },
        encoding: { x, y: { field: 'value', type: 'quantitative' }, color },
      },
      {
        mark: { type: 'rule' },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
      },
      {
        mark: { type: 'rule', strokeDash: [4, 3], color: '#666' },
        encoding: { y: { datum: reference } },
      },
    ],
  };
  return renderSvg(spec, title, description);
}

/** The charts the grid has axes for: power against the effect, type-I error against drift. */
async function axisCharts(r: DesignResults): Promise<string[]> {
  const none = r.endpoint === 'continuous' ? 0 : 1;
  const effects = new Set(r.scenarios.map((s) => s.effect));
  const drifts = new Set(r.scenarios.map((s) => s.drift.hazardRatio));
  const withoutPart = (id: string, re: RegExp) => id.replace(re, '').replace(/^-|-$/g, '') || 'all';
  const out: string[] = [];
  if (effects.size > 1) {
    const pts = r.scenarios.flatMap((s) =>
      point(s, s.analyses[0]!.rejection, s.effect, withoutPart(s.id, /^(hr|or|md)[^-]+/)),
    );
    out.push(
      `<figure class="chart">${await curveChart(
        pts,
        'Primary analysis: rejection rate against the true effect',
        `true ${EFFECT_NAME[r.endpoint]}`,
        'intervals excluding no effect (%)',
        100 * r.alpha,
        `The share of trials whose primary interval excludes no effect, against the true effect (type-I error at ${none}, power elsewhere), with 95% Monte-Carlo error bars; the dashed line is alpha.`,
      )}<figcaption>Power curve of the primary analysis: type-I error at no effect, power elsewhere; 95% Monte-Carlo error bars; the dashed line is α.</figcaption></figure>`,
    );
  }
  if (drifts.size > 1 && effects.has(none)) {
    const pts = r.scenarios
      .filter((s) => s.effect === none)
      .flatMap((s) =>
        point(s, s.analyses[0]!.rejection, s.drift.hazardRatio, withoutPart(s.id, /-?drift[^-]+/)),
      );
    out.push(
      `<figure class="chart">${await curveChart(
        pts,
        'Primary analysis: type-I error against drift',
        "external population's hazard ratio against the trial's (drift)",
        'type-I error (%)',
        100 * r.alpha,
        'The type-I error of the primary analysis against the drift of the external population, with 95% Monte-Carlo error bars; the dashed line is alpha.',
      )}<figcaption>Type-I error of the primary analysis as the external population's hazard drifts from the trial's; 95% Monte-Carlo error bars; the dashed line is α.</figcaption></figure>`,
    );
  }
  return out;
}

/**
 * A measure of the primary analysis for each scenario, one row each, with ±1.96 MC SE bars and a
 * dashed reference line; points coloured by `group` (e.g. type-I error against power).
 */
async function scenarioChart(
  points: Point[],
  title: string,
  xTitle: string,
  reference: number,
  description: string,
): Promise<string> {
  const y = { field: 'scenario', type: 'nominal' as const, sort: null, title: null };
  const spec: TopLevelSpec = {
    width: 520,
    height: Math.max(60, 22 * points.length),
    title,
    background: 'white',
    data: { values: points },
    layer: [
      {
        mark: { type: 'rule' },
        encoding: {
          y,
          x: { field: 'lo', type: 'quantitative', title: xTitle, scale: { zero: false } },
          x2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          y,
          x: { field: 'value', type: 'quantitative' },
          color: {
            field: 'group',
            type: 'nominal',
            title: null,
            scale: { range: ['#D55E00', '#0072B2', '#009E73'] },
          },
        },
      },
      {
        mark: { type: 'rule', strokeDash: [4, 3], color: '#666' },
        encoding: { x: { datum: reference } },
      },
    ],
  };
  return renderSvg(spec, title, description);
}

/** The page. */
export async function designHtml(r: DesignResults): Promise<string> {
  const css = readFileSync(join(packageRoot(), 'templates', 'dossier.css'), 'utf8');
  const effect = EFFECT_NAME[r.endpoint];
  const chart = await scenarioChart(
    r.scenarios.flatMap((s, k) => {
      const rej = s.analyses[0]!.rejection;
      return rej === null ? [] : point(s, rej, k, rej.kind);
    }),
    'Primary analysis: rejection rate by scenario',
    'intervals excluding no effect (%)',
    100 * r.alpha,
    `Share of simulated trials whose primary interval excludes no effect, per scenario, with 95% Monte-Carlo error bars; the dashed line is alpha = ${r.alpha}.`,
  );
  const coverage = await scenarioChart(
    r.scenarios.flatMap((s, k) => point(s, s.analyses[0]!.coverage, k, 'coverage')),
    'Primary analysis: coverage by scenario',
    `coverage of the ${Math.round((1 - r.alpha) * 100)}% interval (%)`,
    100 * (1 - r.alpha),
    'Coverage of the primary interval per scenario with 95% Monte-Carlo error bars; the dashed line is the nominal level.',
  );
  const curves = await axisCharts(r);
  const names = r.scenarios[0]?.analyses ?? [];
  const tables = names
    .map((a, k) => {
      const body = r.scenarios
        .map((s) => {
          const x = s.analyses[k]!;
          return (
            `<tr><th scope="row">${esc(s.id)}</th><td class="num">${x.trials}${x.notEstimable ? ` (+${x.notEstimable} not estimable)` : ''}</td>` +
            `<td class="num">${x.rejection ? `${pct(x.rejection)} ${esc(x.rejection.kind)}` : '—'}</td>` +
            `<td class="num">${pct(x.coverage)}</td><td class="num">${num(x.bias)}</td>` +
            `<td class="num">${num(x.empiricalSd)}</td><td class="num">${num(x.rmse)}</td>` +
            `<td class="num">${num(x.meanSe)}</td><td class="num">${num(x.meanWidth, 3)}</td></tr>`
          );
        })
        .join('');
      return (
        `<table><caption>${esc(a.name)} (${esc(a.method)}): operating characteristics, Monte-Carlo SE in brackets</caption>` +
        '<thead><tr><th scope="col">Scenario</th><th scope="col" class="num">Trials</th><th scope="col" class="num">Rejection</th>' +
        '<th scope="col" class="num">Coverage</th><th scope="col" class="num">Bias</th><th scope="col" class="num">Empirical SD</th>' +
        '<th scope="col" class="num">RMSE</th><th scope="col" class="num">Mean SE</th><th scope="col" class="num">Mean CI width</th></tr></thead>' +
        `<tbody>${body}</tbody></table>`
      );
    })
    .join('\n');
  const varied = r.scenarios.some((s) => s.followUp !== null);
  const masked = r.scenarios.some((s) => s.missing !== null);
  const missingCell = (m: (typeof r.scenarios)[number]['missing']): string =>
    m === null || m.share === 0
      ? '—'
      : `${esc(m.variable)} ${fmtPct(m.share, 0)}; ` +
        (m.dependsOn === null ? 'MCAR' : `MAR on ${esc(m.dependsOn)}, OR ${fmt(m.oddsRatio, 3)}`);
  const scenarioRows = r.scenarios
    .map(
      (s) =>
        `<tr><th scope="row">${esc(s.id)}</th><td class="num">${fmt(s.effect, 3)}</td><td class="num">${s.treatedN}</td>` +
        `<td class="num">${s.controlSize}</td><td class="num">${s.replicates}</td><td class="num">${s.registryN ?? '—'}</td>` +
        `<td class="num">${fmt(s.drift.hazardRatio, 3)}</td>` +
        (varied
          ? `<td class="num">${s.followUp === null ? '—' : `${fmt(s.followUp.accrual, 3)} / ${fmt(s.followUp.studyDuration, 3)}; ${fmt(s.followUp.dropoutRate, 3)}`}</td>`
          : '') +
        (masked ? `<td class="num">${missingCell(s.missing)}</td>` : '') +
        `<td class="num">${s.confounder === null ? '—' : `HR ${fmt(s.confounder.hazardRatio, 2)}; ${fmtPct(s.confounder.trialPrevalence, 0)} / ${fmtPct(s.confounder.externalPrevalence, 0)}`}</td>` +
        `<td class="num">${s.trials}${s.failed ? ` (${s.failed} failed)` : ''}</td>` +
        `<td class="num">${pct(s.success)}</td></tr>`,
    )
    .join('');
  const targets = r.targets.length
    ? `<ul>${r.targets.map((t) => `<li>${esc(effect)} ${fmt(t.effect, 3)}${targetSetting(t)}: ${esc(t.estimand)} ${fmt(t.estimate, 4)} (MC SE ${fmt(t.se, 4)})</li>`).join('')}</ul>`
    : '<p>Only no-effect scenarios: every target is no effect.</p>';
  const failures = r.failures.length
    ? `<table><caption>Failed trials (left out of every measure)</caption><thead><tr><th scope="col">Trial</th><th scope="col">Scenario</th><th scope="col">Error</th></tr></thead><tbody>${r.failures
        .map(
          (f) =>
            `<tr><td class="num">${f.trial}</td><td>${esc(f.scenario)}</td><td>${esc(f.message)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No trial failed.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.name)}: operating characteristics</title>
<style>${css}</style>
</head>
<body>
<header><h1>${esc(r.name)}</h1>
<p>Operating characteristics by simulation: ${r.trials} trials a scenario, seed ${r.seed}, ecasim ${esc(r.software.ecasim)}. Design ${esc(r.files.design)}, protocol ${esc(r.files.protocol)}, ${r.mode === 'registry' ? `truth ${esc(r.files.model)}, registry fit ${esc(r.files.fit ?? '')}` : `the protocol's model ${esc(r.files.model)} and its posterior`}. Design digest <code>${esc(r.designDigest)}</code>.</p></header>
<section><h2>How each trial is simulated</h2>
<p>${r.mode === 'registry' ? `In every trial a registry of the scenario's size is drawn from the truth model (its outcome hazard multiplied by the scenario's drift) and re-fitted as <code>ecasim fit</code> does; the single-arm trial is drawn from the truth with the scenario's true ${esc(effect)};` : `In every trial the population is one draw from the posterior of the protocol's covariate model, and the single-arm trial is drawn from it with the scenario's true ${esc(effect)}; the synthetic arms come from the protocol's model as it is (no registry is re-fitted, so the registry's own sampling error enters only through the parameter draws);`} the protocol's pre-specified analyses are run against the scenario's m synthetic control arms and combined exactly as <code>ecasim run</code> combines them. The rejection rate is the share of ${Math.round((1 - r.alpha) * 100)}% intervals that exclude no effect (type-I error when the true effect is none, power otherwise); coverage, bias and RMSE are of the analysis's target on its combining scale (log ratio, or difference): the conditional log HR for the covariate-adjusted Cox model, the marginal estimand of a large trial (${r.estimandN} patients an arm) for the others. Monte-Carlo SEs after Morris, White &amp; Crowther (2019).</p>
<h3>Targets</h3>${targets}</section>
<section><h2>Scenarios</h2>
<table><caption>The grid, with the protocol's success criterion met (Monte-Carlo SE)</caption><thead><tr><th scope="col">Scenario</th><th scope="col" class="num">${esc(effect)}</th><th scope="col" class="num">Treated</th><th scope="col" class="num">Synthetic arm</th><th scope="col" class="num">m</th><th scope="col" class="num">Registry</th><th scope="col" class="num">Drift (HR)</th>${varied ? '<th scope="col" class="num">Accrual / study duration; dropout rate</th>' : ''}${masked ? '<th scope="col" class="num">Missing in the treated arm</th>' : ''}<th scope="col" class="num">Unmeasured confounder (HR; trial / registry prevalence)</th><th scope="col" class="num">Trials</th><th scope="col" class="num">Success</th></tr></thead><tbody>${scenarioRows}</tbody></table>
<figure class="chart">${chart}<figcaption>Primary analysis: share of trials whose interval excludes no effect, with 95% Monte-Carlo error bars; the dashed line is α.</figcaption></figure>
${curves.join('\n')}
<figure class="chart">${coverage}<figcaption>Primary analysis: coverage of its interval by scenario (of the target on the combining scale), with 95% Monte-Carlo error bars; the dashed line is the nominal level.</figcaption></figure>
</section>
<section><h2>Analyses</h2>
${tables}
</section>
<section><h2>Failures</h2>${failures}</section>
</body>
</html>
`;
}
