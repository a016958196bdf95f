/**
 * `ecasim audit` end to end, in process: registry-like CSV files drawn from the flagship network
 * (examples/nsclc/truth-model.json) with fixed seeds, the command built from `auditBuilder`, and
 * errors mapped to exit codes by the CLI's one error reporter (as `main` does).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { auditBuilder, auditCommand, parseRenames } from '../../src/cli/audit.js';
import { EXIT, reportError } from '../../src/cli/errors.js';
import { UsageError } from '../../src/errors.js';
import { loadModel } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import { applyCensoring } from '../../src/simulate/censoring.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MODEL = join(ROOT, 'examples/nsclc/truth-model.json');
const model = loadModel(MODEL);

/** Registry-like CSV text: one column per covariate, then os_time and os_event (as the flagship registry). */
function registryCsv(n: number, seed: number, { hrShift = 0 } = {}): string {
  const rng = createStream(seed);
  const cohort = sampleCohort(model, n, rng.substream(0));
  const os = (cohort.columns.get('os') as { values: Float64Array }).values.map(
    (t) => t * Math.exp(-hrShift),
  );
  const { time, event } = applyCensoring(
    os,
    { accrual: { duration: 24, shape: 'uniform' }, studyDuration: 48, dropoutRate: 0.005 },
    rng.substream(1),
  );
  const names = model.names.filter((x) => x !== 'os');
  const lines = [[...names, 'os_time', 'os_event'].join(',')];
  for (let i = 0; i < n; i++) {
    const row = names.map((x) => {
      const c = cohort.columns.get(x)!;
      return c.kind === 'numeric' ? String(c.values[i]) : c.levels[c.codes[i]!]!;
    });
    row.push(Math.max(0.01, Math.round(time[i]! * 100) / 100).toFixed(2), String(event[i]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

let dir: string;
const p = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-audit-'));
  writeFileSync(p('train.csv'), registryCsv(1200, 1));
  writeFileSync(p('holdout.csv'), registryCsv(1200, 2));
  writeFileSync(p('control.csv'), registryCsv(300, 3));
  writeFileSync(p('treated.csv'), registryCsv(150, 4, { hrShift: -0.5 }));
  const hostile = JSON.parse(readFileSync(MODEL, 'utf8')) as { provenance: { registry: string } };
  hostile.provenance.registry = '<script>alert("x")</script> & <b>registry</b>';
  writeFileSync(p('hostile-model.json'), JSON.stringify(hostile));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ecasimAudit(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx = {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
    env: {},
  };
  let pending: Promise<void> | undefined;
  try {
    await yargs(['audit', ...argv])
      .command('audit', 'audit', auditBuilder, (a) => {
        pending = auditCommand(a, ctx);
      })
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
    if (pending) await pending;
    return { code: EXIT.ok, stdout, stderr };
  } catch (err) {
    const r = reportError(err);
    return { code: r.code, stdout, stderr: stderr + r.message };
  }
}

const base = (model = MODEL) => [
  '--model',
  model,
  '--registry',
  p('train.csv'),
  '--time',
  'os_time',
  '--event',
  'os_event',
  '--bootstrap',
  '20',
];

describe('ecasim audit', () => {
  let out: string;
  let audit: Record<string, unknown> & {
    privacy: { leaking: boolean; holdout: unknown };
    replication: { decisionAgreement: boolean; real: { decision: string } };
    inputs: { role: string; sha256: string }[];
  };
  let html: string;
  beforeAll(async () => {
    out = p('out');
    const r = await ecasimAudit([
      ...base(),
      '--holdout',
      p('holdout.csv'),
      '--real-control',
      p('control.csv'),
      '--treated',
      p('treated.csv'),
      '--seed',
      '11',
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(
      /^Audit of 1200 synthetic records against 1200 registry records \(holdout 1200\)/,
    );
    expect(r.stdout).toMatch(/Privacy: no leak flagged/);
    expect(r.stdout).toMatch(/Replication: decision agreement/);
    expect(r.stdout).toMatch(/wrote audit.json and audit.html/);
    audit = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8'));
    html = readFileSync(join(out, 'audit.html'), 'utf8');
  });

  test('audit.json holds every part of the audit', () => {
    expect(Object.keys(audit)).toEqual([
      'format',
      'software',
      'seed',
      'settings',
      'model',
      'inputs',
      'data',
      'variables',
      'outcome',
      'fidelity',
      'privacy',
      'replication',
      'screening',
      'warnings',
    ]);
    expect(audit['format']).toBe('ecasim-audit/1');
    expect(audit['outcome']).toBe('os');
    expect(audit.privacy.leaking).toBe(false);
    expect(audit.privacy.holdout).not.toBeNull();
    expect(audit.inputs.map((i) => i.role)).toEqual([
      'model',
      'registry',
      'holdout',
      'real-control',
      'treated',
    ]);
    for (const i of audit.inputs) expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The treated arm lives longer (log HR −0.5): both controls should show the benefit.
    expect(audit.replication.real.decision).toBe('benefit');
  });

  test('audit.html is self-contained: no scripts, no network, the dossier look', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain(readFileSync(join(ROOT, 'templates/dossier.css'), 'utf8').slice(0, 200));
    expect(html).toContain('<svg');
    for (const id of ['summary', 'fidelity', 'privacy', 'replication', 'screening', 'inputs'])
      expect(html).toContain(`<section id="${id}">`);
    expect(html).toMatch(/hidden rate/i);
  });

  test('the same command and seed give the same bytes', async () => {
    const again = p('out-again');
    await ecasimAudit([
      ...base(),
      '--holdout',
      p('holdout.csv'),
      '--real-control',
      p('control.csv'),
      '--treated',
      p('treated.csv'),
      '--seed',
      '11',
      '--out',
      again,
    ]);
    expect(readFileSync(join(again, 'audit.json'), 'utf8')).toBe(
      readFileSync(join(out, 'audit.json'), 'utf8'),
    );
    expect(readFileSync(join(again, 'audit.html'), 'utf8')).toBe(html);
  });

  test('data-derived strings are escaped in audit.html', async () => {
    const o = p('out-hostile');
    const r = await ecasimAudit([...base(p('hostile-model.json')), '--n', '200', '--out', o]);
    expect(r.code).toBe(EXIT.ok);
    const h = readFileSync(join(o, 'audit.html'), 'utf8');
    expect(h).not.toContain('<script>');
    expect(h).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;registry&lt;/b&gt;',
    );
  });

  test('without a holdout the holdout-based metrics are not assessed, and --screen removes records', async () => {
    const r = await ecasimAudit([...base(), '--n', '3000', '--screen']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/no holdout: holdout-based metrics not assessed/);
    expect(r.stdout).toMatch(/Screening: \d+ records outside the registry's support, \d+ removed/);
    expect(r.stdout).toMatch(/warning: no holdout data/);
  });
});

describe('ecasim audit: errors', () => {
  test('a missing column is named with a did-you-mean', async () => {
    const r = await ecasimAudit([
      '--model',
      MODEL,
      '--registry',
      p('train.csv'),
      '--time',
      'os_tim',
      '--event',
      'os_event',
    ]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/registry extract has no column "os_tim" — did you mean "os_time"\?/);
  });
  test('every bad cell of the registry is reported at once', async () => {
    const text = readFileSync(p('train.csv'), 'utf8').split('\n');
    text[1] = text[1]!.replace(/^female|^male/, 'unknown');
    text[2] = text[2]!.replace(/,[^,]*,[^,]*$/, ',-1,0');
    writeFileSync(p('bad.csv'), text.join('\n'));
    const r = await ecasimAudit([
      '--model',
      MODEL,
      '--registry',
      p('bad.csv'),
      '--time',
      'os_time',
      '--event',
      'os_event',
    ]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(
      /row 1, column "sex": expected one of the levels of "sex" \(female, male\), found "unknown"/,
    );
    expect(r.stderr).toMatch(/and 1 more problem/);
    expect(r.stderr).toMatch(/row 2, column "os_time": expected a follow-up time > 0, found "-1"/);
  });
  test('--real-control needs --treated', async () => {
    const r = await ecasimAudit([...base(), '--real-control', p('control.csv')]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--real-control and --treated go together/);
  });
  test('bad settings are usage errors', async () => {
    const r = await ecasimAudit([...base(), '--threshold', '5']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('--threshold must be a number > 0 and < 1, found "5"');
    expect(() => parseRenames('age')).toThrow(/invalid --columns entry/);
    expect(parseRenames('age=AGE, sex=SEX')).toEqual({ age: 'AGE', sex: 'SEX' });
  });
  test('a failed run leaves no output behind', async () => {
    const o = p('out-failed');
    const r = await ecasimAudit(['--model', MODEL, '--registry', p('train.csv'), '--out', o]);
    expect(r.code).toBe(EXIT.input);
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });
  test('--columns renames registry columns', async () => {
    const text = readFileSync(p('train.csv'), 'utf8').replace(/^sex,/, 'SEX,');
    writeFileSync(p('renamed.csv'), text);
    const r = await ecasimAudit([
      '--model',
      MODEL,
      '--registry',
      p('renamed.csv'),
      '--time',
      'os_time',
      '--event',
      'os_event',
      '--columns',
      'sex=SEX',
      '--n',
      '200',
      '--bootstrap',
      '20',
    ]);
    expect(r.code).toBe(EXIT.ok);
  });
});
