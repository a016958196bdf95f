/**
 * The dossier without a browser: every section is rendered from a results object crafted here
 * (survival and binary endpoints, optional parts absent), every data-derived string is escaped,
 * nothing external is referenced, charts carry an accessible title and description, and sponsor
 * templates override partials (with clear errors for mistakes).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { renderDossier, SECTIONS, type ReproInfo } from '../../src/report/dossier.js';
import { buildViewModel } from '../../src/report/view-model.js';
import type { CombinedAnalysis, Results } from '../../src/results.js';
import { computeVerdicts } from '../../src/run/verdicts.js';

/** A combining record as the pipeline writes it (values illustrative; the view only formats them). */
function testCombining(over: {
  m: number;
  between: number;
  within: number;
  totalVariance: number;
}): CombinedAnalysis['combining'] {
  const { m, totalVariance: t } = over;
  return {
    method: 'external-control',
    rule: 'test rule',
    limits: 't',
    parameterUncertainty: true,
    treatedDf: null,
    withinTreated: over.within * 0.7,
    withinControl: over.within * 0.3,
    parameterVariance: over.between * 0.5,
    decomposition: {
      treated: { variance: t * 0.6, share: 0.6 },
      registry: { variance: t * 0.3, share: 0.3 },
      monteCarlo: { variance: t * 0.1, share: 0.1 },
    },
    recommendation: {
      target: 0.1,
      met: false,
      replicates: m + 2,
      controlSize: 500,
      currentControlSize: 100,
    },
    ...over,
  };
}

/** A replicate row; the combining-scale numbers are the log of the estimate (illustrative). */
function rep(estimate: number, lower: number, upper: number, p: number) {
  return { estimate, lower, upper, p, q: estimate, variance: 0.02, controlVariance: 0.006 };
}

/** The page's text as a reader sees it: tags removed, handlebars' entities decoded. */
function textOf(page: string): string {
  return page
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** Every tag of the page as its name and attribute names (quoted values removed). */
function tagsOf(page: string): { name: string; attributes: string[]; raw: string }[] {
  return (page.match(/<[a-zA-Z][^>]*>/g) ?? []).map((raw) => {
    const bare = raw.replace(/"[^"]*"|'[^']*'/g, '""');
    const name = /^<([a-zA-Z][\w:-]*)/.exec(bare)![1]!.toLowerCase();
    const attributes = [...bare.slice(name.length + 1).matchAll(/([^\s=/>]+)\s*=/g)].map((m) =>
      m[1]!.toLowerCase(),
    );
    return { name, attributes, raw };
  });
}

const XSS = [`<script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`];
const evil = (label: string, k = 0): string => `${label} ${XSS[k % 2]}`;

function analysis(over: Partial<CombinedAnalysis> = {}): CombinedAnalysis {
  return {
    key: 'primary',
    name: 'Primary',
    measure: 'hazard-ratio',
    method: 'cox-iptw',
    details: { ties: 'efron', variance: 'robust', converged: true, estimand: 'ATT', trimmed: 0 },
    confLevel: 0.95,
    estimate: 0.7,
    lower: 0.5,
    upper: 0.95,
    logEstimate: Math.log(0.7),
    se: 0.15,
    df: 40.5,
    p: 0.02,
    combining: {
      ...testCombining({ m: 3, between: 0.01, within: 0.02, totalVariance: 0.013 }),
      treatedDf: 64,
    },
    replicates: [
      rep(0.68, 0.5, 0.9, 0.01),
      rep(0.72, 0.52, 0.95, 0.02),
      rep(0.7, 0.51, 0.93, 0.015),
    ],
    ess: { treated: 20, control: 45.5 },
    ...over,
  };
}

const curve = {
  confType: 'log',
  confLevel: 0.95,
  time: [1, 2, 4, 7],
  nRisk: [20, 18, 12, 6],
  nEvent: [2, 3, 2, 1],
  surv: [0.9, 0.75, 0.625, 0.52],
  lower: [0.78, 0.59, 0.45, null],
  upper: [1, 0.95, 0.86, null],
};

/** A small but complete survival results object with hostile strings wherever data reach text. */
function craftResults(): Results {
  return withVerdicts({
    schema: 'ecasim-results/1',
    protocol: {
      id: evil('TRIAL-1'),
      title: evil('A title', 0),
      version: evil('1.0', 1),
      sponsor: evil('Sponsor', 1),
      indication: evil('Indication'),
      date: '2026-01-01',
      contextOfUse: evil('Context', 1),
      estimand: {
        population: evil('Population'),
        treatment: evil('Treatment', 1),
        comparator: evil('Comparator'),
        endpoint: evil('Endpoint', 1),
        intercurrentEvents: [
          { event: evil('Event'), strategy: 'treatment-policy', rationale: evil('Why', 1) },
        ],
        summary: 'hazard-ratio',
      },
    },
    outcome: { variable: 'os', label: evil('Overall survival', 1), timeUnit: 'months' },
    seed: 42,
    control: {
      mode: 'population',
      size: 50,
      replicates: 3,
      substreams: 'replicate r draws from substream (seed, r)',
      parameterUncertainty: {
        enabled: true,
        drawn: ['sex'],
        fixed: ['age', 'os'],
        method: evil('Dirichlet(counts + 1/2)'),
        covariances: [{ variable: evil('os', 3), method: 'bootstrap', replicates: 200 }],
      },
      eligibility: [{ name: evil('Adult'), expression: evil('age >= 18', 1) }],
      followUp: {
        accrual: 12,
        studyDuration: 24,
        dropoutRate: 0.01,
        timeUnit: 'months',
        indexDate: evil('First dose of study treatment'),
        accrualPattern: { breaks: [0, 6], weights: [1, 3] },
        eventDriven: { events: 40 },
      },
    },
    attrition: {
      drawn: 200,
      steps: [
        {
          criterion: evil('Adult'),
          expression: evil('age >= 18', 1),
          excluded: 50,
          remaining: 150,
        },
      ],
      accepted: 150,
      acceptanceRate: 0.75,
    },
    treatedMissing: {
      policy: 'impute',
      rows: 50,
      patients: 2,
      excluded: 0,
      byVariable: [{ variable: evil('sex'), column: evil('SEX', 1), missing: 2 }],
      method: evil('drawn from the model', 1),
    },
    model: {
      registry: evil('Registry'),
      extractDate: '2025-12-31',
      population: evil('Registry population', 1),
      n: 1000,
      derivation: 'counts',
      epsilon: 1.5,
      variables: [
        { name: 'sex', label: evil('Sex'), unit: null, kind: 'categorical', parents: [] },
        { name: 'age', label: evil('Age', 1), unit: 'years', kind: 'continuous', parents: ['sex'] },
        {
          name: 'os',
          label: evil('Overall survival', 1),
          unit: 'months',
          kind: 'time-to-event',
          parents: ['sex', 'age'],
        },
      ],
    },
    table1: [
      {
        name: 'sex',
        label: evil('Sex'),
        unit: null,
        type: 'categorical',
        treated: null,
        control: null,
        levels: [
          // A level read from the treated CSV: a CSV value reaching the dossier.
          {
            level: XSS[1]!,
            label: evil('CSV level', 1),
            treated: { n: 8, pct: 40 },
            control: { n: 60, pct: 40 },
          },
          { level: 'm', label: 'Male', treated: { n: 12, pct: 60 }, control: { n: 90, pct: 60 } },
        ],
      },
      {
        name: 'age',
        label: evil('Age', 1),
        unit: evil('years'),
        type: 'numeric',
        treated: { n: 20, mean: 60, sd: 8, median: 61, q1: 55, q3: 66 },
        control: { n: 150, mean: 62, sd: 9, median: 62, q1: 56, q3: 68 },
        levels: [],
      },
    ],
    arms: {
      treated: {
        label: evil('Treated', 0),
        n: 20,
        events: 8,
        median: { estimate: 7, lower: 4, upper: null },
        atRisk: { time: [0, 3, 6], nRisk: [20, 14, 7] },
        km: curve,
        response: null,
      },
      control: {
        label: evil('Synthetic control', 1),
        n: 50,
        events: 30.3,
        median: { estimate: 5, lower: 4, upper: 6 },
        atRisk: { time: [0, 3, 6], nRisk: [50, 30.5, 14.2] },
        km: { ...curve, surv: [0.85, 0.7, 0.5, 0.4], lower: [null, null, null, null] },
        response: null,
        perReplicate: [
          { n: 50, events: 30, median: 5 },
          { n: 50, events: 31, median: 4.8 },
          { n: 50, events: 30, median: null },
        ],
        spread: { time: [0, 2, 4], lower: [1, 0.6, 0.4], upper: [1, 0.8, 0.6] },
      },
    },
    logrank: {
      method: 'log-rank',
      df: 1,
      medianStatistic: 4.2,
      medianP: 0.04,
      belowAlpha: 3,
      replicates: [
        { statistic: 4.2, p: 0.04 },
        { statistic: 3.9, p: 0.048 },
        { statistic: 5, p: 0.025 },
      ],
    },
    primary: analysis(),
    secondary: [
      analysis({
        key: 'secondary.0',
        name: evil('Adjusted Cox', 1),
        method: 'cox-adjusted',
        details: { ties: 'efron', variance: 'model', converged: false, covariates: evil('age') },
        ess: null,
      }),
      analysis({
        key: 'secondary.1',
        name: 'RMST at 6 months',
        measure: 'rmst-difference',
        method: 'rmst',
        details: { tau: 6, tauDefault: false, variance: 'greenwood' },
        estimate: 0.8,
        lower: -0.1,
        upper: 1.7,
        logEstimate: 0.8,
        df: null,
        combining: testCombining({ m: 3, between: 0.3, within: 0.2, totalVariance: 0.2 }),
        replicates: [rep(0.7, -0.2, 1.6, 0.1), rep(0.9, 0, 1.8, 0.05), rep(0.8, -0.1, 1.7, 0.08)],
        ess: null,
      }),
    ],
    replicates: [1, 2, 3].map((index) => ({
      index,
      substream: [index - 1],
      parametersDrawn: ['sex'],
      cut: 24,
      control: { n: 50, events: 30, median: 5 },
      attrition: { drawn: 66, accepted: 50, acceptanceRate: 50 / 66 },
      primary: {
        estimate: 0.7,
        lower: 0.5,
        upper: 0.95,
        p: 0.02,
        logEstimate: Math.log(0.7),
        se: 0.15,
      },
    })),
    balance: {
      method: 'cobalt',
      estimand: 'ATT',
      weighted: true,
      threshold: 0.1,
      maxAbsSmd: 0.12,
      rows: [
        {
          name: evil('sex=f', 1),
          type: 'binary',
          meanTreated: 0.4,
          meanControl: 0.4,
          smdBefore: 0.02,
          smdAfter: 0.01,
          varianceRatioBefore: null,
          varianceRatioAfter: null,
          flagged: false,
        },
        {
          name: 'age',
          type: 'continuous',
          meanTreated: 60,
          meanControl: 62,
          smdBefore: -0.25,
          smdAfter: 0.12,
          varianceRatioBefore: 1.1,
          varianceRatioAfter: 1.05,
          flagged: true,
        },
      ],
      propensity: {
        breaks: [0, 0.1, 0.2, 0.3, 0.4],
        treated: [0, 5, 10, 5],
        control: [10, 25, 15, 0],
      },
    },
    sensitivity: {
      covariateEffects: [],
      eValue: { rareOutcome: false, estimate: 1.9, limit: 1.2, method: 'hr-common' },
      tippingPoint: {
        shift: 0.05,
        estimate: 0.74,
        direction: 'benefit',
        grid: [0, 0.025, 0.05, 0.075].map((s) => ({
          shift: s,
          estimate: 0.7 * Math.exp(s),
          lower: 0.5 * Math.exp(s),
          upper: 0.95 * Math.exp(s),
          significant: s < 0.05,
        })),
      },
      phTest: {
        transform: 'km',
        medianP: 0.3,
        fractionBelowAlpha: 0,
        replicates: [{ statistic: 1, df: 1, p: 0.3 }],
      },
    },
    audit: null,
    alpha: 0.05,
    successCriterion: { expression: evil('primary.upper < 1', 1), met: true },
    warnings: [
      { code: 'poor-overlap', message: evil('some controls outside'), source: 'primary' },
      { code: 'low-ess', message: evil('ESS is low', 1) },
    ],
  });
}

/** The results with their verdicts decided as a run decides them (src/run/verdicts.ts). */
function withVerdicts(r: Omit<Results, 'verdicts'>): Results {
  return { ...r, verdicts: computeVerdicts(r) };
}

const repro: ReproInfo = {
  command: evil('ecasim run p.yaml --out DIR', 1),
  ecasim: '0.1.0',
  software: [{ name: 'ecasim', version: '0.1.0' }],
  inputs: [
    { role: 'protocol', path: evil('p.yaml'), sha256: 'a'.repeat(64) },
    { role: 'covariate model', path: 'model.json', sha256: 'b'.repeat(64) },
    { role: 'treated dataset', path: evil('treated.csv', 1), sha256: 'c'.repeat(64) },
  ],
  outputs: [{ role: 'results', path: 'results.json', sha256: 'd'.repeat(64) }],
  resultsDigest: 'd'.repeat(64),
};

/** The binary-endpoint shape: no curves, no log-rank, response proportions instead. */
function craftBinary(): Results {
  const r = craftResults();
  const response = { proportion: 0.4, lower: 0.22, upper: 0.61 };
  return withVerdicts({
    ...r,
    outcome: { variable: 'resp', label: 'Objective response', timeUnit: 'months' },
    arms: {
      treated: { ...r.arms.treated, km: null, atRisk: { time: [], nRisk: [] }, response },
      control: {
        ...r.arms.control,
        km: null,
        atRisk: { time: [], nRisk: [] },
        response: { proportion: 0.25, lower: 0.2, upper: 0.3 },
        spread: { time: [], lower: [], upper: [] },
      },
    },
    logrank: null,
    primary: analysis({
      measure: 'risk-difference',
      method: 'risk-difference',
      details: { interval: 'newcombe', variance: 'wald (unpooled)' },
      estimate: 0.15,
      lower: -0.05,
      upper: 0.35,
      logEstimate: 0.15,
      replicates: [rep(0.14, -0.06, 0.34, 0.1), rep(0.16, -0.04, 0.36, 0.09)],
      ess: null,
    }),
    secondary: [
      analysis({
        key: 'secondary.0',
        name: 'Odds ratio',
        measure: 'odds-ratio',
        method: 'odds-ratio',
        details: { interval: 'woolf', correction: 0 },
        estimate: 2,
        lower: 0.8,
        upper: 5,
        ess: null,
      }),
    ],
    balance: { ...r.balance, weighted: false, propensity: null },
    sensitivity: { covariateEffects: [], eValue: null, tippingPoint: null, phTest: null },
  });
}

let html: string;
beforeAll(async () => {
  html = await renderDossier(craftResults(), repro);
});

describe('dossier content', () => {
  test('has the cover and every numbered section, with its heading', () => {
    expect(html).toMatch(/<header class="cover" id="cover">[\s\S]*<h1>/);
    for (const s of SECTIONS) {
      expect(html).toContain(`<section id="${s.id}"`);
      expect(html).toMatch(new RegExp(`<h2 id="${s.id}-h">${s.title.replace('.', '\\.')}`));
    }
  });

  test('states methods next to the numbers', () => {
    const text = textOf(html);
    expect(text).toContain('Efron ties');
    expect(text).toContain('robust (sandwich) variance');
    expect(text).toContain(
      "treated-arm, registry and Monte-Carlo variance separated over m = 3 (docs/combining.md), t reference with 40.5 df (the treated arm's part: 64.0 df)",
    );
    expect(text).toContain('over m = 3 (docs/combining.md), normal reference');
    expect(text).toContain('τ = 6.0 months');
    expect(text).toContain('Greenwood variance');
    expect(text).toMatch(/log transformation, Greenwood variance/);
  });

  test('shows where the variance comes from and how to make Monte-Carlo noise small', () => {
    const text = textOf(html);
    expect(text).toContain('Where the variance of the combined estimate comes from');
    expect(text).toMatch(/Treated arm sampling of the real treated patients \(ū_T\) 0\.008 60\.0%/);
    expect(text).toMatch(/Registry the fitted model’s sampling error \(V̂_P\) 0\.004 30\.0%/);
    expect(text).toContain(
      'it falls below 10% with m = 5 replicates at the current size, or with a synthetic arm of 500 patients (now 100) with m = 3',
    );
    expect(text).not.toContain('Registry uncertainty is ignored');
  });

  test('says in the summary when registry uncertainty is ignored', async () => {
    const r = craftResults();
    r.primary.combining.parameterUncertainty = false;
    const text = textOf(await renderDossier(r, repro));
    expect(text).toContain('Registry uncertainty is ignored');
    expect(text).toContain('registry uncertainty ignored (parameterUncertainty: false)');
  });

  test('shows the primary estimate, interval, success criterion, estimand and privacy budget', () => {
    const text = textOf(html);
    expect(html).toContain('<strong>0.70</strong>');
    expect(text).toContain('0.50 to 0.95');
    expect(html).toContain('class="met">met</strong>');
    expect(html).toContain('Treatment policy');
    expect(text).toContain('differential privacy, ε = 1.50');
    expect(html).toContain('4.0 to not reached');
    expect(textOf(html)).toContain('First dose of study treatment <script>');
    expect(html).toContain('<code>(42, 2)</code>');
    expect(textOf(html)).toContain(
      'entry over 12 months, piecewise uniform with relative weights 1.00 on [0, 6), 3.00 on [6, 12)',
    );
    expect(textOf(html)).toContain('event-driven: when 40 events have been observed');
    expect(textOf(html)).toContain(
      'each replicate draws the parameters of Sex <script>alert(1)</script> from their posterior',
    );
  });

  test('generates the limitations checklist from the results', async () => {
    const view = await buildViewModel(craftResults(), repro);
    const byName = new Map(view.checks.map((c) => [c.check, c]));
    expect(byName.get('Covariate balance')?.flagged).toBe(true);
    expect(byName.get('Propensity-score overlap')?.flagged).toBe(true);
    // ESS 45.5 of 50 is not low, but a low-ess warning is reported
    expect(byName.get('Effective sample size after weighting')?.flagged).toBe(true);
    expect(byName.get('Model convergence')?.flagged).toBe(true);
    expect(byName.get('Acceptance of virtual candidates')?.flagged).toBe(false);
    expect(byName.get('Proportional hazards (primary model)')?.flagged).toBe(false);
  });

  test('every chart is an inline SVG with a title and a description', () => {
    const svgs = html.match(/<svg[^>]*>[\s\S]*?<\/svg>/g) ?? [];
    // network, love, propensity, KM, replicate spread, two forests, tipping point
    expect(svgs.length).toBe(8);
    for (const svg of svgs) {
      expect(svg).toMatch(/^<svg[^>]*role="img"[^>]*><title>[^<]+<\/title><desc>[^<]+<\/desc>/);
      expect(svg.length).toBeGreaterThan(500);
    }
  });

  test('is self-contained: no scripts, links, external URLs, imports or url() references', () => {
    const tags = tagsOf(html);
    const names = new Set(tags.map((t) => t.name));
    for (const banned of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'image', 'use'])
      expect(names.has(banned)).toBe(false);
    for (const t of tags) {
      expect(t.attributes).not.toContain('src');
      expect(t.attributes).not.toContain('xlink:href');
      if (t.attributes.includes('href')) expect(t.raw).toMatch(/href="#[a-z-]+"/);
    }
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(css).not.toMatch(/@import|url\(/);
  });

  test('is deterministic', async () => {
    expect(await renderDossier(craftResults(), repro)).toBe(html);
  });
});

describe('escaping', () => {
  test('hostile protocol, CSV and eligibility strings render as inert text', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/"><img/);
    expect(html).toContain('A title &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('CSV level &quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    expect(html).toContain('Adult &lt;script&gt;');
    // and a reader sees the strings as they were written
    expect(textOf(html)).toContain(`Sponsor "><img src=x onerror=alert(2)>`);
  });

  test('no element carries an event-handler attribute', () => {
    // (inside SVG aria-label values the hostile text is present but quoted, hence inert)
    for (const t of tagsOf(html))
      expect(t.attributes.filter((a) => a.startsWith('on'))).toEqual([]);
  });
});

describe('other shapes of results', () => {
  test('a binary endpoint: proportions instead of curves, no log-rank, every section still there', async () => {
    const b = await renderDossier(craftBinary(), repro);
    for (const s of SECTIONS) expect(b).toContain(`<section id="${s.id}"`);
    expect(b).toContain('Risk difference');
    expect(b).toContain('Odds ratio');
    expect(b).toContain('40.0%');
    expect(b).not.toContain('Kaplan–Meier estimates by arm');
    expect(b).not.toContain('Log-rank test');
    expect(b).toContain('No tipping-point analysis is reported');
    expect(b).toContain('newcombe interval');
    expect(b).not.toMatch(/<script|<img/i);
    // the limitations cite only the sensitivity analyses that were computed (issue 17)
    expect(textOf(b)).toContain('no sensitivity analysis of this plan quantifies how strong');
    expect(textOf(b)).not.toContain('the E-value and tipping point above');
    expect(textOf(html)).toContain('the E-value and tipping point above quantify');
  });

  test('no context of use: the section says so rather than disappearing', async () => {
    const r = craftResults();
    const b = await renderDossier({ ...r, protocol: { ...r.protocol, contextOfUse: null } }, repro);
    expect(b).toContain('<section id="context"');
    expect(b).toContain('The protocol does not state a context of use.');
  });
});

describe('--templates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecasim-templates-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a partial in DIR/partials replaces ours; the rest stay', async () => {
    mkdirSync(join(dir, 'partials'));
    writeFileSync(
      join(dir, 'partials', 'cover.hbs'),
      '<header id="cover"><h1>Sponsor cover: {{protocol.title}}</h1></header>',
    );
    const out = await renderDossier(craftResults(), repro, { templates: dir });
    expect(out).toContain('<h1>Sponsor cover: A title &lt;script&gt;');
    expect(out).toContain('<section id="primary"');
  });

  test('a partial at the top of DIR, and a style sheet, replace ours too', async () => {
    writeFileSync(
      join(dir, 'summary.hbs'),
      '<section id="summary"><h2>Custom summary</h2></section>',
    );
    writeFileSync(join(dir, 'dossier.css'), 'body { color: black; }');
    const out = await renderDossier(craftResults(), repro, { templates: dir });
    expect(out).toContain('Custom summary');
    expect(out).toContain('body { color: black; }');
    expect(out).not.toContain('--accent');
  });

  test('an unknown partial name, a missing directory and a syntax error are usage errors', async () => {
    writeFileSync(join(dir, 'cuver.hbs'), 'x');
    await expect(renderDossier(craftResults(), repro, { templates: dir })).rejects.toThrow(
      /unknown dossier partial "cuver"/,
    );
    rmSync(join(dir, 'cuver.hbs'));
    await expect(
      renderDossier(craftResults(), repro, { templates: join(dir, 'nope') }),
    ).rejects.toBeInstanceOf(UsageError);
    writeFileSync(join(dir, 'cover.hbs'), '{{#if protocol}}unclosed');
    await expect(renderDossier(craftResults(), repro, { templates: dir })).rejects.toThrow(
      /cannot read dossier template .*cover\.hbs/,
    );
  });
});
