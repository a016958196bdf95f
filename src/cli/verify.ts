/** `ecasim verify DIR`: re-runs a finished run from its manifest and compares every output. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { VerificationError } from '../errors.js';
import { verifyRun } from '../verify.js';
import type { CliContext } from './context.js';

export interface VerifyArgs {
  dir: string;
  protocol?: string;
  design?: string;
}

export function verifyBuilder(y: Argv): Argv<VerifyArgs> {
  return y
    .positional('dir', {
      type: 'string',
      demandOption: true,
      describe: 'Output directory of an ecasim run',
    })
    .option('protocol', {
      type: 'string',
      describe: 'Where the protocol is, if it has moved',
    })
    .option('design', {
      type: 'string',
      describe: 'Where the design file is (ecasim design output), if it has moved or was merged',
    }) as unknown as Argv<VerifyArgs>;
}

/** The manifest's schema, when it is a readable JSON object (else verifyRun reports the problem). */
function manifestSchema(dir: string): unknown {
  try {
    return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { schema?: unknown })
      .schema;
  } catch {
    return undefined;
  }
}

/** `ecasim verify` of an `ecasim design` output: the design run again, its files compared. */
async function verifyDesignDir(args: VerifyArgs, ctx: CliContext): Promise<void> {
  const design = await import('../design/index.js');
  const manifest = JSON.parse(
    readFileSync(join(args.dir, 'manifest.json'), 'utf8'),
  ) as import('../design/index.js').DesignManifest;
  const r = await design.verifyDesign(args.dir, manifest, args.design);
  const lines = [`verifying ${args.dir} (design ${r.design})`];
  for (const c of r.changedInputs)
    lines.push(`  input changed: ${c.what}: manifest ${c.expected}, now ${c.actual}`);
  for (const c of r.onDisk)
    lines.push(
      `  ${c.ok ? 'ok     ' : 'CHANGED'} ${c.what} on disk${c.ok ? '' : c.actual === null ? ' (missing)' : ` (sha256 ${c.actual})`}`,
    );
  for (const c of r.rerun)
    lines.push(
      `  ${c.ok ? 'ok     ' : 'DIFFERS'} ${c.what} reproduced${c.ok ? '' : ` (sha256 ${c.actual ?? 'none'}, manifest ${c.expected})`}`,
    );
  ctx.stdout(lines.join('\n') + '\n');
  if (!r.ok) {
    throw new VerificationError(
      r.changedInputs.length > 0
        ? 'verification failed: the design or a file it reads differs from those the run used'
        : 'verification failed: the outputs are not reproduced bit for bit',
      { file: args.dir, hint: 'see the lines above for which file differs' },
    );
  }
  ctx.stdout(`verified: design digest ${r.designDigest}; design.json and design.html reproduced\n`);
}

export async function verifyCommand(args: VerifyArgs, ctx: CliContext): Promise<void> {
  if (manifestSchema(args.dir) === 'ecasim-design-manifest/1') return verifyDesignDir(args, ctx);
  const r = await verifyRun(args.dir, args.protocol);
  const lines = [`verifying ${args.dir} (protocol ${r.protocol})`];
  for (const c of r.changedInputs)
    lines.push(`  input changed: ${c.what}: manifest ${c.expected}, now ${c.actual}`);
  for (const c of r.onDisk) {
    lines.push(
      `  ${c.ok ? 'ok     ' : 'CHANGED'} ${c.what} on disk${c.ok ? '' : c.actual === null ? ' (missing)' : ` (sha256 ${c.actual})`}`,
    );
  }
  for (const c of r.rerun) {
    lines.push(
      `  ${c.ok ? 'ok     ' : 'DIFFERS'} ${c.what} reproduced${c.ok ? '' : ` (sha256 ${c.actual ?? 'none'}, manifest ${c.expected})`}`,
    );
  }
  if (r.differences.length > 0) {
    lines.push('  first values of results.json that differ (recorded → re-run):');
    for (const d of r.differences) {
      lines.push(`    ${d.path}: ${JSON.stringify(d.expected)} → ${JSON.stringify(d.actual)}`);
    }
  }
  ctx.stdout(lines.join('\n') + '\n');
  if (!r.ok) {
    throw new VerificationError(
      r.changedInputs.length > 0
        ? `verification failed: ${r.changedInputs.length} input(s) differ from those the run used`
        : 'verification failed: the outputs are not reproduced bit for bit',
      { file: args.dir, hint: 'see the lines above for which file differs' },
    );
  }
  ctx.stdout(`verified: results digest ${r.resultsDigest} reproduced\n`);
}
