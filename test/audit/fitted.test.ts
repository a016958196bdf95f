/**
 * The issue's end-to-end known answer: a model fitted with structure learning (`ecasim fit`'s
 * hill-climbing on BIC) on data from a known network (examples/nsclc/truth-model.json) yields
 * synthetic data at near-zero distance from the registry, and no privacy metric flags a leak.
 */
import { join } from 'node:path';
import { tableToAuditData } from '../../src/audit/data.js';
import { auditData } from '../../src/audit/index.js';
import { cohortTable, fitModel } from '../../src/model/fit.js';
import { parseFitSpecText } from '../../src/model/fit-spec.js';
import { loadModel } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const truth = loadModel(join(ROOT, 'examples/nsclc/truth-model.json'));

const SPEC = `
format: ecasim-fit/1
registry: { name: simulated from the nsclc truth network }
timeUnit: months
variables:
  sex: { kind: categorical, levels: [female, male] }
  histology: { kind: categorical, levels: [non-squamous, squamous] }
  smoking: { kind: categorical, levels: [never, former, current] }
  age: { kind: continuous, bounds: [18, 90], round: true }
  ecog: { kind: categorical, levels: ['0', '1', '2'] }
  brain_mets: { kind: logistic, levels: ['no', 'yes'] }
  os: { kind: time-to-event, time: os_time, event: os_event, baseline: weibull }
structure:
  learn: { tiers: [[sex], [histology, smoking, age], [ecog, brain_mets], [os]], maxParents: 3 }
`;

test('a structure-learned model of a known network scores near zero distance and no leak', () => {
  // Registry and holdout from the truth, administratively censored at 36 months.
  const table = cohortTable(
    sampleCohort(truth, 3000, createStream(31)),
    ['os'],
    'registry.csv',
    36,
  );
  const holdTable = cohortTable(
    sampleCohort(truth, 3000, createStream(32)),
    ['os'],
    'holdout.csv',
    36,
  );
  const fit = fitModel(table, parseFitSpecText('fit.yaml', SPEC), { software: 'test' });
  const names = { time: 'os_time', event: 'os_event' };
  const training = tableToAuditData(table, fit.loaded, 'registry', names);
  const holdout = tableToAuditData(holdTable, fit.loaded, 'holdout', names);
  const audit = auditData({ model: fit.loaded, training, holdout, seed: 33, bootstrap: 50 });

  // Univariate: within sampling noise of two samples of 3000 (TV ≲ 3 SD ≈ 0.04).
  for (const u of audit.fidelity.univariate) expect(u.difference).toBeLessThan(0.04);
  // Bivariate: associations reproduced, intervals overlapping.
  expect(audit.fidelity.bivariate.meanDifference).toBeLessThan(0.03);
  expect(audit.fidelity.bivariate.meanCiOverlap).toBeGreaterThan(0.5);
  // Outcome: curves within a few points of each other.
  expect(audit.fidelity.outcome!.km.supDifference).toBeLessThan(0.05);
  expect(audit.fidelity.outcome!.meanCiOverlap!).toBeGreaterThan(0.4);
  // Privacy: a model of the distribution, not of the patients.
  expect(audit.privacy.flags.filter((f) => f.leaking)).toEqual([]);
  expect(audit.privacy.differentialPrivacy.epsilon).toBeNull();
});
