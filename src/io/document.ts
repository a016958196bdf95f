/**
 * Structured input documents (YAML protocols, JSON models) that remember where every value came
 * from, so a problem found at any depth is reported as `file:line:column` with the field's path.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  statSync,
  type Stats,
} from 'node:fs';
import {
  Composer,
  LineCounter,
  Parser,
  YAMLParseError,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  visit,
  type CST,
  type Node,
} from 'yaml';
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

/**
 * The largest input file read, in bytes. V8 cannot hold a string longer than 2^29 − 24 UTF-16
 * units (about 512 MiB), so a larger file could never be parsed; refusing it up front gives a
 * clear message instead of `ERR_STRING_TOO_LONG` or an out-of-memory crash. 500 MiB is some ten
 * million treated patients, far beyond any trial.
 */
export const MAX_INPUT_BYTES = 500 * 1024 * 1024;

/** How deeply a protocol, design, fit specification or model may nest lists and mappings. */
export const MAX_NESTING = 64;

/** `n` bytes in the unit a user would say. */
function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** What a non-regular file is, for the message that refuses it. */
function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a text file, turning a missing, unreadable, oversized or non-regular file (a directory, a
 * FIFO, `/dev/zero`) into an `InputError` that names it. The file type is checked *before* the
 * file is opened — opening a FIFO for reading blocks until a writer appears — and again on the
 * open descriptor (opened non-blocking), so nothing can make ecasim hang or read without end.
 * Messages name the file as `shown` (by default `file`).
 */
export function readText(file: string, what: string, shown: string = file): string {
  const refuse = (st: Stats): never => {
    throw new InputError(`${what} is ${fileKind(st)}, not a regular file: ${shown}`, {
      file: shown,
      expected: 'a regular file',
      actual: fileKind(st),
      hint: 'name a regular file; copy the data into one first if it comes from a pipe or device',
    });
  };
  const checkSize = (st: Stats): void => {
    if (st.size > MAX_INPUT_BYTES) {
      throw new InputError(
        `${what} is too large: ${shown} has ${formatBytes(st.size)}, the limit is ${formatBytes(MAX_INPUT_BYTES)}`,
        {
          file: shown,
          expected: `a file of at most ${formatBytes(MAX_INPUT_BYTES)}`,
          actual: formatBytes(st.size),
          hint: 'check that this is the intended file',
        },
      );
    }
  };
  let fd: number | undefined;
  try {
    const st = statSync(file);
    if (!st.isFile()) refuse(st);
    checkSize(st);
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const fst = fstatSync(fd);
    if (!fst.isFile()) refuse(fst);
    checkSize(fst);
    return readFileSync(fd, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError(`${what} not found: ${shown}`, {
        file: shown,
        hint: 'check the path; relative paths in a protocol are resolved from the protocol file',
      });
    }
    if (code === 'EISDIR') {
      throw new InputError(`${what} is a directory, not a file: ${shown}`, { file: shown });
    }
    if (code === 'ERR_STRING_TOO_LONG') {
      throw new InputError(`${what} is too large to read: ${shown}`, {
        file: shown,
        expected: `a file of at most ${formatBytes(MAX_INPUT_BYTES)}`,
      });
    }
    throw new InputError(`cannot read ${what} ${shown}: ${(err as Error).message}`, {
      file: shown,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** 1-based line and column of character `offset`, from the sorted offsets where lines start. */
function positionIn(lineStarts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

/**
 * The deepest nesting of a YAML syntax tree, walked with an explicit stack (the tree of a hostile
 * document may be deeper than the call stack). Returns the offset of the first collection nested
 * deeper than `MAX_NESTING`, or undefined.
 */
function tooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    const push = (t: CST.Token | undefined, d: number): void => {
      if (t) stack.push([t, d]);
    };
    switch (token.type) {
      case 'document':
        push(token.value, depth);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection':
        if (depth + 1 > MAX_NESTING) return token.offset;
        for (const item of token.items) {
          push((item as { key?: CST.Token | null }).key ?? undefined, depth + 1);
          push(item.value, depth + 1);
        }
        break;
      default:
    }
  }
  return undefined;
}

/**
 * Parses YAML (or, for a `.json` file, strict JSON: see `parseLocatedJson`) into a located
 * document. Syntax errors become one `InputError` per problem, all reported together. Anchors
 * and aliases are refused (they let a few lines expand into gigabytes, the "billion laughs"),
 * and so is nesting deeper than `MAX_NESTING` levels.
 */
export function parseLocated(file: string, text: string, what: string): LocatedDocument {
  if (/\.json$/i.test(file)) return parseLocatedJson(file, text, what);
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = tooDeep(tokens);
  if (deep !== undefined) {
    const pos = lineCounter.linePos(deep);
    throw new InputError(
      `${what} is nested too deeply: nesting deeper than ${MAX_NESTING} levels`,
      {
        file,
        line: pos.line,
        column: pos.col,
        expected: `lists and mappings nested at most ${MAX_NESTING} levels deep`,
        hint: 'a protocol nests a few levels; check that this is the intended file',
      },
    );
  }
  const docs = Array.from(
    new Composer({ prettyErrors: false, uniqueKeys: true }).compose(tokens, true, text.length),
  );
  const doc = docs[0]!;
  const errors = [...doc.errors];
  for (const extra of docs.slice(1)) {
    errors.push(
      new YAMLParseError(
        [extra.range[0], extra.range[1]],
        'MULTIPLE_DOCS',
        'the file holds several YAML documents (separated by ---); it must hold one',
      ),
    );
  }
  if (errors.length > 0) {
    const problems = errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      const firstLine = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return new InputError(`${what} is not valid YAML: ${firstLine}`, {
        file,
        line: pos.line,
        column: pos.col,
        hint: 'fix the syntax at this position (indentation, a missing colon or quote, a stray tab)',
      });
    });
    throwCollected(problems);
  }
  // aliases first: they are what expands; an anchor alone is refused so that none is left dangling
  const aliases: InputError[] = [];
  const anchors: InputError[] = [];
  const refuse = (problems: InputError[], node: Node, message: string, hint: string): void => {
    if (problems.length >= 20) return;
    const pos = node.range ? lineCounter.linePos(node.range[0]) : undefined;
    problems.push(
      new InputError(message, {
        file,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
        hint,
      }),
    );
  };
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      refuse(
        aliases,
        node,
        `aliases are not allowed in a ${what}: found *${node.source}`,
        'write the value out in full instead of referring to an anchor',
      );
    } else if (isNode(node) && node.anchor) {
      refuse(
        anchors,
        node,
        `anchors are not allowed in a ${what}: found &${node.anchor}`,
        'remove the anchor (and write out in full every value that refers to it)',
      );
    }
  });
  throwCollected([...aliases, ...anchors]);
  const data: unknown = doc.toJS();
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

/** Where a JSON value (and the key naming it, inside an object) starts, and its children. */
interface JsonNode {
  readonly start: number;
  readonly keyStart?: number;
  readonly children?: Map<string, JsonNode> | JsonNode[];
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Parses strict JSON (RFC 8259) into a located document: double-quoted keys and strings only, no
 * comments, trailing commas, single quotes, hex or special numbers, duplicate keys, or nesting
 * deeper than `MAX_NESTING` levels. The first problem is reported as `file:line:column`. (A
 * leading byte-order mark is skipped, as RFC 8259 allows.)
 *
 * Complexity O(length of the text).
 *
 * @example
 * parseLocatedJson('m.json', '{"a": [1, 2]}', 'covariate model').locate(['a', 1]);
 * // → { line: 1, column: 11 }
 */
export function parseLocatedJson(file: string, text: string, what: string): LocatedDocument {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (at: number, reason: string, found?: string): never => {
    const p = positionIn(lineStarts, Math.min(at, text.length));
    const shown =
      found ?? (at >= text.length ? 'the end of the file' : show(text.slice(at, at + 12)));
    throw new InputError(`${what} is not valid JSON: ${reason}`, {
      file,
      line: p.line,
      column: p.column,
      ...(reason.startsWith('expected ') ? { expected: reason.slice('expected '.length) } : {}),
      actual: shown,
      hint: 'JSON needs double-quoted keys and strings, and allows no comments or trailing commas',
    });
  };
  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const parseString = (): string => {
    const start = pos; // at the opening quote
    pos++;
    let out = '';
    let chunk = pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c))
        fail(start, 'a string is never closed (missing ")', show(text.slice(start, start + 20)));
      if (c === 0x22) {
        out += text.slice(chunk, pos);
        pos++;
        return out;
      }
      if (c < 0x20)
        fail(pos, 'expected a string without raw control characters (write \\n, \\t, ...)');
      if (c === 0x5c) {
        out += text.slice(chunk, pos);
        const e = text[pos + 1] ?? '';
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(pos, 'expected \\u and four hexadecimal digits');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (JSON_ESCAPES[e] !== undefined) {
          out += JSON_ESCAPES[e];
          pos += 2;
        } else {
          fail(pos, 'expected a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
        chunk = pos;
        continue;
      }
      pos++;
    }
  };
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseValue = (depth: number, keyStart?: number): { value: unknown; node: JsonNode } => {
    skipSpace();
    const start = pos;
    const c = text[pos];
    const leaf = (value: unknown): { value: unknown; node: JsonNode } => ({
      value,
      node: keyStart === undefined ? { start } : { start, keyStart },
    });
    if (c === '{' || c === '[') {
      if (depth + 1 > MAX_NESTING) {
        fail(start, `nesting deeper than ${MAX_NESTING} levels`, `${c} at depth ${depth + 1}`);
      }
      pos++;
      skipSpace();
      if (c === '[') {
        const value: unknown[] = [];
        const children: JsonNode[] = [];
        if (text[pos] === ']') pos++;
        else
          for (;;) {
            const item = parseValue(depth + 1);
            value.push(item.value);
            children.push(item.node);
            skipSpace();
            if (text[pos] === ',') {
              pos++;
              skipSpace();
              if (text[pos] === ']')
                fail(pos, 'expected a value after the comma (no trailing commas)');
            } else if (text[pos] === ']') {
              pos++;
              break;
            } else fail(pos, 'expected "," or "]" in a list');
          }
        return {
          value,
          node: { start, ...(keyStart !== undefined ? { keyStart } : {}), children },
        };
      }
      const value: Record<string, unknown> = {};
      const children = new Map<string, JsonNode>();
      if (text[pos] === '}') pos++;
      else
        for (;;) {
          skipSpace();
          const kStart = pos;
          if (text[pos] !== '"') {
            if (text[pos] === '/')
              fail(pos, 'expected a key in double quotes; JSON allows no comments');
            fail(pos, 'expected a key in double quotes');
          }
          const key = parseString();
          if (children.has(key)) fail(kStart, `duplicate key "${key}"`, `"${key}" a second time`);
          skipSpace();
          if (text[pos] !== ':') fail(pos, 'expected ":" after the key');
          pos++;
          const item = parseValue(depth + 1, kStart);
          // defineProperty: a key "__proto__" is data, as in JSON.parse, never the prototype
          Object.defineProperty(value, key, {
            value: item.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          children.set(key, item.node);
          skipSpace();
          if (text[pos] === ',') {
            pos++;
            skipSpace();
            if (text[pos] === '}') fail(pos, 'expected a key after the comma (no trailing commas)');
          } else if (text[pos] === '}') {
            pos++;
            break;
          } else fail(pos, 'expected "," or "}" in a mapping');
        }
      return { value, node: { start, ...(keyStart !== undefined ? { keyStart } : {}), children } };
    }
    if (c === '"') return leaf(parseString());
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return leaf(v);
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m && m[0] !== '' && m[0] !== '-') {
      pos += m[0].length;
      const next = text[pos];
      if (next !== undefined && /[0-9A-Za-z_.+-]/.test(next)) {
        fail(start, 'expected a decimal number (no hex, leading zeros, NaN or Infinity)');
      }
      return leaf(Number(m[0]));
    }
    if (c === "'") fail(start, 'expected a value; strings take double quotes, not single quotes');
    if (c === '/') fail(start, 'expected a value; JSON allows no comments');
    return fail(start, 'expected a value (an object, list, string, number, true, false or null)');
  };

  const root = parseValue(0);
  skipSpace();
  if (pos < text.length) fail(pos, 'expected the end of the file after the top-level value');

  const nodeAt = (path: readonly PathSegment[], wantKey: boolean): number | undefined => {
    let node = root.node;
    let inObject = false;
    for (const seg of path) {
      const ch = node.children;
      if (ch instanceof Map) {
        const next = ch.get(String(seg));
        if (!next) return inObject ? node.keyStart : node.start;
        node = next;
        inObject = true;
      } else if (Array.isArray(ch) && typeof seg === 'number') {
        const next = ch[seg];
        if (!next) return node.start;
        node = next;
        inObject = false;
      } else return node.start;
    }
    return wantKey && node.keyStart !== undefined ? node.keyStart : node.start;
  };
  const position = (offset: number | undefined): Position | undefined =>
    offset === undefined ? undefined : positionIn(lineStarts, offset);
  return {
    file,
    data: root.value,
    source: text,
    locate: (path) => position(nodeAt(path, false)),
    locateKey: (path) => position(nodeAt(path, true)),
  };
}

/** Reads and parses a YAML or JSON file as a located document. */
export function loadLocated(file: string, what: string): LocatedDocument {
  return parseLocated(file, readText(file, what), what);
}

/** Reads and parses a file as strict JSON, whatever its name. */
export function loadLocatedJson(file: string, what: string): LocatedDocument {
  return parseLocatedJson(file, readText(file, what), what);
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
