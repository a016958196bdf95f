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
 * Every command as `--help` lists it (in this order): its usage, and what the help says of it.
 */
const HELP = {
  'run <protocol>': 'Run a protocol: draw the synthetic control arm, analyse, write the dossier',
  'render <dir>':
    'Re-render the dossier of a finished run (optionally to PDF, with sponsor templates)',
  'validate <protocol>': 'Check a protocol and every input it names, without running it',
  'verify <dir>':
    'Re-run a finished run (or design) from its manifest and check every output is reproduced bit for bit',
  'sample <model>':
    'Draw virtual patients from a covariate model (optionally as a protocol replicate draws them)',
  'fit <registry>':
    'Derive a covariate model from a registry extract (fixed graph or structure learning; optional differential privacy)',
  analyze: 'Compare two real arms (no simulation): KM, log-rank, Cox, PH test, RMST',
  audit: 'Fidelity, privacy and replication checks of synthetic data against the registry',
  'design <design>':
    'Operating characteristics of a design by simulation (type-I error, power, coverage, bias), optionally one shard of it',
  'merge <shards..>': 'Merge the shard files of a design into the output one process writes',
  'schema <format>': 'Print the JSON Schema of the protocol, model or design format',
};

/** A command's word: its usage up to the first space. */
type Word = keyof typeof HELP extends infer U ? (U extends `${infer W} ${string}` ? W : U) : never;

/**
 * The module of each command, imported only when that command runs, so `ecasim --version` and
 * `--help` never load the dossier renderer, the browser driver or the expression parser
 * (bench/startup.ts measures it). The type holds every module to the convention {@link load}
 * reads: the command `fit` has its flags in `fitBuilder` and what it does in `fitCommand`.
 */
const MODULES: {
  [W in Word]: () => Promise<
    Record<`${W}Builder`, CommandModule['builder']> &
      Record<`${W}Command`, CommandModule['handler']>
  >;
} = {
  run: () => import('./run.js'),
  render: () => import('./render.js'),
  validate: () => import('./validate.js'),
  verify: () => import('./verify.js'),
  sample: () => import('./sample.js'),
  fit: () => import('./fit.js'),
  analyze: () => import('./analyze.js'),
  audit: () => import('./audit.js'),
  design: () => import('./design.js'),
  merge: () => import('./merge.js'),
  schema: () => import('./schema.js'),
};

/** The flags and handler of the command `word`. */
async function load<W extends Word>(word: W): Promise<CommandModule> {
  const m = await MODULES[word]();
  const builders: Record<`${W}Builder`, CommandModule['builder']> = m;
  const handlers: Record<`${W}Command`, CommandModule['handler']> = m;
  return { builder: builders[`${word}Builder`], handler: handlers[`${word}Command`] };
}

/** What each command's positional argument is, for "ecasim run needs a PROTOCOL file". */
const POSITIONALS: Record<string, string> = {
  protocol: 'a PROTOCOL file (protocol YAML)',
  dir: 'a DIR (the output directory of an ecasim run)',
  design: 'a DESIGN file (design YAML)',
  shards: 'at least one SHARD file (written by ecasim design --shard)',
  registry: 'a REGISTRY file (registry extract CSV)',
  model: 'a MODEL file (covariate model JSON)',
  format: 'a FORMAT (protocol, model or design)',
};

/**
 * yargs' complaint about a missing positional argument or required flag, said in the command's
 * own words: which argument is missing and the command's usage line. Undefined for others.
 */
function missingArgument(
  msg: string | null | undefined,
  command: string,
  demanded: Record<string, unknown>,
): UsageError | undefined {
  const [word, ...positionals] = command.split(' ');
  const names = positionals.map((p) => p.replace(/[<>[\].]/g, ''));
  const flags = Object.keys(demanded).filter((k) => !names.includes(k));
  const usage = [
    `ecasim ${word}`,
    ...positionals,
    ...flags.map((f) => `--${f} <${f}>`),
    '[options]',
  ].join(' ');
  const details = { expected: usage, hint: `run \`ecasim ${word} --help\` for its options` };
  if (msg && /^Not enough non-option arguments/.test(msg) && names.length > 0) {
    const missing = names[0]!;
    return new UsageError(
      `ecasim ${word} needs ${POSITIONALS[missing] ?? `a ${missing.toUpperCase()}`}`,
      { field: missing.toUpperCase(), ...details },
    );
  }
  const m = msg ? /^Missing required arguments?: (.+)$/.exec(msg) : null;
  if (m) {
    const missing = m[1]!.split(', ').map((f) => `--${f}`);
    const list =
      missing.length === 1
        ? missing[0]!
        : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)!}`;
    return new UsageError(`ecasim ${word} needs ${list}`, {
      field: missing.join(', '),
      ...details,
    });
  }
  return undefined;
}

const COMMANDS = Object.entries(HELP).map(([command, describe]) => ({ command, describe }));

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
    // `chosen` was found among NAMES, which are the words of HELP.
    const loaded = chosen ? await load(word as Word) : undefined;
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
    /** The required flags of the chosen command, for its usage line. */
    const demandedFlags = (): Record<string, unknown> => {
      try {
        const y = loaded?.builder(yargs([])) as
          { getDemandedOptions?: () => Record<string, unknown> } | undefined;
        return y?.getDemandedOptions?.() ?? {};
      } catch {
        return {};
      }
    };
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
        if (chosen && (!err || err.name === 'YError')) {
          const missing = missingArgument(err?.message ?? msg, chosen.command, demandedFlags());
          if (missing) throw missing;
        }
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
