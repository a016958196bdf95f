/**
 * Accrual patterns and event-driven data cuts (issue #4): proportions against their closed forms
 * (within 4 standard errors at a fixed seed), and the exact number of events at an event cut.
 */
import { applyCensoring } from '../../src/simulate/censoring.js';
import { createStream } from '../../src/random/index.js';

describe('censoring designs', () => {
  test('piecewise accrual puts entries in proportion to weight × length', () => {
    const n = 40_000;
    const never = new Float64Array(n).fill(Infinity);
    const { time, event } = applyCensoring(
      never,
      {
        accrual: { duration: 12, shape: 'uniform' },
        accrualPattern: { breaks: [0, 6], weights: [1, 3] },
        studyDuration: 24,
      },
      createStream(3),
    );
    expect(event.every((e) => e === 0)).toBe(true);
    // entry = 24 − time; P(entry ≥ 6) = 3·6 / (1·6 + 3·6) = 0.75
    const late = time.filter((t) => 24 - t >= 6).length / n;
    expect(Math.abs(late - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / n));
    // within the first piece, entries are uniform: P(entry < 3 | entry < 6) = 0.5
    const early = time.filter((t) => 24 - t < 6);
    const first = early.filter((t) => 24 - t < 3).length / early.length;
    expect(Math.abs(first - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / early.length));
  });

  test('an event-driven cut stops at exactly the requested number of events', () => {
    const rng = createStream(5);
    const s = rng.substream(9);
    const t = Float64Array.from({ length: 500 }, () => -Math.log(s.uniformOpen()) * 20);
    const r = applyCensoring(
      t,
      {
        accrual: { duration: 12, shape: 'uniform' },
        studyDuration: 60,
        eventDriven: { events: 150 },
      },
      rng,
    );
    expect(r.event.reduce((a, e) => a + e, 0)).toBe(150);
    expect(r.cut).toBeLessThan(60);
    expect(r.cut).toBeGreaterThanOrEqual(12);
  });

  test('fewer events than requested by the study end: the cut is the study end', () => {
    const t = new Float64Array(50).fill(100);
    const r = applyCensoring(
      t,
      {
        accrual: { duration: 12, shape: 'uniform' },
        studyDuration: 36,
        eventDriven: { events: 10 },
      },
      createStream(1),
    );
    expect(r.cut).toBe(36);
    expect(r.event.every((e) => e === 0)).toBe(true);
  });

  test('uniform accrual is unchanged by the new options (same stream, same times)', () => {
    const t = Float64Array.from({ length: 100 }, (_, i) => 1 + i / 3);
    const a = applyCensoring(
      t,
      { accrual: { duration: 12, shape: 'uniform' }, studyDuration: 30, dropoutRate: 0.02 },
      createStream(2),
    );
    const b = applyCensoring(
      t,
      {
        accrual: { duration: 12, shape: 'uniform' },
        studyDuration: 30,
        dropoutRate: 0.02,
        eventDriven: { events: 1000 },
      },
      createStream(2),
    );
    expect(b.time).toEqual(a.time);
  });
});
