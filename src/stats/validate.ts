/**
 * The input checks that the numerical core makes in many places, each written once: so that the
 * same check, failing anywhere, throws the same code and reads the same ("invalid weight at
 * observation 3: expected a finite number >= 0, found -1"), with the field and index the calling
 * layer uses to re-word it. Checks particular to one estimator stay with it; the survival inputs
 * (time, status, group codes) are checked in km.ts, which uses these.
 */
import { StatsError } from './errors.js';

/**
 * A value as a message shows it: numbers (and other primitives) as they print, strings and objects
 * as JSON, so that a string "3" is seen to be a string.
 */
export function describe(v: unknown): string {
  return typeof v === 'string' || typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** What one element must be, by name; {@link checkValue} words each one the same everywhere. */
export type Expected = 'finite' | 'non-negative' | 'positive' | 'binary' | 'code';

const EXPECTED: Record<Expected, { readonly says: string; readonly ok: (v: unknown) => boolean }> =
  {
    finite: { says: 'a finite number', ok: (v) => Number.isFinite(v) },
    'non-negative': {
      says: 'a finite number >= 0',
      ok: (v) => Number.isFinite(v) && (v as number) >= 0,
    },
    positive: { says: 'a finite number > 0', ok: (v) => Number.isFinite(v) && (v as number) > 0 },
    binary: { says: '0 or 1', ok: (v) => v === 0 || v === 1 },
    code: { says: 'an integer >= 0', ok: (v) => Number.isInteger(v) && (v as number) >= 0 },
  };

/** What is being checked, as the error names it. */
export interface Subject {
  /** The error code, e.g. `invalid-weight`. */
  readonly code: string;
  /** The element in the message: `weight`, or `` value of `age` ``. */
  readonly what: string;
  /** The argument the element belongs to. */
  readonly field: string;
  /** What the index counts: 'observation' (default), 'replicate', 'position'. */
  readonly unit?: string;
}

/** Balancing or case weights, wherever they are checked. */
export const WEIGHT: Subject = { code: 'invalid-weight', what: 'weight', field: 'weights' };

/** The treatment indicator (1 treated, 0 control) of the propensity and balance functions. */
export const TREATED: Subject = {
  code: 'invalid-group',
  what: 'treatment indicator',
  field: 'treated',
};

/**
 * Throws unless `v`, element `i` of `subject`, is what `expected` names:
 * `invalid ${what} at ${unit} ${i}: expected ${…}, found ${v}`.
 */
export function checkValue(v: unknown, i: number, expected: Expected, subject: Subject): void {
  const e = EXPECTED[expected];
  if (!e.ok(v)) {
    throw new StatsError(
      subject.code,
      `invalid ${subject.what} at ${subject.unit ?? 'observation'} ${i}: expected ${e.says}, found ${describe(v)}`,
      { field: subject.field, index: i },
    );
  }
}

/** {@link checkValue} for every element of `x`, in order (the first bad one is reported). */
export function checkValues(x: ArrayLike<unknown>, expected: Expected, subject: Subject): void {
  for (let i = 0; i < x.length; i++) checkValue(x[i], i, expected, subject);
}

/** Checks that every element of `x` is 0 or 1 and returns how many are 1. */
export function countOnes(x: ArrayLike<number>, subject: Subject): number {
  let ones = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    checkValue(v, i, 'binary', subject);
    ones += v;
  }
  return ones;
}

/**
 * Throws `too-few-${units}` unless `count` ≥ `min`: "`x1` needs at least 2 observations, found 1".
 */
export function checkAtLeast(
  count: number,
  min: number,
  field: string,
  units = 'observations',
): void {
  if (count < min) {
    throw new StatsError(
      `too-few-${units}`,
      `\`${field}\` needs at least ${min} ${units}, found ${count}`,
      {
        field,
      },
    );
  }
}

/** Checks that a covariate matrix (columns `x`) has one name per column. */
export function checkNames(x: readonly ArrayLike<number>[], names: readonly string[]): void {
  if (names.length !== x.length) {
    throw new StatsError(
      'length-mismatch',
      `length mismatch: ${x.length} covariate columns but ${names.length} names`,
      { field: 'names' },
    );
  }
}

/**
 * Checks that every covariate column (named by `names`) has `n` finite values; `units` is what the
 * rows are called in the message ('observations', 'units').
 */
export function checkColumns(
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  n: number,
  units: string,
): void {
  for (let j = 0; j < x.length; j++) {
    const col = x[j]!;
    const name = names[j]!;
    if (col.length !== n) {
      throw new StatsError(
        'length-mismatch',
        `length mismatch: covariate \`${name}\` has ${col.length} values for ${n} ${units}`,
        { field: name },
      );
    }
    checkValues(col, 'finite', {
      code: 'invalid-covariate',
      what: `value of \`${name}\``,
      field: name,
    });
  }
}

/**
 * Checks `n` weights, each ≥ 0 (`'non-negative'`: balancing weights, where 0 drops a unit) or
 * > 0 (`'positive'`: case weights); `units` as in {@link checkColumns}.
 */
export function checkWeights(
  weights: ArrayLike<number>,
  n: number,
  expected: 'non-negative' | 'positive',
  units: string,
): void {
  if (weights.length !== n) {
    throw new StatsError(
      'length-mismatch',
      `length mismatch: ${weights.length} weights for ${n} ${units}`,
      { field: 'weights' },
    );
  }
  checkValues(weights, expected, WEIGHT);
}

/** Throws unless the option `name` is a finite number > 0. */
export function checkPositiveOption(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`${name}\` must be a number > 0. Value: \`${describe(v)}\`.`,
      { field: name },
    );
  }
}

/** Throws unless the option `name` is one of `allowed`, listed in the message as 'a', 'b' or 'c'. */
export function checkOneOf<T extends string>(
  name: string,
  v: unknown,
  allowed: readonly T[],
): asserts v is T {
  if (!allowed.includes(v as T)) {
    const quoted = allowed.map((a) => `'${a}'`);
    const list = `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
    throw new StatsError(
      'invalid-option',
      `invalid option. \`${name}\` must be ${list}. Value: \`${String(v)}\`.`,
      { field: name },
    );
  }
}
