/**
 * Every `@example` in the doc comment of a public export (a name `src/index.ts` exports) runs
 * here, so the examples cannot drift from the code.
 *
 * The convention, so that an example can be checked:
 * - An example is plain JavaScript (no type annotations), run as an async function body with
 *   every export of `src/index.ts` in scope and the repository root as the working directory
 *   (files are named as `examples/nsclc/model.json`). It must run without throwing.
 * - A result comment is `// → VALUE` after an expression on the same line (`fit.n; // → 5`), or
 *   after `const x = ...;` (then `x` is checked), or alone on the line after a one-line
 *   expression statement (for long values). VALUE is a JavaScript literal: numbers,
 *   strings, `null`, `true`/`false`, arrays and objects of them, and `Infinity`/`NaN`.
 *   Text after the literal is a note (`// → 5.0517 (R: survdiff(...)$chisq)`): the longest
 *   prefix of the comment that evaluates as a literal is the value.
 * - A number is checked to the precision it is written with: `0.6737` means |actual − 0.6737|
 *   ≤ 0.00005; a whole number is exact. `≈` in front is allowed and changes nothing.
 * - `Float64Array [0.8, 0.6]` compares a typed array element by element. `...` inside an
 *   object means "further keys not shown" (otherwise the keys must match exactly); as the last
 *   element of an array it means "further elements not shown".
 * - Any other comment (`// log hazard ratio, as coef(coxph(...))`) is prose and not checked.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as api from '../../src/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const REST = Symbol('...');

interface Example {
  name: string;
  file: string;
  line: number;
  code: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The `@example` blocks of doc comments followed by the export of a public name. */
function publicExamples(): Example[] {
  const names = new Set(Object.keys(api));
  const out: Example[] = [];
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const re = /\/\*\*([\s\S]*?)\*\/\s*export\s+(?:async\s+)?(?:function\*?|const|class)\s+(\w+)/g;
    for (const m of text.matchAll(re)) {
      const name = m[2]!;
      if (!names.has(name)) continue;
      const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
      const start = lines.findIndex((l) => l.startsWith('@example'));
      if (start < 0) continue;
      let end = lines.findIndex((l, k) => k > start && /^@\w/.test(l));
      if (end < 0) end = lines.length;
      // Prose after a blank line ends the example.
      const blank = lines.findIndex((l, k) => k > start && l.trim() === '');
      if (blank >= 0 && blank < end) end = blank;
      const before = text.slice(0, m.index).split('\n').length;
      out.push({
        name,
        file: relative(ROOT, file),
        line: before + start + 1,
        code: lines.slice(start + 1, end).join('\n'),
      });
    }
  }
  return out;
}

/** The value a result comment states: the longest prefix that evaluates as a literal. */
function expectedValue(comment: string): { value: unknown; text: string } {
  const body = comment.replace(/^≈\s*/, '');
  for (let end = body.length; end > 0; end--) {
    const text = body.slice(0, end).trim();
    if (text === '') break;
    const js = text
      .replace(
        /\b(?:Float64Array|Float32Array|Int32Array|Uint32Array|Uint8Array)\s*(?:\(\d+\)\s*)?\[/g,
        '[',
      )
      .replace(/\.\.\./g, '__REST__');
    try {
      const value = new Function('__REST__', `"use strict"; return (${js});`)(REST) as unknown;
      return { value, text };
    } catch {
      // a shorter prefix, then
    }
  }
  throw new Error(`no value in result comment "${comment}"`);
}

function decimals(x: number): number {
  const s = String(x);
  if (/e/i.test(s)) return 15;
  const k = s.indexOf('.');
  return k < 0 ? 0 : s.length - k - 1;
}

/** Where `actual` differs from `expected` (see the convention above), or null. */
function difference(actual: unknown, expected: unknown, path: string): string | null {
  if (ArrayBuffer.isView(actual) && !(actual instanceof DataView)) {
    actual = Array.from(actual as unknown as ArrayLike<number>);
  }
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return `${path}: expected ${expected}, found ${String(actual)}`;
    if (Number.isNaN(expected))
      return Number.isNaN(actual) ? null : `${path}: expected NaN, found ${actual}`;
    if (!Number.isFinite(expected))
      return actual === expected ? null : `${path}: expected ${expected}, found ${actual}`;
    const d = decimals(expected);
    const tol = d === 0 ? 1e-12 * Math.abs(expected) : 0.5 * 10 ** -d * (1 + 1e-9);
    return Math.abs(actual - expected) <= tol
      ? null
      : `${path}: expected ${expected} (to ${d} decimals), found ${actual}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected a list, found ${String(actual)}`;
    const partial = expected[expected.length - 1] === REST;
    const items = partial ? expected.slice(0, -1) : expected;
    if (partial ? actual.length < items.length : actual.length !== items.length) {
      return `${path}: expected ${items.length}${partial ? ' or more' : ''} elements, found ${actual.length}`;
    }
    for (let i = 0; i < items.length; i++) {
      const d = difference(actual[i], items[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object')
      return `${path}: expected an object, found ${String(actual)}`;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const partial = '__REST__' in e;
    const keys = Object.keys(e).filter((k) => k !== '__REST__');
    if (!partial) {
      const extra = Object.keys(a).filter((k) => !keys.includes(k));
      if (extra.length > 0)
        return `${path}: keys not in the example: ${extra.join(', ')} (add ... if they are left out on purpose)`;
    }
    for (const k of keys) {
      const d = difference(a[k], e[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(actual, expected)
    ? null
    : `${path}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`;
}

/** The example as a function body, each result comment a call of `__check`. */
function instrument(code: string): string {
  const out: string[] = [];
  const checked = (stmt: string, comment: string, line: number): string => {
    const c = JSON.stringify(comment.trim());
    const decl = /^(const|let)\s+(\w+)\s*=/.exec(stmt);
    return decl
      ? `${stmt}; __check(${decl[2]}, ${c}, ${line});`
      : `__check((${stmt}), ${c}, ${line});`;
  };
  code.split('\n').forEach((line, k) => {
    const alone = /^\s*\/\/\s*→\s*(.+)$/.exec(line);
    if (alone) {
      // The result of the statement on the line before.
      const prev = out.pop() ?? '';
      out.push(checked(prev.trim().replace(/;$/, ''), alone[1]!, k + 1));
      return;
    }
    const m = /^(.*?);?\s*\/\/\s*→\s*(.+)$/.exec(line);
    out.push(m ? checked(m[1]!.trim(), m[2]!, k + 1) : line);
  });
  return out.join('\n');
}

const examples = publicExamples();

test('the public API documents examples', () => {
  expect(examples.length).toBeGreaterThan(15);
});

test.each(examples.map((e) => [`${e.name} (${e.file}:${e.line})`, e] as const))(
  '@example of %s',
  async (_label, example) => {
    const problems: string[] = [];
    let checks = 0;
    const check = (actual: unknown, comment: string, line: number): void => {
      checks++;
      const { value, text } = expectedValue(comment);
      const d = difference(actual, value, 'value');
      if (d) problems.push(`example line ${line} (// → ${text}): ${d}`);
    };
    const names = Object.keys(api);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<void>;
    const body = instrument(example.code);
    const fn = new AsyncFunction(...names, '__check', body);
    await fn(...names.map((n) => (api as Record<string, unknown>)[n]), check);
    expect({ checks: checks >= 0, problems }).toEqual({ checks: true, problems: [] });
  },
  60_000,
);
