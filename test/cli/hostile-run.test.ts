/**
 * `ecasim run` and `ecasim verify` against hostile inputs and environments (issue 17): a treated
 * arm without events, output directories that cannot be written, signals and killed runs, missing
 * arguments, missing input files, tampered run directories, and the working directory.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/errors.js';
import { AnalysisError } from '../../src/errors.js';
import type { AnalysisSpec } from '../../src/protocol/schema.js';
import { runAnalysis } from '../../src/run/analyses.js';
import { EXAMPLE, ecasim, edit, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/ecasim.js');

/** The flagship with few replicates, so each run takes a second or two. */
const SHORT = edit(EXAMPLE.protocol, 'replicates: 20', 'replicates: 3');

/** The treated CSV with its CNSR column rewritten by `censor(time, cnsr)`. */
function recensor(censor: (time: number, cnsr: string) => string): string {
  const [header, ...rows] = EXAMPLE.treated.trimEnd().split('\n');
  const cols = header!.split(',');
  const t = cols.indexOf('AVAL');
  const c = cols.indexOf('CNSR');
  return (
    [
      header,
      ...rows.map((r) => {
        const f = r.split(',');
        f[c] = censor(Number(f[t]), f[c]!);
        return f.join(',');
      }),
    ].join('\n') + '\n'
  );
}

const partials = (ws: Workspace): string[] => ws.list().filter((n) => n.includes('.partial-'));

const workspaces: Workspace[] = [];
function workspace(e: Parameters<typeof makeWorkspace>[0] = {}): Workspace {
  const ws = makeWorkspace({ protocol: SHORT, ...e });
  workspaces.push(ws);
  return ws;
}
afterAll(() => {
  for (const ws of workspaces) ws.cleanup();
});

describe('1. an arm without events', () => {
  test('a treated arm with every patient censored is exit 4 naming the treated arm, before any replicate', async () => {
    const ws = workspace({ treated: recensor(() => '1') });
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('out'), '--quiet']);
    expect(r.code).toBe(EXIT.analysis);
    expect(r.stderr).toContain('the primary analysis (cox-iptw) cannot be estimated');
    expect(r.stderr).toContain('the treated arm');
    expect(r.stderr).toContain('has no events');
    expect(r.stderr).toContain('field: inputs.treated.columns.censor');
    expect(r.stderr).not.toContain('internal');
    expect(ws.list()).toEqual(['model.json', 'protocol.yaml', 'treated.csv']);
  });

  test('an analysis that cannot be estimated is dropped with a warning while the primary runs', async () => {
    // events only after 24 months: the Cox analyses run, the RMST at τ = 24 cannot
    const ws = workspace({ treated: recensor((t, c) => (t < 24 ? '1' : c)) });
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('out'), '--quiet']);
    expect(r.stderr).not.toContain('internal');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toMatch(
      /warning: RMST difference at 24 months could not be carried out in 3 of 3 replicates and is not reported.*treated arm has no events before τ = 24/,
    );
    const results = JSON.parse(readFileSync(ws.path('out/results.json'), 'utf8'));
    expect(results.secondary.map((a: { name: string }) => a.name)).toEqual([
      'Unadjusted Cox',
      'Covariate-adjusted Cox',
    ]);
    // with a handful of late treated events the by-arm model of the covariate check runs off to
    // infinity (SE in the hundreds): not assessed, saying why, rather than an overflowing interval
    const check = results.sensitivity.covariateEffects[0];
    expect(check).toMatchObject({ assessed: false, byArm: null, difference: null });
    expect(check.reason).toMatch(/the combined interval is unbounded .*near-degenerate/);
  });

  test('a Cox model on a synthetic control arm without events names that arm', () => {
    const n = 6;
    const arms = {
      time: Float64Array.from([1, 2, 3, 4, 5, 6]),
      status: Float64Array.from([1, 0, 1, 0, 0, 0]),
      group: Float64Array.from([1, 1, 1, 0, 0, 0]),
      covariates: { n, columns: new Map() },
    };
    const spec = {
      method: 'cox-unadjusted',
      covariates: [],
      ties: 'efron',
    } as unknown as AnalysisSpec;
    expect(() => runAnalysis(spec, arms, 'Unadjusted Cox')).toThrow(AnalysisError);
    expect(() => runAnalysis(spec, arms, 'Unadjusted Cox')).toThrow(
      /Unadjusted Cox \(cox-unadjusted\): the synthetic control arm has no events \(all 3 patients censored\), so a hazard ratio cannot be estimated/,
    );
  });
});

describe('2. output directories that cannot be written', () => {
  test('an --out under a regular file is exit 2 naming the file, and leaves nothing', async () => {
    const ws = workspace();
    for (const out of ['treated.csv/out', 'treated.csv/a/b/out']) {
      const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path(out), '--quiet']);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr).toContain(`cannot create output directory ${ws.path(out)}`);
      expect(r.stderr).toContain(`${ws.path('treated.csv')} is a file, not a directory`);
      expect(r.stderr).not.toMatch(/internal|at mkdirSync/);
    }
    expect(ws.list()).toEqual(['model.json', 'protocol.yaml', 'treated.csv']);
  });

  test('the parents a failed run created are removed again', async () => {
    const ws = workspace({ treated: recensor(() => '1') });
    const r = await ecasim([
      'run',
      ws.path('protocol.yaml'),
      '--out',
      ws.path('new/deeper/out'),
      '--quiet',
    ]);
    expect(r.code).toBe(EXIT.analysis);
    expect(ws.list()).toEqual(['model.json', 'protocol.yaml', 'treated.csv']);
  });

  const root = process.getuid?.() === 0;
  (root ? test.skip : test)(
    // skipped as root: root writes into a read-only directory, so there is nothing to refuse
    'a read-only parent is exit 2 naming it (skipped when running as root, who may write there)',
    async () => {
      const ws = workspace();
      mkdirSync(ws.path('ro'));
      chmodSync(ws.path('ro'), 0o555);
      try {
        const r = await ecasim([
          'run',
          ws.path('protocol.yaml'),
          '--out',
          ws.path('ro/out'),
          '--quiet',
        ]);
        expect(r.code).toBe(EXIT.usage);
        expect(r.stderr).toContain(`${ws.path('ro')} is not writable`);
        expect(readdirSync(ws.path('ro'))).toEqual([]);
      } finally {
        chmodSync(ws.path('ro'), 0o755);
      }
    },
  );
});

describe('3. signals and killed runs', () => {
  /** Starts `ecasim run` as a child and resolves once its staging directory exists. */
  async function startRun(ws: Workspace): Promise<{
    child: ReturnType<typeof spawn>;
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  }> {
    const child = spawn(
      process.execPath,
      [BIN, 'run', ws.path('protocol.yaml'), '--out', ws.path('out'), '--quiet'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      stderr: string;
    }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
    const started = Date.now();
    while (partials(ws).length === 0) {
      if (Date.now() - started > 20_000) throw new Error('no staging directory after 20 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    return { child, exit };
  }

  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s during a run removes the staging directory and leaves no result',
    async (signal) => {
      // 20 replicates: long enough to be interrupted after the staging directory appears
      const ws = workspace({ protocol: EXAMPLE.protocol });
      const { child, exit } = await startRun(ws);
      const staging = partials(ws)[0]!;
      child.kill(signal);
      const r = await exit;
      expect(r.signal).toBe(signal);
      expect(r.stderr).toContain(`${signal}: removed the unfinished output ${ws.path(staging)}`);
      expect(ws.list()).toEqual(['model.json', 'protocol.yaml', 'treated.csv']);
    },
    60_000,
  );

  test('a SIGKILLed run leaves a staging directory the next run removes, saying so', async () => {
    const ws = workspace({ protocol: EXAMPLE.protocol });
    const { child, exit } = await startRun(ws);
    const staging = partials(ws)[0]!;
    child.kill('SIGKILL');
    expect((await exit).signal).toBe('SIGKILL');
    expect(partials(ws)).toEqual([staging]);
    // a staging directory of a live process (this one) is left alone
    const live = `.out.partial-${process.pid}-abc`;
    mkdirSync(ws.path(live));
    writeFileSync(ws.path('protocol.yaml'), SHORT);
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('out'), '--quiet']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toContain(
      `removed ${ws.path(staging)}, left by an ecasim run that was killed`,
    );
    expect(partials(ws)).toEqual([live]);
    expect(existsSync(ws.path('out/manifest.json'))).toBe(true);
    rmSync(ws.path(live), { recursive: true });
  }, 60_000);
});

describe('4. a missing argument names it and shows the usage line', () => {
  test.each([
    ['run', 'ecasim run needs a PROTOCOL file', 'ecasim run <protocol> --out <out> [options]'],
    ['validate', 'ecasim validate needs a PROTOCOL file', 'ecasim validate <protocol>'],
    ['verify', 'ecasim verify needs a DIR', 'ecasim verify <dir>'],
    ['design', 'ecasim design needs a DESIGN file', 'ecasim design <design> --out <out>'],
    ['merge', 'ecasim merge needs at least one SHARD file', 'ecasim merge <shards..> --out <out>'],
    ['fit', 'ecasim fit needs a REGISTRY file', 'ecasim fit <registry>'],
    ['sample', 'ecasim sample needs a MODEL file', 'ecasim sample <model>'],
    ['render', 'ecasim render needs a DIR', 'ecasim render <dir>'],
    ['schema', 'ecasim schema needs a FORMAT', 'ecasim schema <format>'],
    ['analyze', 'ecasim analyze needs --treated, --control, --time and --event', 'ecasim analyze'],
  ])('ecasim %s', async (cmd, message, usage) => {
    const r = await ecasim([cmd]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(`ecasim: error: ${message}`);
    expect(r.stderr).toContain(`expected: ${usage}`);
    expect(r.stderr).toContain(`run \`ecasim ${cmd} --help\``);
    expect(r.stderr).not.toContain('Not enough non-option arguments');
  });

  test('ecasim audit says what it needs', async () => {
    const r = await ecasim(['audit']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('ecasim audit needs --model and --registry');
  });

  test('a missing required flag is named', async () => {
    const r = await ecasim(['run', 'p.yaml']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('ecasim: error: ecasim run needs --out');
    expect(r.stderr).toContain('expected: ecasim run <protocol> --out <out> [options]');
  });
});

describe('5. a missing input file is located at the protocol line that names it', () => {
  test.each([
    ['model', 'model: model.json', 'model: nomodel.json', 'inputs.model', 'covariate model'],
    [
      'treated',
      'file: treated.csv',
      'file: notreated.csv',
      'inputs.treated.file',
      'treated dataset',
    ],
  ])('%s', async (_name, from, to, field, what) => {
    const protocol = edit(SHORT, from, to);
    const ws = workspace({ protocol });
    const line = protocol.split('\n').findIndex((l) => l.includes(to)) + 1;
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('out')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(
      new RegExp(`error: ${what} not found: \\S*/${to.split(': ')[1]!.replace('.', '\\.')}\\n`),
    );
    expect(r.stderr).toMatch(new RegExp(`at ${ws.path('protocol.yaml')}:${line}:\\d+\\n`));
    expect(r.stderr).toContain(`field: ${field}`);
    expect(r.stderr).toContain(`found: "${to.split(': ')[1]!}"\n`);
  });
});

describe('6. ecasim verify is not fooled', () => {
  let ws: Workspace;
  let n = 0;
  /** A copy of the run beside it (so it finds the protocol the same way), edited by `tamper`. */
  function tampered(tamper: (dir: string) => void): string {
    const dir = ws.path(`t${n++}`);
    cpSync(ws.path('out'), dir, { recursive: true });
    tamper(dir);
    return dir;
  }
  const editJson = (file: string, f: (m: Record<string, unknown>) => void): void => {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    f(m);
    writeFileSync(file, JSON.stringify(m, null, 2) + '\n');
  };

  beforeAll(async () => {
    ws = workspace();
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('out'), '--quiet']);
    if (r.code !== 0) throw new Error(r.stderr);
  });

  test('an untouched copy verifies, every output and the manifest reproduced', async () => {
    const r = await ecasim(['verify', tampered(() => {})]);
    expect(r.code).toBe(EXIT.ok);
    for (const f of ['results.json', 'synthetic-control.csv', 'dossier.html', 'manifest.json'])
      expect(r.stdout).toMatch(new RegExp(`ok +${f.replace('.', '\\.')} reproduced`));
  });

  test('an edited seed', async () => {
    const dir = tampered((d) => editJson(join(d, 'manifest.json'), (m) => (m['seed'] = 1)));
    const r = await ecasim(['verify', dir]);
    expect(r.code).toBe(EXIT.verification);
    expect(r.stdout).toContain('    seed: 1 → 20261123');
    expect(r.stderr).toContain('manifest fields differ: seed');
  });

  test('a zeroed resultsDigest', async () => {
    const dir = tampered((d) =>
      editJson(join(d, 'manifest.json'), (m) => (m['resultsDigest'] = '0'.repeat(64))),
    );
    const r = await ecasim(['verify', dir]);
    expect(r.code).toBe(EXIT.verification);
    expect(r.stdout).toContain(`    resultsDigest: "${'0'.repeat(64)}" →`);
    expect(r.stderr).toContain('manifest fields differ: resultsDigest');
  });

  test('an edited version', async () => {
    const dir = tampered((d) =>
      editJson(join(d, 'manifest.json'), (m) => {
        (m['dependencies'] as Record<string, string>)['yaml'] = '0.0.1';
      }),
    );
    const r = await ecasim(['verify', dir]);
    expect(r.code).toBe(EXIT.verification);
    expect(r.stdout).toMatch(/ {4}dependencies\.yaml: "0\.0\.1" → "[^"]+"/);
    expect(r.stderr).toContain('manifest fields differ: dependencies');
  });

  test("an output's manifest entry deleted and that output (the dossier's headline HR) edited", async () => {
    const dir = tampered((d) => {
      editJson(join(d, 'manifest.json'), (m) => {
        m['outputs'] = (m['outputs'] as { path: string }[]).filter(
          (o) => o.path !== 'dossier.html',
        );
      });
      const results = JSON.parse(readFileSync(join(d, 'results.json'), 'utf8'));
      const hr = (results.primary.estimate as number).toFixed(2);
      const html = readFileSync(join(d, 'dossier.html'), 'utf8');
      writeFileSync(join(d, 'dossier.html'), edit(html, hr, '0.42'));
    });
    const r = await ecasim(['verify', dir]);
    expect(r.code).toBe(EXIT.verification);
    expect(r.stdout).toMatch(/DIFFERS dossier\.html reproduced/);
    expect(r.stdout).toMatch(/outputs\[2\]: \(absent\) → \{"role":"dossier"/);
    expect(r.stderr).toContain('not reproduced: dossier.html, manifest.json');
  });

  test('an unexpected file in the output directory fails verification, naming it', async () => {
    const dir = tampered((d) => {
      mkdirSync(join(d, 'extra'));
      writeFileSync(join(d, 'extra', 'notes.txt'), 'hi\n');
    });
    const r = await ecasim(['verify', dir]);
    expect(r.code).toBe(EXIT.verification);
    expect(r.stdout).toContain('UNEXPECTED extra/notes.txt: not written by ecasim run');
    expect(r.stderr).toContain('unexpected files: extra/notes.txt');
  });

  test('a dossier.pdf (run --pdf) is listed as not checked and does not fail verification', async () => {
    const dir = tampered((d) => writeFileSync(join(d, 'dossier.pdf'), '%PDF-1.4\n'));
    const r = await ecasim(['verify', dir]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('not checked dossier.pdf');
  });

  test('an invalid seed override is refused, not run', async () => {
    const dir = tampered((d) =>
      editJson(join(d, 'manifest.json'), (m) => {
        (m['run'] as Record<string, unknown>)['seedOverride'] = 'x';
      }),
    );
    const r = await ecasim(['verify', dir]);
    expect(r.code).toBe(EXIT.verification);
    expect(r.stderr).toContain('manifest.json has an invalid run.seedOverride');
  });
});

describe('7. the outputs do not depend on the working directory', () => {
  test('from the protocol directory, from / with absolute paths and from a subdirectory: the same bytes', async () => {
    const ws = workspace({ protocol: edit(EXAMPLE.protocol, 'replicates: 20', 'replicates: 2') });
    mkdirSync(ws.path('sub'));
    const cwd = process.cwd();
    const runs: [string, string, string][] = [
      [ws.dir, 'protocol.yaml', 'a'],
      ['/', ws.path('protocol.yaml'), ws.path('b')],
      [ws.path('sub'), '../protocol.yaml', '../c'],
    ];
    try {
      for (const [dir, protocol, out] of runs) {
        process.chdir(dir);
        const r = await ecasim(['run', protocol, '--out', out, '--quiet', '--seed', '7']);
        if (r.code !== 0) throw new Error(r.stderr);
      }
    } finally {
      process.chdir(cwd);
    }
    for (const f of ['manifest.json', 'dossier.html', 'results.json']) {
      const a = readFileSync(ws.path(`a/${f}`), 'utf8');
      expect(readFileSync(ws.path(`b/${f}`), 'utf8')).toBe(a);
      expect(readFileSync(ws.path(`c/${f}`), 'utf8')).toBe(a);
    }
    const m = JSON.parse(readFileSync(ws.path('a/manifest.json'), 'utf8'));
    expect(m.command).toBe('ecasim run protocol.yaml --seed 7 --out DIR');
    expect(m.run.protocol).toBe('protocol.yaml');
    expect(m.run.protocolFromOutput).toBe('../protocol.yaml');
    expect(readFileSync(ws.path('a/manifest.json'), 'utf8')).not.toContain(ws.dir);
    expect(readFileSync(ws.path('a/dossier.html'), 'utf8')).not.toContain(ws.dir);
  }, 120_000);
});
