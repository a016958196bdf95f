import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from '../../src/io/csv.js';

/** Reads `test/reference/fixtures/NAME.json`, written by the R script of the same name. */
export function loadFixture<T = unknown>(name: string): T {
  const file = join(process.cwd(), 'test', 'reference', 'fixtures', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * The data of fixture `name` (columns of equal length under `cases.data`) as the registry table
 * `ecasim fit` reads: one row per patient, every value as text, lines from 2 (after a header).
 */
export function fixtureTable(data: Record<string, readonly (number | string)[]>): Table {
  const cols = Object.keys(data);
  const n = data[cols[0]!]!.length;
  return {
    file: 'registry.csv',
    header: cols,
    rows: Array.from({ length: n }, (_, i) => cols.map((c) => String(data[c]![i]))),
    lines: Array.from({ length: n }, (_, i) => i + 2),
  };
}
