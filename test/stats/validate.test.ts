/**
 * The shared input checks of src/stats/validate.ts: each check reads the same wherever it fails,
 * and names the field and index that the calling layer re-words.
 */
import { StatsError } from '../../src/stats/errors.js';
import {
  checkAtLeast,
  checkColumns,
  checkNames,
  checkOneOf,
  checkPositiveOption,
  checkValue,
  checkValues,
  checkWeights,
  countOnes,
  describe as describeValue,
  TREATED,
  WEIGHT,
} from '../../src/stats/validate.js';

function thrown(f: () => unknown): StatsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StatsError);
    return e as StatsError;
  }
  throw new Error('expected a StatsError');
}

describe('element checks', () => {
  test('one wording per expectation, with the index and field', () => {
    const e = thrown(() => checkValue(-1, 3, 'non-negative', WEIGHT));
    expect(e.message).toBe(
      'invalid weight at observation 3: expected a finite number >= 0, found -1',
    );
    expect([e.code, e.field, e.index]).toEqual(['invalid-weight', 'weights', 3]);
    expect(thrown(() => checkValue(0, 1, 'positive', WEIGHT)).message).toBe(
      'invalid weight at observation 1: expected a finite number > 0, found 0',
    );
    expect(thrown(() => checkValue(2, 0, 'binary', TREATED)).message).toBe(
      'invalid treatment indicator at observation 0: expected 0 or 1, found 2',
    );
    const subject = { code: 'invalid-variance', what: 'variance', field: 'v', unit: 'replicate' };
    expect(thrown(() => checkValue(Infinity, 2, 'finite', subject)).message).toBe(
      'invalid variance at replicate 2: expected a finite number, found Infinity',
    );
    expect(thrown(() => checkValue(1.5, 0, 'code', subject)).message).toMatch(
      /expected an integer >= 0, found 1.5$/,
    );
  });

  test('accepts what it should, including the edges', () => {
    expect(() => checkValue(0, 0, 'non-negative', WEIGHT)).not.toThrow();
    expect(() => checkValue(Number.MIN_VALUE, 0, 'positive', WEIGHT)).not.toThrow();
    expect(() => checkValue(-1e300, 0, 'finite', WEIGHT)).not.toThrow();
    expect(() => checkValue(1, 0, 'binary', TREATED)).not.toThrow();
    expect(() => checkValue(0, 0, 'code', WEIGHT)).not.toThrow();
  });

  test('non-numbers are refused and shown as they are', () => {
    expect(thrown(() => checkValue('3', 0, 'finite', WEIGHT)).message).toMatch(/found "3"$/);
    expect(thrown(() => checkValue(NaN, 0, 'non-negative', WEIGHT)).message).toMatch(/found NaN$/);
    expect(thrown(() => checkValue(null, 0, 'binary', TREATED)).message).toMatch(/found null$/);
    expect(describeValue(1n)).toBe('1');
  });

  test('checkValues reports the first bad element; countOnes counts the ones', () => {
    expect(thrown(() => checkValues([1, NaN, -1], 'non-negative', WEIGHT)).index).toBe(1);
    expect(countOnes([1, 0, 1, 1], TREATED)).toBe(3);
    expect(thrown(() => countOnes([1, 0, 0.5], TREATED)).index).toBe(2);
  });
});

describe('composite checks', () => {
  test('counts', () => {
    const e = thrown(() => checkAtLeast(1, 2, 'x1'));
    expect([e.code, e.field, e.message]).toEqual([
      'too-few-observations',
      'x1',
      '`x1` needs at least 2 observations, found 1',
    ]);
    expect(thrown(() => checkAtLeast(1, 2, 'estimates', 'replicates')).code).toBe(
      'too-few-replicates',
    );
    expect(() => checkAtLeast(2, 2, 'x1')).not.toThrow();
  });

  test('covariate matrices', () => {
    expect(thrown(() => checkNames([[1], [2]], ['a'])).message).toBe(
      'length mismatch: 2 covariate columns but 1 names',
    );
    const short = thrown(() =>
      checkColumns(
        [
          [1, 2, 3],
          [1, 2],
        ],
        ['a', 'b'],
        3,
        'units',
      ),
    );
    expect([short.code, short.field, short.message]).toEqual([
      'length-mismatch',
      'b',
      'length mismatch: covariate `b` has 2 values for 3 units',
    ]);
    const bad = thrown(() => checkColumns([[1, 2, NaN]], ['age'], 3, 'observations'));
    expect([bad.code, bad.field, bad.index, bad.message]).toEqual([
      'invalid-covariate',
      'age',
      2,
      'invalid value of `age` at observation 2: expected a finite number, found NaN',
    ]);
  });

  test('weights', () => {
    expect(thrown(() => checkWeights([1, 1], 3, 'positive', 'observations')).message).toBe(
      'length mismatch: 2 weights for 3 observations',
    );
    expect(thrown(() => checkWeights([1, 0, 1], 3, 'positive', 'units')).index).toBe(1);
    expect(() => checkWeights([1, 0, 1], 3, 'non-negative', 'units')).not.toThrow();
  });

  test('options', () => {
    expect(thrown(() => checkPositiveOption('threshold', 0)).message).toBe(
      'invalid option. `threshold` must be a number > 0. Value: `0`.',
    );
    expect(() => checkPositiveOption('epsilon', 1e-8)).not.toThrow();
    expect(thrown(() => checkOneOf('estimand', 'ATC', ['ATT', 'ATE', 'ATO'])).message).toBe(
      "invalid option. `estimand` must be 'ATT', 'ATE' or 'ATO'. Value: `ATC`.",
    );
    expect(thrown(() => checkOneOf('interval', 'x', ['newcombe', 'wald'])).message).toBe(
      "invalid option. `interval` must be 'newcombe' or 'wald'. Value: `x`.",
    );
    expect(() => checkOneOf('interval', 'wald', ['newcombe', 'wald'])).not.toThrow();
  });
});
