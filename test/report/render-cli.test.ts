/**
 * `ecasim render` and the dossier flags of `ecasim run`, in-process and without a browser: a
 * re-render reproduces the recorded dossier byte for byte, sponsor templates replace partials
 * (and the manifest records the dossier written), and --pdf without Chromium is a usage error
 * that says how to install it, before any work is done.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { EXIT, reportError } from '../../src/cli/errors.js';
import { renderBuilder, renderCommand } from '../../src/cli/render.js';
import { chromiumPath, countPdfPages } from '../../src/report/pdf.js';
import { ecasim, makeWorkspace, type CliResult, type Workspace } from '../helpers/workspace.js';

/** `ecasim render ...` through the command's own builder and handler and the CLI's error model. */
async function render(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const ctx = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), env };
  let pending: Promise<void> | undefined;
  try {
    await yargs(args)
      .command('render <dir>', 'render', renderBuilder, (a) => {
        pending = renderCommand(a, ctx);
      })
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseAsync();
    if (pending) await pending;
    return { code: EXIT.ok, stdout, stderr };
  } catch (err) {
    const { message, code } = reportError(err);
    return { code, stdout, stderr: stderr + message };
  }
}

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const NO_CHROMIUM = { ECASIM_CHROMIUM: '/nonexistent/chromium' };

let ws: Workspace;
let run: string;
beforeAll(async () => {
  ws = makeWorkspace();
  run = ws.path('run');
  const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', run, '--replicates', '4']);
  if (r.code !== 0) throw new Error(r.stderr);
  mkdirSync(ws.path('custom/partials'), { recursive: true });
  writeFileSync(
    ws.path('custom/partials/cover.hbs'),
    '<header id="cover"><h1>SPONSOR COVER {{protocol.id}}</h1></header>',
  );
});
afterAll(() => ws.cleanup());

describe('ecasim render', () => {
  test('re-renders the dossier byte for byte from results.json and manifest.json', async () => {
    const before = readFileSync(join(run, 'dossier.html'), 'utf8');
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    const r = await render(['render', run]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(run, 'dossier.html')}`);
    expect(r.stdout).not.toContain('differs');
    const after = readFileSync(join(run, 'dossier.html'), 'utf8');
    expect(after).toBe(before);
    expect(sha(after)).toBe(
      manifest.outputs.find((o: { path: string }) => o.path === 'dossier.html').sha256,
    );
  });

  test('--templates replaces a partial and says the dossier no longer matches the manifest', async () => {
    const copy = ws.path('copy');
    const r0 = await ecasim(['run', ws.path('protocol.yaml'), '--out', copy, '--replicates', '4']);
    expect(r0.code).toBe(0);
    const r = await render(['render', copy, '--templates', ws.path('custom')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/differs from the one manifest\.json records \(custom templates\)/);
    const html = readFileSync(join(copy, 'dossier.html'), 'utf8');
    expect(html).toContain('<h1>SPONSOR COVER XTR-301-OS</h1>');
    expect(html).toContain('<section id="primary"');
  });

  test('--pdf without Chromium: exit 2, how to install it, nothing rewritten', async () => {
    const before = readFileSync(join(run, 'dossier.html'));
    const r = await render(['render', run, '--pdf'], NO_CHROMIUM);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('ECASIM_CHROMIUM is /nonexistent/chromium, which does not exist');
    expect(r.stderr).toContain('apt-get install -y chromium');
    expect(readFileSync(join(run, 'dossier.html'))).toEqual(before);
    expect(existsSync(join(run, 'dossier.pdf'))).toBe(false);
  });

  test('a directory that is not a run: exit 3 and what to do', async () => {
    const r = await render(['render', ws.path('custom')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('no results.json in');
    expect(r.stderr).toContain('point ecasim render at the output directory');
  });

  test('an unknown paper size is refused by the parser', async () => {
    const r = await render(['render', run, '--paper', 'a3']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/a3/);
  });
});

describe('ecasim run --templates / --pdf', () => {
  test('--templates writes the sponsor dossier and the manifest records its hash', async () => {
    const out = ws.path('templated');
    const r = await ecasim([
      'run',
      ws.path('protocol.yaml'),
      '--out',
      out,
      '--replicates',
      '4',
      '--templates',
      ws.path('custom'),
    ]);
    expect(r.code).toBe(0);
    const html = readFileSync(join(out, 'dossier.html'), 'utf8');
    expect(html).toContain('<h1>SPONSOR COVER XTR-301-OS</h1>');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const rec = manifest.outputs.find((o: { path: string }) => o.path === 'dossier.html');
    expect(rec.sha256).toBe(sha(html));
  });

  test('--pdf without Chromium fails before the run and leaves no output directory', async () => {
    const out = ws.path('nopdf');
    const r = await ecasim(
      ['run', ws.path('protocol.yaml'), '--out', out, '--replicates', '4', '--pdf'],
      NO_CHROMIUM,
    );
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('apt-get install -y chromium');
    expect(existsSync(out)).toBe(false);
  });
});

describe('pdf helpers', () => {
  test('chromiumPath prefers ECASIM_CHROMIUM and refuses one that does not exist', () => {
    expect(() => chromiumPath(NO_CHROMIUM)).toThrow(/does not exist/);
    expect(chromiumPath({ ECASIM_CHROMIUM: process.execPath })).toBe(process.execPath);
  });

  test('countPdfPages counts page objects, not the page tree', () => {
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >> endobj\n' +
        '2 0 obj << /Type /Page /Parent 1 0 R >> endobj\n3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n',
      'latin1',
    );
    expect(countPdfPages(pdf)).toBe(2);
  });
});
