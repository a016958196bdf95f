/**
 * Censoring of latent event times by the design of a study: staggered entry (accrual), a fixed
 * calendar end (administrative censoring) and random loss to follow-up (exponential dropout).
 */
import { InputError, throwCollected } from '../errors.js';
import type { RandomSource } from '../random/index.js';

export interface CensoringDesign {
  /** Patients enter uniformly over [0, duration) of calendar time (duration 0: all at once). */
  readonly accrual: { readonly duration: number; readonly shape: 'uniform' };
  /**
   * Piecewise-constant accrual intensity over [0, duration): `breaks` start at 0, one relative
   * `weights` entry per piece (absent: uniform).
   */
  readonly accrualPattern?: {
    readonly breaks: readonly number[];
    readonly weights: readonly number[];
  };
  /** Event-driven data cut: at the calendar time of the arm's `events`-th event (or studyDuration, if earlier). */
  readonly eventDriven?: { readonly events: number };
  /** Calendar time from the first entry to the data cut; must exceed the accrual duration. */
  readonly studyDuration: number;
  /** Hazard of loss to follow-up per time unit (0 or absent: none). */
  readonly dropoutRate?: number;
}

export interface CensoredTimes {
  /** Observed time: the earliest of event, administrative censoring and dropout. */
  readonly time: Float64Array;
  /** 1 when the event was observed, 0 when censored. */
  readonly event: Uint8Array;
  /** Calendar time of the data cut (studyDuration, or earlier when event-driven). */
  readonly cut: number;
}

function invalid(field: string, message: string, value: unknown): InputError {
  return new InputError(
    `invalid censoring design: \`${field}\` ${message}. Value: \`${String(value)}\`.`,
    {
      field,
      actual: String(value),
    },
  );
}

/**
 * Observed times from latent event times T (Infinity = no event): patient i enters at
 * E_i ~ Uniform[0, accrual.duration), is followed until the study ends, C_i = studyDuration − E_i,
 * and drops out at D_i ~ Exponential(dropoutRate). Observed time is min(T_i, C_i, D_i), with an
 * event when T_i ≤ min(C_i, D_i). Entry times draw from `rng.substream(0)` and dropout times from
 * `rng.substream(1)`, one per patient in order, so results have the same prefix property as the
 * sampler. Complexity O(n).
 *
 * @example
 * const { time, event } = applyCensoring(os, { accrual: { duration: 12, shape: 'uniform' },
 *   studyDuration: 36, dropoutRate: 0.01 }, rng.substream(7));
 */
export function applyCensoring(
  eventTime: ArrayLike<number>,
  design: CensoringDesign,
  rng: RandomSource,
): CensoredTimes {
  const { accrual, studyDuration } = design;
  const rate = design.dropoutRate ?? 0;
  const problems: InputError[] = [];
  if (accrual.shape !== 'uniform')
    problems.push(invalid('accrual.shape', 'must be "uniform"', accrual.shape));
  if (!(Number.isFinite(accrual.duration) && accrual.duration >= 0)) {
    problems.push(invalid('accrual.duration', 'must be a finite number >= 0', accrual.duration));
  }
  if (!(Number.isFinite(studyDuration) && studyDuration > accrual.duration)) {
    problems.push(
      invalid(
        'studyDuration',
        `must be a finite number greater than the accrual duration (${accrual.duration})`,
        studyDuration,
      ),
    );
  }
  if (!(Number.isFinite(rate) && rate >= 0))
    problems.push(invalid('dropoutRate', 'must be a finite number >= 0', rate));
  throwCollected(problems);
  const n = eventTime.length;
  for (let i = 0; i < n; i++) {
    const t = eventTime[i]!;
    if (!(t > 0)) {
      throw new RangeError(
        `invalid event time at observation ${i}: expected a number > 0 (or Infinity), found ${t}`,
      );
    }
  }
  const entry = rng.substream(0);
  const dropout = rng.substream(1);
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  const entered = new Float64Array(n);
  const lost = new Float64Array(n);
  const toEntry = entryTime(accrual.duration, design.accrualPattern);
  for (let i = 0; i < n; i++) {
    entered[i] = toEntry(entry.random());
    lost[i] = rate > 0 ? -Math.log(dropout.uniformOpen()) / rate : Infinity;
  }
  let cut = studyDuration;
  if (design.eventDriven) {
    // calendar times of the events that would be seen before dropout, in order
    const calendar: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = eventTime[i]!;
      if (t <= lost[i]!) calendar.push(entered[i]! + t);
    }
    calendar.sort((a, b) => a - b);
    const k = design.eventDriven.events;
    if (k >= 1 && k <= calendar.length && calendar[k - 1]! < cut) cut = calendar[k - 1]!;
    // Every virtual patient is enrolled: the cut is never before the end of accrual.
    if (cut < accrual.duration) cut = accrual.duration;
  }
  for (let i = 0; i < n; i++) {
    const admin = cut - entered[i]!;
    const c = admin < lost[i]! ? admin : lost[i]!;
    const t = eventTime[i]!;
    if (t <= c && c > 0) {
      time[i] = t;
      event[i] = 1;
    } else time[i] = c;
  }
  return { time, event, cut };
}

/**
 * Maps a uniform u to an entry time: u·duration, or the inverse of the piecewise-linear CDF of a
 * piecewise-constant accrual intensity.
 */
function entryTime(
  duration: number,
  pattern: CensoringDesign['accrualPattern'],
): (u: number) => number {
  if (!pattern) return (u) => duration * u;
  const { breaks, weights } = pattern;
  const ends = [...breaks.slice(1), duration];
  const mass = weights.map((w, j) => w * (ends[j]! - breaks[j]!));
  const total = mass.reduce((s, x) => s + x, 0);
  return (u) => {
    let target = u * total;
    for (let j = 0; j < mass.length; j++) {
      if (target <= mass[j]! || j === mass.length - 1) {
        return breaks[j]! + (weights[j]! > 0 ? target / weights[j]! : 0);
      }
      target -= mass[j]!;
    }
    return duration;
  };
}
