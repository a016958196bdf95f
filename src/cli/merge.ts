/**
 * `ecasim merge SHARD… --out DIR`: joins the shard files of one design (`ecasim design --shard`)
 * into the design.json and design.html one process writes, byte for byte, after checking that
 * they come from one design and cover every trial exactly once.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { readText } from '../io/document.js';
import { openOutputDir } from '../io/output.js';
import type { CliContext } from './context.js';
import { summaryText } from './design.js';
import { requiredText } from './flags.js';

export interface MergeArgs {
  shards: string[];
  out: string;
  force: boolean;
}

export function mergeBuilder(y: Argv): Argv<MergeArgs> {
  return y
    .positional('shards', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Shard files written by ecasim design --shard',
    })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'Output directory (written atomically)',
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace a non-empty output directory',
    })
    .example(
      '$0 merge out/shards/shard-*-of-4.json --out out/nsclc-oc',
      'Merge four shards',
    ) as unknown as Argv<MergeArgs>;
}

export async function mergeCommand(args: MergeArgs, ctx: CliContext): Promise<void> {
  const out = requiredText('--out', args.out, 'an output directory');
  const files = (args.shards ?? []).map(String);
  if (files.length === 0) {
    throw new UsageError('merge needs at least one shard file', {
      field: 'SHARD',
      hint: 'pass the files ecasim design --shard wrote, e.g. out/shards/shard-*-of-4.json',
    });
  }
  const shards = files.map((file) => ({ file, text: readText(file, 'shard file') }));
  const { mergeDesign } = await import('../design/index.js');
  const dir = openOutputDir(out, { force: args.force });
  try {
    const result = await mergeDesign(shards, `ecasim merge ${files.join(' ')} --out DIR`);
    for (const f of result.files) dir.write(f.name, f.content);
    dir.commit();
    ctx.stdout(
      summaryText(
        result.results,
        out,
        result.files.map((f) => f.name),
      ),
    );
  } finally {
    dir.abort();
  }
}
