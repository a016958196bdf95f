import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads `test/reference/fixtures/NAME.json`, written by the R script of the same name. */
export function loadFixture<T = unknown>(name: string): T {
  const file = join(process.cwd(), 'test', 'reference', 'fixtures', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
