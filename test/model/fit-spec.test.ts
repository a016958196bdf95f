/**
 * Bad fit specs and registry extracts: every problem named and located (file:line or CSV row),
 * all of a file's problems reported together. Plus missing values, unseen parent configurations,
 * rare levels and event coding.
 */
import { EcasimError } from '../../src/errors.js';
import { parseTable } from '../../src/io/csv.js';
import { fitModel } from '../../src/model/fit.js';
import { parseFitSpecText } from '../../src/model/fit-spec.js';

function problems(fn: () => unknown): EcasimError[] {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof EcasimError)) throw err;
    return [err, ...err.related];
  }
  throw new Error('expected an error');
}
const messages = (fn: () => unknown): string[] => problems(fn).map((e) => e.message);

const HEAD = `format: ecasim-fit/1
registry: { name: test }
timeUnit: months
`;
const CSV = `sex,stage,age,t,e
female,III,60,5.5,1
male,IV,70,3.2,0
male,IV,65,8,1
female,III,55,12,0
male,III,72,2.5,1
female,IV,61,7,1
`;
const table = parseTable('reg.csv', CSV, 'registry extract');

describe('bad specs', () => {
  test('unknown key, with did-you-mean and its line', () => {
    const e = problems(() =>
      parseFitSpecText(
        'fit.yaml',
        HEAD +
          'variables:\n  sex: { kind: categorical, levls: [female, male] }\nstructure: { graph: {} }\n',
      ),
    );
    expect(e[0]!.message).toMatch(/unknown key "levls".*did you mean "levels"/);
    expect(e[0]!.location).toBe('fit.yaml:5:29');
  });

  test('unknown kind, with did-you-mean', () => {
    expect(
      messages(() =>
        parseFitSpecText(
          'fit.yaml',
          HEAD + 'variables:\n  sex: { kind: categorial }\nstructure: { graph: {} }\n',
        ),
      ).join('\n'),
    ).toMatch(/variables.sex.kind/);
  });

  test('a cycle in a fixed graph is printed', () => {
    const m = messages(() =>
      parseFitSpecText(
        'fit.yaml',
        HEAD +
          'variables:\n  a: { kind: categorical, levels: [x, y] }\n  b: { kind: categorical, levels: [x, y] }\n' +
          '  c: { kind: categorical, levels: [x, y] }\nstructure: { graph: { b: [a], c: [b], a: [c] } }\n',
      ),
    );
    expect(m).toContainEqual(
      expect.stringMatching(/the graph has a cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/),
    );
  });

  test('maxParents exceeded by the whitelist, one limit or per node; an unknown node', () => {
    const abc = (learn: string) => () =>
      parseFitSpecText(
        'fit.yaml',
        HEAD +
          'variables:\n  a: { kind: continuous }\n  b: { kind: continuous }\n  c: { kind: continuous }\n' +
          `structure: { learn: { whitelist: [[a, c], [b, c]], maxParents: ${learn} } }\n`,
      );
    expect(messages(abc('1'))).toContainEqual(
      expect.stringMatching(/whitelist gives "c" 2 parents, more than its maxParents = 1/),
    );
    const perNode = messages(abc('{ default: 3, c: 1, d: 2 }'));
    expect(perNode).toContainEqual(
      expect.stringMatching(/^the whitelist gives "c" 2 parents, more than its maxParents = 1$/),
    );
    expect(perNode).toContainEqual(expect.stringMatching(/^maxParents names unknown variable "d"/));
    expect(abc('{ default: 1, c: 2 }')).not.toThrow();
  });

  test('the format rules on arcs, unknown names and kind-specific fields, all at once', () => {
    const m = messages(() =>
      parseFitSpecText(
        'fit.yaml',
        HEAD +
          'variables:\n' +
          '  sex: { kind: categorical }\n' +
          '  age: { kind: continuous, breaks: [0, 1] }\n' +
          '  stage: { kind: categorical, levels: [III, IV] }\n' +
          '  os: { kind: time-to-event, time: t }\n' +
          'structure: { graph: { stage: [age], age: [os, sexx] } }\n',
      ),
    );
    expect(m).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/categorical "sex" needs "levels"/),
        expect.stringMatching(/"breaks" applies only to a time-to-event variable/),
        expect.stringMatching(/time-to-event "os" needs "event"/),
        expect.stringMatching(/categorical "stage" cannot have the numeric parent "age"/),
        expect.stringMatching(/outcome "os" cannot be a parent of "age"/),
        expect.stringMatching(/unknown variable "sexx" — did you mean "sex"/),
      ]),
    );
  });
});

describe('bad registry extracts', () => {
  const spec = (vars: string, graph = '{}') =>
    parseFitSpecText('fit.yaml', HEAD + 'variables:\n' + vars + `structure: { graph: ${graph} }\n`);

  test('unknown column: did-you-mean, located in the spec', () => {
    const e = problems(() =>
      fitModel(table, spec('  sex: { kind: categorical, levels: [female, male], column: sexe }\n')),
    );
    expect(e[0]!.message).toMatch(/no column "sexe" — did you mean "sex"/);
    expect(e[0]!.location).toMatch(/^fit\.yaml:5:/);
  });

  test('a level in the data not in the spec names the row', () => {
    const e = problems(() =>
      fitModel(table, spec('  stage: { kind: categorical, levels: [III, IIIB], column: stage }\n')),
    );
    expect(e[0]!.message).toBe(
      'registry extract, row 2, column "stage": "IV" is not a level of "stage" (levels III, IIIB)',
    );
    expect(e[0]!.location).toBe('reg.csv, row 2');
    expect(e.length).toBe(3); // rows 2, 3 and 6, all reported
  });

  test('bad times and event codes name their rows', () => {
    const bad = parseTable('reg.csv', 'age,t,e\n60,-1,1\n61,2,2\n62,3,1\n', 'registry extract');
    const m = messages(() =>
      fitModel(
        bad,
        spec('  age: { kind: continuous }\n  os: { kind: time-to-event, time: t, event: e }\n'),
      ),
    );
    expect(m).toEqual([
      'registry extract, row 1, column "t": expected a time > 0, found "-1"',
      'registry extract, row 2, column "e": expected 1 (event) or 0 (censored), found "2"',
    ]);
  });
});

describe('missing values, unseen configurations, rare levels, event coding', () => {
  test('complete cases; missing counts per variable in provenance', () => {
    const t = parseTable('reg.csv', 'a,b\n1,x\n2,NA\n,y\n4,x\n5,y\n6,x\n7,y\n', 'registry extract');
    const fit = fitModel(
      t,
      parseFitSpecText(
        'fit.yaml',
        HEAD +
          'variables:\n  b: { kind: categorical, levels: [x, y] }\n  a: { kind: continuous }\nstructure: { graph: { a: [b] } }\n',
      ),
      { software: 't' },
    );
    expect(fit.n).toBe(5);
    expect(fit.missing).toEqual({ a: 1, b: 1 });
    expect(fit.model.provenance.n).toBe(5);
    expect(fit.model.provenance.derivation.notes).toBe(
      'missing values: complete cases (5 of 7 rows kept); missing per variable: b 1, a 1',
    );
  });

  test('an unseen parent configuration gets the marginal with counts 0 and a warning; rare levels kept', () => {
    const fit = fitModel(
      table,
      parseFitSpecText(
        'fit.yaml',
        HEAD +
          'variables:\n  sex: { kind: categorical, levels: [female, male, other] }\n' +
          '  stage: { kind: categorical, levels: [III, IV, IIIB] }\nstructure: { graph: { stage: [sex] } }\n',
      ),
      { software: 't' },
    );
    const stage = fit.model.variables['stage']!;
    if (stage.kind !== 'categorical') throw new Error('kind');
    expect(stage.levels).toEqual(['III', 'IV', 'IIIB']);
    const other = stage.table.find((r) => r.given['sex'] === 'other')!;
    expect(other.counts).toEqual([0, 0, 0]);
    expect(other.p).toEqual([0.5, 0.5, 0]); // marginal of stage: 3 III, 3 IV
    expect(fit.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(['unseen-configuration', 'unseen-level']),
    );
    expect(fit.warnings.find((w) => w.code === 'unseen-configuration')!.message).toMatch(
      /\(sex=other\)/,
    );
  });

  test('ADaM-style event coding (CNSR: 1 = censored)', () => {
    const t = parseTable('reg.csv', 'AVAL,CNSR\n1,0\n2,1\n3,0\n4,0\n', 'registry extract');
    const fit = fitModel(
      t,
      parseFitSpecText(
        'fit.yaml',
        HEAD +
          'variables:\n  os: { kind: time-to-event, time: AVAL, event: CNSR, eventCoding: { event: 0, censored: 1 }, baseline: exponential }\n' +
          'structure: { graph: {} }\n',
      ),
      { software: 't' },
    );
    const os = fit.model.variables['os']!;
    if (os.kind !== 'time-to-event' || os.baseline.distribution !== 'exponential')
      throw new Error('kind');
    expect(os.baseline.rate).toBeCloseTo(3 / 10, 12); // events / total time
  });
});
