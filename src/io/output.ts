/**
 * Atomic output directories: every file of a run is written into a fresh sibling directory that is
 * renamed into place only when the run has succeeded, so a failed run leaves nothing behind and a
 * reader never sees half a dossier.
 */
import { createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
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

/** Errno codes of a directory that cannot be created or written, and what they mean. */
const UNWRITABLE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'it is on a read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path is a file, not a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/** A file-system failure on the output directory as a usage error (naming it and why), else as is. */
function refused(dir: string, err: unknown, what = 'cannot write the output directory'): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined || UNWRITABLE[code] === undefined) return err;
  return new UsageError(`${what} ${dir}: ${UNWRITABLE[code]} (${code})`, {
    file: dir,
    hint: 'choose another --out path, one in a directory you can write',
  });
}

/** The nearest existing ancestor of an absolute path (the path itself when it exists). */
function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

/**
 * Refuses, before any work is done, an output directory that cannot be created or replaced:
 * one under a regular file, or whose nearest existing ancestor cannot be written.
 */
function checkWritable(dir: string, target: string): void {
  const parent = dirname(target);
  const existing = nearestExisting(parent);
  if (!statSync(existing).isDirectory()) {
    throw new UsageError(
      `cannot create output directory ${dir}: ${existing} is a file, not a directory`,
      { file: dir, hint: 'choose an --out path that is not inside a file' },
    );
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'EROFS'
        ? 'is on a read-only file system'
        : 'is not writable';
    throw new UsageError(
      `cannot create output directory ${dir}: ${existing === parent ? 'its parent directory' : 'the directory'} ${existing} ${why}`,
      {
        file: dir,
        hint: 'choose another --out path, in a directory you can write',
      },
    );
  }
}

/** How staging directories beside `<name>` are named: `.<name>.partial-<pid>-<time>`, `.<name>.old-…`. */
const STAGING = /^\.(.+)\.(partial|old)-(\d+)-[0-9a-z]+$/;

/** Whether process `pid` exists (a process of another user counts as existing). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the staging directories beside `target` left by runs that were killed (SIGKILL, a
 * crash, a power cut) — those whose process no longer exists; returns the names removed. Those of
 * live processes (another run writing the same output) are left alone.
 */
export function removeStaleStaging(target: string): string[] {
  const parent = dirname(target);
  const name = basename(target);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const m = STAGING.exec(entry);
    if (!m || m[1] !== name || alive(Number(m[3]))) continue;
    try {
      rmSync(join(parent, entry), { recursive: true, force: true });
      removed.push(join(parent, entry));
    } catch {
      // not ours to remove (permissions): left, and a later run tries again
    }
  }
  return removed;
}

/** The staging directories open in this process: removed when a signal ends it. */
const openStaging = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const dir of openStaging) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`ecasim: ${signal}: removed the unfinished output ${dir}\n`);
  }
  openStaging.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Ends the process as the signal would have, now that nothing is left behind (unless someone
  // else in this process also handles it).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function track(dir: string): void {
  if (openStaging.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  openStaging.add(dir);
}

function untrack(dir: string): void {
  openStaging.delete(dir);
  if (openStaging.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
}

export interface OpenOutputOptions {
  /** Replace a non-empty directory. */
  force?: boolean;
  /** Told what was cleaned up (stale staging directories of killed runs); default stderr. */
  onNotice?: (message: string) => void;
}

/**
 * Checks that `dir` may be written (absent, empty, or `force`; its parent creatable and
 * writable) and opens a staging directory next to it, first removing stale ones of killed runs.
 * Call `commit()` on success and `abort()` on failure (a `try/finally` does both). Until then, a
 * SIGINT, SIGTERM or SIGHUP removes the staging directory before the process ends.
 */
export function openOutputDir(dir: string, options: OpenOutputOptions = {}): OutputDir {
  const { force = false } = options;
  const notice = options.onNotice ?? ((m: string) => void process.stderr.write(m));
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
  checkWritable(dir, target);
  const parent = dirname(target);
  for (const stale of removeStaleStaging(target)) {
    notice(`ecasim: removed ${stale}, left by an ecasim run that was killed\n`);
  }
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${basename(target)}.partial-${stamp}`);
  // The parents this creates, removed again by abort() so a refused run leaves nothing behind.
  let created: string | undefined;
  try {
    created = mkdirSync(parent, { recursive: true });
    mkdirSync(staging);
  } catch (err) {
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    throw refused(dir, err, 'cannot create the output directory');
  }
  track(staging);
  const hashes = new Map<string, string>();
  let state: 'open' | 'committed' | 'aborted' = 'open';
  return {
    dir,
    hashes,
    write(name, content) {
      if (state !== 'open') throw new Error(`output directory ${dir} is already ${state}`);
      const path = join(staging, name);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      } catch (err) {
        throw refused(dir, err);
      }
      const h = sha256(content);
      hashes.set(name, h);
      return h;
    },
    commit() {
      if (state !== 'open') return;
      try {
        if (existsSync(target)) {
          const old = join(parent, `.${basename(target)}.old-${stamp}`);
          renameSync(target, old);
          renameSync(staging, target);
          rmSync(old, { recursive: true, force: true });
        } else {
          renameSync(staging, target);
        }
      } catch (err) {
        throw refused(dir, err);
      }
      untrack(staging);
      state = 'committed';
    },
    abort() {
      if (state !== 'open') return;
      rmSync(staging, { recursive: true, force: true });
      if (created !== undefined) removeEmptyUpTo(parent, created);
      untrack(staging);
      state = 'aborted';
    },
  };
}

/** Removes `from` and its parents up to and including `top`, as long as they are empty. */
function removeEmptyUpTo(from: string, top: string): void {
  for (let p = from; ; p = dirname(p)) {
    try {
      if (readdirSync(p).length > 0) return;
      rmSync(p, { recursive: true });
    } catch {
      return;
    }
    if (p === top || dirname(p) === p) return;
  }
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
