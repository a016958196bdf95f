/**
 * The covariate-effects check of a common-effects adjusted Cox analysis: which analyses get one,
 * that its by-arm model is the cox-adjusted analysis with covariateEffects: by-arm on the same
 * replicate, and how its test is formed from the two sets of replicate estimates.
 */
import { resolve } from 'node:path';
import type { AnalysisEstimate } from '../../src/run/analyses.js';
import { combine, combineSettings } from '../../src/run/combine.js';
import { combineCovariateCheck, covariateEffectsChecks } from '../../src/run/covariate-check.js';
import { computeResults, prepareRun, runReplicate } from '../../src/run/index.js';
import { EXAMPLE, makeWorkspace } from '../helpers/workspace.js';

const NSCLC = resolve('protocols/nsclc-os.yaml');

/** A replicate's estimate with only the fields the combining reads. */
function estimate(q: number, u: number, uControl: number): AnalysisEstimate {
  return {
    measure: 'hazard-ratio',
    q,
    u,
    uControl,
    estimate: Math.exp(q),
    lower: NaN,
    upper: NaN,
    p: NaN,
    method: 'cox-adjusted',
    details: {},
    warnings: [],
  };
}

const settings = { confLevel: 0.95, parameterUncertainty: true, controlSize: 400 };
const check = covariateEffectsChecks([
  { key: 'secondary.1', name: 'Adjusted', spec: { method: 'cox-adjusted' } as never },
])[0]!;

test('one check for each cox-adjusted analysis with common effects, none for by-arm or others', () => {
  const spec = (method: string, covariateEffects?: string) =>
    ({ method, covariates: ['age'], ...(covariateEffects ? { covariateEffects } : {}) }) as never;
  const checks = covariateEffectsChecks([
    { key: 'primary', name: 'P', spec: spec('cox-iptw') },
    { key: 'secondary.0', name: 'A', spec: spec('cox-adjusted') },
    { key: 'secondary.1', name: 'B', spec: spec('cox-adjusted', 'common') },
    { key: 'secondary.2', name: 'C', spec: spec('cox-adjusted', 'by-arm') },
  ]);
  expect(checks.map((c) => [c.key, c.of, c.name])).toEqual([
    ['covariateEffects.secondary.0', 'secondary.0', 'A, covariate effects by arm'],
    ['covariateEffects.secondary.1', 'secondary.1', 'B, covariate effects by arm'],
  ]);
  expect(checks.every((c) => c.spec.covariateEffects === 'by-arm')).toBe(true);
});

test('the by-arm model is combined as the analysis is, and the difference is of the combined log HRs', () => {
  const common = [
    estimate(-0.3, 0.012, 0.004),
    estimate(-0.25, 0.011, 0.003),
    estimate(-0.35, 0.013, 0.005),
  ];
  const byArm = [
    estimate(-0.2, 0.014, 0.005),
    estimate(-0.22, 0.0105, 0.003),
    estimate(-0.3, 0.016, 0.0045),
  ];
  const combined = combine('secondary.1', 'Adjusted', common, settings);
  const c = combineCovariateCheck(check, common, byArm, combined, settings);
  const by = combine('x', 'x', byArm, settings);
  expect(c.assessed).toBe(true);
  expect(c.byArm).toEqual({
    estimate: by.estimate,
    lower: by.lower,
    upper: by.upper,
    logEstimate: by.logEstimate,
    se: by.se,
    p: by.p,
  });
  // q̄ = mean of the replicates' log HRs: (−0.2 − 0.22 − 0.3)/3 − (−0.3 − 0.25 − 0.35)/3 = 0.06
  expect(c.difference!.logEstimate).toBeCloseTo(0.06, 12);
  expect(c.difference!.logEstimate).toBeCloseTo(by.logEstimate - combined.logEstimate, 12);
});

test('not assessed, with the reason, when the by-arm model failed in a replicate', () => {
  const common = [estimate(-0.3, 0.012, 0.004), estimate(-0.25, 0.011, 0.003)];
  const combined = combine('secondary.1', 'Adjusted', common, settings);
  const failed = combineCovariateCheck(check, common, [common[0]!, null], combined, settings);
  expect(failed).toMatchObject({
    assessed: false,
    byArm: null,
    difference: null,
    reason: 'the by-arm model could not be fitted in 1 of 2 replicates',
  });
  const notReported = combineCovariateCheck(check, common, common, null, settings);
  expect(notReported.reason).toBe('the common-effects analysis is not reported');
});

test('the flagship run checks its adjusted Cox model with the by-arm model of the same replicates', () => {
  const prepared = prepareRun(NSCLC);
  expect(prepared.checks.map((c) => c.of)).toEqual(['secondary.1']);
  const replicates = [0, 1, 2].map((r) => runReplicate(prepared, 11, r));
  const results = computeResults(prepared, replicates, { seed: 11 });
  const [c] = results.sensitivity.covariateEffects;
  expect(c!.analysis).toBe('secondary.1');
  expect(c!.assessed).toBe(true);
  // the check's by-arm estimate is the by-arm cox-adjusted analysis run on the same arms
  const settingsOf = combineSettings(prepared, 0.95);
  const by = combine(
    'b',
    'b',
    replicates.map((r) => r.checks[0]!),
    settingsOf,
  );
  expect(c!.byArm!.logEstimate).toBeCloseTo(by.logEstimate, 9);
  expect(replicates[0]!.checks[0]!.details['covariateEffects']).toBe('by-arm');
  // the check's warnings are not the run's, and it raises no verdict
  expect(results.warnings.every((w) => !w.source?.startsWith('covariateEffects'))).toBe(true);
  expect(results.verdicts.some((v) => v.key === 'covariate-effects')).toBe(false);
  // not in the plan's analyses: the success criterion cannot name it
  expect(results.secondary.map((a) => a.key)).not.toContain('covariateEffects.secondary.1');
});

test('a plan whose adjusted model already has effects by arm, or has none, gets no check', () => {
  const ws = makeWorkspace({
    protocol: EXAMPLE.protocol.replace(
      'method: cox-adjusted\n',
      'method: cox-adjusted\n      covariateEffects: by-arm\n',
    ),
  });
  try {
    const prepared = prepareRun(ws.path('protocol.yaml'));
    expect(prepared.checks).toEqual([]);
    const replicates = [0, 1].map((r) => runReplicate(prepared, 3, r));
    const results = computeResults(prepared, replicates, { seed: 3 });
    expect(results.sensitivity.covariateEffects).toEqual([]);
  } finally {
    ws.cleanup();
  }
});
