/** `ecasim verify DIR`: re-runs a finished run from its manifest and compares every output. */
import type { Argv } from 'yargs';
import { VerificationError } from '../errors.js';
import { verifyRun } from '../verify.js';
import type { CliContext } from './context.js';

export interface VerifyArgs {
  dir: string;
  protocol?: string;
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
    }) as unknown as Argv<VerifyArgs>;
}

export async function verifyCommand(args: VerifyArgs, ctx: CliContext): Promise<void> {
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
