/** Shared pieces of the parametric proportional-hazards fitters: the fit type, input checks, J·V·Jᵀ. */
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

/** J·V·Jᵀ for q×q row-major matrices. */
export function sandwich(j: Float64Array, v: Float64Array, q: number): Float64Array {
  const t = new Float64Array(q * q);
  for (let r = 0; r < q; r++)
    for (let c = 0; c < q; c++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += j[r * q + k]! * v[k * q + c]!;
      t[r * q + c] = s;
    }
  const out = new Float64Array(q * q);
  for (let r = 0; r < q; r++)
    for (let c = 0; c < q; c++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += t[r * q + k]! * j[c * q + k]!;
      out[r * q + c] = s;
    }
  return out;
}
