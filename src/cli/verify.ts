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
      `  ${c.ok ? 'ok     ' : 'CHANGED'} ${c.what} on disk${c.ok ? '' : c.actual === null ? ' (missing)' : ` (sha256 ${c.actual}, manifest ${c.expected})`}`,
    );
  }
  for (const c of r.rerun) {
    lines.push(
      `  ${c.ok ? 'ok     ' : 'DIFFERS'} ${c.what} reproduced${c.ok ? '' : c.actual === null ? ' (missing on disk)' : ` (re-run sha256 ${c.expected}, on disk ${c.actual})`}`,
    );
  }
  if (r.manifestFields.length > 0) {
    lines.push('  manifest.json fields that differ from the re-run (recorded → re-derived):');
    for (const d of r.manifestFields) {
      lines.push(`    ${d.path}: ${show(d.expected)} → ${show(d.actual)}`);
    }
  }
  for (const f of r.unexpected) lines.push(`  UNEXPECTED ${f}: not written by ecasim run`);
  for (const f of r.notChecked)
    lines.push(`  not checked ${f}: printed by a browser, not reproduced bit for bit`);
  if (r.node)
    lines.push(`  note: run with Node.js ${r.node.recorded}, verified with ${r.node.now}`);
  if (r.differences.length > 0) {
    lines.push('  first values of results.json that differ (recorded → re-run):');
    for (const d of r.differences) {
      lines.push(`    ${d.path}: ${JSON.stringify(d.expected)} → ${JSON.stringify(d.actual)}`);
    }
  }
  ctx.stdout(lines.join('\n') + '\n');
  if (!r.ok) {
    const what: string[] = [];
    if (r.changedInputs.length > 0) what.push(`${r.changedInputs.length} input(s) differ`);
    const files = [
      ...new Set([
        ...r.onDisk.filter((c) => !c.ok).map((c) => c.what),
        ...r.rerun.filter((c) => !c.ok).map((c) => c.what),
      ]),
    ];
    if (files.length > 0) what.push(`not reproduced: ${files.join(', ')}`);
    if (r.manifestFields.length > 0)
      what.push(
        `manifest fields differ: ${[...new Set(r.manifestFields.map((d) => d.path.split(/[.[]/)[0]))].join(', ')}`,
      );
    if (r.unexpected.length > 0) what.push(`unexpected files: ${r.unexpected.join(', ')}`);
    throw new VerificationError(
      r.changedInputs.length > 0
        ? `verification failed: ${r.changedInputs.length} input(s) differ from those the run used`
        : `verification failed: ${what.join('; ')}`,
      { file: args.dir, hint: 'see the lines above for which file or field differs' },
    );
  }
  ctx.stdout(`verified: results digest ${r.resultsDigest} reproduced\n`);
}

/** A recorded or re-derived manifest value for one line. */
function show(v: unknown): string {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}
