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

/** Reads a CSV file with a header row. */
export function readTable(file: string, what: string): Table {
  return parseTable(file, readText(file, what), what);
}

export function parseTable(file: string, text: string, what: string): Table {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: false,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InputError(`${what} is not a valid CSV file: ${e.message}`, {
      file,
      ...(e.lines !== undefined ? { line: e.lines } : {}),
      hint: 'every row needs the same number of comma-separated fields as the header; quote values that contain commas',
    });
  }
  if (records.length === 0) {
    throw new InputError(`${what} is empty: ${file}`, {
      file,
      expected: 'a header row and at least one data row',
    });
  }
  const header = records[0]!.record;
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '')
      throw new InputError(`${what} has an empty column name in its header`, { file, line: 1 });
    if (seen.has(h))
      throw new InputError(`${what} has the column "${h}" twice in its header`, { file, line: 1 });
    seen.add(h);
  }
  const data = records.slice(1);
  if (data.length === 0) {
    throw new InputError(`${what} has a header but no data rows: ${file}`, {
      file,
      expected: 'at least one patient',
    });
  }
  return { file, header, rows: data.map((r) => r.record), lines: data.map((r) => r.info.lines) };
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
    if (raw === '' || /^(NA|NaN|null)$/i.test(raw)) {
      if (!opts.allowMissing) bad = 'a missing value';
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
