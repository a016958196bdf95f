/**
 * Options for every fast-check property in the suite: a fixed seed, so `npm test` and CI run
 * the same cases every time and a failure reproduces. Set FC_SEED to another integer to
 * explore further (`FC_SEED=$RANDOM npm test -- test/stats`); a failure prints the seed and the
 * shrunk counterexample, which then becomes a fixed test of its own.
 */
export function propertyOptions(numRuns: number): { numRuns: number; seed: number } {
  const raw = process.env.FC_SEED;
  const seed = raw === undefined || raw === '' ? 20261207 : Number(raw);
  if (!Number.isSafeInteger(seed)) {
    throw new Error(
      `FC_SEED must be an integer; found '${raw}'. Unset it to use the suite's fixed seed.`,
    );
  }
  return { numRuns, seed };
}
