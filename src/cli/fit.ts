/**
 * `ecasim fit REGISTRY.csv --spec FIT.yaml --out MODEL.json [--epsilon E] [--seed S] [--force]`:
 * derives a covariate model from a registry extract, writes it atomically, prints a summary.
 */
import { randomInt } from 'node:crypto';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { readTable } from '../io/csv.js';
import { writeFileAtomic } from '../io/output.js';
import { fitModel, modelText, type FitResult } from '../model/fit.js';
import { loadFitSpec } from '../model/fit-spec.js';
import { endpointOfKind, type Endpoint } from '../model/network.js';
import { createStream } from '../random/index.js';
import type { CliContext } from './context.js';
import { numberOption, outputFile, realNumber, requiredText, wholeNumber } from './flags.js';

export interface FitArgs {
  registry: string;
  spec: string;
  out: string;
  epsilon?: unknown;
  seed?: unknown;
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
    .option(
      'epsilon',
      numberOption(
        'Differential-privacy budget ε > 0 (PrivBayes-style); omit for maximum likelihood',
      ),
    )
    .option('seed', {
      ...numberOption(''),
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
/** The scale an outcome parent's effect is printed on, by endpoint. */
const EFFECT_SCALE: Record<Endpoint, string> = {
  'time-to-event': 'log HR',
  binary: 'log OR',
  continuous: 'coefficient',
};

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
  if (r.likelihood !== null) {
    // a model's log-likelihood is the sum of its variables' (the network factorises)
    const parts = Object.values(r.likelihood);
    const logLik = parts.reduce((s, x) => s + x.logLik, 0);
    const k = parts.reduce((s, x) => s + x.dof, 0);
    lines.push(
      `log-likelihood ${logLik.toFixed(2)} with ${k} parameters; AIC ${(-2 * logLik + 2 * k).toFixed(2)}` +
        ` (compare specs fitted to the same rows)`,
    );
    for (const name of r.loaded.outcomes) {
      const l = r.likelihood[name]!;
      lines.push(
        `  ${name}: log-likelihood ${l.logLik.toFixed(2)}, ${l.dof} parameters, AIC ${(-2 * l.logLik + 2 * l.dof).toFixed(2)}`,
      );
    }
  }
  for (const name of r.loaded.outcomes) {
    const v = r.model.variables[name]!;
    const effects = (r.estimates[name] ?? []).filter(
      (e) => !e.term.startsWith('log(') && e.term !== '(Intercept)',
    );
    if (effects.length === 0) continue;
    const scale = EFFECT_SCALE[endpointOfKind(v.kind) ?? 'continuous'];
    lines.push(`outcome ${name}, effect of each parent (${scale}, SE):`);
    for (const e of effects) {
      const ratio =
        scale === 'coefficient' ? '' : `; ${scale.slice(4)} ${Math.exp(e.estimate).toFixed(3)}`;
      lines.push(`  ${e.term}: ${e.estimate.toFixed(4)} (${e.se.toFixed(4)})${ratio}`);
    }
  }
  for (const w of r.warnings) lines.push(`warning: ${w.message}`);
  lines.push(`wrote ${out}`);
  return lines.join('\n') + '\n';
}

export function fitCommand(args: FitArgs, ctx: CliContext): void {
  const epsilon = realNumber('--epsilon', args.epsilon, { gt: 0 });
  const seed = wholeNumber('--seed', args.seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (seed !== undefined && epsilon === undefined) {
    throw new UsageError(
      '--seed applies only with --epsilon (maximum likelihood uses no randomness)',
      {
        field: '--seed',
        hint: 'remove --seed, or add --epsilon',
      },
    );
  }
  const registry = requiredText('REGISTRY', args.registry, 'a registry extract (CSV)');
  const specFile = requiredText('--spec', args.spec, 'a fit spec (YAML)');
  const out = outputFile('--out', args.out, args.force);
  const loaded = loadFitSpec(specFile);
  const table = readTable(registry, 'registry extract');
  const rng = epsilon === undefined ? undefined : createStream(seed ?? randomInt(0, 2 ** 48 - 1));
  const result = fitModel(table, loaded, {
    ...(epsilon !== undefined ? { epsilon } : {}),
    ...(rng ? { rng } : {}),
  });
  writeFileAtomic(out, modelText(result.model), { force: args.force });
  ctx.stdout(formatFit(result, out));
}
