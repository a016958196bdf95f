/** `ecasim run PROTOCOL --out DIR`: runs a protocol and writes its outputs atomically. */
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { openOutputDir } from '../io/output.js';
import type { CliContext } from './context.js';
import {
  existingDirectory,
  numberOption,
  REPLICATES_RANGE,
  requiredText,
  SEED_RANGE,
  wholeNumber,
  WORKERS_RANGE,
} from './flags.js';

/** What yargs hands over: numbers still as typed, checked by `runFlags`. */
export interface RunArgs {
  protocol: string;
  out: string;
  seed?: unknown;
  replicates?: unknown;
  workers?: unknown;
  quiet: boolean;
  force: boolean;
  pdf: boolean;
  templates?: unknown;
}

/** The flags of `ecasim run`, checked. */
export interface RunFlags {
  protocol: string;
  out: string;
  seed?: number;
  replicates?: number;
  workers: number;
  quiet: boolean;
  force: boolean;
  pdf: boolean;
  templates?: string;
}

/** Checks every flag before anything is read or written. */
export function runFlags(args: RunArgs): RunFlags {
  const seed = wholeNumber(
    '--seed',
    args.seed,
    SEED_RANGE,
    "give --seed a whole number from 0 to 4294967295, or leave it out to use the protocol's control.seed",
  );
  const replicates = wholeNumber(
    '--replicates',
    args.replicates,
    REPLICATES_RANGE,
    "give --replicates a whole number from 2 to 10000 (at least 2 replicates are needed to combine them), or leave it out to use the protocol's control.replicates",
  );
  const templates = existingDirectory('--templates', args.templates);
  return {
    protocol: requiredText('PROTOCOL', args.protocol, 'a protocol file'),
    out: requiredText('--out', args.out, 'an output directory'),
    ...(seed !== undefined ? { seed } : {}),
    ...(replicates !== undefined ? { replicates } : {}),
    workers: wholeNumber('--workers', args.workers, WORKERS_RANGE) ?? 1,
    quiet: args.quiet,
    force: args.force,
    pdf: args.pdf,
    ...(templates !== undefined ? { templates } : {}),
  };
}

export function runBuilder(y: Argv): Argv<RunArgs> {
  return y
    .positional('protocol', { type: 'string', demandOption: true, describe: 'Protocol YAML file' })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'Output directory (written atomically)',
    })
    .option('seed', numberOption("Override the protocol's seed (0 to 4294967295)"))
    .option(
      'replicates',
      numberOption("Override the protocol's number of replicates m (2 to 10000)"),
    )
    .option(
      'workers',
      numberOption(
        'Worker threads for the replicates (1 to 1024, default 1); the output is identical for any number',
      ),
    )
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress bar' })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace a non-empty output directory',
    })
    .option('pdf', {
      type: 'boolean',
      default: false,
      describe: 'Also print dossier.pdf (A4) with the system Chromium (or ECASIM_CHROMIUM)',
    })
    .option('templates', {
      type: 'string',
      describe: 'Directory of handlebars partials overriding the built-in dossier templates',
    })
    .example(
      '$0 run protocols/nsclc-os.yaml --out out/nsclc-os',
      'Run the flagship example',
    ) as unknown as Argv<RunArgs>;
}

/**
 * The command as a reviewer re-types it from the protocol's directory: the protocol by its file
 * name (so the manifest and dossier do not depend on the working directory), no output path,
 * flags that change results kept.
 */
function reproducibleCommand(args: RunFlags): string {
  const seed = args.seed !== undefined ? ` --seed ${args.seed}` : '';
  const m = args.replicates !== undefined ? ` --replicates ${args.replicates}` : '';
  return `ecasim run ${basename(args.protocol)}${seed}${m} --out DIR`;
}

/** A one-line progress bar on stderr, redrawn in place; only on a terminal. */
function progressBar(ctx: CliContext): ((done: number, total: number) => void) | undefined {
  if (!ctx.isTTY) return undefined;
  const started = Date.now();
  return (done, total) => {
    if (Date.now() - started < 500 && done < total) return;
    const width = 30;
    const filled = Math.round((done / total) * width);
    ctx.stderr(
      `\rreplicates [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}

export async function runCommand(raw: RunArgs, ctx: CliContext): Promise<void> {
  const args = runFlags(raw);
  // Refuse a non-empty output directory, or --pdf without a browser, before spending time on the run.
  // The browser driver and the renderer load only now, and the driver only for --pdf.
  const pdf = args.pdf ? await import('../report/pdf.js') : undefined;
  pdf?.chromiumPath(ctx.env);
  const { runProtocol } = await import('../run/index.js');
  const out = openOutputDir(args.out, { force: args.force, onNotice: ctx.stderr });
  try {
    const result = await runProtocol({
      protocolFile: args.protocol,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      command: reproducibleCommand(args),
      ...(args.replicates !== undefined ? { replicates: args.replicates } : {}),
      workers: args.workers,
      ...(args.quiet ? {} : { onProgress: progressBar(ctx) }),
      outDir: args.out,
      ...(args.templates !== undefined ? { templates: args.templates } : {}),
      ...(ctx.env['SOURCE_DATE_EPOCH'] !== undefined
        ? { sourceDateEpoch: ctx.env['SOURCE_DATE_EPOCH'] }
        : {}),
    });
    const files: { name: string; content: string | Uint8Array }[] = [...result.files];
    if (pdf) {
      const html = files.find((f) => f.name === 'dossier.html')!.content as string;
      files.push({
        name: 'dossier.pdf',
        content: await pdf.printPdf(html, { header: result.results.protocol, env: ctx.env }),
      });
    }
    for (const f of files) out.write(f.name, f.content);
    out.commit();
    const p = result.results.primary;
    const pct = Math.round(p.confLevel * 100);
    const measure = p.measure.replace('-', ' ');
    ctx.stdout(
      `${result.results.protocol.id}: ${measure} ${p.estimate.toFixed(2)} (${pct}% CI ${p.lower.toFixed(2)} to ${p.upper.toFixed(2)}) over ${result.results.control.replicates} replicates, ` +
        `success criterion ${result.results.successCriterion.met ? 'met' : 'not met'}\n` +
        `wrote ${files.map((f) => f.name).join(', ')} to ${args.out}\n` +
        `results digest ${result.manifest.resultsDigest}\n`,
    );
    for (const w of result.results.warnings) ctx.stderr(`ecasim: warning: ${w.message}\n`);
  } finally {
    out.abort();
  }
}
