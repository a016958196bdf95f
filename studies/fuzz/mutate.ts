/**
 * A seeded mutation fuzzer of ecasim's three user-written inputs — the protocol YAML, the covariate
 * model JSON and the treated-arm CSV — and the property every mutant must keep (issue 17): `ecasim
 * validate` ends with exit 0, 2, 3 or 4; a non-zero exit says `ecasim: error` in ecasim's form;
 * never an internal error (exit 70, "This is a bug"); and nothing is left in the workspace.
 *
 * A mutant is the flagship example with one to three edits to one of its files: a line deleted,
 * duplicated, swapped with another or re-indented; a value (a YAML scalar, a JSON scalar, a CSV
 * cell) replaced by a hostile token; the text truncated; or a few hostile characters inserted.
 * Mutant k of seed s draws from stream (s, k), so any mutant can be re-made alone
 * (`npm run fuzz -- --seed s --from k --mutants 1`).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { packageRoot } from '../../src/package-info.js';
import { createStream, type RandomSource } from '../../src/random/index.js';

/** The flagship example, its files side by side (the protocol's paths made local). */
export function flagship(root = packageRoot()): Record<InputKind, string> {
  const read = (p: string) => readFileSync(join(root, p), 'utf8');
  return {
    protocol: read('protocols/nsclc-os.yaml')
      .replace('../examples/nsclc/treated.csv', 'treated.csv')
      .replace('../examples/nsclc/model.json', 'model.json')
      .replace(/\naudit:\n( {2}.*\n)*/, '\n'),
    model: read('examples/nsclc/model.json'),
    treated: read('examples/nsclc/treated.csv'),
  };
}

export type InputKind = 'protocol' | 'model' | 'treated';
const FILE: Record<InputKind, string> = {
  protocol: 'protocol.yaml',
  model: 'model.json',
  treated: 'treated.csv',
};

/** Values a user (or an attacker) might put where a value belongs. */
const TOKENS = [
  '',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '9999999999999999999999',
  '0x10',
  'null',
  'true',
  '"x"',
  "'x'",
  '[]',
  '{}',
  '[1, 2]',
  '*a',
  '&a x',
  '!!binary AAAA',
  '2026-02-30',
  'é€😀',
  '<script>alert(1)</script>',
  '"; process.exit(1); "',
  'constructor',
  '__proto__',
  'x'.repeat(5000),
];

/** Characters that break parsers when inserted anywhere. */
const INSERTS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  ',',
  ':',
  '#',
  '- ',
  '\t',
  '\u0000',
  '\r',
  '\n',
  '*a',
  '&a ',
  '\\',
  '%',
  '|',
  '>',
];

function pick<T>(rng: RandomSource, items: readonly T[]): T {
  return items[rng.uint32() % items.length]!;
}

/** One edit of `text` of `kind`; a pure function of the stream. */
function mutateOnce(text: string, kind: InputKind, rng: RandomSource): string {
  const lines = text.split('\n');
  const line = rng.uint32() % lines.length;
  switch (rng.uint32() % 8) {
    case 0:
      lines.splice(line, 1);
      return lines.join('\n');
    case 1:
      lines.splice(line, 0, lines[line]!);
      return lines.join('\n');
    case 2: {
      const other = rng.uint32() % lines.length;
      [lines[line], lines[other]] = [lines[other]!, lines[line]!];
      return lines.join('\n');
    }
    case 3:
      lines[line] =
        rng.uint32() % 2 === 0 ? `  ${lines[line]}` : lines[line]!.replace(/^ {1,2}/, '');
      return lines.join('\n');
    case 4:
      return text.slice(0, rng.uint32() % (text.length + 1));
    case 5: {
      const at = rng.uint32() % (text.length + 1);
      return text.slice(0, at) + pick(rng, INSERTS) + text.slice(at);
    }
    default: {
      // a value replaced by a hostile token
      const token = pick(rng, TOKENS);
      const l = lines[line]!;
      if (kind === 'treated') {
        const cells = l.split(',');
        cells[rng.uint32() % cells.length] = token;
        lines[line] = cells.join(',');
      } else if (kind === 'model') {
        const values = [...l.matchAll(/(-?\d[\d.eE+-]*|"[^"]*"|true|false|null)/g)];
        if (values.length === 0) return lines.join('\n');
        const v = pick(rng, values);
        lines[line] = l.slice(0, v.index) + token + l.slice(v.index! + v[0].length);
      } else {
        const colon = l.indexOf(': ');
        lines[line] = colon >= 0 ? `${l.slice(0, colon + 2)}${token}` : `${l}${token}`;
      }
      return lines.join('\n');
    }
  }
}

export interface Mutant {
  readonly index: number;
  readonly kind: InputKind;
  readonly files: Record<InputKind, string>;
}

/** Mutant `index` of `seed`: one of the three files edited one to three times. */
export function makeMutant(base: Record<InputKind, string>, seed: number, index: number): Mutant {
  const rng = createStream(seed, index);
  const kind = pick<InputKind>(rng, ['protocol', 'protocol', 'model', 'treated']);
  let text = base[kind];
  const edits = 1 + (rng.uint32() % 3);
  for (let e = 0; e < edits; e++) text = mutateOnce(text, kind, rng);
  return { index, kind, files: { ...base, [kind]: text } };
}

export interface Verdict {
  readonly index: number;
  readonly kind: InputKind;
  readonly code: number;
  /** Why the property failed; null when it held. */
  readonly failure: string | null;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `ecasim validate` on the mutant in a fresh directory and checks the property. */
export async function checkMutant(m: Mutant): Promise<Verdict> {
  const dir = mkdtempSync(join(tmpdir(), 'ecasim-fuzz-'));
  try {
    for (const kind of Object.keys(FILE) as InputKind[])
      writeFileSync(join(dir, FILE[kind]), m.files[kind]);
    const before = readdirSync(dir).sort().join();
    let stderr = '';
    const t0 = performance.now();
    const code = await main(['validate', join(dir, FILE.protocol)], {
      stdout: () => {},
      stderr: (t) => (stderr += t),
      env: {},
    });
    const ms = performance.now() - t0;
    const after = readdirSync(dir).sort().join();
    let failure: string | null = null;
    if (![0, 2, 3, 4].includes(code)) failure = `exit ${code}`;
    else if (/internal error|This is a bug/.test(stderr)) failure = 'an internal error';
    else if (code !== 0 && !stderr.includes('ecasim: error')) failure = 'no ecasim error message';
    else if (after !== before) failure = `left files behind: ${after}`;
    return { index: m.index, kind: m.kind, code, failure, stderr, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
