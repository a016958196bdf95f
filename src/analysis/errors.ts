/** Failures of the numerical core re-worded at the analysis boundary, in the user's terms. */
import { AnalysisError } from '../errors.js';
import { StatsError } from '../stats/errors.js';

/**
 * Runs `f`; a `StatsError` becomes an `AnalysisError` saying what could not be computed
 * ("cannot compute the weighted Cox model (Primary): ..."). With `keepField`, the error keeps
 * the field the numerical core named (useful where fields are the user's columns or flags).
 */
export function inAnalysis<T>(what: string, f: () => T, { keepField = false } = {}): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof StatsError) {
      throw new AnalysisError(
        `cannot compute ${what}: ${err.message}`,
        keepField && err.field ? { field: err.field } : {},
      );
    }
    throw err;
  }
}
