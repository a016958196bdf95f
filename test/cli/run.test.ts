/**
 * `ecasim run` end to end on the flagship example: the outputs exist and agree with each other,
 * re-runs are byte-identical, SOURCE_DATE_EPOCH is the only clock, and --force replaces.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { EXIT } from '../../src/cli/errors.js';
import { ecasim, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeAll(() => {
  ws = makeWorkspace();
});
afterAll(() => ws.cleanup());

const FILES = ['results.json', 'synthetic-control.csv', 'dossier.html', 'manifest.json'];
const read = (dir: string, f: string): string => readFileSync(`${dir}/${f}`, 'utf8');
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('ecasim run on the flagship example', () => {
  let first: string;

  beforeAll(async () => {
    first = ws.path('a');
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', first]);
    if (r.code !== 0) throw new Error(r.stderr);
  });

  test('writes the four outputs and nothing else', () => {
    for (const f of FILES) expect(existsSync(`${first}/${f}`)).toBe(true);
    expect(ws.list().filter((n) => n.includes('partial'))).toEqual([]);
  });

  test('results.json has the stable keys and estimates consistent with their intervals', () => {
    const r = JSON.parse(read(first, 'results.json'));
    expect(r.schema).toBe('ecasim-results/1');
    expect(r.primary.measure).toBe('hazard-ratio');
    expect(r.primary.method).toBe('cox-iptw');
    expect(r.primary.lower).toBeLessThan(r.primary.estimate);
    expect(r.primary.estimate).toBeLessThan(r.primary.upper);
    expect(r.primary.estimate).toBeCloseTo(Math.exp(r.primary.logEstimate), 8);
    expect(r.primary.replicates).toHaveLength(20);
    expect(r.secondary.map((a: { name: string }) => a.name)).toEqual([
      'Unadjusted Cox',
      'Covariate-adjusted Cox',
      'RMST difference at 24 months',
    ]);
    expect(r.arms.treated.n).toBe(120);
    expect(r.arms.control.n).toBe(400);
    expect(r.control.replicates).toBe(20);
    expect(r.attrition.accepted).toBe(20 * 400);
    expect(r.attrition.steps.map((s: { remaining: number }) => s.remaining).at(-1)).toBe(20 * 400);
    expect(r.balance.weighted).toBe(true);
    expect(r.balance.rows.map((b: { name: string }) => b.name)).toContain('age');
    expect(r.sensitivity.eValue.estimate).toBeGreaterThan(1);
    expect(typeof r.successCriterion.met).toBe('boolean');
  });

  test('the manifest hashes every input and output', () => {
    const m = JSON.parse(read(first, 'manifest.json'));
    expect(m.inputs.map((i: { role: string }) => i.role)).toEqual([
      'protocol',
      'covariate model',
      'treated dataset',
    ]);
    expect(m.inputs[0].sha256).toBe(sha(readFileSync(ws.path('protocol.yaml'), 'utf8')));
    for (const o of m.outputs) expect(o.sha256).toBe(sha(read(first, o.path)));
    expect(m.resultsDigest).toBe(sha(read(first, 'results.json')));
    expect(m.createdAt).toBeUndefined();
  });

  test('the dossier holds the protocol, the estimate, an inline SVG chart and the digest, and fetches nothing', () => {
    const html = read(first, 'dossier.html');
    const r = JSON.parse(read(first, 'results.json'));
    expect(html).toContain('XTR-301-OS');
    expect(html).toContain(r.primary.estimate.toFixed(2));
    expect(html).toMatch(
      /<svg role="img"[^>]*><title>Overall survival: Kaplan–Meier estimates by arm<\/title>/,
    );
    expect(html).toContain(JSON.parse(read(first, 'manifest.json')).resultsDigest);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import|url\(/);
  });

  test('a re-run is byte-identical', async () => {
    const second = ws.path('b');
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', second]);
    expect(r.code).toBe(0);
    for (const f of FILES) expect(read(second, f)).toBe(read(first, f));
  });

  test('SOURCE_DATE_EPOCH dates the dossier and manifest but not the results', async () => {
    const dated = ws.path('c');
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', dated], {
      SOURCE_DATE_EPOCH: '1767225600',
    });
    expect(r.code).toBe(0);
    expect(read(dated, 'results.json')).toBe(read(first, 'results.json'));
    expect(read(dated, 'dossier.html')).toContain('2026-01-01T00:00:00.000Z');
    expect(JSON.parse(read(dated, 'manifest.json')).createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  test('another seed gives another control arm', async () => {
    const other = ws.path('d');
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', other, '--seed', '7']);
    expect(r.code).toBe(0);
    expect(read(other, 'synthetic-control.csv')).not.toBe(read(first, 'synthetic-control.csv'));
    expect(JSON.parse(read(other, 'results.json')).seed).toBe(7);
  });

  test('--force replaces an existing output directory', async () => {
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', first, '--force']);
    expect(r.code).toBe(0);
    expect(ws.list().filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('ecasim verify', () => {
  let dir: string;
  beforeAll(async () => {
    dir = ws.path('v');
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', dir, '--seed', '99'], {
      SOURCE_DATE_EPOCH: '1767225600',
    });
    if (r.code !== 0) throw new Error(r.stderr);
  });

  test('reproduces a run bit for bit, with its seed override and date', async () => {
    const r = await ecasim(['verify', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('verified: results digest');
    expect(r.stdout).not.toMatch(/CHANGED|DIFFERS/);
  });

  test('a tampered output fails with exit code 5', async () => {
    const file = `${dir}/synthetic-control.csv`;
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/\n[^\n]*\n$/, '\n'));
    try {
      const r = await ecasim(['verify', dir]);
      expect(r.code).toBe(EXIT.verification);
      expect(r.stdout).toContain('CHANGED synthetic-control.csv on disk');
    } finally {
      writeFileSync(file, original);
    }
  });

  test('a changed input is named', async () => {
    const file = ws.path('treated.csv');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('6.65,0', '6.66,0'));
    try {
      const r = await ecasim(['verify', dir]);
      expect(r.code).toBe(EXIT.verification);
      expect(r.stdout).toContain('input changed: treated dataset');
      expect(r.stderr).toContain('input(s) differ');
    } finally {
      writeFileSync(file, original);
    }
  });

  test('a directory without a manifest', async () => {
    const r = await ecasim(['verify', ws.dir]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('no manifest.json');
  });
});

describe('help, version and validate', () => {
  test.each([['run'], ['validate'], ['schema'], ['verify'], ['analyze']])(
    '%s --help',
    async (cmd) => {
      const r = await ecasim([cmd, '--help']);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toContain(`ecasim ${cmd}`);
    },
  );

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const r = await ecasim(['--version']);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('validate reports a valid protocol without writing anything', async () => {
    const before = ws.list();
    const r = await ecasim(['validate', ws.path('protocol.yaml')]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('valid');
    expect(r.stdout).toContain('120 patients');
    expect(ws.list()).toEqual(before);
  });

  test('validate checks a covariate model on its own', async () => {
    const r = await ecasim(['validate', ws.path('model.json')]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('valid covariate model');
    expect(r.stdout).toContain('sampling order sex → histology');
  });

  test('validate reports a bad model with its location', async () => {
    const bad = readFileSync(ws.path('model.json'), 'utf8').replace(
      '"format": "ecasim-model/1"',
      '"format": "ecasim-model/1", "extra": 1',
    );
    writeFileSync(ws.path('bad-model.json'), bad);
    const r = await ecasim(['validate', ws.path('bad-model.json')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/unknown key "extra" in covariate model/);
  });

  test('schema protocol prints a JSON Schema that the committed copy matches', async () => {
    const r = await ecasim(['schema', 'protocol']);
    const committed = readFileSync(
      new URL('../../schemas/protocol.schema.json', import.meta.url),
      'utf8',
    );
    expect(r.stdout).toBe(committed);
  });

  test('schema model prints a JSON Schema that the committed copy matches', async () => {
    const r = await ecasim(['schema', 'model']);
    const committed = readFileSync(
      new URL('../../schemas/model.schema.json', import.meta.url),
      'utf8',
    );
    expect(r.stdout).toBe(committed);
  });
});
