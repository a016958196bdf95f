/**
 * Loading valid models: defaults, graph helpers (order, children, outcomes, cycles) and the
 * published JSON Schema.
 */
import { readFileSync } from 'node:fs';
import { loadModel, parseModelText } from '../../src/model/load.js';
import {
  childrenOf,
  findCycles,
  outcomeNames,
  parentConfigurations,
  parentsOf,
  parseTermKey,
  topologicalOrder,
} from '../../src/model/network.js';
import { MODEL_FORMAT, modelJsonSchema, modelSchema, type Model } from '../../src/model/schema.js';

describe('a valid model', () => {
  const m = loadModel('test/model/fixtures/nsclc.json');

  test('loads with provenance, order, children and outcomes', () => {
    expect(m.model.format).toBe(MODEL_FORMAT);
    expect(m.model.provenance).toMatchObject({
      registry: 'Hand-made test registry',
      n: 4210,
      timeUnit: 'months',
    });
    expect(m.model.provenance.derivation).toEqual({
      method: 'expert',
      software: 'by hand',
      epsilon: null,
      notes: 'for tests',
    });
    expect(m.names).toEqual(['sex', 'stage', 'age', 'pdl1', 'mets', 'os', 'orr', 'crp']);
    expect(m.order).toEqual(['sex', 'stage', 'age', 'pdl1', 'mets', 'os', 'orr', 'crp']);
    expect(m.outcomes).toEqual(['os', 'orr', 'crp']);
    expect(m.children.get('stage')).toEqual(['pdl1', 'mets', 'os', 'crp']);
    expect(m.children.get('os')).toEqual([]);
    expect(m.timeUnit).toBe('months');
    expect(m.doc.file).toBe('test/model/fixtures/nsclc.json');
  });

  test('fills in defaults', () => {
    const v = m.variables;
    expect(v.get('sex')?.parents).toEqual([]);
    expect(v.get('age')).toMatchObject({
      transform: 'none',
      centers: {},
      round: true,
      bounds: [18, 95],
    });
    expect(v.get('crp')).toMatchObject({ transform: 'log', round: false });
    const covOnly = loadModel('test/model/fixtures/covariates-only.json');
    expect(covOnly.variables.get('smoker')).toMatchObject({
      table: [{ given: {}, p: [0.2, 0.5, 0.3] }],
    });
    expect(covOnly.outcomes).toEqual([]);
  });

  test('a covariate-only model is valid (no outcome required)', () => {
    expect(loadModel('test/model/fixtures/covariates-only.json').order).toEqual([
      'smoker',
      'weight',
    ]);
  });

  test('the topological order puts parents first even when declared after their children', () => {
    const text = JSON.stringify({
      format: MODEL_FORMAT,
      provenance: { registry: 'R', derivation: { method: 'expert' }, timeUnit: 'days' },
      variables: {
        os: {
          kind: 'time-to-event',
          parents: ['age'],
          baseline: { distribution: 'exponential', rate: 1 },
          logHazardRatios: { age: 0.1 },
        },
        age: { kind: 'continuous', parents: ['sex'], intercept: 60, sd: 5 },
        sex: { kind: 'categorical', levels: ['f', 'm'], table: [{ p: [0.5, 0.5] }] },
      },
    });
    const m2 = parseModelText('inline.json', text);
    expect(m2.names).toEqual(['os', 'age', 'sex']);
    expect(m2.order).toEqual(['sex', 'age', 'os']);
  });
});

describe('graph helpers', () => {
  const model = (edges: Record<string, string[]>): Model =>
    ({
      format: MODEL_FORMAT,
      provenance: { registry: 'R', derivation: { method: 'expert' }, timeUnit: 'days' },
      variables: Object.fromEntries(
        Object.entries(edges).map(([n, parents]) => [
          n,
          { kind: 'continuous', parents, intercept: 0, sd: 1 },
        ]),
      ),
    }) as unknown as Model;

  test('cycles are found once each, led by the earliest-declared variable', () => {
    const m = model({ a: ['c'], b: ['a'], c: ['b'], d: ['d'], e: [] });
    expect(findCycles(m)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['d', 'd'],
    ]);
    expect(topologicalOrder(m)).toBeUndefined();
  });

  test('order, children, parents', () => {
    const m = model({ y: ['x', 'z'], x: [], z: ['x'] });
    expect(topologicalOrder(m)).toEqual(['x', 'z', 'y']);
    expect(Object.fromEntries(childrenOf(m))).toEqual({ y: [], x: ['y', 'z'], z: ['y'] });
    expect(parentsOf(m, 'y')).toEqual(['x', 'z']);
    expect(parentsOf(m, 'nope')).toEqual([]);
    expect(outcomeNames(m)).toEqual([]);
  });

  test('term keys and parent configurations', () => {
    expect(parseTermKey('age')).toEqual({ parent: 'age' });
    expect(parseTermKey('stage=IV')).toEqual({ parent: 'stage', level: 'IV' });
    expect(parseTermKey('grade=a=b')).toEqual({ parent: 'grade', level: 'a=b' });
    expect(
      parentConfigurations([
        ['f', 'm'],
        ['0', '1', '2'],
      ]),
    ).toEqual([
      ['f', '0'],
      ['f', '1'],
      ['f', '2'],
      ['m', '0'],
      ['m', '1'],
      ['m', '2'],
    ]);
    expect(parentConfigurations([])).toEqual([[]]);
  });
});

describe('JSON Schema', () => {
  const schema = modelJsonSchema() as {
    $id: string;
    $schema: string;
    required: string[];
    properties: Record<string, Record<string, unknown>>;
    additionalProperties: boolean;
  };

  test('is draft 2020-12 with the format tag and closed objects', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('https://ecasim.dev/schemas/model.schema.json');
    expect(schema.properties['format']).toMatchObject({ const: MODEL_FORMAT });
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'provenance', 'variables']));
    expect(schema.additionalProperties).toBe(false);
  });

  test('names every variable kind and baseline distribution', () => {
    const text = JSON.stringify(schema);
    for (const kind of [
      'categorical',
      'logistic',
      'continuous',
      'count',
      'time-to-event',
      'binary-endpoint',
      'continuous-endpoint',
    ]) {
      expect(text).toContain(`"const":"${kind}"`);
    }
    for (const d of ['weibull', 'exponential', 'piecewise-exponential', 'step'])
      expect(text).toContain(`"const":"${d}"`);
  });

  test('the example fixtures are valid under the zod schema that generates it', () => {
    for (const f of ['nsclc', 'covariates-only', 'moments']) {
      expect(
        modelSchema.safeParse(JSON.parse(readFileSync(`test/model/fixtures/${f}.json`, 'utf8')))
          .success,
      ).toBe(true);
    }
  });
});
