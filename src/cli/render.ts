/**
 * `ecasim render DIR [--pdf] [--templates DIR]`: renders the dossier again from a finished run's
 * `results.json` and `manifest.json` (no statistic is recomputed), optionally with a sponsor's
 * templates, and optionally prints it to PDF with the system's Chromium.
 */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { sha256, writeFileAtomic } from '../io/output.js';
import type { Paper } from '../report/pdf.js';
import type { Manifest, Results } from '../results.js';
import { readManifest, readResults, reproFromManifest } from '../run/manifest.js';
import type { CliContext } from './context.js';
import { choice, existingDirectory, requiredText } from './flags.js';

export interface RenderArgs {
  dir: string;
  pdf: boolean;
  paper?: unknown;
  templates?: unknown;
}

export function renderBuilder(y: Argv): Argv<RenderArgs> {
  return y
    .positional('dir', {
      type: 'string',
      demandOption: true,
      describe: 'Output directory of an ecasim run (holds results.json and manifest.json)',
    })
    .option('pdf', {
      type: 'boolean',
      default: false,
      describe: 'Also print dossier.pdf with the system Chromium (or ECASIM_CHROMIUM)',
    })
    .option('paper', {
      type: 'string',
      requiresArg: true,
      describe: 'Paper size of the PDF: a4 or letter (default a4)',
    })
    .option('templates', {
      type: 'string',
      describe: 'Directory of handlebars partials overriding the built-in ones',
    })
    .example('$0 render out/nsclc-os --pdf', 'Re-render the dossier and print it to PDF')
    .example(
      '$0 render out/nsclc-os --templates sponsor-templates',
      'Use a sponsor’s cover page (sponsor-templates/partials/cover.hbs)',
    ) as unknown as Argv<RenderArgs>;
}

/** Reads a run directory's results and manifest, checking their schemas. */
export function readRun(dir: string): { results: Results; manifest: Manifest } {
  return {
    results: readResults(dir, 'ecasim render'),
    manifest: readManifest(dir, 'ecasim render'),
  };
}

export async function renderCommand(raw: RenderArgs, ctx: CliContext): Promise<void> {
  const templates = existingDirectory('--templates', raw.templates);
  const args = {
    dir: requiredText('DIR', raw.dir, 'a run directory'),
    pdf: raw.pdf,
    paper: choice<Paper>('--paper', raw.paper, ['a4', 'letter'], 'a4'),
    ...(templates !== undefined ? { templates } : {}),
  };
  // Refuse early (before rendering) when a PDF is asked for and there is no browser.
  const pdf = args.pdf ? await import('../report/pdf.js') : undefined;
  pdf?.chromiumPath(ctx.env);
  const { results, manifest } = readRun(args.dir);
  const { renderDossier } = await import('../report/dossier.js');
  const html = await renderDossier(results, reproFromManifest(manifest), {
    ...(args.templates !== undefined ? { templates: args.templates } : {}),
  });
  const htmlFile = join(args.dir, 'dossier.html');
  writeFileAtomic(htmlFile, html, { force: true });
  const lines = [`wrote ${htmlFile}`];
  const recorded = manifest.outputs.find((o) => o.path === 'dossier.html');
  if (recorded && recorded.sha256 !== sha256(html)) {
    lines.push(
      `note: dossier.html differs from the one manifest.json records${args.templates !== undefined ? ' (custom templates)' : ''}; \`ecasim verify\` will report it as changed`,
    );
  }
  if (pdf) {
    const bytes = await pdf.printPdf(html, {
      header: results.protocol,
      paper: args.paper,
      env: ctx.env,
    });
    const pdfFile = join(args.dir, 'dossier.pdf');
    writeFileAtomic(pdfFile, bytes, { force: true });
    lines.push(
      `wrote ${pdfFile} (${pdf.countPdfPages(bytes)} pages, ${args.paper === 'letter' ? 'Letter' : 'A4'})`,
    );
  }
  ctx.stdout(lines.join('\n') + '\n');
}
