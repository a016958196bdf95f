/**
 * Number formatting for the dossier. Display only: nothing here computes a statistic; values are
 * printed as `results.json` holds them, rounded for reading.
 */

/** Fixed-decimal formatting for display; "—" for a missing value. */
export function fmt(x: number | null | undefined, decimals = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toFixed(decimals);
}

/** p-values as journals print them: three decimals, or "< 0.001". */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** A percentage from a proportion in [0, 1]. */
export function fmtPct(x: number | null | undefined, decimals = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(decimals)}%`;
}

/** Integers with thin-space thousands separators (10 609), as in printed reports. */
export function fmtInt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Math.round(x)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/**
 * A confidence limit: `decimals` decimals, except that a non-zero limit too small to show at that
 * many (|x| < 10^−decimals) is written with two significant digits — "0.0011", not "0.00", which
 * would read as an interval that reaches zero.
 */
export function fmtLimit(x: number | null | undefined, decimals = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x !== 0 && Math.abs(x) < 10 ** -decimals ? x.toPrecision(2) : x.toFixed(decimals);
}

/** An interval "a to b", with "not reached" for a missing upper limit. */
export function fmtInterval(
  lower: number | null | undefined,
  upper: number | null | undefined,
  decimals = 2,
): string {
  const hi =
    upper === null || upper === undefined || !Number.isFinite(upper)
      ? 'not reached'
      : fmtLimit(upper, decimals);
  return `${fmtLimit(lower, decimals)} to ${hi}`;
}

/** At most `k` evenly spaced rows of a long table (first and last kept). */
export function thin<T>(rows: readonly T[], k: number): T[] {
  if (rows.length <= k) return [...rows];
  return Array.from({ length: k }, (_, j) => rows[Math.round((j * (rows.length - 1)) / (k - 1))]!);
}

/** "months" → "month" (for "per month"). */
export function singular(unit: string): string {
  return unit.endsWith('s') ? unit.slice(0, -1) : unit;
}

/** First letter upper case. */
export function capitalise(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}
