/**
 * The examples run as they are and reproduce their committed digests; the flagship's fitted
 * model is reproduced by `ecasim fit` from its registry extract (so the two never drift).
 * A digest change means every number of that example changed: update
 * examples/expected-digests.json only when the change is intended, and say why in the commit.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { EXIT } from '../../src/cli/errors.js';
import { ecasim, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const expected = JSON.parse(
  readFileSync(`${ROOT}examples/expected-digests.json`, 'utf8'),
) as Record<string, string>;
const protocols = readdirSync(`${ROOT}protocols`)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

let ws: Workspace;
beforeAll(() => {
  ws = makeWorkspace();
});
afterAll(() => ws.cleanup());

test('every protocol in protocols/ has an expected digest', () => {
  expect(Object.keys(expected).sort()).toEqual(protocols);
});

test.each(protocols)('%s runs and reproduces its digest', async (file) => {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const r = await ecasim(['run', `protocols/${file}`, '--out', ws.path(file), '--quiet']);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(EXIT.ok);
    const manifest = JSON.parse(readFileSync(ws.path(`${file}/manifest.json`), 'utf8'));
    expect(manifest.resultsDigest).toBe(expected[file]);
    const v = await ecasim(['verify', ws.path(file)]);
    expect(v.code).toBe(EXIT.ok);
    expect(v.stdout).toContain(`verified: results digest ${expected[file]} reproduced`);
  } finally {
    process.chdir(cwd);
  }
});

test('ecasim fit reproduces the flagship model from its registry extract', async () => {
  const r = await ecasim([
    'fit',
    `${ROOT}examples/nsclc/registry.csv`,
    '--spec',
    `${ROOT}examples/nsclc/fit.yaml`,
    '--out',
    ws.path('model.json'),
    '--force',
  ]);
  expect(r.code).toBe(EXIT.ok);
  expect(readFileSync(ws.path('model.json'), 'utf8')).toBe(
    readFileSync(`${ROOT}examples/nsclc/model.json`, 'utf8'),
  );
});

test('ecasim audit runs on the flagship registry extract and its holdout without flagging a leak', async () => {
  const r = await ecasim([
    'audit',
    '--model',
    `${ROOT}examples/nsclc/model.json`,
    '--registry',
    `${ROOT}examples/nsclc/registry.csv`,
    '--holdout',
    `${ROOT}examples/nsclc/holdout.csv`,
    '--time',
    'os_time',
    '--event',
    'os_event',
    '--out',
    ws.path('audit'),
  ]);
  expect(r.code).toBe(EXIT.ok);
  const audit = JSON.parse(readFileSync(ws.path('audit/audit.json'), 'utf8'));
  expect(audit.privacy.leaking).toBe(false);
  expect(readFileSync(ws.path('audit/audit.html'), 'utf8')).toContain('<html');
});

test('audit --protocol takes the model and extracts from the protocol, and the run shows the audit', async () => {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const r = await ecasim([
      'audit',
      '--protocol',
      'protocols/nsclc-os.yaml',
      '--out',
      ws.path('audit-p'),
    ]);
    expect(r.code).toBe(EXIT.ok);
    const audit = JSON.parse(readFileSync(ws.path('audit-p/audit.json'), 'utf8'));
    expect(audit.inputs.map((i: { role: string }) => i.role)).toEqual(
      expect.arrayContaining(['model', 'registry', 'holdout']),
    );
  } finally {
    process.chdir(cwd);
  }
  const results = JSON.parse(readFileSync(ws.path('nsclc-os.yaml/results.json'), 'utf8'));
  expect(results.audit.registry).toBe('../examples/nsclc/registry.csv');
  expect(results.audit.privacy.leaking).toBe(false);
  const html = readFileSync(ws.path('nsclc-os.yaml/dossier.html'), 'utf8');
  expect(html).toContain('Audit of the covariate model against its registry');
});
