/**
 * `runReplicate` is a pure function of the prepared run, the seed and the replicate index: the
 * same (seed, index) gives the identical control arm, another index or seed another arm, and a
 * replicate does not depend on which replicates ran before it (so workers and shards agree).
 * Only the public `prepareRun` / `runReplicate` signatures are used.
 */
import { prepareRun } from '../../src/run/prepare.js';
import { runReplicate, type ReplicateOutput } from '../../src/run/replicate.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Everything a replicate drew, as plain arrays. */
function draws(r: ReplicateOutput): unknown {
  return {
    columns: [...r.cohort.columns].map(([name, col]) => [
      name,
      Array.from(col.kind === 'numeric' ? col.values : col.codes),
    ]),
    time: Array.from(r.time),
    event: Array.from(r.event),
    attrition: r.attrition,
    estimates: r.analyses.map((a) => (a === null ? null : a.estimate)),
  };
}

describe.each(['nsclc-os.yaml', 'als-twin.yaml'])('runReplicate on protocols/%s', (file) => {
  const prepared = prepareRun(`${ROOT}protocols/${file}`);
  const SEED = 20261123;

  test('the same seed and index give an identical control arm and estimates', () => {
    const a = runReplicate(prepared, SEED, 2);
    const b = runReplicate(prepared, SEED, 2);
    expect(a.index).toBe(2);
    expect(a.cohort.n).toBeGreaterThan(0);
    expect(draws(b)).toEqual(draws(a));
  });

  test('another index or another seed gives another control arm', () => {
    const a = draws(runReplicate(prepared, SEED, 2));
    expect(draws(runReplicate(prepared, SEED, 3))).not.toEqual(a);
    expect(draws(runReplicate(prepared, SEED + 1, 2))).not.toEqual(a);
  });

  test('a replicate does not depend on the replicates run before it', () => {
    const alone = draws(runReplicate(prepared, SEED, 1));
    runReplicate(prepared, SEED, 0);
    runReplicate(prepared, SEED, 4);
    expect(draws(runReplicate(prepared, SEED, 1))).toEqual(alone);
  });
});
