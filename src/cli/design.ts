/**
 * `ecasim design DESIGN --out DIR`: the operating characteristics of a design by simulation
 * (design.json, design.html, manifest.json, written atomically). With `--shard i/N` (or `--shards
 * N` and the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX) it runs only shard i and
 * writes DIR/shard-i-of-N.json, for `ecasim merge`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { UsageError, show } from '../errors.js';
import { openOutputDir, writeFileAtomic } from '../io/output.js';
import type { CliContext } from './context.js';
import { numberOption, requiredText, wholeNumber } from './flags.js';

/** Shards of one design: more than this is a typo, not a cluster. */
export const SHARDS_RANGE = { min: 1, max: 100_000 } as const;

/** The environment variables a scheduler gives each array task its index in. */
export const SHARD_INDEX_ENV = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

export interface DesignArgs {
  design: string;
  out: string;
  shard?: unknown;
  shards?: unknown;
  quiet: boolean;
  force: boolean;
}

export interface DesignFlags {
  design: string;
  out: string;
  shard: { index: number; count: number } | null;
  quiet: boolean;
  force: boolean;
}

function shardFlag(raw: unknown): { index: number; count: number } | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.map(String).join(', ') : String(raw);
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const count = m ? Number(m[2]) : NaN;
  const index = m ? Number(m[1]) : NaN;
  if (
    Array.isArray(raw) ||
    !(count >= SHARDS_RANGE.min && count <= SHARDS_RANGE.max && index >= 0 && index < count)
  ) {
    throw new UsageError(
      `--shard must be i/N with 0 ≤ i < N ≤ ${SHARDS_RANGE.max}, found ${show(text)}`,
      {
        field: '--shard',
        expected: `i/N, a shard index from 0 to N − 1 and the number of shards N (1 to ${SHARDS_RANGE.max})`,
        actual: show(text),
        hint: 'e.g. --shard 0/4 … --shard 3/4 for four shards',
      },
    );
  }
  return { index, count };
}

/** The shard index a scheduler gave this task (SHARD_INDEX_ENV), checked against `count`. */
function indexFromEnv(count: number, env: CliContext['env']): number {
  const name = SHARD_INDEX_ENV.find((n) => env[n] !== undefined);
  if (name === undefined) {
    throw new UsageError(
      `--shards ${count} needs the shard index from ${SHARD_INDEX_ENV.join(' or ')}, and neither is set`,
      {
        field: '--shards',
        hint: 'run it as a Slurm array task (sbatch --array=0-N-1) or a Kubernetes Indexed Job, or give --shard i/N',
      },
    );
  }
  const text = env[name]!;
  const index = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(index >= 0 && index < count)) {
    throw new UsageError(
      `${name} must be a shard index from 0 to ${count - 1} for --shards ${count}, found ${show(text)}`,
      {
        field: name,
        expected: `a whole number from 0 to ${count - 1}`,
        actual: show(text),
        hint: `number the array tasks from 0 (sbatch --array=0-${count - 1})`,
      },
    );
  }
  return index;
}

/** Checks every flag before anything is read or written. */
export function designFlags(args: DesignArgs, env: CliContext['env']): DesignFlags {
  const shard = shardFlag(args.shard);
  const count = wholeNumber('--shards', args.shards, SHARDS_RANGE);
  if (shard !== undefined && count !== undefined) {
    throw new UsageError('--shard and --shards are given together', {
      field: '--shards',
      hint: 'give --shard i/N, or --shards N with the index from the scheduler, not both',
    });
  }
  return {
    design: requiredText('DESIGN', args.design, 'a design file'),
    out: requiredText('--out', args.out, 'an output directory'),
    shard: shard ?? (count !== undefined ? { index: indexFromEnv(count, env), count } : null),
    quiet: args.quiet,
    force: args.force,
  };
}

export function designBuilder(y: Argv): Argv<DesignArgs> {
  return y
    .positional('design', { type: 'string', demandOption: true, describe: 'Design YAML file' })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'Output directory (written atomically); with --shard, where the shard file goes',
    })
    .option('shard', {
      type: 'string',
      requiresArg: true,
      describe: 'Run only shard i of N (trials t with t mod N = i), e.g. 0/4',
    })
    .option(
      'shards',
      numberOption(
        `Run one of N shards, its index from ${SHARD_INDEX_ENV.join(' or ')} (Slurm arrays, Kubernetes Indexed Jobs)`,
      ),
    )
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress line' })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace a non-empty output directory, or an existing shard file',
    })
    .example('$0 design designs/nsclc-oc.yaml --out out/nsclc-oc', 'The example design')
    .example(
      '$0 design designs/nsclc-oc.yaml --shard 1/4 --out out/shards',
      'The second of four shards',
    ) as unknown as Argv<DesignArgs>;
}

/** "trials 12/40, 1.9 a second, about 15 s to go", redrawn in place; only on a terminal. */
export function designProgress(ctx: CliContext, label: string) {
  if (!ctx.isTTY) return undefined;
  const started = Date.now();
  let last = 0;
  return (done: number, total: number): void => {
    const now = Date.now();
    if (now - last < 250 && done < total) return;
    last = now;
    const rate = done / Math.max(1e-3, (now - started) / 1000);
    const eta = done < total ? `, about ${Math.ceil((total - done) / rate)} s to go` : '';
    ctx.stderr(
      `\r${label} ${done}/${total}, ${rate.toFixed(1)} a second${eta}   ${done === total ? '\n' : ''}`,
    );
  };
}

export async function designCommand(raw: DesignArgs, ctx: CliContext): Promise<void> {
  const args = designFlags(raw, ctx.env);
  const design = await import('../design/index.js');
  if (args.shard !== null) {
    const { index, count } = args.shard;
    const file = join(args.out, design.shardName(index, count));
    // refused now, not after the trials have run
    if (existsSync(file) && !args.force) {
      throw new UsageError(`output file ${file} already exists`, {
        file,
        hint: 'choose another --out directory, or pass --force to replace it',
      });
    }
    const prepared = design.prepareDesign(args.design);
    const shard = design.runShard(
      prepared,
      index,
      count,
      args.quiet ? undefined : designProgress(ctx, `shard ${index}/${count}: trials`),
    );
    mkdirSync(args.out, { recursive: true });
    writeFileAtomic(file, design.shardText(shard), { force: args.force });
    ctx.stdout(
      `${prepared.frame.name}: shard ${index} of ${count}, ${shard.trialsRun.length} of ${prepared.frame.trials} trials × ${prepared.frame.scenarios.length} scenarios\n` +
        `wrote ${file}\n`,
    );
    return;
  }
  // The output directory is checked now and staged only once the trials have run, so an
  // interrupted design leaves nothing behind, not even a staging directory.
  openOutputDir(args.out, { force: args.force }).abort();
  const result = await design.runDesign(args.design, {
    command: `ecasim design ${args.design} --out DIR`,
    outDir: args.out,
    ...(args.quiet ? {} : { onProgress: designProgress(ctx, 'trials') }),
  });
  const out = openOutputDir(args.out, { force: args.force });
  try {
    for (const f of result.files) out.write(f.name, f.content);
    out.commit();
  } finally {
    out.abort();
  }
  ctx.stdout(
    summaryText(
      result.results,
      args.out,
      result.files.map((f) => f.name),
    ),
  );
}

/** The primary analysis's rejection rate per scenario, and what was written. */
export function summaryText(
  r: import('../design/index.js').DesignResults,
  out: string,
  names: readonly string[],
): string {
  const lines = r.scenarios.map((s) => {
    const a = s.analyses[0]!;
    const rej = a.rejection
      ? `${a.rejection.kind} ${(100 * a.rejection.value).toFixed(1)}% (MC SE ${((a.rejection.mcse ?? 0) * 100).toFixed(1)})`
      : 'no estimate';
    const cov = a.coverage ? `, coverage ${(100 * a.coverage.value).toFixed(1)}%` : '';
    return `  ${s.id}: ${rej}${cov}${s.failed ? `, ${s.failed} failed` : ''}`;
  });
  return (
    `${r.name}: ${r.trials} trials × ${r.scenarios.length} scenarios (primary analysis)\n${lines.join('\n')}\n` +
    `wrote ${names.join(', ')} to ${out}\n`
  );
}
