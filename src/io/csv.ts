/**
 * CSV input with row numbers kept, so every bad value is reported as `file, row N` (data rows
 * counted from 1 after the header) with the column and what was found.
 */
import { parse } from 'csv-parse/sync';
import { InputError, show, throwCollected, type EcasimError } from '../errors.js';
import { didYouMean, readText } from './document.js';

export interface Table {
  readonly file: string;
  readonly header: readonly string[];
  /** Data rows as strings, header excluded. */
  readonly rows: readonly (readonly string[])[];
  /** 1-based line in the file of each data row. */
  readonly lines: readonly number[];
}

/** Reads a CSV file with a header row; messages name it as `shown` (by default `file`). */
export function readTable(file: string, what: string, shown: string = file): Table {
  return parseTable(shown, readText(file, what, shown), what);
}

/** A CSV syntax problem at a 1-based line. */
class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly found?: string,
  ) {
    super(message);
  }
}

/**
 * Characters csv-parse's `trim` removes besides space and tab (its list, less the line breaks).
 * A file holding any of them, or a carriage return other than in CRLF line ends, is read by
 * csv-parse itself; every other file by the fast reader below, which gives the same records.
 */
const UNUSUAL = /[\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** True when every line break of `text` is CRLF (or none is), so the fast reader applies. */
function plainLineEnds(text: string): boolean {
  let cr = 0;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) return false;
    cr++;
  }
  if (cr === 0) return true;
  let lf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lf++;
  return lf === cr;
}

/**
 * RFC 4180 records with the options ecasim always used with csv-parse (`bom`, `trim`,
 * `skip_empty_lines`, `relax_column_count`): fields split at commas, optionally in double quotes
 * (`""` inside for a quote, line breaks allowed), spaces and tabs around fields dropped, blank
 * lines skipped. `lines[k]` is the line on which record k ends, as csv-parse's `info.lines`.
 *
 * One pass over the text and no per-character objects: about 20 times faster than csv-parse
 * with `info`, which made `ecasim validate` of a million-row file take 13 s (bench/large-input.ts).
 * test/io/hostile-input.test.ts checks it against csv-parse on random inputs.
 */
function fastRecords(text: string): { records: string[][]; lines: number[] } {
  const n = text.length;
  const records: string[][] = [];
  const lines: number[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < n) {
    const record: string[] = [];
    let quotedAny = false;
    for (;;) {
      let c = text.charCodeAt(pos);
      while (c === 32 || c === 9) c = text.charCodeAt(++pos);
      let field: string;
      if (c === 34) {
        quotedAny = true;
        const opened = line;
        let chunk = ++pos;
        field = '';
        for (;;) {
          const q = text.indexOf('"', pos);
          if (q < 0) {
            throw new CsvSyntaxError('a quoted value is never closed (a " is missing)', opened);
          }
          for (let k = text.indexOf('\n', pos); k >= 0 && k < q; k = text.indexOf('\n', k + 1)) {
            line++;
          }
          if (text.charCodeAt(q + 1) === 34) {
            field += text.slice(chunk, q + 1);
            pos = chunk = q + 2;
            continue;
          }
          field += text.slice(chunk, q);
          pos = q + 1;
          break;
        }
        c = text.charCodeAt(pos);
        while (c === 32 || c === 9) c = text.charCodeAt(++pos);
        if (pos < n && c !== 44 && c !== 10 && c !== 13) {
          throw new CsvSyntaxError(
            'text follows a closing quote (a quoted value must end at a comma or the line end)',
            line,
            text.slice(pos, pos + 20).split(/\r?\n/)[0],
          );
        }
      } else {
        let end = pos;
        while (end < n) {
          c = text.charCodeAt(end);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) {
            throw new CsvSyntaxError(
              'a quote (") inside a value that does not start with one',
              line,
              text.slice(pos, end + 1),
            );
          }
          end++;
        }
        let last = end;
        while (last > pos && (text.charCodeAt(last - 1) === 32 || text.charCodeAt(last - 1) === 9))
          last--;
        field = text.slice(pos, last);
        pos = end;
        if (end < n) c = text.charCodeAt(end);
      }
      if (pos >= n) {
        if (record.length > 0 || field !== '' || quotedAny) {
          record.push(field);
          records.push(record);
          lines.push(line);
        }
        break;
      }
      if (c === 44) {
        record.push(field);
        pos++;
        continue;
      }
      // a line end (LF or CRLF)
      pos += c === 13 ? 2 : 1;
      if (record.length > 0 || field !== '' || quotedAny) {
        record.push(field);
        records.push(record);
        lines.push(line);
      }
      line++;
      break;
    }
  }
  return { records, lines };
}

/** csv-parse's options for ecasim's CSV files (and the fast reader's reference in tests). */
export const CSV_PARSE_OPTIONS = {
  bom: true,
  skip_empty_lines: true,
  trim: true,
  info: true,
  relax_column_count: true,
} as const;

/** The same records through csv-parse, for files the fast reader does not take. */
function csvParseRecords(text: string): { records: string[][]; lines: number[] } {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, CSV_PARSE_OPTIONS) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    const reason: Record<string, string> = {
      CSV_QUOTE_NOT_CLOSED: 'a quoted value is never closed (a " is missing)',
      INVALID_OPENING_QUOTE: 'a quote (") inside a value that does not start with one',
      CSV_INVALID_CLOSING_QUOTE:
        'text follows a closing quote (a quoted value must end at a comma or the line end)',
      CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE:
        'text follows a closing quote (a quoted value must end at a comma or the line end)',
    };
    throw new CsvSyntaxError(
      (e.code !== undefined ? reason[e.code] : undefined) ?? e.message,
      e.lines ?? 1,
    );
  }
  return { records: parsed.map((r) => r.record), lines: parsed.map((r) => r.info.lines) };
}

/**
 * The records of a CSV text and the line each ends on: the fast reader when it applies,
 * csv-parse otherwise (same result). Exported for the tests that compare the two.
 */
export function csvRecords(text: string): { records: string[][]; lines: number[] } {
  return !UNUSUAL.test(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) && plainLineEnds(text)
    ? fastRecords(text)
    : csvParseRecords(text);
}

/**
 * Parses CSV text with a header row. Every row must have as many fields as the header; a ragged
 * row is reported with its row, line and both counts.
 */
export function parseTable(file: string, text: string, what: string): Table {
  let records: string[][];
  let lines: number[];
  try {
    ({ records, lines } = csvRecords(text));
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    throw new InputError(`${what} is not a valid CSV file: ${err.message}`, {
      file,
      line: err.line,
      ...(err.found !== undefined ? { actual: show(err.found) } : {}),
      hint: 'quote values that contain commas or quotes ("a ""b"" c"), and close every quote',
    });
  }
  if (records.length === 0) {
    throw new InputError(`${what} is empty: ${file}`, {
      file,
      expected: 'a header row and at least one data row',
    });
  }
  const header = records[0]!;
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '')
      throw new InputError(`${what} has an empty column name in its header`, { file, line: 1 });
    if (seen.has(h))
      throw new InputError(`${what} has the column "${h}" twice in its header`, { file, line: 1 });
    seen.add(h);
  }
  const width = header.length;
  const ragged: EcasimError[] = [];
  for (let k = 1; k < records.length && ragged.length < 20; k++) {
    const got = records[k]!.length;
    if (got === width) continue;
    ragged.push(
      new InputError(
        `${what}, row ${k}: ${got} field${got === 1 ? '' : 's'} where the header has ${width}`,
        {
          file,
          row: k,
          line: lines[k]!,
          expected: `${width} comma-separated fields, as in the header`,
          actual: `${got} field${got === 1 ? '' : 's'}`,
          hint:
            got > width
              ? 'quote values that contain commas ("a, b"), or remove the extra fields'
              : 'add the missing fields (an empty field is written as nothing between two commas)',
        },
      ),
    );
  }
  throwCollected(ragged);
  if (records.length === 1) {
    throw new InputError(`${what} has a header but no data rows: ${file}`, {
      file,
      expected: 'at least one patient',
    });
  }
  return { file, header, rows: records.slice(1), lines: lines.slice(1) };
}

/** Index of a column, or an error naming the columns that do exist (with a likely typo). */
export function columnIndex(table: Table, name: string, what: string, field?: string): number {
  const j = table.header.indexOf(name);
  if (j >= 0) return j;
  const guess = didYouMean(name, table.header);
  throw new InputError(
    `${what} has no column "${name}"${guess ? ` — did you mean "${guess}"?` : ''}`,
    {
      file: table.file,
      line: 1,
      ...(field ? { field } : {}),
      expected: `a column named "${name}"`,
      actual: `columns ${table.header.join(', ')}`,
      hint: 'add the column or map the right one in the protocol',
    },
  );
}

/**
 * The one missing-value rule of every command (fit, audit, validate, run): an empty cell, or
 * `NA`, `NaN` or `null` in any letter case.
 */
export function isMissingCell(raw: string): boolean {
  return raw === '' || /^(NA|NaN|null)$/i.test(raw);
}

export interface NumericColumnOptions {
  what: string;
  /** Minimum allowed value and whether it is excluded. */
  min?: number;
  exclusiveMin?: boolean;
  /** Allowed values (e.g. 0/1 event indicators). */
  allowed?: readonly number[];
  /** Allow empty cells (read as NaN) instead of reporting them. */
  allowMissing?: boolean;
  /** Describes a valid value for the message. */
  expected: string;
  field?: string;
}

/** Parses a column as numbers, collecting every bad row (up to 20) into one error. */
export function numericColumn(
  table: Table,
  name: string,
  opts: NumericColumnOptions,
): Float64Array {
  const j = columnIndex(table, name, opts.what, opts.field);
  const out = new Float64Array(table.rows.length);
  const problems: EcasimError[] = [];
  for (let i = 0; i < table.rows.length && problems.length < 20; i++) {
    const raw = table.rows[i]![j]!;
    let bad: string | undefined;
    let v = Number.NaN;
    if (isMissingCell(raw)) {
      // quote a missing-value code, so a user sees exactly what is in the file
      if (!opts.allowMissing)
        bad = raw === '' ? 'a missing value (an empty cell)' : `${show(raw)} (a missing value)`;
    } else {
      v = Number(raw);
      if (!Number.isFinite(v)) bad = show(raw);
      else if (opts.allowed && !opts.allowed.includes(v)) bad = show(raw);
      else if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min))
        bad = show(raw);
    }
    if (bad !== undefined) {
      problems.push(
        new InputError(
          `${opts.what}, row ${i + 1}, column "${name}": expected ${opts.expected}, found ${bad}`,
          {
            file: table.file,
            row: i + 1,
            line: table.lines[i]!,
            field: opts.field ?? name,
            expected: opts.expected,
            actual: bad,
            hint: 'correct the value in the file (rows are counted from 1 after the header)',
          },
        ),
      );
    }
    out[i] = v;
  }
  throwCollected(problems);
  return out;
}

/** A column's raw strings. */
export function stringColumn(table: Table, name: string, what: string, field?: string): string[] {
  const j = columnIndex(table, name, what, field);
  return table.rows.map((r) => r[j]!);
}

/**
 * Formats a number for CSV output: 10 significant digits (the same text on every platform, as
 * results.json), `Inf`/`-Inf` for infinities (e.g. a latent event time that never occurs), `NA`
 * for NaN.
 */
export function formatCsvNumber(v: number): string {
  if (Number.isNaN(v)) return 'NA';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  return String(Number(v.toPrecision(10)));
}

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
