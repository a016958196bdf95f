/**
 * `ecasim sample`: golden first rows for a fixed seed (test/simulate/golden/, written by
 * `ecasim sample examples/nsclc/truth-model.json --n 8 --seed 1` when the sampler was introduced; a change
 * means every seeded result changes and must be deliberate), prefix stability (n rows are the
 * first n of a larger draw), and a protocol replicate equal to the run's.
 */
import { readFileSync } from 'node:fs';
import { EXIT } from '../../src/cli/errors.js';
import { ecasim, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let ws: Workspace;
beforeAll(() => {
  ws = makeWorkspace();
});
afterAll(() => ws.cleanup());

test('a fixed seed gives the golden first rows', async () => {
  const r = await ecasim([
    'sample',
    `${ROOT}examples/nsclc/truth-model.json`,
    '--n',
    '8',
    '--seed',
    '1',
    '--out',
    ws.path('a.csv'),
  ]);
  expect(r.code).toBe(EXIT.ok);
  expect(readFileSync(ws.path('a.csv'), 'utf8')).toBe(
    readFileSync(`${ROOT}test/simulate/golden/nsclc-seed1-n8.csv`, 'utf8'),
  );
});

test('n rows are the first n rows of a larger draw (batch size does not matter)', async () => {
  await ecasim([
    'sample',
    `${ROOT}examples/nsclc/truth-model.json`,
    '--n',
    '50',
    '--seed',
    '1',
    '--out',
    ws.path('b.csv'),
  ]);
  const big = readFileSync(ws.path('b.csv'), 'utf8').split('\n');
  const small = readFileSync(`${ROOT}test/simulate/golden/nsclc-seed1-n8.csv`, 'utf8').split('\n');
  // ids are zero-padded to the width of n, so compare everything after the id
  const strip = (l: string) => l.slice(l.indexOf(','));
  expect(big.slice(1, 9).map(strip)).toEqual(small.slice(1, 9).map(strip));
});

test('with a protocol, replicate K is the control arm that run draws for replicate K', async () => {
  const run = await ecasim([
    'run',
    ws.path('protocol.yaml'),
    '--out',
    ws.path('run'),
    '--replicates',
    '3',
  ]);
  expect(run.code).toBe(EXIT.ok);
  const r = await ecasim([
    'sample',
    ws.path('model.json'),
    '--n',
    '400',
    '--seed',
    '20261123',
    '--protocol',
    ws.path('protocol.yaml'),
    '--replicate',
    '2',
    '--out',
    ws.path('r2.csv'),
  ]);
  expect(r.code).toBe(EXIT.ok);
  expect(r.stderr).toMatch(/acceptance rate \d+\.\d%/);
  const sampled = readFileSync(ws.path('r2.csv'), 'utf8').trim().split('\n').slice(1);
  const fromRun = readFileSync(ws.path('run/synthetic-control.csv'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('2,'));
  expect(sampled).toHaveLength(400);
  // run: replicate,id,sex,...,brain_mets,time,event; sample: id,sex,...,brain_mets,os,time,event
  const baseline = (cells: string[]) => cells.slice(0, 6).join(',');
  for (let i = 0; i < 400; i++) {
    const s = sampled[i]!.split(',').slice(1);
    const f = fromRun[i]!.split(',').slice(2);
    expect(baseline(s)).toBe(baseline(f));
    expect(s.slice(7)).toEqual(f.slice(6));
  }
});

test("a model other than the protocol's is refused", async () => {
  const r = await ecasim([
    'sample',
    `${ROOT}test/model/fixtures/moments.json`,
    '--n',
    '400',
    '--seed',
    '1',
    '--protocol',
    ws.path('protocol.yaml'),
    '--out',
    ws.path('x.csv'),
  ]);
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toContain('is not the one the protocol names');
  expect(ws.list()).not.toContain('x.csv');
});

test('an existing output file is refused without --force', async () => {
  const r = await ecasim([
    'sample',
    ws.path('model.json'),
    '--n',
    '3',
    '--seed',
    '1',
    '--out',
    ws.path('model.json'),
  ]);
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toContain('already exists');
});

test('--n must be a positive whole number', async () => {
  const r = await ecasim([
    'sample',
    ws.path('model.json'),
    '--n',
    '2.5',
    '--seed',
    '1',
    '--out',
    ws.path('y.csv'),
  ]);
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toContain('--n must be a whole number from 1 to 10000000, found "2.5"');
});
