import {
  compileExpression,
  ExpressionError,
  type VariableInfo,
} from '../../src/protocol/expressions.js';

const scope: Record<string, VariableInfo> = {
  age: { type: 'number' },
  weight: { type: 'number' },
  stage: { type: 'text', levels: ['IIIB', 'IV'] },
  ecog: { type: 'text', levels: ['0', '1', '2'] },
};
const patient: Record<string, number | string> = { age: 70, weight: 80, stage: 'IV', ecog: '1' };
const evalOn = (src: string, row = patient) =>
  compileExpression(src, scope).evaluate((n) => row[n]!, 0);

describe('protocol expressions', () => {
  test.each([
    ['age >= 18', true],
    ['age >= 18 and stage == "IV"', true],
    ['stage != "IV" or ecog in ["0", "1"]', true],
    ['not (age < 75)', false],
    ['ecog in ["0"]', false],
    ['weight / (1.8 ^ 2) > 20', true],
    ['max(age, 80) == 80', true],
    ['age mod 7 == 0', true],
    ['(age > 65 ? 1 : 0) == 1', true],
    ['abs(-age) == 70 xor false', true],
  ])('%s → %s', (src, expected) => {
    expect(evalOn(src)).toBe(expected);
  });

  test('reports the variables it reads', () => {
    expect([...compileExpression('age > 1 and stage == "IV"', scope).variables].sort()).toEqual([
      'age',
      'stage',
    ]);
  });

  test('dotted names are variables, not property access', () => {
    const e = compileExpression('primary.upper < 1', { 'primary.upper': { type: 'number' } });
    expect(e.evaluate(() => 0.8, 0)).toBe(true);
  });

  test.each([
    ['agee > 18', /unknown variable "agee" — did you mean "age"\?/],
    ['stage == "V"', /"stage" has no level "V"/],
    ['ecog in ["0", "5"]', /"ecog" has no level "5"/],
    ['ecog <= 1', /categorical; compare it with a level in quotes/],
    ['stage == 4', /compares text with a number/],
    ['age and true', /must be true\/false, found a number/],
    ['age >= ', /syntax error/],
  ])('rejects %s', (src, message) => {
    expect(() => compileExpression(src, scope)).toThrow(message);
  });

  test.each([
    ['age = 3', /assignment is not allowed/],
    ['f(x) = x', /defining a function is not allowed/],
    ['import({}, {})', /function "import" is not allowed/],
    ['evaluate("1")', /function "evaluate" is not allowed/],
    ['age[1]', /property or index access is not allowed/],
    ['age["constructor"]', /unknown variable "age.constructor"/],
    ['{a: 1}', /object literal is not allowed/],
    ['[1, 2]', /a list \(other than after "in"\) is not allowed/],
    ['age > 1; age < 2', /several statements is not allowed/],
    ['process.exit(1)', /function "process.exit" is not allowed|not allowed/],
  ])('cannot reach beyond the patient: %s', (src, message) => {
    expect(() => compileExpression(src, scope)).toThrow(message);
  });

  test('errors carry the character offset of the offending token', () => {
    try {
      compileExpression('age > 1 and agee < 3', scope);
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(ExpressionError);
      expect((err as ExpressionError).offset).toBe(12);
    }
  });
});
