/**
 * The design's missing-value axis (`scenarios.missing`): missing values put into one covariate of
 * the treated arm, completely at random or at random given another covariate, then handled as the
 * protocol's `inputs.treated.missing` says. The masking itself (shares, the MAR tilt, nesting
 * across shares, the exclude policy), the grid and its located errors, and a design run with it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CategoricalColumn, NumericColumn } from '../../src/cohort.js';
import { prepareDesign, runTrials } from '../../src/design/index.js';
import { drawTreated, withMissingValues } from '../../src/design/truth.js';
import type { EcasimError } from '../../src/errors.js';
import { MISSING_CODE } from '../../src/protocol/treated.js';
import { createStream } from '../../src/random/index.js';
import { flagshipDesignHead, writeFlagshipFit } from '../helpers/design.js';

let dir: string;

const design = (scenarios: string, name: string): string => {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      ...flagshipDesignHead('missing test'),
      'trials: 3',
      'seed: 11',
      'estimandN: 2000',
      `scenarios:${scenarios}`,
      '',
    ].join('\n'),
  );
  return file;
};
const GRID = `\n  effect: 1\n  treatedN: 60\n  controlRatio: 1\n  replicates: 2\n  registryN: 300`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-design-missing-'));
  writeFlagshipFit(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('withMissingValues', () => {
  const ctx = () =>
    prepareDesign(design(`${GRID}\n  missing: { variable: ecog, share: [0, 0.2] }`, 'mcar.yaml'))
      .context;
  const arm = () => {
    const c = ctx();
    return drawTreated(c.truth, c.treated, 2000, 1, createStream(3, 1, 0));
  };

  test('MCAR: about the share, as the missing-cell code, listed for imputation', () => {
    const a = arm();
    const m = { variable: 'ecog', share: 0.3, dependsOn: null, oddsRatio: 1 };
    const out = withMissingValues(a, m, 'impute', createStream(3, 9, 0));
    const codes = (out.covariates.columns.get('ecog') as CategoricalColumn).codes;
    const rows = [...codes.keys()].filter((i) => codes[i] === MISSING_CODE);
    // Binomial(2000, 0.3): SD 20.5, so ±4 SD is ±82
    expect(Math.abs(rows.length - 600)).toBeLessThan(82);
    expect(out.missing.cells).toEqual([{ variable: 'ecog', rows: Int32Array.from(rows) }]);
    expect(out.missing.byVariable).toEqual([
      { variable: 'ecog', column: 'ecog', missing: rows.length },
    ]);
    // the other cells and the input arm are untouched
    const before = (a.covariates.columns.get('ecog') as CategoricalColumn).codes;
    expect(before.includes(MISSING_CODE)).toBe(false);
    for (let i = 0; i < a.n; i++) if (codes[i] !== MISSING_CODE) expect(codes[i]).toBe(before[i]);
    expect(out.covariates.columns.get('age')).toBe(a.covariates.columns.get('age'));
  });

  test('MAR on age: the older patients miss more often, the share is kept, and shares nest', () => {
    const a = arm();
    const age = (a.covariates.columns.get('age') as NumericColumn).values;
    const masked = (share: number) => {
      const out = withMissingValues(
        a,
        { variable: 'ecog', share, dependsOn: 'age', oddsRatio: 3 },
        'impute',
        createStream(3, 9, 1),
      );
      return new Set(out.missing.cells[0]?.rows ?? []);
    };
    const low = masked(0.2);
    const high = masked(0.4);
    expect(Math.abs(low.size - 400)).toBeLessThan(80);
    expect(Math.abs(high.size - 800)).toBeLessThan(90);
    for (const i of low) expect(high.has(i)).toBe(true);
    const meanAge = (rows: number[]) => rows.reduce((s, i) => s + age[i]!, 0) / rows.length;
    const all = [...age.keys()];
    const missingAge = meanAge([...high]);
    const observedAge = meanAge(all.filter((i) => !high.has(i)));
    // an odds ratio of 3 per SD moves the missing patients' mean age well above the observed
    expect(missingAge - observedAge).toBeGreaterThan(4);
    expect(masked(0).size).toBe(0);
  });

  test('the exclude policy drops the incomplete patients and counts them', () => {
    const a = arm();
    const out = withMissingValues(
      a,
      { variable: 'age', share: 0.25, dependsOn: 'ecog', oddsRatio: 2 },
      'exclude',
      createStream(3, 9, 2),
    );
    expect(out.missing.excluded).toBe(a.n - out.n);
    expect(out.missing.excluded).toBeGreaterThan(400);
    expect(out.missing.cells).toEqual([]);
    const age = (out.covariates.columns.get('age') as NumericColumn).values;
    expect(age.some((x) => Number.isNaN(x))).toBe(false);
    expect(out.time.length).toBe(out.n);
  });
});

test('the grid has a scenario per share, and a run imputes reproducibly', () => {
  const p = prepareDesign(
    design(
      `${GRID}\n  missing: { variable: ecog, share: [0, 0.3], dependsOn: age, oddsRatio: 2 }`,
      'mar.yaml',
    ),
  );
  expect(p.frame.scenarios.map((s) => s.id)).toEqual([
    'hr1-treated60-control60-m2-registry300-drift1-missing-ecog0',
    'hr1-treated60-control60-m2-registry300-drift1-missing-ecog0.3',
  ]);
  const a = runTrials(p, [0, 1]);
  expect(a.every((r) => r.error === undefined)).toBe(true);
  // the same trials twice: the same numbers; the masked scenario differs from the complete one
  expect(runTrials(p, [0, 1])).toEqual(a);
  const q = (id: string) => a.filter((r) => r.scenario === id).map((r) => r.analyses!.primary!.q);
  expect(q(p.frame.scenarios[1]!.id)).not.toEqual(q(p.frame.scenarios[0]!.id));
  // the unadjusted analysis does not read the covariates: untouched by the masking
  const u = (id: string) =>
    a.filter((r) => r.scenario === id).map((r) => r.analyses!['secondary.0']!.q);
  expect(u(p.frame.scenarios[1]!.id)).toEqual(u(p.frame.scenarios[0]!.id));
}, 120_000);

test('a missing-value axis with problems is refused, every problem located', () => {
  const problems = (missing: string): string => {
    try {
      prepareDesign(design(`${GRID}\n  missing: ${missing}`, 'bad.yaml'));
    } catch (err) {
      const all = [err as EcasimError, ...((err as EcasimError).related ?? [])];
      return all.map((e) => `${e.location ?? ''} ${e.message}`).join('\n');
    }
    throw new Error('no error');
  };
  expect(problems('{ variable: weight, share: 0.2 }')).toMatch(
    /bad\.yaml:16:\d+ "weight" is not a covariate of the treated data/,
  );
  expect(problems('{ variable: ecog, share: 0.2, dependsOn: ecog, oddsRatio: 2 }')).toMatch(
    /bad\.yaml:16:\d+ missingness cannot depend on the missing value itself/,
  );
  expect(problems('{ variable: ecog, share: 0.2, oddsRatio: 2 }')).toMatch(
    /bad\.yaml:16:\d+ oddsRatio needs dependsOn/,
  );
  expect(problems('{ variable: ecog, share: 0.2, dependsOn: age }')).toMatch(
    /bad\.yaml:16:\d+ dependsOn needs oddsRatio/,
  );
  expect(problems('{ variable: ecog, share: 1 }')).toMatch(/share/);
});
