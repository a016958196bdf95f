/** `ecasim sample MODEL --n N --seed S [--protocol P] [--replicate K] --out FILE.csv`. */
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../io/output.js';
import type { CliContext } from './context.js';
import {
  numberOption,
  outputFile,
  PATIENTS_RANGE,
  requiredText,
  SEED_RANGE,
  textValue,
  wholeNumber,
} from './flags.js';

/** What yargs hands over: numbers still as typed. */
export interface SampleArgs {
  model: string;
  n: unknown;
  seed: unknown;
  protocol?: unknown;
  replicate?: unknown;
  out: string;
  force: boolean;
}

export function sampleBuilder(y: Argv): Argv<SampleArgs> {
  return y
    .positional('model', { type: 'string', demandOption: true, describe: 'Covariate model JSON' })
    .option('n', numberOption('Number of virtual patients (1 to 10000000)', { demandOption: true }))
    .option('seed', numberOption('Seed (0 to 4294967295)', { demandOption: true }))
    .option('protocol', {
      type: 'string',
      describe: "Apply this protocol's parameter draw, eligibility and censoring (its control arm)",
    })
    .option(
      'replicate',
      numberOption('Replicate index, the substream (0 to 4294967295, default 0)'),
    )
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'Output CSV (written atomically)',
    })
    .option('force', { type: 'boolean', default: false, describe: 'Replace an existing file' })
    .example(
      '$0 sample examples/nsclc/model.json --n 1000 --seed 1 --out v.csv',
      'Draw 1000 patients',
    ) as unknown as Argv<SampleArgs>;
}

export async function sampleCommand(args: SampleArgs, ctx: CliContext): Promise<void> {
  const n = wholeNumber(
    '--n',
    args.n,
    PATIENTS_RANGE,
    'give --n a whole number from 1 to 10000000; for more, draw several files with different --replicate',
  )!;
  const seed = wholeNumber('--seed', args.seed, SEED_RANGE)!;
  const replicate = wholeNumber('--replicate', args.replicate, SEED_RANGE) ?? 0;
  const protocol = textValue('--protocol', args.protocol, 'a protocol file');
  const model = requiredText('MODEL', args.model, 'a covariate model file');
  const outFile = outputFile('--out', args.out, args.force);
  // With --protocol the sampler needs the whole run machinery: loaded only now.
  const { samplePatients } = await import('../sample.js');
  const r = samplePatients({
    model,
    n,
    seed,
    replicate,
    ...(protocol !== undefined ? { protocol } : {}),
  });
  writeFileAtomic(outFile, r.csv, { force: args.force });
  if (r.attrition) {
    const a = r.attrition;
    const lines = [`attrition: ${a.drawn} drawn`];
    let remaining = a.drawn;
    a.criteria.forEach((c, k) => {
      remaining -= a.excluded[k]!;
      lines.push(`  ${c}: excluded ${a.excluded[k]}, remaining ${remaining}`);
    });
    lines.push(`  acceptance rate ${(a.acceptanceRate * 100).toFixed(1)}%`);
    ctx.stderr(lines.join('\n') + '\n');
  }
  ctx.stdout(`wrote ${r.n} virtual patients to ${outFile}\n`);
}
