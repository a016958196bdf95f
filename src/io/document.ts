/**
 * Structured input documents (YAML protocols, JSON models) that remember where every value came
 * from, so a problem found at any depth is reported as `file:line:column` with the field's path.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { EcasimError, InputError, show, throwCollected, type ErrorDetails } from '../errors.js';

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

/** A parsed document with a way back from a field path to its place in the source text. */
export interface LocatedDocument {
  /** The file as the user named it. */
  readonly file: string;
  readonly data: unknown;
  /** The source text. */
  readonly source: string;
  /** Position of the value at `path` (or of the nearest enclosing value that exists). */
  locate(path: readonly PathSegment[]): Position | undefined;
  /** Position of the key of the entry at `path` (for unknown keys), falling back to its value. */
  locateKey(path: readonly PathSegment[]): Position | undefined;
}

/** Reads a text file, turning a missing or unreadable file into an `InputError` that names it. */
export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputError(`${what} not found: ${file}`, {
        file,
        hint: 'check the path; relative paths in a protocol are resolved from the protocol file',
      });
    }
    if (code === 'EISDIR') {
      throw new InputError(`${what} is a directory, not a file: ${file}`, { file });
    }
    throw new InputError(`cannot read ${what} ${file}: ${(err as Error).message}`, { file });
  }
}

/**
 * Parses YAML (or JSON, which the same parser reads with positions) into a located document.
 * Syntax errors become one `InputError` per problem, all reported together.
 */
export function parseLocated(file: string, text: string, what: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      const firstLine = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return new InputError(
        `${what} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${firstLine}`,
        {
          file,
          line: pos.line,
          column: pos.col,
          hint: 'fix the syntax at this position (indentation, a missing colon or quote, a stray tab)',
        },
      );
    });
    throwCollected(problems);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const root = doc.contents as Node | null;

  const nodeAt = (path: readonly PathSegment[], wantKey: boolean): Node | undefined => {
    let node: Node | null | undefined = root;
    let keyNode: Node | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) return keyNode ?? node;
        keyNode = pair.key as Node;
        node = pair.value as Node | null;
        if (node === null) return keyNode;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) return node;
        keyNode = undefined;
        node = item;
      } else {
        return node ?? undefined;
      }
    }
    return wantKey && keyNode ? keyNode : (node ?? undefined);
  };
  const position = (node: Node | undefined): Position | undefined => {
    if (!node?.range) return undefined;
    const p = lineCounter.linePos(node.range[0]);
    return { line: p.line, column: p.col };
  };
  return {
    file,
    data,
    source: text,
    locate: (path) => position(nodeAt(path, false)),
    locateKey: (path) => position(nodeAt(path, true)),
  };
}

/** Reads and parses a YAML or JSON file as a located document. */
export function loadLocated(file: string, what: string): LocatedDocument {
  return parseLocated(file, readText(file, what), what);
}

/** Renders a field path the way users write it: `analysis.primary.covariates[2]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PathSegment, unknown>)[seg];
  }
  return v;
}

/** An `InputError` located at the field `path` of `doc`. */
export function problemAt(
  doc: LocatedDocument,
  path: readonly PathSegment[],
  message: string,
  details: Omit<ErrorDetails, 'file' | 'line' | 'column' | 'field'> = {},
  atKey = false,
): InputError {
  const pos = atKey ? doc.locateKey(path) : doc.locate(path);
  return new InputError(message, {
    file: doc.file,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    ...(path.length > 0 ? { field: formatPath(path) } : {}),
    ...details,
  });
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `word` when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

type AnySchema = z.core.$ZodType;

function defOf(s: AnySchema): Record<string, unknown> & { type: string } {
  return (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
}

/** Strips optional/default/nullable/pipe wrappers. */
function unwrap(s: AnySchema): AnySchema {
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (
      def.type === 'optional' ||
      def.type === 'nullable' ||
      def.type === 'default' ||
      def.type === 'readonly'
    ) {
      s = def['innerType'] as AnySchema;
    } else if (def.type === 'pipe') {
      s = def['in'] as AnySchema;
    } else if (def.type === 'lazy') {
      s = (def['getter'] as () => AnySchema)();
    } else break;
  }
  return s;
}

/** The object schemas that may describe the value at `path` (several under a union). */
function schemasAt(schema: AnySchema, path: readonly PathSegment[]): AnySchema[] {
  let current = [unwrap(schema)];
  for (const seg of path) {
    const next: AnySchema[] = [];
    const expand = (s: AnySchema): void => {
      const def = defOf(s);
      if (def.type === 'union') for (const o of def['options'] as AnySchema[]) expand(unwrap(o));
      else if (def.type === 'object') {
        const child = (def['shape'] as Record<string, AnySchema>)[String(seg)];
        if (child) next.push(unwrap(child));
        else if (def['catchall']) next.push(unwrap(def['catchall'] as AnySchema));
      } else if (def.type === 'array' && typeof seg === 'number')
        next.push(unwrap(def['element'] as AnySchema));
      else if (def.type === 'record') next.push(unwrap(def['valueType'] as AnySchema));
    };
    current.forEach(expand);
    current = next;
  }
  const flat: AnySchema[] = [];
  const addObjects = (s: AnySchema): void => {
    const def = defOf(s);
    if (def.type === 'union') for (const o of def['options'] as AnySchema[]) addObjects(unwrap(o));
    else flat.push(s);
  };
  current.forEach(addObjects);
  return flat;
}

/** Keys a schema allows at `path` (union members merged). */
export function knownKeys(schema: AnySchema, path: readonly PathSegment[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s);
    if (def.type === 'object') for (const k of Object.keys(def['shape'] as object)) keys.add(k);
  }
  return [...keys];
}

function describeType(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list ${show(v)}`;
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${show(v)}`;
}

/**
 * Validates `doc.data` against a zod schema; every problem becomes a located `InputError` and all
 * of them are thrown together. Unknown keys get a "did you mean" from the schema's own keys.
 */
export function validateWithSchema<T>(schema: z.ZodType<T>, doc: LocatedDocument, what: string): T {
  const checked = checkWithSchema(schema, doc, what);
  if (checked.ok) return checked.data;
  throwCollected(checked.problems);
  throw new Error('unreachable');
}

/**
 * `validateWithSchema` without the throw: the data, or every problem located, so a caller can
 * add the problems of its own checks and report them all in one round.
 */
export function checkWithSchema<T>(
  schema: z.ZodType<T>,
  doc: LocatedDocument,
  what: string,
): { ok: true; data: T } | { ok: false; problems: EcasimError[] } {
  const result = schema.safeParse(doc.data);
  if (result.success) return { ok: true, data: result.data };
  const problems: EcasimError[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    const field = formatPath(path) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const allowed = knownKeys(schema as unknown as AnySchema, path);
      for (const key of issue.keys) {
        const guess = didYouMean(key, allowed);
        problems.push(
          problemAt(
            doc,
            [...path, key],
            `unknown key "${key}" in ${what}${path.length ? ` under ${formatPath(path)}` : ''}` +
              (guess ? ` — did you mean "${guess}"?` : ''),
            {
              expected: allowed.length ? `one of ${allowed.join(', ')}` : 'no further keys',
              actual: key,
              hint: guess ? `rename it to "${guess}"` : 'remove it or check the spelling',
            },
            true,
          ),
        );
      }
      continue;
    }
    const actual = valueAt(doc.data, path);
    let expected: string | undefined;
    let message: string;
    if (issue.code === 'invalid_type') {
      expected = TYPE_WORDS[String(issue.expected)] ?? article(String(issue.expected));
      message =
        actual === undefined
          ? `missing required field ${field} in ${what}`
          : `${field} in ${what} must be ${expected}, found ${describeType(actual)}`;
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      // zod's wording ("Too big: expected number to be <1") re-worded as for every other field;
      // a message the schema itself gives (e.g. why replicates must be ≥ 2) is kept as a hint.
      expected = boundWords(issue);
      message = `${field} in ${what} must be ${expected}, found ${describeType(actual)}`;
      // ... unless it only restates the bound ("must be a positive number")
      const own =
        /^Too (small|big):/.test(issue.message) || /^must be /.test(issue.message)
          ? undefined
          : issue.message;
      problems.push(
        problemAt(doc, path, own ? `${message} (${own})` : message, {
          expected,
          ...(actual !== undefined ? { actual: show(actual) } : {}),
          ...(own ? { hint: own } : {}),
        }),
      );
      continue;
    } else if (issue.code === 'invalid_value') {
      expected = `one of ${issue.values.map((v) => show(v)).join(', ')}`;
      const guess =
        typeof actual === 'string'
          ? didYouMean(
              actual,
              issue.values.map((v) => String(v)),
            )
          : undefined;
      message =
        `${field} in ${what} must be ${expected}, found ${describeType(actual)}` +
        (guess ? ` — did you mean "${guess}"?` : '');
    } else if (issue.code === 'invalid_format') {
      const f = issue as { format: string; pattern?: string };
      expected = f.pattern !== undefined ? `text matching ${f.pattern}` : `a ${f.format}`;
      message = `${field} in ${what} must be ${expected}, found ${describeType(actual)}`;
    } else {
      message = `${field} in ${what}: ${issue.message}`;
      if (actual !== undefined) message += `, found ${describeType(actual)}`;
    }
    problems.push(
      problemAt(doc, path, message, {
        ...(expected ? { expected } : {}),
        ...(actual !== undefined ? { actual: show(actual) } : {}),
      }),
    );
  }
  return { ok: false, problems };
}

/** zod's type names as a sentence says them. */
const TYPE_WORDS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** The bound of a too_small / too_big issue in words: "a number ≥ 2", "a list of at least 1 item". */
function boundWords(issue: {
  code: 'too_small' | 'too_big';
  origin?: string;
  inclusive?: boolean;
  minimum?: unknown;
  maximum?: unknown;
}): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  const shown = bound === Number.MAX_SAFE_INTEGER ? '2^53 − 1' : String(bound);
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `a list of ${small ? 'at least' : 'at most'} ${shown} item${bound === 1 ? '' : 's'}`;
  }
  if (issue.origin === 'string') {
    return bound === 1 && small
      ? 'non-empty text'
      : `text of ${small ? 'at least' : 'at most'} ${shown} characters`;
  }
  const op = small ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
  return `${issue.origin === 'int' ? 'a whole number' : 'a number'} ${op} ${shown}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
