/**
 * Relative-tolerance assertions in @stdlib's manner: a failure prints the label, expected,
 * actual, delta and tolerance. `null` in a fixture stands for R's NA and must meet NaN or null.
 */
export interface CloseOptions {
  /** Relative tolerance: |actual − expected| ≤ rtol·|expected| + atol. */
  rtol?: number;
  /** Absolute floor, for expected values at or near zero; state why when you set it. */
  atol?: number;
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || v === 'NA';
}

export function closeMessage(
  label: string,
  actual: number | null | undefined,
  expected: number | null | undefined,
  { rtol = 1e-6, atol = 0 }: CloseOptions = {},
): string | null {
  if (isMissing(expected)) {
    return isMissing(actual) ? null : `${label}: expected NA, actual ${actual}`;
  }
  const e = expected as number;
  if (isMissing(actual)) return `${label}: expected ${e}, actual ${actual}`;
  const a = actual as number;
  if (!Number.isFinite(e)) return a === e ? null : `${label}: expected ${e}, actual ${a}`;
  const delta = Math.abs(a - e);
  const tol = rtol * Math.abs(e) + atol;
  return delta <= tol
    ? null
    : `${label}: expected ${e}, actual ${a}, delta ${delta.toExponential(3)}, tol ${tol.toExponential(3)}`;
}

export function expectClose(
  actual: number | null | undefined,
  expected: number | null | undefined,
  options: CloseOptions & { label?: string } = {},
): void {
  const msg = closeMessage(options.label ?? 'value', actual, expected, options);
  if (msg !== null) throw new Error(msg);
}

export function expectAllClose(
  actual: ArrayLike<number | null> | null | undefined,
  expected: ArrayLike<number | null> | null | undefined,
  options: CloseOptions & { label?: string } = {},
): void {
  const label = options.label ?? 'array';
  if (actual == null || expected == null) throw new Error(`${label}: missing array`);
  if (actual.length !== expected.length) {
    throw new Error(`${label}: expected length ${expected.length}, actual ${actual.length}`);
  }
  const problems: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const msg = closeMessage(`${label}[${i}]`, actual[i], expected[i], options);
    if (msg !== null) problems.push(msg);
  }
  if (problems.length > 0) {
    throw new Error(
      problems.slice(0, 10).join('\n') +
        (problems.length > 10 ? `\n(+${problems.length - 10} more)` : ''),
    );
  }
}
