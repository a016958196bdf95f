/** manifest.json: built from injected file contents, read back with checks, and the dossier's record. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { sha256 } from '../../src/io/output.js';
import {
  buildManifest,
  inputRecords,
  readManifest,
  readResults,
  reproFromManifest,
} from '../../src/run/manifest.js';
import { prepareRun } from '../../src/run/prepare.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let dir: string;
beforeAll(() => {
  ws = makeWorkspace();
  dir = mkdtempSync(join(tmpdir(), 'ecasim-manifest-'));
});
afterAll(() => {
  ws.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const versions = { ecasim: '9.9.9', dependencies: { yaml: '2.0.0' } };

test('inputs are hashed from what the injected reader returns, by the paths the protocol names', () => {
  const prepared = prepareRun(ws.path('protocol.yaml'));
  const read: string[] = [];
  const records = inputRecords(prepared, (file) => {
    read.push(file);
    return new TextEncoder().encode('treated bytes');
  });
  expect(records.map((r) => r.role)).toEqual(['protocol', 'covariate model', 'treated dataset']);
  expect(records[2]).toEqual({
    role: 'treated dataset',
    path: 'treated.csv',
    sha256: sha256('treated bytes'),
  });
  expect(read).toEqual([prepared.loaded.paths.treated]);
});

test('buildManifest records the run; reproFromManifest leaves out the dossier and manifest', () => {
  const outputs = [
    { role: 'results', path: 'results.json', sha256: 'a' },
    { role: 'dossier', path: 'dossier.html', sha256: 'b' },
  ];
  const m = buildManifest(
    { protocolFile: 'p.yaml', command: 'ecasim run p.yaml --out DIR', seed: 5, outDir: 'out' },
    versions,
    [],
    outputs,
    'a',
  );
  expect(m.run).toEqual({
    protocol: 'p.yaml',
    protocolFromOutput: join('..', 'p.yaml'),
    seedOverride: null,
    replicatesOverride: null,
    sourceDateEpoch: null,
    templates: null,
  });
  expect(m.createdAt).toBeUndefined();
  const repro = reproFromManifest(m);
  expect(repro.outputs.map((o) => o.path)).toEqual(['results.json']);
  expect(repro.software[0]).toEqual({ name: 'ecasim', version: '9.9.9' });
});

test('readManifest and readResults check presence, JSON and schema', () => {
  expect(() => readManifest(dir)).toThrow(/no manifest.json in/);
  writeFileSync(join(dir, 'manifest.json'), '{not json');
  expect(() => readManifest(dir)).toThrow(InputError);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ schema: 'other/1' }));
  expect(() => readManifest(dir)).toThrow(/not an ecasim-manifest\/1 manifest/);
  const m = buildManifest({ protocolFile: 'p.yaml', command: 'c', seed: 1 }, versions, [], [], 'd');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  expect(readManifest(dir)).toEqual(m);
  try {
    readResults(dir, 'ecasim render');
    throw new Error('expected an error');
  } catch (err) {
    expect((err as InputError).details.hint).toContain('point ecasim render at');
  }
});
