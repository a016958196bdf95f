/**
 * The pieces of the coverage study (studies/coverage/): the registry draw, the treated arm, the
 * estimands, the grid, the cut-down protocol, the rules and the Monte-Carlo SE formulas.
 */
import { readFileSync } from 'node:fs';
import { fitModel } from '../../src/model/fit.js';
import { loadModel } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import { applyCensoring } from '../../src/simulate/censoring.js';
import { combineSynthetic } from '../../src/stats/combine.js';
import {
  ALS_REGISTRY_DESIGN,
  MAKE_REGISTRY_DESIGN,
  TRUTHS,
  grid,
  isNoEffect,
  selectCells,
  type Cell,
} from '../../studies/coverage/design.js';
import { EXTERNAL, UBAR_MINUS_B, WITHIN_FLOOR, selectRules } from '../../studies/coverage/rules.js';
import {
  bias,
  empiricalSd,
  meanOf,
  proportion,
  rmse,
  summarise,
} from '../../studies/coverage/summary.js';
import { failureList, notEstimableList } from '../../studies/coverage/markdown.js';
import {
  createContext,
  reproduceCommand,
  runTrialGroup,
  studyProtocol,
  type TrialOptions,
  type TrialRecord,
} from '../../studies/coverage/trial.js';
import {
  drawRegistry,
  drawTreated,
  marginalEstimands,
  targetFor,
  withMeanShift,
  withOddsRatio,
  timeMultiplier,
} from '../../src/design/truth.js';

const root = process.cwd();
const options: TrialOptions = {
  seed: 20261123,
  replicates: 4,
  truthMode: 'fixed',
  parameterUncertainty: true,
  root,
};

describe('registry draw', () => {
  const truth = loadModel('examples/nsclc/truth-model.json');

  /** The lines examples/<name>/make-registry.mjs's extract() writes, its code copied. */
  function makeRegistryLines(
    model: ReturnType<typeof loadModel>,
    outcome: string,
    n: number,
    stream: ReturnType<typeof createStream>,
    design: { accrual: number; studyDuration: number },
    delayTo01: boolean,
  ): string[] {
    const cohort = sampleCohort(model, n, stream.substream(0));
    const latent = (cohort.columns.get(outcome) as { values: Float64Array }).values;
    const { time, event } = applyCensoring(
      latent,
      {
        accrual: { duration: design.accrual, shape: 'uniform' },
        studyDuration: design.studyDuration,
        dropoutRate: 0.005,
      },
      stream.substream(1),
    );
    const names = model.names.filter((name) => name !== outcome);
    const lines = [[...names, `${outcome}_time`, `${outcome}_event`].join(',')];
    for (let i = 0; i < n; i++) {
      const row = names.map((name) => {
        const c = cohort.columns.get(name)!;
        if (c.kind !== 'numeric') return c.levels[c.codes[i]!]!;
        return delayTo01 && name === 'delay'
          ? (Math.round(c.values[i]! * 10) / 10).toFixed(1)
          : String(c.values[i]);
      });
      row.push(Math.max(0.01, Math.round(time[i]! * 100) / 100).toFixed(2), String(event[i]));
      lines.push(row.join(','));
    }
    return lines;
  }
  const linesOf = (t: ReturnType<typeof drawRegistry>) => [
    t.header.join(','),
    ...t.rows.map((r) => r.join(',')),
  ];

  test('is what examples/nsclc/make-registry.mjs writes from the same stream', () => {
    const s = () => createStream(20260630);
    const got = linesOf(drawRegistry(truth, 'os', 500, s(), MAKE_REGISTRY_DESIGN));
    expect(got).toEqual(makeRegistryLines(truth, 'os', 500, s(), MAKE_REGISTRY_DESIGN, false));
  });

  test('is what examples/als/make-registry.mjs writes from the same stream', () => {
    const als = loadModel('examples/als/truth-model.json');
    const s = () => createStream(20260331);
    const got = linesOf(drawRegistry(als, 'survival', 500, s(), ALS_REGISTRY_DESIGN));
    expect(got).toEqual(makeRegistryLines(als, 'survival', 500, s(), ALS_REGISTRY_DESIGN, true));
    expect(got[0]).toBe(readFileSync('examples/als/registry.csv', 'utf8').split('\n')[0]);
  });

  test.each([
    // make-registry.mjs: extract('examples/<name>/registry.csv', n, createStream(seed)).
    ['nsclc', 'os', 3840, 20260630, MAKE_REGISTRY_DESIGN],
    ['als', 'survival', 1200, 20260331, ALS_REGISTRY_DESIGN],
  ] as const)(
    'is examples/%s/registry.csv, drawn as its make-registry.mjs draws it',
    (name, outcome, n, seed, design) => {
      const model = loadModel(`examples/${name}/truth-model.json`);
      const t = drawRegistry(model, outcome, n, createStream(seed), design);
      const csv = readFileSync(`examples/${name}/registry.csv`, 'utf8').trimEnd().split('\n');
      expect(linesOf(t).length).toBe(csv.length);
      expect(linesOf(t).findIndex((line, i) => line !== csv[i])).toBe(-1);
    },
  );

  test('of a binary endpoint is examples/aml/registry.csv (no censoring; the level in its column)', () => {
    // examples/aml/make-registry.mjs: extract('examples/aml/registry.csv', 900, createStream(20260531))
    const aml = loadModel('examples/aml/truth-model.json');
    const t = drawRegistry(aml, 'remission', 900, createStream(20260531), null);
    const csv = readFileSync('examples/aml/registry.csv', 'utf8').trimEnd().split('\n');
    expect(linesOf(t).length).toBe(901);
    expect(linesOf(t).findIndex((line, i) => line !== csv[i])).toBe(-1);
    // a time-to-event outcome cannot go uncensored
    expect(() => drawRegistry(truth, 'os', 10, createStream(1), null)).toThrow(/censoring design/);
  });

  test('is reproducible from its stream and differs between streams', () => {
    const a = drawRegistry(truth, 'os', 150, createStream(7, 0, 3), MAKE_REGISTRY_DESIGN);
    const b = drawRegistry(truth, 'os', 150, createStream(7, 0, 3), MAKE_REGISTRY_DESIGN);
    const c = drawRegistry(truth, 'os', 150, createStream(7, 0, 4), MAKE_REGISTRY_DESIGN);
    expect(b.rows).toEqual(a.rows);
    expect(c.rows).not.toEqual(a.rows);
  });
});

describe('treated arm and estimands', () => {
  const ctx = createContext('nsclc', grid('fixed'), options);

  test('multiplies the Weibull time by HR^(-1/shape): the hazard times HR', () => {
    // truth-model.json: os baseline Weibull, shape 1.15.
    expect(timeMultiplier(ctx.truth, 'os', 0.7)).toBeCloseTo(Math.pow(0.7, -1 / 1.15), 14);
    const s = createStream(5);
    const one = drawTreated(ctx.truth, ctx.design, 120, 1, s);
    const hr = drawTreated(ctx.truth, ctx.design, 120, 0.7, s);
    // Same patients; every time later or equal (censoring can only cut the longer one).
    expect(hr.covariates.columns.get('age')).toEqual(one.covariates.columns.get('age'));
    expect(hr.time.every((t, i) => t >= one.time[i]! - 1e-12)).toBe(true);
    // Eligible only: ECOG 0-1, no brain metastases; covariates as the protocol maps them.
    const ecog = hr.covariates.columns.get('ecog') as { codes: Int32Array };
    expect(ecog.codes.every((c) => c < 2)).toBe(true);
    expect([...hr.covariates.columns.keys()].sort()).toEqual([
      'age',
      'brain_mets',
      'ecog',
      'histology',
      'sex',
      'smoking',
    ]);
  });

  test('the marginal HR is near the conditional one and 1 under the null', () => {
    const null0 = marginalEstimands(ctx.truth, ctx.design, 1, 20_000, createStream(11))['log-hr']!;
    expect(Math.abs(null0.estimate)).toBeLessThan(4 * null0.se);
    const m = marginalEstimands(ctx.truth, ctx.design, 0.7, 20_000, createStream(11))['log-hr']!;
    // The marginal log HR lies between log(0.7) and 0 (non-collapsibility), within MC error.
    expect(m.estimate).toBeGreaterThan(Math.log(0.7) - 4 * m.se);
    expect(m.estimate).toBeLessThan(Math.log(0.7) / 2);
    const marginal = (e: string): number => (e === 'log-hr' ? m.estimate : NaN);
    expect(targetFor('cox-adjusted', 0.7, marginal)).toBe(Math.log(0.7));
    expect(targetFor('cox-iptw', 0.7, marginal)).toBe(m.estimate);
    expect(targetFor('cox-unadjusted', 1, marginal)).toBe(0);
    expect(targetFor('rmst', 0.7, marginal)).toBeNaN();
  });

  test("the marginal RMST difference to the protocol's τ: 0 under HR 1, a gain under HR 0.7", () => {
    expect(ctx.design.rmstTau).toBe(24);
    const null0 = marginalEstimands(ctx.truth, ctx.design, 1, 20_000, createStream(11));
    const d0 = null0['rmst-difference']!;
    expect(Math.abs(d0.estimate)).toBeLessThan(4 * d0.se);
    const d = marginalEstimands(ctx.truth, ctx.design, 0.7, 20_000, createStream(11))[
      'rmst-difference'
    ]!;
    // a hazard ratio of 0.7 lengthens the mean survival to 24 months, by less than 24 months
    expect(d.estimate).toBeGreaterThan(4 * d.se);
    expect(d.estimate).toBeLessThan(24);
    expect(targetFor('rmst', 0.7, (e) => (e === 'rmst-difference' ? d.estimate : NaN))).toBe(
      d.estimate,
    );
  });
});

describe('binary endpoint: treated arm and estimands', () => {
  const ctx = createContext('aml', grid('fixed'), options);

  test("an odds ratio shifts the endpoint's log odds, nothing else", () => {
    const shifted = withOddsRatio(ctx.truth, 'remission', 2);
    const before = ctx.truth.model.variables['remission'] as { intercept: number };
    const after = shifted.model.variables['remission'] as { intercept: number };
    expect(after.intercept - before.intercept).toBeCloseTo(Math.log(2), 14);
    expect(ctx.truth.variables.get('remission')).toBe(ctx.truth.model.variables['remission']);
    expect(shifted.variables.get('age')).toEqual(ctx.truth.variables.get('age'));
    expect(() => withOddsRatio(ctx.truth, 'age', 2)).toThrow(/not a binary endpoint/);
    expect(() => withOddsRatio(ctx.truth, 'remission', 0)).toThrow(/positive/);
  });

  test('the treated arm has the same patients under OR 1 and 2, and no fewer responders', () => {
    const one = drawTreated(ctx.truth, ctx.design, 60, 1, createStream(5));
    const two = drawTreated(ctx.truth, ctx.design, 60, 2, createStream(5));
    expect(one.endpoint).toBe('binary');
    expect(two.covariates.columns.get('age')).toEqual(one.covariates.columns.get('age'));
    expect(two.event.every((e, i) => e >= one.event[i]!)).toBe(true);
    expect(two.time.every((t) => t === 1)).toBe(true);
    // eligible only: ECOG 0-2
    const ecog = two.covariates.columns.get('ecog') as { codes: Int32Array };
    expect(ecog.codes.every((c) => c < 3)).toBe(true);
  });

  test('the marginal estimands: none under OR 1; under OR 2 the marginal OR is between 1 and 2', () => {
    const null0 = marginalEstimands(ctx.truth, ctx.design, 1, 20_000, createStream(11));
    for (const e of ['risk-difference', 'log-risk-ratio', 'log-odds-ratio'] as const)
      expect(Math.abs(null0[e]!.estimate)).toBeLessThan(4 * null0[e]!.se);
    const m = marginalEstimands(ctx.truth, ctx.design, 2, 20_000, createStream(11));
    const lor = m['log-odds-ratio']!;
    expect(lor.estimate).toBeGreaterThan(0);
    expect(lor.estimate).toBeLessThan(Math.log(2) + 4 * lor.se);
    expect(m['risk-difference']!.estimate).toBeGreaterThan(0);
    const marginal = (e: string): number => m[e as keyof typeof m]!.estimate;
    expect(targetFor('odds-ratio', 2, marginal)).toBe(lor.estimate);
    expect(targetFor('risk-ratio', 2, marginal)).toBe(m['log-risk-ratio']!.estimate);
    expect(targetFor('risk-difference', 1, marginal)).toBe(0);
  });
});

describe('continuous endpoint: registry, treated arm and estimand', () => {
  const ctx = createContext('walk', grid('fixed'), options);

  test("the registry records every patient's change, in its column; the fit spec reads it", () => {
    const t = drawRegistry(ctx.truth, 'change', 200, createStream(3), null);
    expect(t.header).toEqual(['age', 'sex', 'walk0', 'aid', 'change']);
    expect(t.rows).toHaveLength(200);
    expect(t.rows.every((r) => Number.isFinite(Number(r[4])))).toBe(true);
    const { model } = fitModel(t, ctx.fitSpec);
    expect(model.variables['change']?.kind).toBe('continuous-endpoint');
  });

  test('a mean shift moves the endpoint only; the treated arm carries the value', () => {
    const shifted = withMeanShift(ctx.truth, 'change', 25);
    const before = ctx.truth.model.variables['change'] as { intercept: number };
    const after = shifted.model.variables['change'] as { intercept: number };
    expect(after.intercept - before.intercept).toBe(25);
    expect(() => withMeanShift(ctx.truth, 'walk0', 1)).toThrow(/not a continuous endpoint/);
    const zero = drawTreated(ctx.truth, ctx.design, 40, 0, createStream(5));
    const moved = drawTreated(ctx.truth, ctx.design, 40, 25, createStream(5));
    expect(zero.endpoint).toBe('continuous');
    expect(moved.covariates.columns.get('walk0')).toEqual(zero.covariates.columns.get('walk0'));
    // the same patients and the same residuals: every value moves by exactly the shift
    moved.time.forEach((v, i) => expect(v - zero.time[i]!).toBeCloseTo(25, 9));
    // eligible only: baseline walk distance 150 m or more
    const walk0 = moved.covariates.columns.get('walk0') as { values: Float64Array };
    expect(walk0.values.every((v) => v >= 150)).toBe(true);
  });

  test('the marginal mean difference is the shift (0 under no effect), within MC error', () => {
    const none = TRUTHS.walk.effect.none;
    const null0 = marginalEstimands(ctx.truth, ctx.design, 0, 20_000, createStream(11), none);
    const d0 = null0['mean-difference']!;
    expect(Math.abs(d0.estimate)).toBeLessThan(4 * d0.se);
    const d = marginalEstimands(ctx.truth, ctx.design, 25, 20_000, createStream(11), none)[
      'mean-difference'
    ]!;
    expect(Math.abs(d.estimate - 25)).toBeLessThan(4 * d.se);
    const marginal = (): number => d.estimate;
    expect(targetFor('mean-difference', 25, marginal, none)).toBe(d.estimate);
    expect(targetFor('mean-difference', 0, marginal, none)).toBe(0);
    expect(isNoEffect('walk', 0)).toBe(true);
    expect(isNoEffect('walk', 1)).toBe(false);
  });
});

describe('grid and protocol', () => {
  test('has 24 NSCLC, 2 ALS twin, 18 AML and 18 walk cells; --cells patterns select them', () => {
    const cells = grid('fixed');
    expect(cells).toHaveLength(62);
    expect(selectCells(cells, 'aml-*')).toHaveLength(18);
    expect(selectCells(cells, 'walk-*')).toHaveLength(18);
    expect(selectCells(cells, 'walk-n150-r1-md0').map((c) => c.effect)).toEqual([0]);
    expect(selectCells(cells, 'aml-n900-r10-or2')[0]).toEqual({
      id: 'aml-n900-r10-or2',
      truth: 'aml',
      registryN: 900,
      ratio: 10,
      effect: 2,
    });
    expect(selectCells(cells, 'nsclc-n150-r10-hr1').map((c) => c.id)).toEqual([
      'nsclc-n150-r10-hr1',
    ]);
    expect(selectCells(cells, 'als-*')).toHaveLength(2);
    expect(() => selectCells(cells, 'nope')).toThrow(/matches no cell/);
    expect(grid('posterior')).toHaveLength(14);
  });

  test('the study protocol keeps only the assessed analyses, m and the cell size', () => {
    const p = studyProtocol(
      'protocols/nsclc-os.yaml',
      readFileSync('protocols/nsclc-os.yaml', 'utf8'),
      { replicates: 7, parameterUncertainty: true },
      1200,
    ).protocol;
    expect(p.control.replicates).toBe(7);
    expect(p.control.size).toBe(1200);
    expect(p.analysis.secondary.map((a) => a.method)).toEqual([
      'cox-unadjusted',
      'cox-adjusted',
      'rmst',
    ]);
    expect(p.analysis.sensitivity.phTest).toBeUndefined();
    expect(p.analysis.secondary[1]!.covariateEffects).toBeUndefined();
    // --adjusted-effects sets the adjusted models' covariate effects, and only theirs
    const byArm = studyProtocol(
      'protocols/nsclc-os.yaml',
      readFileSync('protocols/nsclc-os.yaml', 'utf8'),
      { replicates: 7, parameterUncertainty: true, adjustedEffects: 'by-arm' },
      1200,
    ).protocol;
    expect(byArm.analysis.secondary.map((a) => a.covariateEffects)).toEqual([
      undefined,
      'by-arm',
      undefined,
    ]);
    expect(byArm.analysis.primary.covariateEffects).toBeUndefined();
  });
});

describe('a trial group', () => {
  test('is a function of (seed, trial): the same records twice, none failed', () => {
    const cells: Cell[] = selectCells(grid('fixed'), 'nsclc-n150-r1-*');
    const ctx = createContext('nsclc', cells, options);
    const strip = (rs: ReturnType<typeof runTrialGroup>) => rs.map(({ ms: _, ...r }) => r);
    const a = strip(runTrialGroup(ctx, cells, 3, options));
    const b = strip(runTrialGroup(ctx, cells, 3, options));
    expect(b).toEqual(a);
    expect(a.every((r) => r.error === undefined)).toBe(true);
    expect(Object.keys(a[0]!.analyses!)).toEqual([
      'cox-iptw',
      'cox-unadjusted',
      'cox-adjusted',
      'rmst',
    ]);
    expect(a[0]!.analyses!['cox-iptw']!.q).toHaveLength(4);
    // Both HR cells share the registry fit and the treated patients (common random numbers).
    expect(a[0]!.treatedEvents).toBeGreaterThanOrEqual(a[1]!.treatedEvents);
  });
});

describe('rules', () => {
  const r = {
    q: [-0.0978, -0.0798, -0.2015, -0.2772, -0.365, -0.3889, -0.3368, -0.2592, -0.122, -0.2764],
    u: [0.01335, 0.01342, 0.01323, 0.01327, 0.01335, 0.01346, 0.01391, 0.01326, 0.01335, 0.01332],
  };
  const context = { confLevel: 0.95, parameterUncertainty: true };

  test('within-floor is combineSynthetic with the within floor', () => {
    const c = combineSynthetic(r.q, r.u, { floor: 'within' });
    expect(WITHIN_FLOOR.combine(r, context)).toMatchObject({
      lower: c.lower,
      upper: c.upper,
      se: c.se,
    });
  });

  test('ū − (1 − 1/m)·b with a normal reference', () => {
    const m = 10;
    const qbar = r.q.reduce((a, b) => a + b) / m;
    const b = r.q.reduce((a, x) => a + (x - qbar) ** 2, 0) / (m - 1);
    const ubar = r.u.reduce((a, x) => a + x) / m;
    const got = UBAR_MINUS_B.combine(r, context);
    expect(got.se).toBeCloseTo(Math.sqrt(ubar - (1 - 1 / m) * b), 14);
    expect(got.upper - got.estimate).toBeCloseTo(1.959963984540054 * got.se, 12);
  });

  test('external control applies only with uControl', () => {
    expect(EXTERNAL.applies(r)).toBe(false);
    expect(EXTERNAL.applies({ ...r, uControl: r.u.map((u) => u / 4) })).toBe(true);
    expect(() => selectRules('within-floor,nope')).toThrow(/no rule "nope"/);
  });
});

describe('Monte-Carlo standard errors (Morris, White & Crowther 2019, Table 6)', () => {
  test('of a proportion, a mean, bias, empirical SD and RMSE', () => {
    expect(proportion(19, 20).value).toBe(0.95);
    expect(proportion(19, 20).mcse).toBeCloseTo(Math.sqrt((0.95 * 0.05) / 20), 15);
    const x = [1, 2, 3, 4, 6];
    // mean 3.2, sd √(14.8/4) = 1.9235...
    const s = Math.sqrt(14.8 / 4);
    expect(meanOf(x).value).toBeCloseTo(3.2, 14);
    expect(meanOf(x).mcse).toBeCloseTo(s / Math.sqrt(5), 14);
    expect(bias(x, 3).value).toBeCloseTo(0.2, 14);
    expect(empiricalSd(x).value).toBeCloseTo(s, 14);
    expect(empiricalSd(x).mcse).toBeCloseTo(s / Math.sqrt(8), 14);
    // errors about 3: -2 -1 0 1 3 → squares 4 1 0 1 9, MSE 3, RMSE √3.
    const sq = [4, 1, 0, 1, 9];
    const sdSq = Math.sqrt(sq.reduce((a, v) => a + (v - 3) ** 2, 0) / 4);
    expect(rmse(x, 3).value).toBeCloseTo(Math.sqrt(3), 14);
    expect(rmse(x, 3).mcse).toBeCloseTo(sdSq / Math.sqrt(5) / (2 * Math.sqrt(3)), 14);
  });

  test('summarise counts coverage, rejection and failures per cell and rule', () => {
    const cell: Cell = { id: 'c', truth: 'nsclc', registryN: 150, ratio: 1, effect: 1 };
    const rec = (q: number, u: number) => ({
      cell: 'c',
      trial: 0,
      treatedEvents: 0,
      registryN: 150,
      analyses: { 'cox-unadjusted': { q: [q - 0.01, q + 0.01], u: [u, u] } },
      ms: 0,
    });
    const records = [
      rec(0.05, 0.01),
      rec(-0.3, 0.01),
      rec(0.1, 0.01),
      { cell: 'c', trial: 3, treatedEvents: 0, registryN: 150, error: 'x', ms: 0 },
    ];
    const [row] = summarise(records, [cell], [WITHIN_FLOOR], new Map(), {
      confLevel: 0.95,
      parameterUncertainty: true,
    });
    expect(row!.n).toBe(3);
    expect(row!.failed).toBe(1);
    // √0.01 = 0.1: |−0.3| > 1.96·0.1 is the one rejection, and the one interval missing 0.
    expect(row!.rules[0]!.rejection.value).toBeCloseTo(1 / 3, 14);
    expect(row!.rules[0]!.coverage.value).toBeCloseTo(2 / 3, 14);
  });
});

describe('secondary analyses', () => {
  test('a secondary analysis left out of some trials is counted apart; RMST has no target under HR ≠ 1', () => {
    const cox = { q: [0.01, -0.01], u: [0.01, 0.01] };
    const rmstRep = { q: [0.5, 0.7], u: [0.25, 0.25] };
    const base = { cell: 'c', treatedEvents: 0, registryN: 150, ms: 0 };
    const records: TrialRecord[] = [
      { ...base, trial: 0, analyses: { 'cox-iptw': cox, rmst: rmstRep } },
      {
        ...base,
        trial: 1,
        analyses: { 'cox-iptw': cox },
        notEstimable: { rmst: 'replicate 3: τ' },
      },
    ];
    for (const hr of [1, 0.7]) {
      const cell: Cell = { id: 'c', truth: 'nsclc', registryN: 150, ratio: 1, effect: hr };
      const rows = summarise(records, [cell], [WITHIN_FLOOR], new Map([['nsclc:0.7', -0.3]]), {
        confLevel: 0.95,
        parameterUncertainty: true,
      });
      const [coxRow, rmstRow] = rows;
      expect(coxRow!.method).toBe('cox-iptw');
      expect([coxRow!.n, coxRow!.notEstimable]).toEqual([2, 0]);
      expect([rmstRow!.method, rmstRow!.n, rmstRow!.notEstimable]).toEqual(['rmst', 1, 1]);
      // RMST's width is a difference: 2·1.96·0.5 = 1.96
      expect(rmstRow!.rules[0]!.width.value).toBeCloseTo(1.96, 2);
      if (hr === 1) expect(rmstRow!.rules[0]!.coverage.value).toBe(1);
      else expect(Number.isNaN(rmstRow!.rules[0]!.coverage.value)).toBe(true);
    }
    expect(notEstimableList(records)).toEqual(['- 1× c, rmst: "replicate 3: τ"']);
  });
});

describe('failures', () => {
  test('are grouped by message with numbers masked and carry the command to reproduce them', () => {
    const cell = selectCells(grid('fixed'), 'nsclc-n150-r1-hr1')[0]!;
    const fail = (trial: number, error: string) => ({
      cell: cell.id,
      trial,
      treatedEvents: 0,
      registryN: 150,
      error,
      reproduce: reproduceCommand(cell, trial, options),
      ms: 0,
    });
    const lines = failureList([
      fail(3, 'tau = 24 is beyond 23.1'),
      fail(9, 'tau = 24 is beyond 22.7'),
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('2× nsclc-n150-r1-hr1');
    expect(lines[0]).toContain('trials 3, 9');
    expect(lines[0]).toContain(
      'npm run validate:coverage -- --seed 20261123 --replicates 4 --cells nsclc-n150-r1-hr1 --trial 3',
    );
  });
});
