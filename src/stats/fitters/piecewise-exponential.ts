/**
 * Piecewise-exponential proportional-hazards models: person-period split (`survSplit`) and a Poisson
 * GLM with log-exposure offset (R's `glm(event ~ interval + x + offset(log(exposure)), poisson)`).
 */
import { StatsError } from '../errors.js';
import { fitPoisson } from './poisson.js';
import { validateColumns } from './design.js';
import { validateSurvival, type SurvivalFit } from './survival.js';

/**
 * Exposure and events of each subject in each interval [breaks[j], breaks[j+1]) (the last open):
 * the person-period split of `survSplit`. Returns rows with their interval, exposure and event.
 */
export function splitIntervals(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  breaks: readonly number[],
): { subject: Int32Array; interval: Int32Array; exposure: Float64Array; event: Float64Array } {
  const subject: number[] = [];
  const interval: number[] = [];
  const exposure: number[] = [];
  const event: number[] = [];
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    for (let j = 0; j < breaks.length && t > breaks[j]!; j++) {
      const end = j + 1 < breaks.length ? breaks[j + 1]! : Infinity;
      subject.push(i);
      interval.push(j);
      exposure.push(Math.min(t, end) - breaks[j]!);
      event.push(t <= end ? status[i]! : 0);
    }
  }
  return {
    subject: Int32Array.from(subject),
    interval: Int32Array.from(interval),
    exposure: Float64Array.from(exposure),
    event: Float64Array.from(event),
  };
}

/**
 * Piecewise-exponential proportional hazards by maximum likelihood: hazard rates[j]·exp(xβ) on
 * [breaks[j], breaks[j+1]). The likelihood is that of a Poisson regression of the events in each
 * person-interval on interval indicators and x with offset log(exposure) (Holford 1980; Laird &
 * Olivier 1981), fitted by {@link fitPoisson}; R: `glm(event ~ 0 + factor(interval) + x +
 * offset(log(exposure)), poisson, data = survSplit(...))`. An interval without events has no
 * finite ML rate: an error names it (merge it with its neighbour).
 * Complexity O(iterations · n · intervals · (intervals + p)²).
 *
 * @example
 * fitPiecewiseExponential(time, status, [x], ['x'], [0, 6, 12]).baseline.rates; // 3 rates
 */
export function fitPiecewiseExponential(
  time: ArrayLike<number>,
  status: ArrayLike<number>,
  x: readonly ArrayLike<number>[],
  names: readonly string[],
  breaks: readonly number[],
): SurvivalFit {
  const events = validateSurvival(time, status);
  validateColumns(time.length, x, names, 2);
  const split = splitIntervals(time, status, breaks);
  const m = split.subject.length;
  const J = breaks.length;
  const perInterval = new Float64Array(J);
  for (let r = 0; r < m; r++) perInterval[split.interval[r]!]! += split.event[r]!;
  const empty = [...perInterval].findIndex((d) => d === 0);
  if (empty >= 0) {
    throw new StatsError(
      'no-events',
      `no events in the interval starting at ${breaks[empty]}: its rate has no finite estimate; merge it with a neighbour`,
      { field: 'breaks', index: empty },
    );
  }
  const cols: Float64Array[] = [];
  for (let j = 0; j < J; j++)
    cols.push(Float64Array.from(split.interval, (iv) => (iv === j ? 1 : 0)));
  for (const col of x) cols.push(Float64Array.from(split.subject, (s) => col[s]!));
  const intervalNames = breaks.map((b) => `log(rate[${b}])`);
  const fit = fitPoisson(split.event, cols, [...intervalNames, ...names], {
    intercept: false,
    offset: Float64Array.from(split.exposure, Math.log),
  });
  const p = x.length;
  // the Poisson likelihood differs from the survival one by Σ d·log(exposure), constant in θ
  let offsetTerm = 0;
  for (let r = 0; r < m; r++) offsetTerm += split.event[r]! * Math.log(split.exposure[r]!);
  return {
    baseline: {
      distribution: 'piecewise-exponential',
      breaks: [...breaks],
      rates: Array.from(fit.coefficients.slice(0, J), Math.exp),
    },
    names,
    logHazardRatios: fit.coefficients.slice(J),
    se: fit.se.slice(J, J + p),
    covariance: fit.covariance,
    parameterNames: fit.names,
    logLik: fit.logLik - offsetTerm,
    n: time.length,
    events,
    warnings: fit.warnings,
  };
}
