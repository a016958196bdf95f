/**
 * `ecasim design`: the design file's located errors, the grid, and the promise that sharding does
 * not change anything — shard i of N runs the same trials as one process, and N = 1, 3 and 7
 * shards merge to the same design.json and design.html bytes as a single run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  designOutputs,
  mergeDesign,
  prepareDesign,
  runShard,
  runTrials,
  shardText,
  shardTrials,
  type PreparedDesign,
} from '../../src/design/index.js';
import type { EcasimError } from '../../src/errors.js';
import { writeFlagshipFit } from '../helpers/design.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;

/** A small design of the flagship protocol: 7 trials, 2 scenarios, m = 2, a registry of 200. */
function designText(over: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    name: 'test design',
    protocol: `${ROOT}protocols/nsclc-os.yaml`,
    truth: `\n  model: ${ROOT}examples/nsclc/truth-model.json\n  fit: fit.yaml\n  registry: { accrual: 60, studyDuration: 72, dropoutRate: 0.005 }`,
    trials: '7',
    seed: '5',
    estimandN: '2000',
    scenarios: `\n  effect: [1, 0.7]\n  treatedN: 40\n  controlRatio: 1\n  replicates: 2\n  registryN: 200`,
    ...over,
  };
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function writeDesign(text: string, name = 'design.yaml'): string {
  writeFileSync(join(dir, name), text + '\n');
  return join(dir, name);
}

let prepared: PreparedDesign;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-design-'));
  // the flagship fit spec with the inverse-information covariance (no bootstrap: faster)
  writeFlagshipFit(dir);
  prepared = prepareDesign(writeDesign(designText()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the grid is the cross product of the axes, each scenario named by its settings', () => {
  expect(prepared.frame.scenarios.map((s) => s.id)).toEqual([
    'hr1-treated40-control40-m2-registry200-drift1',
    'hr0.7-treated40-control40-m2-registry200-drift1',
  ]);
  expect(prepared.frame.analyses.map((a) => a.method)).toEqual([
    'cox-iptw',
    'cox-unadjusted',
    'cox-adjusted',
    'rmst',
  ]);
  // marginal targets for the effect that is not none: log HR and the RMST difference to τ
  expect(prepared.frame.targets.map((t) => [t.effect, t.estimand])).toEqual([
    [0.7, 'log-hr'],
    [0.7, 'rmst-difference'],
  ]);
});

test('shard i of N runs trials t ≡ i (mod N), and N = 1, 3, 7 merge to the bytes of one process', async () => {
  expect(shardTrials(7, 1, 3)).toEqual([1, 4]);
  const all = runTrials(prepared, shardTrials(7, 0, 1));
  expect(all).toHaveLength(14);
  expect(all.filter((r) => r.error !== undefined)).toEqual([]);
  const single = await designOutputs(prepared.frame, all, 'test');
  const bytes = (o: typeof single) =>
    o.files.filter((f) => f.name !== 'manifest.json').map((f) => [f.name, f.content]);
  for (const count of [1, 3, 7]) {
    const shards = Array.from({ length: count }, (_, i) => {
      // a fresh process's view: prepared again, its own trials only
      const shard = runShard(prepareDesign(join(dir, 'design.yaml')), i, count);
      return { file: `shard-${i}-of-${count}.json`, text: shardText(shard) };
    });
    // the shard's trials give the records the single run gave them
    const first = JSON.parse(shards[0]!.text) as { records: unknown[] };
    expect(first.records).toEqual(
      JSON.parse(JSON.stringify(all.filter((r) => r.trial % count === 0))),
    );
    const merged = await mergeDesign([...shards].reverse());
    expect(bytes(merged)).toEqual(bytes(single));
  }
  const results = single.results;
  expect(results.scenarios[0]!.analyses[0]!.rejection!.kind).toBe('type-I error');
  expect(results.scenarios[1]!.analyses[0]!.rejection!.kind).toBe('power');
  expect(results.scenarios[0]!.analyses[0]!.trials).toBe(7);
}, 120_000);

describe('merge refuses shards that do not make one design', () => {
  let shards: { file: string; text: string }[];
  beforeAll(() => {
    // a two-trial design keeps these cheap
    const small = prepareDesign(writeDesign(designText({ trials: '2' }), 'small.yaml'));
    shards = [0, 1].map((i) => ({ file: `s${i}.json`, text: shardText(runShard(small, i, 2)) }));
  }, 60_000);

  test('a missing shard is named', async () => {
    await expect(mergeDesign([shards[0]!])).rejects.toThrow(
      /trials 1 of 2 are in no shard \(missing shards: shard-1-of-2\.json\)/,
    );
  });

  test('a shard given twice is named', async () => {
    await expect(mergeDesign([shards[0]!, shards[1]!, shards[0]!])).rejects.toThrow(
      /trials 0 are in more than one shard \(trial 0: s0\.json, s0\.json\)/,
    );
  });

  test('an infinite limit in a record survives the shard file', async () => {
    const edited = JSON.parse(shards[1]!.text);
    const records = edited.records as { analyses: Record<string, { upper: number } | null> }[];
    const a = Object.values(records[0]!.analyses).find((x) => x !== null)!;
    a.upper = Infinity;
    const { createHash } = await import('node:crypto');
    // re-sign the edited records as runShard would
    const text = JSON.stringify(records, (_k, v) => (v === Infinity ? 'Infinity' : v));
    edited.recordsDigest = createHash('sha256').update(text).digest('hex');
    const merged = await mergeDesign([shards[0]!, { file: 'inf.json', text: shardText(edited) }]);
    expect(merged.files.map((f) => f.name)).toEqual([
      'design.json',
      'design.html',
      'manifest.json',
    ]);
  });

  test('a shard of another design, and an edited shard, are refused', async () => {
    const other = JSON.parse(shards[1]!.text);
    other.frame.designDigest = 'f'.repeat(64);
    await expect(
      mergeDesign([shards[0]!, { file: 'other.json', text: JSON.stringify(other) }]),
    ).rejects.toThrow(/other\.json belongs to another design than s0\.json/);
    const edited = JSON.parse(shards[1]!.text);
    edited.records[0].trial = 0;
    await expect(
      mergeDesign([shards[0]!, { file: 'edited.json', text: JSON.stringify(edited) }]),
    ).rejects.toThrow(/edited\.json: its records do not match its recordsDigest/);
    await expect(mergeDesign([{ file: 'x.json', text: '{"schema": 1}' }])).rejects.toThrow(
      /x\.json is not an ecasim design shard/,
    );
  });
});

describe('a design with problems is refused with every problem located', () => {
  const problems = (text: string): string => {
    try {
      prepareDesign(writeDesign(text, 'bad.yaml'));
    } catch (err) {
      const all = [err as EcasimError, ...((err as EcasimError).related ?? [])];
      return all.map((e) => `${e.location ?? ''} ${e.message}`).join('\n');
    }
    throw new Error('no error');
  };

  test('an unknown key, with the one it is likely to mean', () => {
    expect(problems(designText({ seeed: '3' }))).toMatch(
      /bad\.yaml:16:1 unknown key "seeed" in design — did you mean "seed"\?/,
    );
  });

  test('a time-to-event design without its registry censoring', () => {
    const msg = problems(
      designText({
        truth: `\n  model: ${ROOT}examples/nsclc/truth-model.json\n  fit: fit.yaml`,
      }),
    );
    expect(msg).toMatch(/bad\.yaml:3:\d+ a time-to-event outcome needs truth\.registry/);
  });

  test('a hazard ratio that is not positive, and a value out of range', () => {
    const msg = problems(
      designText({
        trials: '1',
        scenarios: `\n  effect: [1, -0.7]\n  treatedN: 40\n  registryN: 200`,
      }),
    );
    expect(msg).toMatch(/trials/);
    const msg2 = problems(
      designText({ scenarios: `\n  effect: [1, -0.7]\n  treatedN: 40\n  registryN: 200` }),
    );
    expect(msg2).toMatch(/bad\.yaml:11:\d+ a hazard ratio must be > 0, found -0\.7/);
  });

  test('a file that does not exist is named', () => {
    expect(problems(designText({ protocol: 'nowhere.yaml' }))).toMatch(/nowhere\.yaml/);
  });
});

describe('posterior mode: the protocol model as it is, the population drawn from its posterior', () => {
  const posterior = `\n  mode: posterior`;
  test('runs without a registry; its scenarios are named so', () => {
    const p = prepareDesign(
      writeDesign(
        designText({
          truth: posterior,
          trials: '2',
          scenarios: `\n  effect: 1\n  treatedN: 40\n  controlRatio: 1\n  replicates: 2`,
        }),
        'posterior.yaml',
      ),
    );
    expect(p.frame.mode).toBe('posterior');
    expect(p.frame.files.fit).toBeNull();
    expect(p.frame.scenarios.map((s) => s.id)).toEqual(['hr1-treated40-control40-m2-posterior']);
    const records = runTrials(p, [0, 1]);
    expect(records.map((r) => r.error)).toEqual([undefined, undefined]);
    // each trial's population is its own draw: the two treated arms differ
    expect(records[0]!.analyses!['primary']!.q).not.toBe(records[1]!.analyses!['primary']!.q);
  });

  test('registry-mode fields are refused, located', () => {
    let err: EcasimError | undefined;
    try {
      prepareDesign(
        writeDesign(
          designText({
            truth: `${posterior}\n  fit: fit.yaml`,
            scenarios: `\n  effect: 1\n  treatedN: 40\n  registryN: 200\n  drift: { hazardRatio: 1.2 }`,
          }),
          'posterior-bad.yaml',
        ),
      );
    } catch (e) {
      err = e as EcasimError;
    }
    const all = [err!, ...err!.related].map((e) => `${e.location} ${e.message}`);
    expect(all).toEqual([
      expect.stringMatching(/posterior-bad\.yaml:5:3 truth\.fit is for registry mode/),
      expect.stringMatching(/posterior-bad\.yaml:12:3 posterior mode draws no registry/),
      expect.stringMatching(/posterior-bad\.yaml:13:\d+ drift needs registry mode/),
    ]);
  });

  test('registry mode without its model or registry size is refused', () => {
    let err: EcasimError | undefined;
    try {
      prepareDesign(
        writeDesign(
          designText({ truth: `\n  fit: fit.yaml`, scenarios: `\n  effect: 1\n  treatedN: 40` }),
          'registry-bad.yaml',
        ),
      );
    } catch (e) {
      err = e as EcasimError;
    }
    const all = [err!, ...err!.related].map((e) => e.message);
    expect(all).toEqual([
      expect.stringMatching(/truth\.model is required/),
      expect.stringMatching(/scenarios\.registryN is required/),
    ]);
  });
});

test('an unmeasured confounder more common in the trial than in the registry biases the HR upwards', () => {
  const p = prepareDesign(
    writeDesign(
      designText({
        trials: '4',
        scenarios: `\n  effect: 1\n  treatedN: 80\n  controlRatio: 2\n  replicates: 2\n  registryN: 400\n  confounder: { hazardRatio: [1, 3], trialPrevalence: 0.6, externalPrevalence: 0.1 }`,
      }),
      'confounder.yaml',
    ),
  );
  expect(p.frame.scenarios.map((s) => s.id)).toEqual([
    'hr1-treated80-control160-m2-registry400-drift1-u1-p0.6v0.1',
    'hr1-treated80-control160-m2-registry400-drift1-u3-p0.6v0.1',
  ]);
  const records = runTrials(p, [0, 1, 2, 3]);
  const mean = (id: string) => {
    const qs = records.filter((r) => r.scenario === id).map((r) => r.analyses!['secondary.0']!.q);
    return qs.reduce((a, b) => a + b, 0) / qs.length;
  };
  // unadjusted log HR: U multiplies the hazard of 60% of the treated but 10% of the registry:
  // log((0.4 + 0.6·3)/(0.9 + 0.1·3)) ≈ 0.61 conditionally, less after non-collapsibility
  const shift = mean(p.frame.scenarios[1]!.id) - mean(p.frame.scenarios[0]!.id);
  expect(shift).toBeGreaterThan(0.3);
  expect(shift).toBeLessThan(0.8);
  // the targets are the trial population's: no effect is no effect, whatever U does
  expect(p.frame.targets).toEqual([]);
}, 60_000);

test('a confounder in posterior mode, or for another endpoint, is refused', () => {
  const msg = (() => {
    try {
      prepareDesign(
        writeDesign(
          designText({
            truth: '\n  mode: posterior',
            scenarios: `\n  effect: 1\n  treatedN: 40\n  confounder: { hazardRatio: 2, trialPrevalence: 0.5, externalPrevalence: 0.2 }`,
          }),
          'confounder-posterior.yaml',
        ),
      );
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  })();
  expect(msg).toMatch(/an unmeasured confounder needs registry mode/);
});

test('a shift in a measured covariate of the external population biases the unadjusted analysis', () => {
  const p = prepareDesign(
    writeDesign(
      designText({
        trials: '4',
        scenarios: `\n  effect: 1\n  treatedN: 80\n  controlRatio: 2\n  replicates: 2\n  registryN: 400\n  drift: { covariate: { name: age, shift: [0, 12] } }`,
      }),
      'covariate-drift.yaml',
    ),
  );
  const [none, older] = p.frame.scenarios;
  expect([none!.id, older!.id]).toEqual([
    'hr1-treated80-control160-m2-registry400-drift1-age+0',
    'hr1-treated80-control160-m2-registry400-drift1-age+12',
  ]);
  const records = runTrials(p, [0, 1, 2, 3]);
  const mean = (id: string, key: string) => {
    const qs = records.filter((r) => r.scenario === id).map((r) => r.analyses![key]!.q);
    return qs.reduce((a, b) => a + b, 0) / qs.length;
  };
  // the registry's patients are 12 years older (log HR 0.012 a year in the truth, 0.14
  // conditionally, diluted in the marginal HR): the synthetic arm dies sooner
  const unadjusted = mean(older!.id, 'secondary.0') - mean(none!.id, 'secondary.0');
  expect(unadjusted).toBeLessThan(-0.06);
  expect(unadjusted).toBeGreaterThan(-0.2);
}, 60_000);

test('a covariate drift names a continuous covariate of the truth', () => {
  let message = 'no error';
  try {
    prepareDesign(
      writeDesign(
        designText({
          scenarios: `\n  effect: 1\n  treatedN: 40\n  registryN: 200\n  drift: { covariate: { name: ecog, shift: 1 } }`,
        }),
        'covariate-bad.yaml',
      ),
    );
  } catch (e) {
    message = `${(e as EcasimError).location} ${(e as Error).message}`;
  }
  expect(message).toMatch(
    /covariate-bad\.yaml:14:\d+ "ecog" is not a continuous covariate of the truth model/,
  );
});

describe('a follow-up axis: the trial and its synthetic arms followed for longer or shorter', () => {
  test('each follow-up has its scenarios, its protocol variant and its own marginal targets', () => {
    const p = prepareDesign(
      writeDesign(
        designText({
          truth: '\n  mode: posterior',
          trials: '3',
          scenarios: `\n  effect: [1, 0.7]\n  treatedN: 60\n  controlRatio: 2\n  replicates: 2\n  followUp:\n    - { accrual: 20, studyDuration: 25 }\n    - { accrual: 20, studyDuration: 72 }`,
        }),
        'follow-up.yaml',
      ),
    );
    expect(p.frame.scenarios.map((s) => s.id)).toEqual([
      'hr1-treated60-control120-m2-posterior-accrual20-duration25',
      'hr1-treated60-control120-m2-posterior-accrual20-duration72',
      'hr0.7-treated60-control120-m2-posterior-accrual20-duration25',
      'hr0.7-treated60-control120-m2-posterior-accrual20-duration72',
    ]);
    // the dropout rate is the protocol's (0.01) where the design gives none
    expect(p.frame.scenarios[0]!.followUp).toEqual({
      accrual: 20,
      studyDuration: 25,
      dropoutRate: 0.01,
    });
    // one set of targets a follow-up for the effect that is not none; the marginal HR of a
    // short trial is not that of a long one
    const logHr = p.frame.targets.filter((t) => t.estimand === 'log-hr');
    expect(logHr.map((t) => t.followUp?.studyDuration)).toEqual([25, 72]);
    expect(logHr[0]!.estimate).not.toBe(logHr[1]!.estimate);
    const records = runTrials(p, [0, 1, 2]);
    expect(records.every((r) => r.error === undefined)).toBe(true);
    // the same patients, followed 5–25 months or 52–72: more events, so a smaller SE in every
    // trial (the registry's part of the variance does not shrink with follow-up)
    for (const t of [0, 1, 2]) {
      const se = (id: string) =>
        records.find((r) => r.trial === t && r.scenario === id)!.analyses!['primary']!.se;
      expect(se(p.frame.scenarios[1]!.id)).toBeLessThan(0.95 * se(p.frame.scenarios[0]!.id));
    }
  }, 60_000);

  test('a follow-up whose study ends before its accrual does, or given for another endpoint, is refused, located', () => {
    const problems = (text: string, name: string): string => {
      try {
        prepareDesign(writeDesign(text, name));
      } catch (err) {
        const all = [err as EcasimError, ...((err as EcasimError).related ?? [])];
        return all.map((e) => `${e.location ?? ''} ${e.message}`).join('\n');
      }
      return 'no error';
    };
    expect(
      problems(
        designText({
          truth: '\n  mode: posterior',
          scenarios: `\n  effect: 1\n  treatedN: 40\n  followUp:\n    - { accrual: 12, studyDuration: 36 }\n    - { accrual: 24, studyDuration: 20 }`,
        }),
        'follow-up-bad.yaml',
      ),
    ).toMatch(/follow-up-bad\.yaml:13:\d+ the study must last longer than its accrual/);
    // the flagship's RMST analysis restricts to τ = 24 months
    expect(
      problems(
        designText({
          truth: '\n  mode: posterior',
          scenarios: `\n  effect: 1\n  treatedN: 40\n  followUp: { accrual: 6, studyDuration: 20 }`,
        }),
        'follow-up-tau.yaml',
      ),
    ).toMatch(
      /follow-up-tau\.yaml:11:\d+ the protocol's RMST analysis restricts to τ = 24, beyond this follow-up/,
    );
    expect(
      problems(
        designText({
          protocol: `${ROOT}protocols/aml-remission.yaml`,
          truth: '\n  mode: posterior',
          scenarios: `\n  effect: 2\n  treatedN: 40\n  followUp: { accrual: 12, studyDuration: 36 }`,
        }),
        'follow-up-binary.yaml',
      ),
    ).toMatch(/follow-up-binary\.yaml:11:\d+ a follow-up axis needs a time-to-event outcome/);
  });
});
