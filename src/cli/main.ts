/**
 * The `ecasim` command line: yargs parses, one file per command calls the library, and this is
 * the single place where errors become messages and exit codes. Nothing here calls process.exit.
 */
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { softwareVersions } from '../package-info.js';
import type { CliContext } from './context.js';
import { EXIT, reportError } from './errors.js';

/** A command's flags and what it does, as its module exports them. */
interface CommandModule {
  builder: (y: Argv) => Argv<unknown>;
  handler: (args: never, ctx: CliContext) => void | Promise<void>;
}

/**
 * Every command, with what `--help` says of it. Only the module of the command being run is
 * imported, so `ecasim --version` and `--help` never load the dossier renderer, the browser
 * driver or the expression parser (bench/startup.ts measures it).
 */
const COMMANDS: readonly {
  command: string;
  describe: string;
  load: () => Promise<CommandModule>;
}[] = [
  {
    command: 'run <protocol>',
    describe: 'Run a protocol: draw the synthetic control arm, analyse, write the dossier',
    load: async () => {
      const m = await import('./run.js');
      return { builder: m.runBuilder, handler: m.runCommand };
    },
  },
  {
    command: 'render <dir>',
    describe: 'Re-render the dossier of a finished run (optionally to PDF, with sponsor templates)',
    load: async () => {
      const m = await import('./render.js');
      return { builder: m.renderBuilder, handler: m.renderCommand };
    },
  },
  {
    command: 'validate <protocol>',
    describe: 'Check a protocol and every input it names, without running it',
    load: async () => {
      const m = await import('./validate.js');
      return { builder: m.validateBuilder, handler: m.validateCommand };
    },
  },
  {
    command: 'verify <dir>',
    describe:
      'Re-run a finished run from its manifest and check every output is reproduced bit for bit',
    load: async () => {
      const m = await import('./verify.js');
      return { builder: m.verifyBuilder, handler: m.verifyCommand };
    },
  },
  {
    command: 'sample <model>',
    describe:
      'Draw virtual patients from a covariate model (optionally as a protocol replicate draws them)',
    load: async () => {
      const m = await import('./sample.js');
      return { builder: m.sampleBuilder, handler: m.sampleCommand };
    },
  },
  {
    command: 'fit <registry>',
    describe:
      'Derive a covariate model from a registry extract (fixed graph or structure learning; optional differential privacy)',
    load: async () => {
      const m = await import('./fit.js');
      return { builder: m.fitBuilder, handler: m.fitCommand };
    },
  },
  {
    command: 'analyze',
    describe: 'Compare two real arms (no simulation): KM, log-rank, Cox, PH test, RMST',
    load: async () => {
      const m = await import('./analyze.js');
      return { builder: m.analyzeBuilder, handler: m.analyzeCommand };
    },
  },
  {
    command: 'audit',
    describe: 'Fidelity, privacy and replication checks of synthetic data against the registry',
    load: async () => {
      const m = await import('./audit.js');
      return { builder: m.auditBuilder, handler: m.auditCommand };
    },
  },
  {
    command: 'schema <format>',
    describe: 'Print the JSON Schema of the protocol or model format',
    load: async () => {
      const m = await import('./schema.js');
      return { builder: m.schemaBuilder, handler: m.schemaCommand };
    },
  },
];

const NAMES = COMMANDS.map((c) => c.command.split(' ')[0]!);

/** The command named on the command line (global options take no values), if any. */
function commandWord(argv: readonly string[]): string | undefined {
  for (const a of argv) {
    if (a === '--') return undefined;
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** An unknown command is a usage error, with or without --help (yargs would print the help). */
async function unknownCommand(word: string): Promise<UsageError> {
  const { didYouMean } = await import('../io/document.js');
  const guess = didYouMean(word, NAMES);
  return new UsageError(
    `unknown command ${JSON.stringify(word)}${guess ? ` — did you mean "${guess}"?` : ''}`,
    {
      field: 'command',
      expected: `one of ${NAMES.join(', ')}`,
      actual: word,
      hint: guess ? `run \`ecasim ${guess} --help\`` : 'run `ecasim --help` for the commands',
    },
  );
}

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
  try {
    let pending: void | Promise<void> = undefined;
    const word = commandWord(argv);
    const chosen = word === undefined ? undefined : COMMANDS[NAMES.indexOf(word)];
    if (word !== undefined && chosen === undefined) throw await unknownCommand(word);
    const loaded = chosen ? await chosen.load() : undefined;
    const run = loaded?.handler as
      ((a: unknown, ctx: CliContext) => void | Promise<void>) | undefined;
    let parser = yargs([...argv])
      .scriptName('ecasim')
      .usage(
        '$0 <command> [options]\n\nSynthetic external control arms for single-arm clinical trials.',
      );
    for (const c of COMMANDS) {
      parser =
        c === chosen && loaded && run
          ? parser.command(c.command, c.describe, loaded.builder, (a) => {
              pending = run(a, ctx);
            })
          : // Listed in the help only: the command word decides which module is loaded.
            parser.command(c.command, c.describe);
    }
    let out = '';
    await parser
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
        // yargs' own complaints (a missing value, an unknown flag) are usage errors; anything
        // else passing through here is thrown as it is.
        const hint = 'run `ecasim --help` for the commands and their options';
        if (err && err.name === 'YError') throw new UsageError(err.message, { hint });
        throw err ?? new UsageError(msg, { hint });
      })
      .parseAsync([...argv], {}, (_err, _argv, output) => {
        out = output;
      });
    if (out) ctx.stdout(out.endsWith('\n') ? out : `${out}\n`);
    await pending;
    return EXIT.ok;
  } catch (err) {
    const { message, code } = reportError(err);
    ctx.stderr(message);
    return code;
  }
}
