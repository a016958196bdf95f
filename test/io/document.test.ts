import { z } from 'zod';
import {
  didYouMean,
  editDistance,
  parseLocated,
  validateWithSchema,
} from '../../src/io/document.js';
import { InputError } from '../../src/errors.js';

const schema = z
  .object({
    name: z.string(),
    arm: z.object({ size: z.number().int(), label: z.string().optional() }).strict(),
    list: z.array(z.object({ x: z.number() }).strict()).default([]),
  })
  .strict();

function problems(text: string): InputError[] {
  try {
    validateWithSchema(schema, parseLocated('p.yaml', text, 'protocol'), 'protocol');
  } catch (err) {
    const e = err as InputError;
    return [e, ...(e.related as InputError[])];
  }
  return [];
}

describe('located documents', () => {
  test('edit distance and suggestions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(didYouMean('sise', ['size', 'label'])).toBe('size');
    expect(didYouMean('completely', ['size', 'label'])).toBeUndefined();
  });

  test('a valid document passes through with defaults', () => {
    const v = validateWithSchema(
      schema,
      parseLocated('p.yaml', 'name: a\narm:\n  size: 3\n', 'protocol'),
      'protocol',
    );
    expect(v).toEqual({ name: 'a', arm: { size: 3 }, list: [] });
  });

  test('unknown keys are located at the key, with a suggestion', () => {
    const [p] = problems('name: a\narm:\n  size: 3\n  lable: x\n');
    expect(p!.message).toBe('unknown key "lable" in protocol under arm — did you mean "label"?');
    expect(p!.details).toMatchObject({ file: 'p.yaml', line: 4, column: 3, field: 'arm.lable' });
  });

  test('wrong types are located at the value, inside lists too', () => {
    const [p] = problems('name: a\narm:\n  size: 3\nlist:\n  - x: 1\n  - x: "two"\n');
    expect(p!.message).toBe('list[1].x in protocol must be a number, found string "two"');
    expect(p!.details).toMatchObject({ line: 6, column: 8, field: 'list[1].x' });
  });

  test('a missing field is located at its parent', () => {
    const [p] = problems('name: a\narm:\n  label: x\n');
    expect(p!.message).toBe('missing required field arm.size in protocol');
    expect(p!.details).toMatchObject({ line: 2, field: 'arm.size' }); // the parent's key
  });

  test('every problem is collected', () => {
    expect(problems('nam: a\narm:\n  size: 1.5\n').length).toBe(3);
  });

  test('YAML syntax errors have line and column', () => {
    expect(() => parseLocated('p.yaml', 'a: [1, 2\nb: 3\n', 'protocol')).toThrow(InputError);
    try {
      parseLocated('p.yaml', 'a: 1\nb: [2\nc: 3\n', 'protocol');
      throw new Error('no error');
    } catch (err) {
      expect((err as InputError).details.line).toBeGreaterThanOrEqual(2);
      expect((err as InputError).details.column).toBeGreaterThanOrEqual(1);
      expect((err as InputError).message).toMatch(/protocol is not valid YAML/);
    }
  });
});
