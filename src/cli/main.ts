/**
 * The `ecasim` command line: yargs parses, one file per command calls the library, and this is
 * the single place where errors become messages and exit codes. Nothing here calls process.exit.
 */
import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { softwareVersions } from '../package-info.js';
import type { CliContext } from './context.js';
import { EXIT, reportError } from './errors.js';
import { analyzeBuilder, analyzeCommand } from './analyze.js';
import { auditBuilder, auditCommand } from './audit.js';
import { fitBuilder, fitCommand } from './fit.js';
import { renderBuilder, renderCommand } from './render.js';
import { runBuilder, runCommand } from './run.js';
import { sampleBuilder, sampleCommand } from './sample.js';
import { schemaBuilder, schemaCommand } from './schema.js';
import { validateBuilder, validateCommand } from './validate.js';
import { verifyBuilder, verifyCommand } from './verify.js';

const defaultContext: CliContext = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTTY: process.stderr.isTTY === true,
};

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(
  argv: readonly string[],
  ctx: CliContext = defaultContext,
): Promise<number> {
  let pending: Promise<void> | undefined;
  const parser = yargs([...argv])
    .scriptName('ecasim')
    .usage(
      '$0 <command> [options]\n\nSynthetic external control arms for single-arm clinical trials.',
    )
    .command(
      'run <protocol>',
      'Run a protocol: draw the synthetic control arm, analyse, write the dossier',
      runBuilder,
      (a) => {
        pending = runCommand(a, ctx);
      },
    )
    .command(
      'render <dir>',
      'Re-render the dossier of a finished run (optionally to PDF, with sponsor templates)',
      renderBuilder,
      (a) => {
        pending = renderCommand(a, ctx);
      },
    )
    .command(
      'validate <protocol>',
      'Check a protocol and every input it names, without running it',
      validateBuilder,
      (a) => {
        validateCommand(a, ctx);
      },
    )
    .command(
      'verify <dir>',
      'Re-run a finished run from its manifest and check every output is reproduced bit for bit',
      verifyBuilder,
      (a) => {
        pending = verifyCommand(a, ctx);
      },
    )
    .command(
      'sample <model>',
      'Draw virtual patients from a covariate model (optionally as a protocol replicate draws them)',
      sampleBuilder,
      (a) => {
        sampleCommand(a, ctx);
      },
    )
    .command(
      'fit <registry>',
      'Derive a covariate model from a registry extract (fixed graph or structure learning; optional differential privacy)',
      fitBuilder,
      (a) => {
        fitCommand(a, ctx);
      },
    )
    .command(
      'analyze',
      'Compare two real arms (no simulation): KM, log-rank, Cox, PH test, RMST',
      analyzeBuilder,
      (a) => {
        analyzeCommand(a, ctx);
      },
    )
    .command(
      'audit',
      'Fidelity, privacy and replication checks of synthetic data against the registry',
      auditBuilder,
      (a) => {
        pending = auditCommand(a, ctx);
      },
    )
    .command(
      'schema <format>',
      'Print the JSON Schema of the protocol or model format',
      schemaBuilder,
      (a) => {
        schemaCommand(a, ctx);
      },
    )
    .demandCommand(
      1,
      'name a command: run, render, validate, verify, sample, fit, analyze, audit or schema (see --help)',
    )
    .strict()
    .recommendCommands()
    .version(softwareVersions().ecasim)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw (
        err ??
        new UsageError(msg, { hint: 'run `ecasim --help` for the commands and their options' })
      );
    });
  let out = '';
  try {
    await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
      out = output;
    });
    if (out) ctx.stdout(out.endsWith('\n') ? out : `${out}\n`);
    if (pending) await pending;
    return EXIT.ok;
  } catch (err) {
    const { message, code } = reportError(err);
    ctx.stderr(message);
    return code;
  }
}
