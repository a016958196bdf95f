import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOutputDir, sha256 } from '../../src/io/output.js';
import { UsageError } from '../../src/errors.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ecasim-out-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('atomic output directories', () => {
  test('nothing appears until commit', () => {
    const out = openOutputDir(join(base, 'run'));
    const h = out.write('a.txt', 'hello');
    expect(h).toBe(sha256('hello'));
    expect(existsSync(join(base, 'run'))).toBe(false);
    out.commit();
    expect(readFileSync(join(base, 'run', 'a.txt'), 'utf8')).toBe('hello');
    expect(readdirSync(base)).toEqual(['run']);
  });

  test('abort leaves nothing behind', () => {
    const out = openOutputDir(join(base, 'run'));
    out.write('a.txt', 'hello');
    out.abort();
    expect(readdirSync(base)).toEqual([]);
  });

  test('a non-empty directory is refused without force and replaced with it', () => {
    mkdirSync(join(base, 'run'));
    writeFileSync(join(base, 'run', 'old.txt'), 'old');
    expect(() => openOutputDir(join(base, 'run'))).toThrow(UsageError);
    const out = openOutputDir(join(base, 'run'), { force: true });
    out.write('new.txt', 'new');
    out.commit();
    expect(readdirSync(join(base, 'run'))).toEqual(['new.txt']);
    expect(readdirSync(base)).toEqual(['run']);
  });

  test('an empty existing directory is fine', () => {
    mkdirSync(join(base, 'run'));
    const out = openOutputDir(join(base, 'run'));
    out.write('x', '1');
    out.commit();
    expect(readdirSync(join(base, 'run'))).toEqual(['x']);
  });

  test('a file in the way is refused', () => {
    writeFileSync(join(base, 'run'), 'x');
    expect(() => openOutputDir(join(base, 'run'), { force: true })).toThrow(/not a directory/);
  });
});
