/**
 * Issue #2's bad inputs, through the real CLI: each gives a clear, located message, a non-zero
 * exit code, and leaves no output directory (or staging directory) behind.
 */
import { readFileSync } from 'node:fs';
import { EXIT } from '../../src/cli/errors.js';
import {
  ecasim,
  edit,
  EXAMPLE,
  makeWorkspace,
  type CliResult,
  type Workspace,
} from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

/** Runs the protocol of a workspace built with `edits`; asserts nothing was written. */
async function runWith(edits: Parameters<typeof makeWorkspace>[0]): Promise<CliResult> {
  ws = makeWorkspace(edits);
  const before = ws.list();
  const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('out')]);
  expect(ws.list()).toEqual(before);
  return r;
}

/** Replaces data row `row` (1-based, header excluded) of the treated CSV. */
function editRow(row: number, f: (fields: string[]) => void): string {
  const lines = EXAMPLE.treated.split('\n');
  const fields = lines[row]!.split(',');
  f(fields);
  lines[row] = fields.join(',');
  return lines.join('\n');
}

const TIME = 7; // AVAL
const CNSR = 8;

describe('bad input to `ecasim run`', () => {
  test('a missing protocol file', async () => {
    ws = makeWorkspace();
    const r = await ecasim(['run', ws.path('nope.yaml'), '--out', ws.path('out')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/protocol not found: .*nope\.yaml/);
    expect(ws.list()).not.toContain('out');
  });

  test('a missing treated dataset named by the protocol', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'file: treated.csv', 'file: treatd.csv'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/treated dataset not found: .*treatd\.csv/);
  });

  test('a YAML syntax error gives line and column', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'sponsor: Example', 'sponsor: "Example'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/protocol is not valid YAML/);
    expect(r.stderr).toMatch(/protocol\.yaml:\d+:\d+/);
  });

  test('an unknown key gets a "did you mean"', async () => {
    const r = await runWith({ protocol: edit(EXAMPLE.protocol, 'eligibility:', 'eligibilty:') });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'unknown key "eligibilty" in protocol — did you mean "eligibility"?',
    );
    const line = EXAMPLE.protocol.split('\n').findIndex((l) => l.startsWith('eligibility:')) + 1;
    expect(r.stderr).toContain(`protocol.yaml:${line}:1`);
  });

  test('a value of the wrong type names the field, the expected type and what was found', async () => {
    const r = await runWith({ protocol: edit(EXAMPLE.protocol, 'size: 400', 'size: many') });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('control.size in protocol must be a number, found string "many"');
    expect(r.stderr).toContain('field: control.size');
  });

  test('all problems of a protocol are reported at once', async () => {
    const p = edit(edit(EXAMPLE.protocol, 'size: 400', 'size: many'), 'sponsor:', 'sponser:');
    const r = await runWith({ protocol: p });
    expect(r.stderr).toContain('control.size');
    expect(r.stderr).toContain('did you mean "sponsor"');
    expect(r.stderr).toMatch(/and \d+ more problems? in the same input/);
  });

  test('a CSV without the mapped time column', async () => {
    const r = await runWith({ treated: EXAMPLE.treated.replace('AVAL', 'AVALX') });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('treated dataset has no column "AVAL" — did you mean "AVALX"?');
  });

  test('a non-numeric time names the row', async () => {
    const r = await runWith({ treated: editRow(3, (f) => (f[TIME] = 'soon')) });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'treated dataset, row 3, column "AVAL": expected a time > 0, found "soon"',
    );
    expect(r.stderr).toContain('treated.csv, row 3 (line 4)');
  });

  test('a negative time names the row', async () => {
    const r = await runWith({ treated: editRow(5, (f) => (f[TIME] = '-2.5')) });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('row 5, column "AVAL": expected a time > 0, found "-2.5"');
  });

  test('a missing time names the row', async () => {
    const r = await runWith({ treated: editRow(7, (f) => (f[TIME] = '')) });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('row 7, column "AVAL": expected a time > 0, found a missing value');
  });

  test('an event value other than 0/1 names the row', async () => {
    const r = await runWith({ treated: editRow(2, (f) => (f[CNSR] = '2')) });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'row 2, column "CNSR": expected 0 (event) or 1 (censored), CDISC CNSR, found "2"',
    );
  });

  test('a covariate value that is not a model level names the row', async () => {
    const r = await runWith({ treated: editRow(4, (f) => (f[2] = 'M')) });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('row 4, column "SEX": "M" is not a level of sex');
  });

  test('a model with a cycle names the cycle', async () => {
    const r = await runWith({
      model: edit(
        EXAMPLE.truthModel,
        '"parents": ["sex"],\n      "intercept": 64.5',
        '"parents": ["sex", "brain_mets"],\n      "intercept": 64.5',
      ),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/cycle/i);
    expect(r.stderr).toMatch(/age → brain_mets → age|brain_mets → age → brain_mets/);
  });

  test('a table row that does not sum to 1 names the row and its sum', async () => {
    const r = await runWith({
      model: edit(EXAMPLE.truthModel, '"p": [0.82, 0.18]', '"p": [0.82, 0.28]'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/sum/);
    expect(r.stderr).toContain('1.1');
    expect(r.stderr).toMatch(/model\.json:\d+:\d+/);
  });

  test('an eligibility criterion naming an unknown variable', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'expression: age >= 18', 'expression: agee >= 18'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'eligibility criterion "Adult": unknown variable "agee" — did you mean "age"?',
    );
    const line =
      EXAMPLE.protocol.split('\n').findIndex((l) => l.includes('expression: age >= 18')) + 1;
    expect(r.stderr).toMatch(new RegExp(`protocol\\.yaml:${line}:\\d+`));
  });

  test('an eligibility criterion naming a level the variable does not have', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'brain_mets == "no"', 'brain_mets == "No"'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('"brain_mets" has no level "No"');
  });

  test('criteria no virtual patient can meet stop with the acceptance rate', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'expression: age >= 18', 'expression: age >= 120'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/acceptance rate 0(\.0+)?%/);
    expect(r.stderr).toContain('"Adult" excluded');
    // located at the protocol's criteria (issue 17)
    const line = EXAMPLE.protocol.split('\n').findIndex((l) => l.startsWith('eligibility:')) + 2;
    expect(r.stderr).toMatch(new RegExp(`protocol\\.yaml:${line}:3`));
    expect(r.stderr).toContain('field: eligibility');
    expect(r.stderr).toContain('raise control.maxDraws');
  });

  test('a non-empty output directory is refused without --force', async () => {
    ws = makeWorkspace();
    const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.dir]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('already exists and is not empty');
    expect(r.stderr).toContain('--force');
  });
});

describe('usage errors', () => {
  test('an unknown command', async () => {
    const r = await ecasim(['rn', 'x.yaml']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/unknown command "rn" — did you mean "run"\?/);
  });

  test('run without --out', async () => {
    const r = await ecasim(['run', 'protocols/nsclc-os.yaml']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/out/);
  });
});

describe('bad protocol input of the full run (issue #5)', () => {
  test('a model without sampling uncertainty for every parameter is refused (issue #11)', async () => {
    const r = await runWith({ model: EXAMPLE.truthModel });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'model.json gives no sampling uncertainty for 3 variables: age (intercept, sex=male, log(sd)); brain_mets (intercept,',
    );
    expect(r.stderr).toContain('field: control.parameterUncertainty');
    expect(r.stderr).toContain('set control.parameterUncertainty: false');
    expect(r.stderr).toMatch(/protocol\.yaml:\d+:\d+/);
    // said explicitly, the same model is accepted
    ws!.cleanup();
    ws = makeWorkspace({
      model: EXAMPLE.truthModel,
      protocol: edit(
        EXAMPLE.protocol,
        'replicates: 20',
        'replicates: 20\n  parameterUncertainty: false',
      ),
    });
    const ok = await ecasim(['validate', ws.path('protocol.yaml')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(EXIT.ok);
  });

  test('replicates < 2', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'replicates: 20', 'replicates: 1'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('at least 2 replicates are needed to combine them');
    expect(r.stderr).toContain('field: control.replicates');
  });

  test('a mistyped time unit gets a "did you mean"', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'timeUnit: months', 'timeUnit: month'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('inputs.treated.timeUnit in protocol must be one of');
    expect(r.stderr).toContain('did you mean "months"?');
  });

  test('a success criterion that does not parse', async () => {
    const r = await runWith({
      protocol: edit(
        EXAMPLE.protocol,
        'successCriterion: primary.upper < 1',
        'successCriterion: primary.upper <',
      ),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('success criterion: syntax error');
    const line =
      EXAMPLE.protocol.split('\n').findIndex((l) => l.startsWith('successCriterion:')) + 1;
    expect(r.stderr).toMatch(new RegExp(`protocol\\.yaml:${line}:\\d+`));
  });

  test('a success criterion naming a result that does not exist', async () => {
    const r = await runWith({
      protocol: edit(
        EXAMPLE.protocol,
        'successCriterion: primary.upper < 1',
        'successCriterion: primary.uper < 1',
      ),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('unknown variable "primary.uper" — did you mean "primary.upper"?');
  });

  test('a treated dataset whose covariate mapping does not match its columns', async () => {
    const r = await runWith({ protocol: edit(EXAMPLE.protocol, 'age: AGE', 'age: AGE_YEARS') });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('treated dataset has no column "AGE_YEARS"');
    expect(r.stderr).toContain('field: inputs.treated.covariates.age');
  });

  test('an analysis covariate that is not a model variable', async () => {
    const r = await runWith({
      protocol: edit(
        EXAMPLE.protocol,
        'covariates: [age, sex, histology, smoking, ecog]',
        'covariates: [age, sex, histology, smoking, ecgo]',
      ),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'analysis covariate "ecgo" is not a baseline variable of the covariate model',
    );
  });

  test('covariate effects by arm on an analysis other than cox-adjusted', async () => {
    const r = await runWith({
      protocol: edit(
        EXAMPLE.protocol,
        '      method: cox-unadjusted\n',
        '      method: cox-unadjusted\n      covariateEffects: by-arm\n',
      ),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'covariateEffects applies to the cox-adjusted method only, not cox-unadjusted',
    );
    expect(r.stderr).toContain('field: analysis.secondary[0].covariateEffects');
    expect(r.stderr).toMatch(/protocol\.yaml:\d+:\d+/);
  });

  test('an analysis that does not suit the endpoint', async () => {
    const r = await runWith({
      protocol: edit(EXAMPLE.protocol, 'method: rmst', 'method: risk-ratio'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('analysis method risk-ratio does not suit a time-to-event endpoint');
  });
});

describe('derived variables', () => {
  const withDerived = (derived: string) =>
    edit(EXAMPLE.protocol, 'eligibility:\n', `${derived}\neligibility:\n`);

  test('are computed for both arms and usable in eligibility and analyses', async () => {
    ws = makeWorkspace({
      protocol: edit(
        edit(
          withDerived('derived:\n  - name: older\n    expression: age >= 70'),
          'expression: age >= 18',
          'expression: age >= 18 and older <= 1',
        ),
        'covariates: [age, sex, histology, smoking, ecog]\n    weighting',
        'covariates: [older, sex, histology, smoking, ecog]\n    weighting',
      ),
    });
    const r = await ecasim([
      'run',
      ws.path('protocol.yaml'),
      '--out',
      ws.path('out'),
      '--replicates',
      '3',
    ]);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(EXIT.ok);
    const results = JSON.parse(readFileSync(ws.path('out/results.json'), 'utf8'));
    const older = results.balance.rows.find((b: { name: string }) => b.name === 'older');
    expect(older.type).toBe('binary');
    expect(older.meanTreated).toBeGreaterThan(0);
  });

  test('a derived variable named like a model variable is refused', async () => {
    const r = await runWith({
      protocol: withDerived('derived:\n  - name: age\n    expression: age / 10'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('derived variable "age" has the name of a model variable');
  });

  test('a derived variable reading an unknown variable is located', async () => {
    const r = await runWith({
      protocol: withDerived('derived:\n  - name: bmi\n    expression: weight / height ^ 2'),
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('derived variable "bmi": unknown variable "weight"');
    expect(r.stderr).toContain('field: derived[0].expression');
  });
});
