/**
 * The one place where failures become messages and exit codes. Commands throw; `main` calls
 * `reportError` and returns its code. Exit codes are documented in the README.
 */
import { EcasimError, type ErrorKind } from '../errors.js';

export const EXIT = {
  ok: 0,
  /** The command line cannot be acted on: unknown flag, missing argument, refused output directory. */
  usage: 2,
  /** An input file is missing, malformed or inconsistent. */
  input: 3,
  /** Valid inputs on which the analysis cannot be carried out. */
  analysis: 4,
  /** `ecasim verify`: the run is not reproduced bit for bit. */
  verification: 5,
  /** A bug in ecasim (BSD sysexits EX_SOFTWARE). */
  internal: 70,
} as const satisfies Record<ErrorKind | 'ok', number>;

const MAX_RELATED = 25;

function describe(e: EcasimError, indent: string): string[] {
  const lines: string[] = [];
  const d = e.details;
  const where = e.location;
  if (where)
    lines.push(
      `${indent}at ${where}${d.row !== undefined && d.line !== undefined ? ` (line ${d.line})` : ''}`,
    );
  if (d.field) lines.push(`${indent}field: ${d.field}`);
  if (d.expected) lines.push(`${indent}expected: ${d.expected}`);
  if (d.actual) lines.push(`${indent}found: ${d.actual}`);
  if (d.hint) lines.push(`${indent}what to do: ${d.hint}`);
  return lines;
}

/** The text shown on stderr for an error, and its exit code. */
export function reportError(err: unknown): { message: string; code: number } {
  if (err instanceof EcasimError) {
    const lines = [`ecasim: error: ${err.message}`, ...describe(err, '  ')];
    if (err.related.length > 0) {
      const n = err.related.length;
      lines.push(`  and ${n} more problem${n === 1 ? '' : 's'} in the same input:`);
      for (const r of err.related.slice(0, MAX_RELATED)) {
        lines.push(`  - ${r.location ? `${r.location}: ` : ''}${r.message}`);
        lines.push(...describe(r, '      ').filter((l) => !l.trimStart().startsWith('at ')));
      }
      if (n > MAX_RELATED) lines.push(`  ... ${n - MAX_RELATED} more not shown`);
    }
    return { message: lines.join('\n') + '\n', code: EXIT[err.kind] };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    message:
      `ecasim: internal error: ${e.message}\n` +
      `  This is a bug in ecasim, not in your input. Please report it with the command and this trace:\n` +
      `${(e.stack ?? '').split('\n').slice(1, 8).join('\n')}\n`,
    code: EXIT.internal,
  };
}
