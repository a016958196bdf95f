/**
 * `ecasim fit` as a command (fitCommand, in process): writes the model atomically, refuses an
 * existing file without --force, prints the graph and warnings; --epsilon with --seed is
 * reproducible; --seed alone is refused.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitCommand, formatFit, type FitArgs } from '../../src/cli/fit.js';
import { UsageError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/output.js';
import { cohortTable, fitModel } from '../../src/model/fit.js';
import { loadFitSpec } from '../../src/model/fit-spec.js';
import { loadModel } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';

let dir: string;
const out: string[] = [];
const ctx = { stdout: (t: string) => void out.push(t), stderr: () => undefined, env: {} };
const SPEC = 'test/model/fit-fixtures/fit.yaml';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-fit-'));
  const t = cohortTable(
    sampleCohort(loadModel('test/model/fit-fixtures/truth.json'), 2000, createStream(5)),
    ['os'],
    'registry.csv',
    40,
  );
  writeFileSync(
    join(dir, 'registry.csv'),
    [t.header.join(','), ...t.rows.map((r) => r.join(','))].join('\n') + '\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => (out.length = 0));

const args = (o: Partial<FitArgs>): FitArgs => ({
  registry: join(dir, 'registry.csv'),
  spec: SPEC,
  out: join(dir, 'model.json'),
  force: false,
  ...o,
});

test('writes a model that loads, and prints the graph', () => {
  fitCommand(args({}), ctx);
  const m = loadModel(join(dir, 'model.json'));
  expect(m.model.provenance).toMatchObject({
    registry: 'Simulated lung cancer registry',
    extractDate: '2026-06-30',
    n: 2000,
    derivation: { method: 'fitted', epsilon: null },
  });
  expect(m.model.provenance.derivation.software).toMatch(/^ecasim \d+\.\d+\.\d+/);
  expect(m.model.variables['os']!.parents).toContain('stage');
  const text = out.join('');
  expect(text).toMatch(/fitted 7 variables from 2000 complete cases/);
  expect(text).toMatch(/os \(time-to-event\) ← /);
  expect(text).toMatch(/wrote .*model\.json/);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test("prints the log-likelihood and AIC, and each outcome parent's effect", () => {
  const t = cohortTable(
    sampleCohort(loadModel('test/model/fit-fixtures/truth.json'), 2000, createStream(5)),
    ['os'],
    'registry.csv',
    40,
  );
  const r = fitModel(t, loadFitSpec(SPEC));
  const text = formatFit(r, 'model.json');
  const parts = Object.values(r.likelihood!);
  const ll = parts.reduce((s, x) => s + x.logLik, 0);
  const k = parts.reduce((s, x) => s + x.dof, 0);
  expect(text).toContain(
    `log-likelihood ${ll.toFixed(2)} with ${k} parameters; AIC ${(-2 * ll + 2 * k).toFixed(2)}`,
  );
  const os = r.likelihood!['os']!;
  expect(text).toContain(`  os: log-likelihood ${os.logLik.toFixed(2)}, ${os.dof} parameters`);
  expect(text).toContain('outcome os, effect of each parent (log HR, SE):');
  for (const e of r.estimates['os']!.filter((x) => !x.term.startsWith('log(')))
    expect(text).toContain(
      `  ${e.term}: ${e.estimate.toFixed(4)} (${e.se.toFixed(4)}); HR ${Math.exp(e.estimate).toFixed(3)}`,
    );
  // a differentially private fit has noised tables: no likelihood is claimed for it
  out.length = 0;
  fitCommand(args({ out: join(dir, 'dp-ll.json'), epsilon: 5, seed: 1 }), ctx);
  expect(out.join('')).not.toContain('log-likelihood');
});

test('refuses an existing file without --force; replaces it with --force', () => {
  writeFileSync(join(dir, 'keep.json'), 'old');
  expect(() => fitCommand(args({ out: join(dir, 'keep.json') }), ctx)).toThrow(UsageError);
  expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('old');
  fitCommand(args({ out: join(dir, 'keep.json'), force: true }), ctx);
  expect(JSON.parse(readFileSync(join(dir, 'keep.json'), 'utf8')).format).toBe('ecasim-model/1');
});

test('--epsilon with --seed is reproducible and recorded; --seed alone is refused', () => {
  fitCommand(args({ out: join(dir, 'dp1.json'), epsilon: 2, seed: 99 }), ctx);
  fitCommand(args({ out: join(dir, 'dp2.json'), epsilon: 2, seed: 99 }), ctx);
  const a = readFileSync(join(dir, 'dp1.json'), 'utf8');
  expect(readFileSync(join(dir, 'dp2.json'), 'utf8')).toBe(a);
  const m = JSON.parse(a) as { provenance: { derivation: { epsilon: number; notes: string } } };
  expect(m.provenance.derivation.epsilon).toBe(2);
  expect(m.provenance.derivation.notes).not.toMatch(/99/); // the seed is a secret
  expect(out.join('')).toMatch(/with differential privacy \(ε = 2\)/);
  expect(() => fitCommand(args({ out: join(dir, 'x.json'), seed: 1 }), ctx)).toThrow(
    /--seed applies only with --epsilon/,
  );
});

test('writeFileAtomic leaves no partial file when the directory is missing', () => {
  expect(() => writeFileAtomic(join(dir, 'nope', 'm.json'), '{}')).toThrow(
    /directory does not exist/,
  );
});
