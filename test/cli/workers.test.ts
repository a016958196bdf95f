/**
 * Worker threads run the compiled JavaScript, so this test drives the built CLI (npm test builds
 * first): the outputs must be byte-identical for 1 and 3 workers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

const BIN = new URL('../../bin/ecasim.js', import.meta.url).pathname;
let ws: Workspace;
beforeAll(() => {
  ws = makeWorkspace();
});
afterAll(() => ws.cleanup());

test('the output does not depend on the number of workers', () => {
  for (const [dir, workers] of [
    ['one', '1'],
    ['three', '3'],
  ] as const) {
    execFileSync(
      process.execPath,
      [
        BIN,
        'run',
        ws.path('protocol.yaml'),
        '--out',
        ws.path(dir),
        '--workers',
        workers,
        '--replicates',
        '6',
        '--quiet',
      ],
      {
        stdio: 'pipe',
      },
    );
  }
  for (const f of ['results.json', 'synthetic-control.csv', 'dossier.html']) {
    expect(readFileSync(ws.path(`three/${f}`), 'utf8')).toBe(
      readFileSync(ws.path(`one/${f}`), 'utf8'),
    );
  }
  expect(JSON.parse(readFileSync(ws.path('one/results.json'), 'utf8')).control.replicates).toBe(6);
});
