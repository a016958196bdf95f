/**
 * Missing covariates in the treated file (`inputs.treated.missing`, issue 14): imputed from the
 * covariate model in every replicate by default, or the patients excluded and counted; a missing
 * outcome is an error that says "missing value".
 */
import { readFileSync } from 'node:fs';
import { EXIT } from '../../src/cli/errors.js';
import { ecasim, edit, EXAMPLE, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(() => {
  ws?.cleanup();
  ws = undefined;
});

/** The flagship treated CSV with cells blanked: [row (1-based), column name] pairs. */
function blanked(cells: [number, string][], value = ''): string {
  const lines = EXAMPLE.treated.trimEnd().split('\n');
  const header = lines[0]!.split(',');
  for (const [row, name] of cells) {
    const f = lines[row]!.split(',');
    f[header.indexOf(name)] = value;
    lines[row] = f.join(',');
  }
  return lines.join('\n') + '\n';
}

const FEW = (p: string) => edit(p, /^ {2}replicates: \d+$/m, '  replicates: 4');
const CELLS: [number, string][] = [
  [2, 'SEX'],
  [5, 'SMOKING'],
  [9, 'AGE'],
  [9, 'ECOG'],
];

test('missing covariates are imputed in every replicate and reported, identically on 1 and 2 workers', async () => {
  ws = makeWorkspace({ protocol: FEW(EXAMPLE.protocol), treated: blanked(CELLS) });
  const v = await ecasim(['validate', ws.path('protocol.yaml')]);
  expect(v.code).toBe(EXIT.ok);
  expect(v.stdout).toContain(
    'missing covariates in 3 of 120 patients (SEX 1, SMOKING 1, AGE 1, ECOG 1): imputed from the covariate model in every replicate',
  );
  const one = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('a'), '--quiet']);
  expect(one.stderr).toBe('');
  expect(one.code).toBe(EXIT.ok);
  const two = await ecasim([
    'run',
    ws.path('protocol.yaml'),
    '--out',
    ws.path('b'),
    '--quiet',
    '--workers',
    '2',
  ]);
  expect(two.code).toBe(EXIT.ok);
  const a = readFileSync(ws.path('a/results.json'), 'utf8');
  expect(readFileSync(ws.path('b/results.json'), 'utf8')).toBe(a);
  const res = JSON.parse(a);
  expect(res.treatedMissing).toMatchObject({
    policy: 'impute',
    rows: 120,
    patients: 3,
    excluded: 0,
    byVariable: [
      { variable: 'sex', column: 'SEX', missing: 1 },
      { variable: 'smoking', column: 'SMOKING', missing: 1 },
      { variable: 'age', column: 'AGE', missing: 1 },
      { variable: 'ecog', column: 'ECOG', missing: 1 },
    ],
  });
  expect(res.treatedMissing.method).toMatch(/given the patient's observed covariates/);
  expect(res.arms.treated.n).toBe(120);
  // Table 1 is of the known values: 119 sexes
  const sex = res.table1.find((r: { name: string }) => r.name === 'sex');
  expect(sex.levels.reduce((s: number, l: { treated: { n: number } }) => s + l.treated.n, 0)).toBe(
    119,
  );
  expect(Number.isFinite(res.primary.estimate)).toBe(true);
  const html = readFileSync(ws.path('a/dossier.html'), 'utf8');
  expect(html).toContain('3 of 120 treated patients had a missing baseline covariate');
  // the imputations differ between replicates: the adjusted analyses see different treated arms
  const complete = makeWorkspace({ protocol: FEW(EXAMPLE.protocol) });
  try {
    await ecasim(['run', complete.path('protocol.yaml'), '--out', complete.path('o'), '--quiet']);
    const full = JSON.parse(readFileSync(complete.path('o/results.json'), 'utf8'));
    expect(full.treatedMissing).toMatchObject({ patients: 0, byVariable: [], method: null });
    expect(res.primary.estimate).not.toBe(full.primary.estimate);
  } finally {
    complete.cleanup();
  }
});

test('missing: exclude drops the incomplete patients and counts them', async () => {
  const protocol = edit(
    FEW(EXAMPLE.protocol),
    /^( {4}file: treated\.csv)$/m,
    '$1\n    missing: exclude',
  );
  ws = makeWorkspace({ protocol, treated: blanked(CELLS, 'NA') });
  const v = await ecasim(['validate', ws.path('protocol.yaml')]);
  expect(v.code).toBe(EXIT.ok);
  expect(v.stdout).toContain('treated dataset');
  expect(v.stdout).toContain('117 patients');
  expect(v.stdout).toContain('excluded (inputs.treated.missing: exclude)');
  const r = await ecasim(['run', ws.path('protocol.yaml'), '--out', ws.path('o'), '--quiet']);
  expect(r.code).toBe(EXIT.ok);
  const res = JSON.parse(readFileSync(ws.path('o/results.json'), 'utf8'));
  expect(res.treatedMissing).toMatchObject({
    policy: 'exclude',
    rows: 120,
    patients: 3,
    excluded: 3,
    method: null,
  });
  expect(res.arms.treated.n).toBe(117);
  expect(readFileSync(ws.path('o/dossier.html'), 'utf8')).toContain(
    'they were excluded (inputs.treated.missing: exclude), so the treated arm analysed has 117 patients',
  );
});

test('a missing outcome is an error that says missing value; an unknown level still says recode', async () => {
  ws = makeWorkspace({ treated: blanked([[4, 'AVAL']]) });
  let r = await ecasim(['validate', ws.path('protocol.yaml')]);
  expect(r.code).toBe(EXIT.input);
  expect(r.stderr).toContain(
    'row 4, column "AVAL": expected a time > 0, found a missing value (an empty cell)',
  );
  ws.cleanup();
  ws = makeWorkspace({ treated: blanked([[3, 'SEX']], 'unknown') });
  r = await ecasim(['validate', ws.path('protocol.yaml')]);
  expect(r.code).toBe(EXIT.input);
  expect(r.stderr).toContain('"unknown" is not a level of sex');
  expect(r.stderr).toContain('recode the value to one of the model levels');
});
