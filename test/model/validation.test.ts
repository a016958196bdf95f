/**
 * Every validation problem of a covariate model file: its message, the field it names and where
 * (line and column) it points in the file. Positions are found in the fixture text itself, so
 * the expectations cannot drift from the files.
 */
import { readFileSync } from 'node:fs';
import { EcasimError, InputError } from '../../src/errors.js';
import { loadModel, parseModelText } from '../../src/model/load.js';

const dir = 'test/model/fixtures';

/** 1-based line and column of `target` inside the unique occurrence of `needle` in `file`. */
function position(
  file: string,
  needle: string,
  target: string = needle,
): { line: number; column: number } {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0)
    throw new Error(`needle ${needle} not unique in ${file}`);
  const offset = needle.indexOf(target);
  if (offset < 0) throw new Error(`target ${target} not in needle ${needle}`);
  const t = at + offset;
  return { line: text.slice(0, t).split('\n').length, column: t - text.lastIndexOf('\n', t - 1) };
}

/** Every problem reported for a file (the headline error and those riding along). */
function problemsOf(file: string): EcasimError[] {
  try {
    loadModel(file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const e = err as EcasimError;
    return [e, ...e.related];
  }
  throw new Error(`${file} loaded without problems`);
}

interface Expected {
  message: RegExp;
  field: string;
  needle: string;
  target?: string;
}

function check(file: string, problems: EcasimError[], x: Expected): void {
  const found = problems.filter((p) => x.message.test(p.message));
  if (found.length !== 1) {
    throw new Error(
      `expected one problem matching ${x.message}, found ${found.length}:\n` +
        problems.map((p) => `  ${p.details.field}: ${p.message}`).join('\n'),
    );
  }
  const p = found[0]!;
  expect(p.details.file).toBe(file);
  expect(p.details.field).toBe(x.field);
  expect({ line: p.details.line, column: p.details.column }).toEqual(
    position(file, x.needle, x.target),
  );
  expect(p.location).toBe(`${file}:${p.details.line}:${p.details.column}`);
}

describe('schema problems (bad-schema.json)', () => {
  const file = `${dir}/bad-schema.json`;
  const problems = problemsOf(file);
  const cases: [string, Expected][] = [
    [
      'unknown key with did-you-mean',
      {
        message:
          /^unknown key "extractdate" in covariate model under provenance — did you mean "extractDate"\?$/,
        field: 'provenance.extractdate',
        needle: '"extractdate"',
      },
    ],
    [
      'misspelt key in a variable',
      {
        message: /^unknown key "interecpt" .* under variables\.age — did you mean "intercept"\?$/,
        field: 'variables.age.interecpt',
        needle: '"interecpt"',
      },
    ],
    [
      'missing required field',
      {
        message: /^missing required field variables\.age\.intercept in covariate model$/,
        // the field is absent, so the problem points at the variable that lacks it
        field: 'variables.age.intercept',
        needle: '"age": {',
        target: '"age"',
      },
    ],
    [
      'wrong type',
      {
        message: /^variables\.bmi\.sd in covariate model must be a number, found string "4"$/,
        field: 'variables.bmi.sd',
        needle: '"sd": "4"',
        target: '"4"',
      },
    ],
    [
      'non-positive sd',
      {
        message: /^variables\.height\.sd .*must be a number > 0, found number 0$/,
        field: 'variables.height.sd',
        needle: '"sd": 0',
        target: '0',
      },
    ],
    [
      'unknown kind with did-you-mean',
      {
        message:
          /^variables\.smoker\.kind .*unknown kind "categorial" — did you mean "categorical"\?/,
        field: 'variables.smoker.kind',
        needle: '"categorial"',
      },
    ],
    [
      'non-positive Weibull shape',
      {
        message: /^variables\.os\.baseline\.shape .*must be a number > 0, found number -1$/,
        field: 'variables.os.baseline.shape',
        needle: '"shape": -1',
        target: '-1',
      },
    ],
    [
      'non-positive Weibull scale',
      {
        message: /^variables\.os\.baseline\.scale .*must be a number > 0, found number 0$/,
        field: 'variables.os.baseline.scale',
        needle: '"scale": 0',
        target: '0',
      },
    ],
    [
      'non-positive exponential rate',
      {
        message: /^variables\.pfs\.baseline\.rate .*must be a number > 0, found number 0$/,
        field: 'variables.pfs.baseline.rate',
        needle: '"rate": 0',
        target: '0',
      },
    ],
    [
      'non-positive piecewise rate',
      {
        message: /^variables\.dfs\.baseline\.rates\[1\] .*must be a number > 0, found number 0$/,
        field: 'variables.dfs.baseline.rates[1]',
        needle: '"rates": [0.1, 0]',
        target: '0]',
      },
    ],
    [
      'unknown baseline distribution',
      {
        message: /unknown distribution "weibul" — did you mean "weibull"\?/,
        field: 'variables.efs.baseline.distribution',
        needle: '"weibul"',
      },
    ],
  ];
  test.each(cases)('%s', (_label, x) => check(file, problems, x));
  test('all of them are reported at once', () => expect(problems).toHaveLength(cases.length));
});

describe('graph problems (bad-graph.json)', () => {
  const file = `${dir}/bad-graph.json`;
  const problems = problemsOf(file);
  const cases: [string, Expected][] = [
    [
      'a cycle, printed',
      {
        message: /^the model has a cycle: a → b → a$/,
        field: 'variables.a.parents[0]',
        needle: '"parents": ["b"]',
        target: '"b"',
      },
    ],
    [
      'a self-loop',
      {
        message: /^the model has a cycle: e → e$/,
        field: 'variables.e.parents[0]',
        needle: '"parents": ["e"]',
        target: '"e"',
      },
    ],
    [
      'unknown parent with did-you-mean',
      {
        message: /^unknown parent "ag" of "c" — did you mean "age"\?$/,
        field: 'variables.c.parents[0]',
        needle: '"ag"',
      },
    ],
    [
      'categorical with a numeric parent',
      {
        message: /^categorical "stage" cannot have the numeric parent "age" \(continuous\)$/,
        field: 'variables.stage.parents[0]',
        needle: '"parents": ["age"]',
        target: '"age"',
      },
    ],
    [
      'outcome with a child',
      {
        message:
          /^outcome "os" \(time-to-event\) cannot be a parent of "d": outcomes have no children$/,
        field: 'variables.d.parents[0]',
        needle: '"parents": ["os"]',
        target: '"os"',
      },
    ],
  ];
  test.each(cases)('%s', (_label, x) => check(file, problems, x));
  test('all of them are reported at once', () => expect(problems).toHaveLength(cases.length));
  test('a categorical with a numeric parent is told to use logistic', () => {
    const p = problems.find((q) => q.details.field === 'variables.stage.parents[0]')!;
    expect(p.details.hint).toMatch(/use "kind": "logistic"/);
  });
});

describe('probability table problems (bad-table.json)', () => {
  const file = `${dir}/bad-table.json`;
  const problems = problemsOf(file);
  const cases: [string, Expected][] = [
    [
      'a row that does not sum to 1: which row and the sum',
      {
        message: /^row 1 of the table of "stage" \(sex=female, ecog=1\) sums to 0\.9, not 1$/,
        field: 'variables.stage.table[1].p',
        needle: '"p": [0.5, 0.4]',
        target: '[',
      },
    ],
    [
      'a negative probability',
      {
        message:
          /^row 2 of the table of "stage" \(sex=female, ecog=2\) has a negative probability -0\.1 for level "IIIB"$/,
        field: 'variables.stage.table[2].p[0]',
        needle: '[-0.1, 1.1]',
        target: '-0.1',
      },
    ],
    [
      'a given level that does not exist',
      {
        message:
          /^row 3 of the table of "stage" gives sex="mal", which is not a level of "sex" — did you mean "male"\?$/,
        field: 'variables.stage.table[3].given.sex',
        needle: '"mal"',
      },
    ],
    [
      'a given key that is not a parent',
      {
        message: /^row 4 of the table of "stage" gives "smoker", which is not a parent$/,
        field: 'variables.stage.table[4].given.smoker',
        needle: '"smoker"',
      },
    ],
    [
      'a repeated configuration',
      {
        message:
          /^row 5 of the table of "stage" repeats the configuration of row 0 \(sex=female, ecog=0\)$/,
        field: 'variables.stage.table[5].given',
        needle: '{ "given": { "sex": "female", "ecog": "0" }, "p": [0.5, 0.5] }',
        target: '{ "sex"',
      },
    ],
    [
      'a row missing a parent',
      {
        message: /^row 6 of the table of "stage" gives no level of parent "ecog"$/,
        field: 'variables.stage.table[6].given',
        needle: '{ "given": { "sex": "male" }',
        target: '{ "sex"',
      },
    ],
    [
      'a row with the wrong number of probabilities',
      {
        message:
          /^row 6 of the table of "stage" \(sex=male, ecog=\?\) has 3 probabilities for 2 levels$/,
        field: 'variables.stage.table[6].p',
        needle: '[0.2, 0.3, 0.5]',
      },
    ],
    [
      'counts of the wrong length',
      {
        message: /^row 0 of the table of "stage" \(sex=female, ecog=0\) has 3 counts for 2 levels$/,
        field: 'variables.stage.table[0].counts',
        needle: '[1, 2, 3]',
      },
    ],
    [
      'configurations without a row',
      {
        message:
          /^the table of "stage" has no row for 3 configurations of its parents: \(sex=male, ecog=0\), \(sex=male, ecog=1\), \(sex=male, ecog=2\)$/,
        field: 'variables.stage.table',
        needle: '"table": [\n        { "given": { "sex": "female", "ecog": "0" }',
        target: '[',
      },
    ],
    [
      'a label for an unknown level',
      {
        message: /^levelLabels of "sex" names unknown level "femal" — did you mean "female"\?$/,
        field: 'variables.sex.levelLabels.femal',
        needle: '"femal"',
      },
    ],
  ];
  test.each(cases)('%s', (_label, x) => check(file, problems, x));
  test('all of them are reported at once', () => expect(problems).toHaveLength(cases.length));
});

describe('linear predictor and baseline problems (bad-terms.json)', () => {
  const file = `${dir}/bad-terms.json`;
  const problems = problemsOf(file);
  const cases: [string, Expected][] = [
    [
      'a coefficient on a variable that is not a parent',
      {
        message:
          /^coefficients of "pdl1" names "agee", which is not a parent of "pdl1" — did you mean "age"\?$/,
        field: 'variables.pdl1.coefficients.agee',
        needle: '"agee"',
      },
    ],
    [
      'a coefficient on an unknown level',
      {
        message:
          /^coefficients of "pdl1" names level "V" of "stage", which has no such level — did you mean "IV"\?$/,
        field: 'variables.pdl1.coefficients.stage=V',
        needle: '"stage=V"',
      },
    ],
    [
      'a categorical parent without a level',
      {
        message:
          /^coefficients of "pdl1": "sex" is categorical, so its terms are "sex=LEVEL" for the non-reference levels male$/,
        field: 'variables.pdl1.coefficients.sex',
        needle: '"sex": 0.3',
        target: '"sex"',
      },
    ],
    [
      'a numeric parent with a level',
      {
        message:
          /^coefficients of "pdl1": "age" is numeric \(continuous\), so its term is "age", not "age=old"$/,
        field: 'variables.pdl1.coefficients.age=old',
        needle: '"age=old"',
      },
    ],
    [
      'a non-zero coefficient on the reference level',
      {
        message: /^coefficients of "pdl1": "IIIB" is the reference level of "stage"/,
        field: 'variables.pdl1.coefficients.stage=IIIB',
        needle: '"stage=IIIB"',
      },
    ],
    [
      'a center on a categorical parent',
      {
        message: /^centers of "pdl1" names "stage", which is categorical/,
        field: 'variables.pdl1.centers.stage',
        needle: '"centers": { "stage"',
        target: '"stage"',
      },
    ],
    [
      'a center on a variable that is not a parent',
      {
        message: /^centers of "pdl1" names "bmi", which is not a parent of "pdl1"$/,
        field: 'variables.pdl1.centers.bmi',
        needle: '"bmi"',
      },
    ],
    [
      'a log-hazard ratio on a variable that is not a parent',
      {
        message:
          /^logHazardRatios of "os" names "sexx", which is not a parent of "os" — did you mean "sex"\?$/,
        field: 'variables.os.logHazardRatios.sexx=male',
        needle: '"sexx=male"',
      },
    ],
    [
      'step times not increasing',
      {
        message: /^times of the step baseline of "os" must increase strictly, found 2 then 2$/,
        field: 'variables.os.baseline.times[2]',
        needle: '[1, 2, 2]',
        target: '2]',
      },
    ],
    [
      'step survival increasing',
      {
        message:
          /^the step baseline survival of "os" must not increase, found 0\.9 then 0\.95 at time 2$/,
        field: 'variables.os.baseline.survival[1]',
        needle: '0.95',
      },
    ],
    [
      'step survival outside (0, 1]',
      {
        message: /^survival values of the step baseline of "os" must lie in \(0, 1\], found 0$/,
        field: 'variables.os.baseline.survival[2]',
        needle: '0.95, 0]',
        target: '0]',
      },
    ],
    [
      'piecewise breaks not starting at 0',
      {
        message: /^the first break of the baseline of "pfs" must be 0, found 1$/,
        field: 'variables.pfs.baseline.breaks[0]',
        needle: '"breaks": [1, 3]',
        target: '1',
      },
    ],
    [
      'piecewise rates not matching the breaks',
      {
        message: /^the baseline of "pfs" has 2 breaks but 1 rate$/,
        field: 'variables.pfs.baseline.rates',
        needle: '"rates": [0.1]',
        target: '[',
      },
    ],
    [
      'negative binomial without dispersion',
      {
        message: /^"mets" is negative-binomial but has no "dispersion"$/,
        field: 'variables.mets.distribution',
        needle: '"negative-binomial"',
      },
    ],
    [
      'bounds in the wrong order',
      {
        message:
          /^bounds of "weight" must be \[lower, upper\] with lower < upper, found \[100,50\]$/,
        field: 'variables.weight.bounds',
        needle: '[100, 50]',
      },
    ],
  ];
  test.each(cases)('%s', (_label, x) => check(file, problems, x));
  test('all of them are reported at once', () => expect(problems).toHaveLength(cases.length));
});

describe('further checks (inline models)', () => {
  const header =
    '{"format": "ecasim-model/1", "provenance": {"registry": "R", "derivation": {"method": "expert"}, "timeUnit": "days"},\n"variables": ';
  const problemsOfText = (variables: string): EcasimError[] => {
    try {
      parseModelText('inline.json', `${header}${variables}}`);
    } catch (err) {
      const e = err as EcasimError;
      return [e, ...e.related];
    }
    throw new Error('loaded without problems');
  };

  test('a Poisson count with a dispersion', () => {
    const variables =
      '{"n": {"kind": "count", "distribution": "poisson", "dispersion": 2, "intercept": 0}}';
    const [p, ...rest] = problemsOfText(variables);
    expect(rest).toHaveLength(0);
    expect(p!.message).toBe(
      '"dispersion" applies only to a negative-binomial count; "n" is poisson',
    );
    // line 2 of the inline text starts with `"variables": ` (13 characters)
    const column = 13 + variables.indexOf('2,') + 1;
    expect(p!.details).toMatchObject({ field: 'variables.n.dispersion', line: 2, column });
  });

  test('rounding with bounds that hold no integer', () => {
    const [p] = problemsOfText(
      '{"x": {"kind": "continuous", "intercept": 0, "sd": 1, "bounds": [0.2, 0.8], "round": true}}',
    );
    expect(p!.message).toBe('bounds of "x" contain no integer, but "round" is true');
    expect(p!.details.field).toBe('variables.x.bounds');
  });

  test('a repeated parent', () => {
    const problems = problemsOfText(
      '{"a": {"kind": "continuous", "intercept": 0, "sd": 1}, "b": {"kind": "continuous", "parents": ["a", "a"], "intercept": 0, "sd": 1}}',
    );
    expect(problems.map((p) => p.message)).toEqual(['parent "a" of "b" is listed twice']);
    expect(problems[0]!.details.field).toBe('variables.b.parents[1]');
  });

  test('a variable name that cannot be used in a coefficient key', () => {
    const problems = problemsOfText('{"a=b": {"kind": "continuous", "intercept": 0, "sd": 1}}');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.details.field).toBe('variables.a=b');
  });

  test('two identical binary levels', () => {
    const [p] = problemsOfText(
      '{"r": {"kind": "logistic", "levels": ["no", "no"], "intercept": 0}}',
    );
    expect(p!.message).toBe('the two levels of "r" must differ, found "no" twice');
  });

  test('a time-to-event unit other than the model time unit', () => {
    const [p, ...rest] = problemsOfText(
      '{"os": {"kind": "time-to-event", "unit": "weeks", "baseline": {"distribution": "exponential", "rate": 0.1}}}',
    );
    expect(rest).toHaveLength(0);
    expect(p!.message).toBe('the unit of "os" (weeks) differs from provenance.timeUnit (days)');
    expect(p!.details).toMatchObject({ field: 'variables.os.unit', line: 2 });
  });

  test('a model without variables', () => {
    const [p, ...rest] = problemsOfText('{}');
    expect(rest).toHaveLength(0);
    expect(p!.message).toBe('the model has no variables');
    expect(p!.details).toMatchObject({ field: 'variables', line: 2, column: 14 });
  });

  test('a missing file names the file', () => {
    expect(() => loadModel(`${dir}/no-such-model.json`)).toThrow(
      /^covariate model not found: test\/model\/fixtures\/no-such-model\.json$/,
    );
  });

  test('a JSON syntax error is located', () => {
    try {
      parseModelText('broken.json', '{\n  "format": "ecasim-model/1",\n  "variables": {\n}');
      throw new Error('parsed');
    } catch (err) {
      const e = err as EcasimError;
      expect(e.message).toMatch(/^covariate model is not valid JSON/);
      expect(e.details.file).toBe('broken.json');
      expect(e.details.line).toBeGreaterThan(0);
    }
  });
});
