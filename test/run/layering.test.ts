/**
 * Where things may be imported from: the run's core loads no dossier renderer (handlebars and
 * vega are slow to import; a simulation study calls computeResults thousands of times), and the
 * report reads results without deciding verdicts or calling the run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const sources = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), 'utf8') }));
/** Value (not type-only) imports of a module's source. */
const valueImports = (text: string): string[] =>
  [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

test('src/run and src/analysis import the report only lazily (dynamic import in runProtocol)', () => {
  for (const { file, text } of [...sources('src/run'), ...sources('src/analysis')]) {
    expect({ file, report: valueImports(text).filter((p) => p.includes('report/')) }).toEqual({
      file,
      report: [],
    });
  }
  const index = readFileSync(join(ROOT, 'src/run/index.ts'), 'utf8');
  expect(index).toMatch(/await import\('\.\.\/report\/dossier\.js'\)/);
});

test('src/report does not import the run or the analysis layer', () => {
  for (const { file, text } of sources('src/report')) {
    expect({ file, run: valueImports(text).filter((p) => /\/(run|analysis)\//.test(p)) }).toEqual({
      file,
      run: [],
    });
  }
});
