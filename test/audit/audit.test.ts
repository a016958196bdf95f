/**
 * `auditData` on registry-like data drawn from the flagship model (examples/nsclc/truth-model.json, the network behind the flagship registry) with
 * fixed seeds: data from the true model score near zero distance and no leak; a "generator" that
 * copies training rows leaks on every privacy metric; one that draws columns independently scores
 * badly on bivariate fidelity; screening counts and removes out-of-support records; replication
 * with identical controls agrees perfectly.
 */
import { join } from 'node:path';
import {
  auditData,
  auditSummaryForDossier,
  type AuditData,
  type AuditResult,
} from '../../src/audit/index.js';
import { drawCensoring, sampleAuditData, selectAuditRows } from '../../src/audit/data.js';
import { replicationAnalysis } from '../../src/audit/replication.js';
import { univariateFidelity, kmDistance } from '../../src/audit/fidelity.js';
import { loadModel } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import { applyCensoring } from '../../src/simulate/censoring.js';
import type { Column } from '../../src/cohort.js';
import { expectClose } from '../helpers/close.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const model = loadModel(join(ROOT, 'examples/nsclc/truth-model.json'));

/** A registry-like extract: the model's patients, censored by accrual over 24 and a 48-month study. */
function registry(n: number, seed: number): AuditData {
  const rng = createStream(seed);
  const cohort = sampleCohort(model, n, rng.substream(0));
  const columns = new Map(cohort.columns);
  const latent = (columns.get('os') as { values: Float64Array }).values;
  columns.delete('os');
  const { time, event } = applyCensoring(
    latent,
    { accrual: { duration: 24, shape: 'uniform' }, studyDuration: 48, dropoutRate: 0.005 },
    rng.substream(1),
  );
  return { n, incomplete: 0, cohort: { n, columns }, time, event };
}

const training = registry(2000, 1);
const holdout = registry(2000, 2);

/** Every column drawn independently (a permutation of each training column). */
function independentColumns(d: AuditData, seed: number): AuditData {
  const rng = createStream(seed);
  const perm = () => {
    const p = Int32Array.from({ length: d.n }, (_, i) => i);
    for (let i = d.n - 1; i > 0; i--) {
      const j = Math.floor(rng.random() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  };
  const columns = new Map<string, Column>();
  for (const [name, c] of d.cohort.columns) {
    const p = perm();
    columns.set(
      name,
      c.kind === 'numeric'
        ? { kind: 'numeric', values: Float64Array.from(p, (i) => c.values[i]!) }
        : { kind: 'categorical', codes: Int32Array.from(p, (i) => c.codes[i]!), levels: c.levels },
    );
  }
  const p = perm();
  return {
    n: d.n,
    incomplete: 0,
    cohort: { n: d.n, columns },
    time: Float64Array.from(p, (i) => d.time![i]!),
    event: Uint8Array.from(p, (i) => d.event![i]!),
  };
}

describe('a synthetic sample from the true model', () => {
  let audit: AuditResult;
  beforeAll(() => {
    audit = auditData({ model, training, holdout, seed: 3, bootstrap: 100 });
  });

  test('univariate distances are near zero (sampling noise only)', () => {
    // Sampling noise: each level's share differs by ~√(2p(1−p)/2000) ≈ 0.015 between two samples
    // of 2000, so TV ≲ 0.05 (3 SD); W1/range is smaller still.
    for (const u of audit.fidelity.univariate) expect(u.difference).toBeLessThan(0.05);
    for (const u of audit.fidelity.univariate.filter((x) => x.type === 'numeric'))
      expect(u.ks!).toBeLessThan(0.05);
  });

  test('bivariate associations agree and their intervals overlap', () => {
    expect(audit.fidelity.bivariate.pairs).toHaveLength(15); // 6 covariates
    expect(audit.fidelity.bivariate.meanDifference).toBeLessThan(0.03);
    expect(audit.fidelity.bivariate.meanCiOverlap).toBeGreaterThan(0.5);
    expect(audit.fidelity.bivariate.shareOverlapAbove50).toBeGreaterThan(0.6);
  });

  test('Kaplan–Meier curves and hazard ratios agree', () => {
    const o = audit.fidelity.outcome!;
    expect(o.km.supDifference).toBeLessThan(0.05);
    expect(o.km.meanAbsDifference).toBeLessThan(0.02);
    expect(o.hazardRatios.map((h) => h.term)).toEqual([
      'age',
      'sex=male',
      'histology=squamous',
      'smoking=former',
      'smoking=current',
      'ecog=1',
      'ecog=2',
      'brain_mets=yes',
    ]);
    expect(o.meanCiOverlap!).toBeGreaterThan(0.4);
  });

  test('no privacy metric flags a leak', () => {
    const p = audit.privacy;
    expect(p.flags.map((f) => f.metric).sort()).toEqual(
      [
        'dcrRatio',
        'exactMatchRate',
        'membershipAuc',
        'nndr',
        'rareCombinations',
        'shareCloserToTraining',
      ].sort(),
    );
    expect(p.flags.filter((f) => f.leaking)).toEqual([]);
    expect(p.leaking).toBe(false);
    const h = p.holdout!;
    expect(h.shareCloserToTraining).toBeGreaterThan(0.45);
    expect(h.shareCloserToTraining).toBeLessThan(0.55);
    expect(Math.abs(h.membershipAuc - 0.5)).toBeLessThan(4 * h.membershipAucNullSd);
    expect(p.exactMatchRate).toBe(0); // time is continuous: no record can match by chance
    expect(p.differentialPrivacy.epsilon).toBeNull();
    expect(p.hiddenRate.statement).toMatch(/one-to-one/);
    expect(p.hiddenRate.standIn).toMatch(/membership-inference/);
  });

  test('screening: rare categories and tails at their expected rates', () => {
    const checks = [...audit.screening.rareCategories, ...audit.screening.tails];
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.filter((c) => c.flagged)).toEqual([]);
  });

  test('the audit is reproducible from its seed', () => {
    const small = (d: AuditData) =>
      selectAuditRows(
        d,
        Int32Array.from({ length: 300 }, (_, i) => i),
      );
    const run = () =>
      auditData({
        model,
        training: small(training),
        holdout: small(holdout),
        seed: 3,
        bootstrap: 20,
      });
    expect(JSON.stringify(run())).toBe(JSON.stringify(run()));
  });

  test('the dossier summary holds the headline numbers', () => {
    const s = auditSummaryForDossier(audit);
    expect(s.privacy.leaking).toBe(false);
    expect(s.privacy.membershipAuc).toBe(audit.privacy.holdout!.membershipAuc);
    expect(s.univariate.exceeding).toEqual(audit.fidelity.exceeding);
    expect(s.replication).toBeNull();
    expect(Object.keys(s).sort()).toEqual(
      [
        'bivariate',
        'nSynthetic',
        'outcome',
        'privacy',
        'replication',
        'screening',
        'univariate',
      ].sort(),
    );
  });
});

describe('a "generator" that copies training rows', () => {
  let audit: AuditResult;
  beforeAll(() => {
    const copy = selectAuditRows(
      training,
      Int32Array.from({ length: training.n }, (_, i) => i),
    );
    audit = auditData({ model, training, holdout, synthetic: copy, seed: 4, bootstrap: 20 });
  });
  test('scores as leaking on every privacy metric', () => {
    const p = audit.privacy;
    for (const f of p.flags)
      expect({ metric: f.metric, leaking: f.leaking }).toEqual({ metric: f.metric, leaking: true });
    expect(p.flags).toHaveLength(6);
    expect(p.exactMatchRate).toBe(1);
    expect(p.dcrTraining.median).toBe(0);
    expect(p.holdout!.shareCloserToTraining).toBe(1);
    expect(p.holdout!.membershipAuc).toBe(1);
    expect(p.rareCombinations.rareCellsReproduced).toBe(p.rareCombinations.rareCells);
    const eq = p.rareCombinations.equalSample!;
    expect(eq.reproducedBySynthetic).toBe(p.rareCombinations.rareCells);
    expect(eq.reproducedBySynthetic).toBeGreaterThan(eq.reproducedByHoldout);
  });
  test('while looking perfect on fidelity', () => {
    for (const u of audit.fidelity.univariate) expect(u.difference).toBe(0);
  });
});

describe('a "generator" that draws every column independently', () => {
  test('scores badly on bivariate fidelity', () => {
    const audit = auditData({
      model,
      training,
      holdout,
      synthetic: independentColumns(training, 5),
      seed: 5,
      bootstrap: 40,
    });
    const pairs = new Map(audit.fidelity.bivariate.pairs.map((p) => [`${p.a}|${p.b}`, p]));
    // Associations of the model (sex → histology, sex → smoking, smoking → ecog) are lost.
    for (const key of ['sex|histology', 'sex|smoking']) {
      const p = pairs.get(key)!;
      // the registry's association (Cramér's V 0.15 in the model) lies wholly above the copy's
      expect(p.real.lower).toBeGreaterThan(p.synthetic.upper);
      expect(p.ciOverlap).toBeLessThan(0);
    }
    // Univariate margins are exact copies: only the joint structure is wrong.
    for (const u of audit.fidelity.univariate) expect(u.difference).toBe(0);
    expect(audit.fidelity.bivariate.maxDifference).toBeGreaterThan(0.1);
    // Covariate hazard ratios are attenuated to ~1 on independent data.
    const hr = audit.fidelity.outcome!.hazardRatios.find((h) => h.term === 'ecog=2')!;
    expect(hr.ciOverlap).toBeLessThan(0);
  });
});

describe('screening', () => {
  test('out-of-range values and unseen combinations are counted, and removed with screen', () => {
    const syn = selectAuditRows(
      holdout,
      Int32Array.from({ length: 500 }, (_, i) => i),
    );
    const age = syn.cohort.columns.get('age') as { values: Float64Array };
    age.values[0] = 150;
    age.values[1] = -3;
    const sex = syn.cohort.columns.get('sex') as { codes: Int32Array };
    const hist = syn.cohort.columns.get('histology') as { codes: Int32Array };
    // A registry in which no woman has squamous histology makes (female, squamous) impossible.
    const keep: number[] = [];
    const rs = training.cohort.columns.get('sex') as { codes: Int32Array };
    const rh = training.cohort.columns.get('histology') as { codes: Int32Array };
    for (let i = 0; i < training.n; i++)
      if (!(rs.codes[i] === 0 && rh.codes[i] === 1)) keep.push(i);
    const reg = selectAuditRows(training, keep);
    let impossible = 0;
    for (let i = 2; i < syn.n; i++) if (sex.codes[i] === 0 && hist.codes[i] === 1) impossible++;
    const ageMin = Math.min(...(reg.cohort.columns.get('age') as { values: Float64Array }).values);
    const ageMax = Math.max(...(reg.cohort.columns.get('age') as { values: Float64Array }).values);
    let ageOut = 0;
    for (let i = 0; i < syn.n; i++)
      if (age.values[i]! < ageMin || age.values[i]! > ageMax) ageOut++;
    const base = { model, training: reg, synthetic: syn, seed: 6, bootstrap: 20 };
    const a = auditData(base);
    const o = a.screening.outOfSupport;
    const pair = o.unseenPairs.find((p) => p.a === 'sex' && p.b === 'histology')!;
    expect(pair).toEqual({
      a: 'sex',
      levelA: 'female',
      b: 'histology',
      levelB: 'squamous',
      count: impossible,
    });
    expect(o.outOfRange.find((r) => r.variable === 'age')!.count).toBe(ageOut);
    expect(a.screening.removed).toBe(0);
    expect(a.data.synthetic).toBe(500);
    const s = auditData({ ...base, screen: true });
    expect(s.screening.removed).toBe(o.records);
    expect(s.data.synthetic).toBe(500 - o.records);
    expect(s.screening.kept).toBe(500 - o.records);
    expect(o.records).toBeGreaterThanOrEqual(impossible + 2);
  });

  test('a generator collapsed onto common values fails the rare-category check', () => {
    const ecog = training.cohort.columns.get('ecog') as {
      codes: Int32Array;
      levels: readonly string[];
    };
    // The registry has ~10% ECOG 2; make it rare (< 5%) by keeping a few, and the synthetic data lack it.
    const keep: number[] = [];
    let twos = 0;
    for (let i = 0; i < training.n; i++) {
      if (ecog.codes[i] !== 2) keep.push(i);
      else if (twos++ < 50) keep.push(i);
    }
    const reg = selectAuditRows(training, keep);
    const syn = selectAuditRows(
      holdout,
      Int32Array.from({ length: holdout.n }, (_, i) => i),
    );
    const se = syn.cohort.columns.get('ecog') as { codes: Int32Array };
    for (let i = 0; i < syn.n; i++) if (se.codes[i] === 2) se.codes[i] = 1;
    const a = auditData({ model, training: reg, synthetic: syn, seed: 7, bootstrap: 20 });
    const c = a.screening.rareCategories.find((r) => r.variable === 'ecog' && r.what === '2')!;
    expect(c.observed).toBe(0);
    expect(c.flagged).toBe(true);
  });
});

describe('replication', () => {
  const treated = registry(200, 11);
  const control = registry(400, 12);
  test('identical real and synthetic controls agree perfectly', () => {
    const arm = { time: control.time!, event: control.event! };
    const r = replicationAnalysis({ time: treated.time!, event: treated.event! }, arm, arm);
    expect(r.decisionAgreement).toBe(true);
    expect(r.estimateAgreement).toBe(true);
    expect(r.standardizedDifference.statistic).toBe(0);
    expect(r.standardizedDifference.p).toBe(1);
    expectClose(r.ciOverlap, 1, { rtol: 1e-12 });
    expect(r.real.hr).toBe(r.synthetic.hr);
  });
  test('a synthetic control from the true model agrees with a real one', () => {
    const a = auditData({
      model,
      training,
      seed: 8,
      bootstrap: 20,
      treated: { time: treated.time!, event: treated.event! },
      realControl: { time: control.time!, event: control.event! },
    });
    const r = a.replication!;
    // Treated and control come from the same model: no effect either way.
    expect(r.real.decision).toBe('none');
    expect(r.decisionAgreement).toBe(true);
    expect(r.standardizedDifference.agreement).toBe(true);
    expect(r.synthetic.nControl).toBe(400);
  });
  test('the standardized difference is (log HR_s − log HR_r)/√(se_s² + se_r²)', () => {
    const t = { time: treated.time!, event: treated.event! };
    const c1 = { time: control.time!, event: control.event! };
    const c2 = { time: Float64Array.from(control.time!, (x) => x * 0.6), event: control.event! };
    const r = replicationAnalysis(t, c1, c2);
    const z = (r.synthetic.logHr - r.real.logHr) / Math.hypot(r.synthetic.se, r.real.se);
    expectClose(r.standardizedDifference.statistic, z, { rtol: 1e-12 });
    expect(r.synthetic.hr).toBeLessThan(r.real.hr); // shorter control times make treatment look better
  });
});

describe('building blocks', () => {
  test('univariate difference of a numeric variable is W1 / registry range', () => {
    const r: Column = { kind: 'numeric', values: Float64Array.from([0, 10]) };
    const s: Column = { kind: 'numeric', values: Float64Array.from([1, 11]) };
    const u = univariateFidelity('x', r, s);
    expectClose(u.difference, 0.1, { rtol: 1e-12 });
    expect(u.exceedsThreshold).toBe(true);
    expect(u.ks).toBe(0.5);
  });
  test('Kaplan–Meier distance is 0 for identical data and the largest gap otherwise', () => {
    const a = { time: Float64Array.from([1, 2, 3, 4]), event: [1, 1, 1, 1] };
    expect(kmDistance(a, a)).toEqual({ supDifference: 0, meanAbsDifference: 0, tau: 4 });
    const b = { time: Float64Array.from([1, 2, 3, 4]), event: [0, 1, 1, 1] };
    // S_a: 0.75, 0.5, 0.25, 0; S_b: 1, 2/3, 1/3, 0 → largest gap 0.25 on [1, 2)
    expectClose(kmDistance(a, b).supDifference, 0.25, { rtol: 1e-12 });
  });
  test('censoring draws from the reverse Kaplan–Meier stay within follow-up', () => {
    const c = drawCensoring(training.time!, training.event!, 1000, createStream(1));
    const max = Math.max(...training.time!);
    for (const v of c) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(max);
    }
  });
  test('sampled audit data have the model covariates and a censored outcome', () => {
    const d = sampleAuditData(model, 50, createStream(2), {
      time: training.time!,
      event: training.event!,
    });
    expect([...d.cohort.columns.keys()]).toEqual([
      'sex',
      'histology',
      'smoking',
      'age',
      'ecog',
      'brain_mets',
    ]);
    expect(d.time!.length).toBe(50);
    expect(d.event!.every((e) => e === 0 || e === 1)).toBe(true);
  });
  test('the differential-privacy budget is read from the model provenance', () => {
    const prov = model.model.provenance;
    const dp = {
      ...model,
      model: {
        ...model.model,
        provenance: { ...prov, derivation: { ...prov.derivation, epsilon: 1.5 } },
      },
    };
    const small = selectAuditRows(
      training,
      Int32Array.from({ length: 200 }, (_, i) => i),
    );
    const a = auditData({ model: dp, training: small, seed: 9, bootstrap: 20 });
    expect(a.privacy.differentialPrivacy.epsilon).toBe(1.5);
    expect(a.privacy.differentialPrivacy.statement).toMatch(/ε = 1\.5/);
    expect(a.model.epsilon).toBe(1.5);
    expect(auditSummaryForDossier(a).privacy.epsilon).toBe(1.5);
    // Without a holdout the holdout-based metrics are absent, and say so.
    expect(a.privacy.holdout).toBeNull();
    expect(a.privacy.flags).toEqual([]);
    expect(a.warnings.map((w) => w.code)).toContain('no-holdout');
  });
  test('settings are validated', () => {
    expect(() => auditData({ model, training, seed: -1 })).toThrow(/`seed` must be/);
    expect(() => auditData({ model, training, seed: 1, threshold: 2 })).toThrow(/`threshold`/);
    expect(() => auditData({ model, training, seed: 1, k: 1 })).toThrow(/`k`/);
  });
});
