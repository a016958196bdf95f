/**
 * `ecasim fit REGISTRY.csv --spec FIT.yaml --out MODEL.json [--epsilon E] [--seed S] [--force]`:
 * derives a covariate model from a registry extract, writes it atomically, prints a summary.
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { readTable } from '../io/csv.js';
import { writeFileAtomic } from '../io/output.js';
import { fitModel, modelText, type FitResult } from '../model/fit.js';
import { loadFitSpec } from '../model/fit-spec.js';
import { createStream } from '../random/index.js';
import type { CliContext } from './context.js';

export interface FitArgs {
  registry: string;
  spec: string;
  out: string;
  epsilon?: number;
  seed?: number;
  force: boolean;
}

export function fitBuilder(y: Argv): Argv<FitArgs> {
  return y
    .positional('registry', {
      type: 'string',
      demandOption: true,
      describe: 'Registry extract (CSV, one row a patient)',
    })
    .option('spec', {
      type: 'string',
      demandOption: true,
      describe: 'Fit spec (YAML, ecasim-fit/1): variables, outcome columns, graph or learning',
    })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'Model file to write (JSON, ecasim-model/1; written atomically)',
    })
    .option('epsilon', {
      type: 'number',
      describe: 'Differential-privacy budget ε > 0 (PrivBayes-style); omit for maximum likelihood',
    })
    .option('seed', {
      type: 'number',
      describe:
        'Seed of the privacy noise (with --epsilon only). Keep it secret: anyone who knows it can remove the noise. Default: a fresh random seed, never recorded',
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace an existing --out file',
    })
    .example(
      '$0 fit registry.csv --spec fit.yaml --out model.json',
      'Fit a model by maximum likelihood',
    )
    .example(
      '$0 fit registry.csv --spec fit.yaml --out model-dp.json --epsilon 1',
      'Fit a differentially private model (ε = 1)',
    ) as unknown as Argv<FitArgs>;
}

/** The printed summary: rows used, missing values, the graph and the warnings. */
export function formatFit(r: FitResult, out: string): string {
  const lines: string[] = [];
  const p = r.model.provenance;
  lines.push(
    `fitted ${Object.keys(r.model.variables).length} variables from ${r.n} complete cases` +
      (r.method === 'fitted-dp' ? ` with differential privacy (ε = ${p.derivation.epsilon})` : ''),
  );
  const missing = Object.entries(r.missing).filter(([, m]) => m > 0);
  if (missing.length > 0) {
    lines.push(`missing values (rows dropped): ${missing.map(([k, m]) => `${k} ${m}`).join(', ')}`);
  }
  lines.push('graph:');
  for (const [name, v] of Object.entries(r.model.variables)) {
    lines.push(`  ${name} (${v.kind})${v.parents.length ? ` ← ${v.parents.join(', ')}` : ''}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w.message}`);
  lines.push(`wrote ${out}`);
  return lines.join('\n') + '\n';
}

export function fitCommand(args: FitArgs, ctx: CliContext): void {
  if (args.seed !== undefined && args.epsilon === undefined) {
    throw new UsageError(
      '--seed applies only with --epsilon (maximum likelihood uses no randomness)',
      {
        hint: 'remove --seed, or add --epsilon',
      },
    );
  }
  if (args.seed !== undefined && !(Number.isSafeInteger(args.seed) && args.seed >= 0)) {
    throw new UsageError(`--seed must be a non-negative integer, found ${args.seed}`);
  }
  if (existsSync(args.out) && !args.force) {
    throw new UsageError(`output file ${args.out} already exists`, {
      file: args.out,
      hint: 'choose another --out path, or pass --force to replace it',
    });
  }
  const loaded = loadFitSpec(args.spec);
  const table = readTable(args.registry, 'registry extract');
  const rng =
    args.epsilon === undefined ? undefined : createStream(args.seed ?? randomInt(0, 2 ** 48 - 1));
  const result = fitModel(table, loaded, {
    ...(args.epsilon !== undefined ? { epsilon: args.epsilon } : {}),
    ...(rng ? { rng } : {}),
  });
  writeFileAtomic(args.out, modelText(result.model), { force: args.force });
  ctx.stdout(formatFit(result, args.out));
}
