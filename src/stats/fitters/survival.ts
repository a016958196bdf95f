/** Shared pieces of the parametric proportional-hazards fitters: the fit type and input checks. */
import { StatsError, type StatsWarning } from '../errors.js';

/** A proportional-hazards survival fit with a parametric baseline. */
export interface SurvivalFit {
  readonly baseline:
    | { distribution: 'weibull'; shape: number; scale: number }
    | { distribution: 'exponential'; rate: number }
    | { distribution: 'piecewise-exponential'; breaks: number[]; rates: number[] };
  /** Log-hazard ratios, in the order of `names`. */
  readonly names: readonly string[];
  readonly logHazardRatios: Float64Array;
  readonly se: Float64Array;
  /**
   * Covariance of (baseline parameters on the log scale, log-HRs): Weibull (log shape, log scale,
   * β); exponential (log rate, β); piecewise (log rate per interval, β). Row-major.
   */
  readonly covariance: Float64Array;
  readonly parameterNames: readonly string[];
  readonly logLik: number;
  readonly n: number;
  readonly events: number;
  readonly warnings: StatsWarning[];
}

export function validateSurvival(time: ArrayLike<number>, status: ArrayLike<number>): number {
  const n = time.length;
  if (status.length !== n) {
    throw new StatsError('length-mismatch', `${n} times but ${status.length} event indicators`);
  }
  let events = 0;
  for (let i = 0; i < n; i++) {
    if (!(time[i]! > 0 && Number.isFinite(time[i]!))) {
      throw new StatsError(
        'invalid-time',
        `invalid time at observation ${i}: expected a finite number > 0, found ${time[i]}`,
        { field: 'time', index: i },
      );
    }
    if (status[i] !== 0 && status[i] !== 1) {
      throw new StatsError(
        'invalid-status',
        `invalid status at observation ${i}: expected 0 or 1, found ${status[i]}`,
        { field: 'status', index: i },
      );
    }
    events += status[i]!;
  }
  if (events === 0) throw new StatsError('no-events', 'cannot fit a survival model: no events');
  return events;
}
