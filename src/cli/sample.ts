/** `ecasim sample MODEL --n N --seed S [--protocol P] [--replicate K] --out FILE.csv`. */
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/output.js';
import type { CliContext } from './context.js';

export interface SampleArgs {
  model: string;
  n: number;
  seed: number;
  protocol?: string;
  replicate: number;
  out: string;
  force: boolean;
}

export function sampleBuilder(y: Argv): Argv<SampleArgs> {
  return y
    .positional('model', { type: 'string', demandOption: true, describe: 'Covariate model JSON' })
    .option('n', { type: 'number', demandOption: true, describe: 'Number of virtual patients' })
    .option('seed', { type: 'number', demandOption: true, describe: 'Seed' })
    .option('protocol', {
      type: 'string',
      describe: "Apply this protocol's parameter draw, eligibility and censoring (its control arm)",
    })
    .option('replicate', { type: 'number', default: 0, describe: 'Replicate index (substream)' })
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
  for (const [flag, v, min] of [
    ['--n', args.n, 1],
    ['--seed', args.seed, 0],
    ['--replicate', args.replicate, 0],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < min) {
      throw new UsageError(`${flag} must be a whole number ≥ ${min}, found ${v}`, { field: flag });
    }
  }
  // With --protocol the sampler needs the whole run machinery: loaded only now.
  const { samplePatients } = await import('../sample.js');
  const r = samplePatients({
    model: args.model,
    n: args.n,
    seed: args.seed,
    replicate: args.replicate,
    ...(args.protocol !== undefined ? { protocol: args.protocol } : {}),
  });
  writeFileAtomic(args.out, r.csv, { force: args.force });
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
  ctx.stdout(`wrote ${r.n} virtual patients to ${args.out}\n`);
}
