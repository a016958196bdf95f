/** `ecasim run PROTOCOL --out DIR`: runs a protocol and writes its outputs atomically. */
import type { Argv } from 'yargs';
import { openOutputDir } from '../io/output.js';
import { runProtocol } from '../run.js';
import type { CliContext } from './context.js';

export interface RunArgs {
  protocol: string;
  out: string;
  seed?: number;
  force: boolean;
}

export function runBuilder(y: Argv): Argv<RunArgs> {
  return y
    .positional('protocol', { type: 'string', demandOption: true, describe: 'Protocol YAML file' })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'Output directory (written atomically)',
    })
    .option('seed', { type: 'number', describe: "Override the protocol's seed" })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace a non-empty output directory',
    })
    .example(
      '$0 run protocols/nsclc-os.yaml --out out/nsclc-os',
      'Run the flagship example',
    ) as unknown as Argv<RunArgs>;
}

/** The command as a reviewer re-types it: no output path, flags that change results kept. */
function reproducibleCommand(args: RunArgs): string {
  return `ecasim run ${args.protocol}${args.seed !== undefined ? ` --seed ${args.seed}` : ''} --out DIR`;
}

export async function runCommand(args: RunArgs, ctx: CliContext): Promise<void> {
  // Refuse a non-empty output directory before spending time on the run.
  const out = openOutputDir(args.out, { force: args.force });
  try {
    const result = await runProtocol({
      protocolFile: args.protocol,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      command: reproducibleCommand(args),
      outDir: args.out,
      ...(ctx.env['SOURCE_DATE_EPOCH'] !== undefined
        ? { sourceDateEpoch: ctx.env['SOURCE_DATE_EPOCH'] }
        : {}),
    });
    for (const f of result.files) out.write(f.name, f.content);
    out.commit();
    const p = result.results.primary;
    const pct = Math.round(p.confLevel * 100);
    ctx.stdout(
      `${result.results.protocol.id}: hazard ratio ${p.hr.toFixed(2)} (${pct}% CI ${p.lower.toFixed(2)} to ${p.upper.toFixed(2)}), ` +
        `success criterion ${result.results.successCriterion.met ? 'met' : 'not met'}\n` +
        `wrote ${result.files.map((f) => f.name).join(', ')} to ${args.out}\n` +
        `results digest ${result.manifest.resultsDigest}\n`,
    );
    for (const w of result.results.warnings) ctx.stderr(`ecasim: warning: ${w.message}\n`);
  } finally {
    out.abort();
  }
}
