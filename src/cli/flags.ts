/**
 * Command-line values are checked like the fields of a protocol: one message form (the flag,
 * the value found, the range allowed, what to do), exit code 2, and before any file is read or
 * written. yargs reads numeric flags as text (`numberOption`), so a value is reported as it was
 * typed (`"1,2"`, not `NaN`) and `--seed 1.5` or `--n 1e15` cannot slip through as numbers.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Options } from 'yargs';
import { UsageError, show } from '../errors.js';

/** The range of a protocol's `control.seed`, and of the substream indices. */
export const SEED_RANGE = { min: 0, max: 2 ** 32 - 1 } as const;
/** The range of a protocol's `control.replicates`. */
export const REPLICATES_RANGE = { min: 2, max: 10_000 } as const;
/** Worker threads: more than this is a typo, not a machine. */
export const WORKERS_RANGE = { min: 1, max: 1024 } as const;
/**
 * Virtual patients drawn at once: 10⁷ take about 1 GiB (README, benchmarks); more are drawn as
 * several replicates.
 */
export const PATIENTS_RANGE = { min: 1, max: 10_000_000 } as const;

/** A yargs option for a number: read as text, checked by `wholeNumber` or `realNumber`. */
export function numberOption(describe: string, extra: Options = {}): Options {
  return { type: 'string', requiresArg: true, describe, ...extra };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function single(flag: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    throw new UsageError(`${flag} is given ${raw.length} times (${raw.map(show).join(', ')})`, {
      field: flag,
      expected: 'one value',
      actual: raw.map(show).join(', '),
      hint: `give ${flag} once`,
    });
  }
  return String(raw);
}

function refuse(flag: string, expected: string, text: string, hint: string): UsageError {
  return new UsageError(`${flag} must be ${expected}, found ${show(text)}`, {
    field: flag,
    expected,
    actual: show(text),
    hint,
  });
}

/** A whole number in [min, max], or undefined when the flag is not given. */
export function wholeNumber(
  flag: string,
  raw: unknown,
  range: { readonly min: number; readonly max: number },
  hint = `give ${flag} a whole number from ${range.min} to ${range.max}, or leave it out`,
): number | undefined {
  const text = single(flag, raw);
  if (text === undefined) return undefined;
  const v = NUMBER.test(text.trim()) ? Number(text) : NaN;
  if (!(Number.isInteger(v) && v >= range.min && v <= range.max)) {
    throw refuse(flag, `a whole number from ${range.min} to ${range.max}`, text, hint);
  }
  return v;
}

/** Bounds of a real number: `gt`/`lt` exclusive, `min`/`max` inclusive. */
export interface RealRange {
  gt?: number;
  lt?: number;
  min?: number;
  max?: number;
}

function describeRange(r: RealRange): string {
  const lo = r.gt !== undefined ? `> ${r.gt}` : r.min !== undefined ? `≥ ${r.min}` : undefined;
  const hi = r.lt !== undefined ? `< ${r.lt}` : r.max !== undefined ? `≤ ${r.max}` : undefined;
  if (lo && hi) return `a number ${lo} and ${hi}`;
  return `a number${lo ? ` ${lo}` : ''}${hi ? ` ${hi}` : ''}`;
}

/** A finite number within `range`, or undefined when the flag is not given. */
export function realNumber(
  flag: string,
  raw: unknown,
  range: RealRange,
  hint = `give ${flag} ${describeRange(range)}, or leave it out`,
): number | undefined {
  const text = single(flag, raw);
  if (text === undefined) return undefined;
  const v = NUMBER.test(text.trim()) ? Number(text) : NaN;
  const ok =
    Number.isFinite(v) &&
    (range.gt === undefined || v > range.gt) &&
    (range.lt === undefined || v < range.lt) &&
    (range.min === undefined || v >= range.min) &&
    (range.max === undefined || v <= range.max);
  if (!ok) throw refuse(flag, describeRange(range), text, hint);
  return v;
}

/** A non-empty text value (a path, a column name), or undefined when not given. */
export function textValue(flag: string, raw: unknown, what: string): string | undefined {
  const text = single(flag, raw);
  if (text === undefined) return undefined;
  if (text.trim() === '') {
    throw refuse(flag, what, text, `give ${flag} ${what}, or leave it out`);
  }
  return text;
}

/** A text value that must be given (positional arguments, required flags). */
export function requiredText(flag: string, raw: unknown, what: string): string {
  const v = textValue(flag, raw, what);
  if (v === undefined) {
    throw new UsageError(`${flag} is missing`, { field: flag, expected: what });
  }
  return v;
}

/** An existing directory (sponsor templates): checked before a run spends any time. */
export function existingDirectory(flag: string, raw: unknown): string | undefined {
  const dir = textValue(flag, raw, 'a directory');
  if (dir === undefined) return undefined;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${flag} must be an existing directory, found ${show(dir)}`, {
      field: flag,
      expected: 'an existing directory',
      actual: show(dir),
      hint: 'check the path (it is relative to the current directory)',
    });
  }
  return dir;
}

/**
 * A file to write (`--out` of sample and fit): refused before any work when it exists without
 * `--force` or its directory does not exist, as the atomic write would refuse it afterwards.
 */
export function outputFile(flag: string, raw: unknown, force: boolean): string {
  const file = requiredText(flag, raw, 'a file path');
  if (existsSync(file) && !force) {
    throw new UsageError(`output file ${file} already exists`, {
      file,
      hint: `choose another ${flag} path, or pass --force to replace it`,
    });
  }
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`cannot write ${file}: its directory does not exist`, {
      file,
      field: flag,
      hint: `create ${dir} first, or choose another ${flag} path`,
    });
  }
  return file;
}

/** One of `choices` (with a "did you mean"), or `fallback` when not given. */
export function choice<T extends string>(
  flag: string,
  raw: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  const text = single(flag, raw);
  if (text === undefined) return fallback;
  if ((choices as readonly string[]).includes(text)) return text as T;
  const lower = choices.find((c) => c === text.toLowerCase());
  const expected = `one of ${choices.join(', ')}`;
  throw new UsageError(
    `${flag} must be ${expected}, found ${show(text)}${lower ? ` — did you mean "${lower}"?` : ''}`,
    { field: flag, expected, actual: show(text), hint: `give ${flag} ${lower ?? choices[0]}` },
  );
}
