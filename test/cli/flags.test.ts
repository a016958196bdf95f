/**
 * Issue 12: every flag of every command is checked up front, in the message form of protocol
 * fields (the flag, the value as typed, the range, what to do), with exit code 2 and nothing
 * written; an unknown command is a usage error with or without --help.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/errors.js';
import { ecasim, edit, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MODEL = join(ROOT, 'examples/nsclc/model.json');

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

/** Runs `args` (with `@` standing for the workspace); asserts a usage error that wrote nothing. */
async function refused(args: string[]): Promise<string> {
  const before = ws.list();
  const r = await ecasim(args.map((a) => a.replace(/^@/, `${ws.dir}/`)));
  expect(ws.list()).toEqual(before);
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(EXIT.usage);
  return r.stderr;
}

const run = (...flags: string[]) => ['run', '@protocol.yaml', '--out', '@out', ...flags];

describe('ecasim run', () => {
  test.each([['abc'], ['-5'], ['1.5'], ['1,2'], ['4294967296'], ['']])('--seed %j', async (v) => {
    const err = await refused(run('--seed', v));
    expect(err).toContain(
      `--seed must be a whole number from 0 to 4294967295, found ${JSON.stringify(v)}`,
    );
    expect(err).toContain('field: --seed');
    expect(err).toContain(
      "what to do: give --seed a whole number from 0 to 4294967295, or leave it out to use the protocol's control.seed",
    );
  });

  test.each([['1'], ['abc'], ['10001']])('--replicates %j', async (v) => {
    const err = await refused(run('--replicates', v));
    expect(err).toContain(
      `--replicates must be a whole number from 2 to 10000, found ${JSON.stringify(v)}`,
    );
    expect(err).toContain('at least 2 replicates are needed to combine them');
  });

  test.each([['abc'], ['1.5'], ['0'], ['-1'], ['']])('--workers %j', async (v) => {
    const err = await refused(run('--workers', v));
    expect(err).toContain(
      `--workers must be a whole number from 1 to 1024, found ${JSON.stringify(v)}`,
    );
  });

  test('a flag given twice', async () => {
    const err = await refused(run('--seed', '1', '--seed', '2'));
    expect(err).toContain('--seed is given 2 times ("1", "2")');
  });

  test('a flag without its value', async () => {
    const err = await refused(run('--workers'));
    expect(err).toContain('Not enough arguments following: workers');
  });

  test('a templates directory that does not exist', async () => {
    const err = await refused(run('--templates', '@nope'));
    expect(err).toMatch(/--templates must be an existing directory, found ".*nope"/);
  });

  test('an unknown flag', async () => {
    const err = await refused(run('--sed', '3'));
    expect(err).toContain('Unknown argument: sed');
  });
});

describe('ecasim sample', () => {
  const sample = (...flags: string[]) => ['sample', MODEL, '--out', '@v.csv', ...flags];

  test.each([['1e15'], ['0'], ['2.5'], ['abc']])('--n %j', async (v) => {
    const err = await refused(sample('--n', v, '--seed', '1'));
    expect(err).toContain(
      `--n must be a whole number from 1 to 10000000, found ${JSON.stringify(v)}`,
    );
    expect(err).toContain('draw several files with different --replicate');
  });

  test('--seed and --replicate', async () => {
    expect(await refused(sample('--n', '5', '--seed', 'x'))).toContain(
      '--seed must be a whole number from 0 to 4294967295, found "x"',
    );
    expect(await refused(sample('--n', '5', '--seed', '1', '--replicate', '-1'))).toContain(
      '--replicate must be a whole number from 0 to 4294967295, found "-1"',
    );
  });

  test('an existing --out file is refused before sampling', async () => {
    const err = await refused([
      'sample',
      MODEL,
      '--n',
      '5',
      '--seed',
      '1',
      '--out',
      '@treated.csv',
    ]);
    expect(err).toContain('already exists');
    expect(err).toContain('--force');
  });
});

describe('ecasim fit, analyze, audit, render', () => {
  test('fit --epsilon and --seed', async () => {
    const fit = (...f: string[]) => [
      'fit',
      '@reg.csv',
      '--spec',
      '@s.yaml',
      '--out',
      '@m.json',
      ...f,
    ];
    expect(await refused(fit('--epsilon', '0'))).toContain(
      '--epsilon must be a number > 0, found "0"',
    );
    expect(await refused(fit('--epsilon', 'abc'))).toContain(
      '--epsilon must be a number > 0, found "abc"',
    );
    expect(await refused(fit('--epsilon', '1', '--seed', '1.5'))).toContain(
      '--seed must be a whole number from 0 to 9007199254740991, found "1.5"',
    );
    expect(await refused(fit('--seed', '1'))).toContain('--seed applies only with --epsilon');
  });

  test('analyze --tau', async () => {
    const args = ['analyze', '--treated', 't', '--control', 'c', '--time', 't', '--event', 'e'];
    expect(await refused([...args, '--tau', '-1'])).toContain(
      '--tau must be a number > 0, found "-1"',
    );
    expect(await refused([...args, '--tau', 'soon'])).toContain(
      '--tau must be a number > 0, found "soon"',
    );
  });

  test.each([
    ['--alpha', '1', 'a number > 0 and < 1'],
    ['--threshold', '2', 'a number > 0 and < 1'],
    ['--k', '1', 'a whole number from 2 to 1000000'],
    ['--bins', 'x', 'a whole number from 2 to 1000'],
    ['--bootstrap', '5', 'a whole number from 20 to 1000000'],
    ['--seed', '-1', 'a whole number from 0 to 4294967295'],
    ['--n', '0', 'a whole number from 1 to 10000000'],
  ])('audit %s %j', async (flag, v, expected) => {
    const err = await refused([
      'audit',
      '--model',
      MODEL,
      '--registry',
      '@r.csv',
      '--out',
      '@a',
      flag,
      v,
    ]);
    expect(err).toContain(`${flag} must be ${expected}, found ${JSON.stringify(v)}`);
  });

  test('render --paper', async () => {
    expect(await refused(['render', ws.dir, '--paper', 'A4'])).toContain(
      '--paper must be one of a4, letter, found "A4" — did you mean "a4"?',
    );
  });
});

describe('commands', () => {
  test('an unknown command is a usage error, also with --help', async () => {
    for (const args of [['nosuchcommand'], ['nosuchcommand', '--help'], ['valdate', '-h']]) {
      const r = await ecasim(args);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`unknown command "${args[0]}"`);
    }
    expect((await ecasim(['valdate'])).stderr).toContain('did you mean "validate"?');
  });

  test('--help and --version still work', async () => {
    const help = await ecasim(['--help']);
    expect(help.code).toBe(EXIT.ok);
    for (const c of [
      'run',
      'render',
      'validate',
      'verify',
      'sample',
      'fit',
      'analyze',
      'audit',
      'schema',
    ]) {
      expect(help.stdout).toContain(`ecasim ${c}`);
    }
    const runHelp = await ecasim(['run', '--help']);
    expect(runHelp.code).toBe(EXIT.ok);
    expect(runHelp.stdout).toContain('--replicates');
    expect((await ecasim(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

test("audit --protocol uses the protocol's seed unless --seed is given", async () => {
  writeFileSync(
    ws.path('protocol.yaml'),
    edit(readFileSync(ws.path('protocol.yaml'), 'utf8'), 'seed: 20261123', 'seed: 7') +
      'audit:\n  registry: registry.csv\n  time: os_time\n  event: os_event\n  n: 200\n',
  );
  copyFileSync(join(ROOT, 'examples/nsclc/registry.csv'), ws.path('registry.csv'));
  const base = ['audit', '--protocol', ws.path('protocol.yaml'), '--bootstrap', '20'];
  const r = await ecasim([...base, '--out', ws.path('a')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(EXIT.ok);
  const audit = JSON.parse(readFileSync(ws.path('a/audit.json'), 'utf8'));
  expect(audit.seed).toBe(7);
  expect(audit.data.synthetic).toBe(200);
  const s = await ecasim([...base, '--seed', '9', '--out', ws.path('b')]);
  expect(s.code).toBe(EXIT.ok);
  expect(JSON.parse(readFileSync(ws.path('b/audit.json'), 'utf8')).seed).toBe(9);
}, 120_000);

test('schema problems and expression problems of a protocol are reported in one round', async () => {
  writeFileSync(
    ws.path('protocol.yaml'),
    edit(
      edit(readFileSync(ws.path('protocol.yaml'), 'utf8'), 'alpha: 0.05', 'alpha: 1.5'),
      'expression: age >= 18',
      'expression: agee >= 18',
    ),
  );
  const r = await ecasim(['validate', ws.path('protocol.yaml')]);
  expect(r.code).toBe(EXIT.input);
  expect(r.stderr).toContain('analysis.alpha in protocol must be a number < 1, found number 1.5');
  expect(r.stderr).not.toContain('Too big');
  expect(r.stderr).toContain(
    'eligibility criterion "Adult": unknown variable "agee" — did you mean "age"?',
  );
});
