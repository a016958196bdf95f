/**
 * `ecasim design` and `ecasim merge` through the CLI: shards from --shard and from a scheduler's
 * index variable merge to the bytes of one process; bad flags and bad shards are refused with a
 * located message, the right exit code and nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/errors.js';
import { flagshipDesignHead, writeFlagshipFit } from '../helpers/design.js';
import { ecasim } from '../helpers/workspace.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;
const at = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-design-cli-'));
  writeFlagshipFit(dir);
  writeFileSync(
    at('design.yaml'),
    [
      ...flagshipDesignHead('cli design'),
      'trials: 3',
      'seed: 9',
      'estimandN: 2000',
      'scenarios: { effect: 0.7, treatedN: 40, controlRatio: 1, replicates: 2, registryN: 200 }',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('two shards, one from --shard and one from JOB_COMPLETION_INDEX, merge to one process’s bytes', async () => {
  const a = await ecasim(['design', at('design.yaml'), '--shard', '0/2', '--out', at('shards')]);
  expect(a).toMatchObject({ code: 0, stderr: '' });
  expect(a.stdout).toMatch(/shard 0 of 2, 2 of 3 trials × 1 scenarios\nwrote .*shard-0-of-2\.json/);
  const b = await ecasim(['design', at('design.yaml'), '--shards', '2', '--out', at('shards')], {
    JOB_COMPLETION_INDEX: '1',
  });
  expect(b.code).toBe(0);
  expect(readdirSync(at('shards')).sort()).toEqual(['shard-0-of-2.json', 'shard-1-of-2.json']);
  const m = await ecasim([
    'merge',
    at('shards/shard-1-of-2.json'),
    at('shards/shard-0-of-2.json'),
    '--out',
    at('merged'),
  ]);
  expect(m.code).toBe(0);
  expect(m.stdout).toMatch(/hr0\.7-treated40-control40-m2-registry200-drift1: power/);
  const one = await ecasim(['design', at('design.yaml'), '--out', at('one'), '--quiet']);
  expect(one.code).toBe(0);
  for (const f of ['design.json', 'design.html'])
    expect(readFileSync(at(`merged/${f}`), 'utf8')).toBe(readFileSync(at(`one/${f}`), 'utf8'));
  expect(readdirSync(at('one')).sort()).toEqual(['design.html', 'design.json', 'manifest.json']);
  // a shard file is not replaced without --force
  const again = await ecasim([
    'design',
    at('design.yaml'),
    '--shard',
    '0/2',
    '--out',
    at('shards'),
  ]);
  expect(again.code).toBe(EXIT.usage);
  expect(again.stderr).toMatch(/shard-0-of-2\.json already exists/);
}, 120_000);

describe('refused before anything runs, nothing written', () => {
  const refused = async (args: string[], env: Record<string, string> = {}) => {
    const r = await ecasim(['design', at('design.yaml'), '--out', at('never'), ...args], env);
    expect(existsSync(at('never'))).toBe(false);
    return r;
  };

  test.each([
    [['--shard', '2/2'], /--shard must be i\/N with 0 ≤ i < N ≤ 100000, found "2\/2"/],
    [['--shard', 'one/two'], /--shard must be i\/N .* found "one\/two"/],
    [['--shard', '0/0'], /--shard must be i\/N/],
    [['--shards', '0'], /--shards must be a whole number from 1 to 100000, found "0"/],
    [['--shard', '0/2', '--shards', '2'], /--shard and --shards are given together/],
    [
      ['--shards', '3'],
      /--shards 3 needs the shard index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX/,
    ],
  ])('%j', async (args, message) => {
    const r = await refused(args);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
  });

  test('a scheduler index out of range is named with its variable', async () => {
    const r = await refused(['--shards', '3'], { SLURM_ARRAY_TASK_ID: '3' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(
      /SLURM_ARRAY_TASK_ID must be a shard index from 0 to 2 for --shards 3, found "3"/,
    );
  });

  test('a design with an unknown key: located, exit 3', async () => {
    writeFileSync(
      at('bad.yaml'),
      readFileSync(at('design.yaml'), 'utf8').replace('trials: 3', 'trails: 3'),
    );
    const r = await ecasim(['design', at('bad.yaml'), '--out', at('never')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(
      /bad\.yaml:7:1.*unknown key "trails" in design — did you mean "trials"\?/,
    );
    expect(existsSync(at('never'))).toBe(false);
  });
});

test('merge names a missing shard, refuses a file that is not one, and writes nothing', async () => {
  const shard = await ecasim(['design', at('design.yaml'), '--shard', '0/3', '--out', at('three')]);
  expect(shard.code).toBe(0);
  const r = await ecasim(['merge', at('three/shard-0-of-3.json'), '--out', at('nomerge')]);
  expect(r.code).toBe(EXIT.input);
  expect(r.stderr).toMatch(
    /trials 1–2 of 3 are in no shard \(missing shards: shard-1-of-3\.json, shard-2-of-3\.json\)/,
  );
  const notShard = await ecasim(['merge', at('design.yaml'), '--out', at('nomerge')]);
  expect(notShard.code).toBe(EXIT.input);
  expect(notShard.stderr).toMatch(/design\.yaml is not JSON/);
  const none = await ecasim(['merge', at('nowhere.json'), '--out', at('nomerge')]);
  expect(none.code).toBe(EXIT.input);
  expect(none.stderr).toMatch(/shard file not found: .*nowhere\.json/);
  expect(existsSync(at('nomerge'))).toBe(false);
}, 60_000);

test('ecasim schema design prints the design format', async () => {
  const r = await ecasim(['schema', 'design']);
  expect(r.code).toBe(0);
  const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
  expect(Object.keys(schema.properties)).toEqual(
    expect.arrayContaining(['name', 'protocol', 'truth', 'trials', 'seed', 'scenarios']),
  );
  expect(JSON.parse(readFileSync(`${ROOT}schemas/design.schema.json`, 'utf8'))).toEqual(schema);
});

test('ecasim verify re-runs a design and finds its outputs reproduced; after a merge it needs --design', async () => {
  const out = at('verify-me');
  expect((await ecasim(['design', at('design.yaml'), '--out', out, '--quiet'])).code).toBe(0);
  const ok = await ecasim(['verify', out]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/ok +design\.json reproduced\n +ok +design\.html reproduced/);
  expect(ok.stdout).toMatch(
    /verified: design digest [0-9a-f]{64}; design\.json and design\.html reproduced/,
  );
  // an output edited on disk is caught
  writeFileSync(join(out, 'design.html'), readFileSync(join(out, 'design.html'), 'utf8') + ' ');
  const edited = await ecasim(['verify', out]);
  expect(edited.code).toBe(EXIT.verification);
  expect(edited.stdout).toMatch(/CHANGED design\.html on disk/);
  // a merged output does not know its design file
  const merged = at('merged');
  const noDesign = await ecasim(['verify', merged]);
  expect(noDesign.code).toBe(EXIT.input);
  expect(noDesign.stderr).toMatch(/merged from shards and does not record its design file/);
  const withDesign = await ecasim(['verify', merged, '--design', at('design.yaml')]);
  expect(withDesign.code).toBe(0);
}, 120_000);

test('an interrupted design leaves no output directory and no staging directory', async () => {
  const { spawn } = await import('node:child_process');
  // a design long enough to be interrupted: 40 trials
  writeFileSync(
    at('long.yaml'),
    readFileSync(at('design.yaml'), 'utf8').replace('trials: 3', 'trials: 40'),
  );
  const child = spawn(
    process.execPath,
    [`${ROOT}bin/ecasim.js`, 'design', at('long.yaml'), '--out', at('interrupted'), '--quiet'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 2500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) =>
    child.on('exit', (c, signal) => r(c ?? (signal ? 130 : null))),
  );
  expect(code).not.toBe(0);
  expect(readdirSync(dir).filter((f) => f.includes('interrupted'))).toEqual([]);
}, 30_000);
