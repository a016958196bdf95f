/**
 * `ecasim run --pdf` and `ecasim render DIR --pdf` end to end with the system Chromium (each
 * command launches its own browser, as a user's would). Skipped with a message without Chromium;
 * a failure with CI=true.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { EXIT, reportError } from '../../src/cli/errors.js';
import { renderBuilder, renderCommand } from '../../src/cli/render.js';
import { chromiumPath, countPdfPages } from '../../src/report/pdf.js';
import { ecasim, makeWorkspace, type CliResult, type Workspace } from '../helpers/workspace.js';

function browserProblem(): string | null {
  try {
    chromiumPath(process.env);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const problem = browserProblem();
if (problem !== null && process.env['CI'] !== 'true') {
  console.warn(`test/browser/pdf-cli.test.ts: SKIPPED — ${problem}.`);
}
if (problem !== null && process.env['CI'] === 'true') {
  test('Chromium is installed (required in CI)', () => {
    throw new Error(`${problem}; CI must install it (apt-get install -y chromium)`);
  });
}

/** `ecasim render ...` through the command's builder and handler and the CLI's error model. */
async function render(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
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

const env = { ECASIM_CHROMIUM: process.env['ECASIM_CHROMIUM'] };
const suite = problem === null ? describe : describe.skip;

suite('printing from the command line', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = makeWorkspace();
  });
  afterAll(() => ws.cleanup());

  test('ecasim run --pdf writes dossier.pdf beside the dossier (not in the manifest)', async () => {
    const out = ws.path('run');
    const r = await ecasim(
      ['run', ws.path('protocol.yaml'), '--out', out, '--replicates', '4', '--pdf'],
      env,
    );
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dossier.pdf');
    const pdf = readFileSync(join(out, 'dossier.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(countPdfPages(pdf)).toBeGreaterThanOrEqual(6);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.outputs.map((o: { path: string }) => o.path)).not.toContain('dossier.pdf');
  }, 120_000);

  test('ecasim render DIR --pdf --paper letter prints the run again', async () => {
    const dir = ws.path('run');
    const r = await render(['render', dir, '--pdf', '--paper', 'letter'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*dossier\.pdf \(\d+ pages, Letter\)/);
    expect(existsSync(join(dir, 'dossier.pdf'))).toBe(true);
  }, 120_000);
});
