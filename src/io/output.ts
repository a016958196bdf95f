/**
 * Atomic output directories: every file of a run is written into a fresh sibling directory that is
 * renamed into place only when the run has succeeded, so a failed run leaves nothing behind and a
 * reader never sees half a dossier.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** SHA-256 of bytes or text, hex. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** SHA-256 of a file's bytes, hex. */
export function sha256File(file: string): string {
  return sha256(readFileSync(file));
}

export interface OutputDir {
  /** The final directory, as the user named it. */
  readonly dir: string;
  /** Writes a file (relative name) into the staging directory; returns its SHA-256. */
  write(name: string, content: string | Uint8Array): string;
  /** SHA-256 of every file written so far, by name, in write order. */
  readonly hashes: ReadonlyMap<string, string>;
  /** Moves the staged files into place (replacing the directory when forced). */
  commit(): void;
  /** Discards everything staged. Safe to call more than once, and after commit (no-op). */
  abort(): void;
}

/**
 * Checks that `dir` may be written (absent, empty, or `force`) and opens a staging directory next
 * to it. Call `commit()` on success and `abort()` on failure (a `try/finally` does both).
 */
export function openOutputDir(dir: string, { force = false }: { force?: boolean } = {}): OutputDir {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new UsageError(`output path exists and is not a directory: ${dir}`, {
        file: dir,
        hint: 'choose another --out path',
      });
    }
    if (readdirSync(target).length > 0 && !force) {
      throw new UsageError(`output directory ${dir} already exists and is not empty`, {
        file: dir,
        hint: 'choose another --out directory, or pass --force to replace it',
      });
    }
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${basename(target)}.partial-${stamp}`);
  mkdirSync(staging);
  const hashes = new Map<string, string>();
  let state: 'open' | 'committed' | 'aborted' = 'open';
  return {
    dir,
    hashes,
    write(name, content) {
      if (state !== 'open') throw new Error(`output directory ${dir} is already ${state}`);
      const path = join(staging, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      const h = sha256(content);
      hashes.set(name, h);
      return h;
    },
    commit() {
      if (state !== 'open') return;
      if (existsSync(target)) {
        const old = join(parent, `.${basename(target)}.old-${stamp}`);
        renameSync(target, old);
        renameSync(staging, target);
        rmSync(old, { recursive: true, force: true });
      } else {
        renameSync(staging, target);
      }
      state = 'committed';
    },
    abort() {
      if (state !== 'open') return;
      rmSync(staging, { recursive: true, force: true });
      state = 'aborted';
    },
  };
}

/**
 * Writes one file atomically: into a temporary file in the same directory, flushed, then renamed
 * over the target, so a reader never sees half a file and a failure leaves none behind. Refuses
 * an existing file unless `force`.
 */
export function writeFileAtomic(
  file: string,
  text: string | Uint8Array,
  { force = false }: { force?: boolean } = {},
): void {
  if (existsSync(file) && !force) {
    throw new UsageError(`output file ${file} already exists`, {
      file,
      hint: 'choose another --out path, or pass --force to replace it',
    });
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      if (typeof text === 'string') writeSync(fd, text);
      else writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`cannot write ${file}: its directory does not exist`, { file });
    }
    throw err;
  }
}
