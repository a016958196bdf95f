/**
 * computeResults is the pure core of a run: from a prepared run and its replicate outputs it gives
 * exactly the results `runProtocol` writes, reads no file, and loads no dossier renderer.
 */
import { computeResults, prepareRun, runProtocol, runReplicate } from '../../src/run/index.js';
import { resolve } from 'node:path';
import { toJsonText } from '../../src/results.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeAll(() => {
  ws = makeWorkspace();
});
afterAll(() => ws.cleanup());

describe('computeResults', () => {
  test('gives the results runProtocol writes, without the edges', async () => {
    const protocolFile = ws.path('protocol.yaml');
    const prepared = prepareRun(protocolFile);
    const seed = 7;
    const replicates = [0, 1, 2].map((r) => runReplicate(prepared, seed, r));
    const results = computeResults(prepared, replicates, { seed });
    const run = await runProtocol({ protocolFile, seed, replicates: 3, command: 'test' });
    // as JSON: the dossier's charts (vega) tag the data objects they draw with symbols
    expect(toJsonText(results)).toBe(run.files.find((f) => f.name === 'results.json')!.content);
    expect(results.control.replicates).toBe(3);
    expect(results.audit).toBeNull();
    expect(results.verdicts.map((v) => v.key)).toContain('proportional-hazards');
  });

  test('says how each covariance the parameter draws use was estimated', () => {
    const prepared = prepareRun(resolve('protocols/nsclc-os.yaml'));
    const replicates = [0, 1].map((r) => runReplicate(prepared, 3, r));
    const u = computeResults(prepared, replicates, { seed: 3 }).control.parameterUncertainty;
    expect(u.covariances).toEqual(
      ['age', 'brain_mets', 'os'].map((variable) => ({
        variable,
        method: 'bootstrap',
        replicates: 200,
      })),
    );
    expect(u.method).toMatch(
      /bootstrap of the registry fit, 200 resamples: age, brain_mets, os\)$/,
    );
  });

  test('is repeatable: the same inputs give the same results, and inputs are not changed', () => {
    const prepared = prepareRun(ws.path('protocol.yaml'));
    const replicates = [0, 1].map((r) => runReplicate(prepared, 3, r));
    const before = replicates.map((r) => Array.from(r.time));
    const a = computeResults(prepared, replicates, { seed: 3 });
    const b = computeResults(prepared, replicates, { seed: 3 });
    expect(b).toEqual(a);
    expect(replicates.map((r) => Array.from(r.time))).toEqual(before);
  });

  test('an audit passed in is reported, and a leaking one warns', () => {
    const prepared = prepareRun(ws.path('protocol.yaml'));
    const replicates = [0, 1].map((r) => runReplicate(prepared, 3, r));
    const audit = {
      nSynthetic: 10,
      univariate: { maxDifference: 0.01, exceeding: [], threshold: 0.05 },
      bivariate: { meanDifference: 0.01, meanCiOverlap: 0.9, shareOverlapAbove50: 1 },
      outcome: null,
      privacy: {
        leaking: true,
        flagged: ['exact matches'],
        exactMatchRate: 0.5,
        dcrRatio: null,
        shareCloserToTraining: null,
        membershipAuc: null,
        epsilon: null,
      },
      replication: null,
      screening: { outOfSupport: 0, removed: 0, flaggedRates: 0 },
      registry: 'registry.csv',
      holdout: null,
    };
    const r = computeResults(prepared, replicates, { seed: 3, audit });
    expect(r.audit).toEqual(audit);
    expect(r.warnings.at(-1)).toMatchObject({ code: 'audit-privacy', source: 'audit' });
  });
});
