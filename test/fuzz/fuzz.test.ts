/**
 * The mutation fuzzer (studies/fuzz/mutate.ts) on 300 mutants of the flagship example at a fixed
 * seed: `ecasim validate` must end with exit 0, 2, 3 or 4 and ecasim's error message, never an
 * internal error, and leave nothing behind. `npm run fuzz` runs 2 000 and more (a hang there is
 * caught by a watchdog; here by the test timeout).
 */
import { checkMutant, flagship, makeMutant, type Verdict } from '../../studies/fuzz/mutate.js';

test('300 mutants of the protocol, model and treated CSV keep the property', async () => {
  const base = flagship();
  const verdicts: Verdict[] = [];
  for (let k = 0; k < 300; k++) verdicts.push(await checkMutant(makeMutant(base, 20261207, k)));
  const broken = verdicts
    .filter((v) => v.failure !== null)
    .map((v) => `mutant ${v.index} (${v.kind}): ${v.failure}\n${v.stderr.slice(0, 400)}`);
  expect(broken).toEqual([]);
  // the mutants reach every file and both sides of validation
  expect(new Set(verdicts.map((v) => v.kind))).toEqual(new Set(['protocol', 'model', 'treated']));
  expect(verdicts.some((v) => v.code === 0)).toBe(true);
  expect(verdicts.some((v) => v.code === 3)).toBe(true);
}, 120_000);

test('a mutant is a pure function of (seed, index), and differs from the example', () => {
  const base = flagship();
  const a = makeMutant(base, 5, 17);
  expect(makeMutant(base, 5, 17)).toEqual(a);
  expect(a.files[a.kind]).not.toBe(base[a.kind]);
});
