/**
 * `ecasim verify DIR`: re-runs a finished run from its manifest and checks that every output is
 * reproduced bit for bit — first that the inputs are the ones the manifest hashed, then that the
 * outputs on disk are the ones it recorded, then that a fresh run gives the same bytes for every
 * file it writes (results, synthetic arms, dossier and manifest.json itself, whose every field
 * but where the run happened must be re-derived), and that the directory holds nothing else.
 *
 * Extra files: a file in the directory that the run does not write fails verification (it would
 * pass for part of the result); dossier.pdf, which `ecasim run --pdf` writes but a browser
 * prints, is listed as not checked and does not fail it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EcasimError, InputError, VerificationError } from './errors.js';
import { sha256 } from './io/output.js';
import { toJsonText, type Manifest } from './results.js';
import { runProtocol } from './run/index.js';
import { readManifest } from './run/manifest.js';

export interface VerifyCheck {
  what: string;
  expected: string;
  actual: string | null;
  ok: boolean;
}

/** The first `limit` leaves (numbers, strings, ...) at which two JSON values differ, by path. */
export function jsonDifferences(
  a: unknown,
  b: unknown,
  limit = 10,
  path = '',
): { path: string; expected: unknown; actual: unknown }[] {
  const out: { path: string; expected: unknown; actual: unknown }[] = [];
  const walk = (x: unknown, y: unknown, p: string): void => {
    if (out.length >= limit) return;
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
      const keys = Array.isArray(x)
        ? [...Array(Math.max((x as unknown[]).length, (y as unknown[]).length)).keys()]
        : [...new Set([...Object.keys(x), ...Object.keys(y as object)])];
      for (const k of keys) {
        walk(
          (x as Record<string, unknown>)[k],
          (y as Record<string, unknown>)[k],
          Array.isArray(x) ? `${p}[${k}]` : p ? `${p}.${k}` : String(k),
        );
      }
      return;
    }
    if (x !== y) out.push({ path: p, expected: x, actual: y });
  };
  walk(a, b, path);
  return out;
}

export interface VerifyReport {
  ok: boolean;
  protocol: string;
  resultsDigest: string;
  /** Inputs whose current hash differs from the manifest's (a re-run would not be comparable). */
  changedInputs: VerifyCheck[];
  /** Output files on disk against the manifest's records of them. */
  onDisk: VerifyCheck[];
  /**
   * Every file the run writes, re-derived, against the file on disk (sha256 of each): results,
   * synthetic arms, dossier and the manifest itself.
   */
  rerun: VerifyCheck[];
  /**
   * Fields of manifest.json that differ from the re-run's (recorded → re-derived): the seed,
   * digests, versions, hashes, the outputs' records, ... Only where the run is (`node`,
   * `run.protocol`, `run.protocolFromOutput`) may differ.
   */
  manifestFields: { path: string; expected: unknown; actual: unknown }[];
  /** Files in the directory that the run does not write (verification fails on them). */
  unexpected: string[];
  /** Files a run may write that cannot be reproduced bit for bit and are not checked (dossier.pdf). */
  notChecked: string[];
  /** The Node.js versions of the run and of this check, when they differ (the outputs must not). */
  node: { recorded: string; now: string } | null;
  /** When results.json is not reproduced: the first numbers (or values) that differ. */
  differences: { path: string; expected: unknown; actual: unknown }[];
}

/**
 * Manifest fields that say where the run happened, not what it produced: they may differ between
 * the run and its verification (another Node.js, the output directory moved) without the
 * outputs changing — which the byte comparison of every output checks.
 */
const LOCATION_FIELDS = ['node', 'run.protocol', 'run.protocolFromOutput'] as const;

/** Files `ecasim run --pdf` writes that a re-run does not reproduce (a browser prints them). */
const NOT_REPRODUCED = new Set(['dossier.pdf']);

/** Every file under `dir`, as relative paths with `/`, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** A manifest's override, checked: null, or a whole number (a tampered value is not run). */
function override(dir: string, field: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw new VerificationError(`manifest.json has an invalid ${field}`, {
    file: join(dir, 'manifest.json'),
    field,
    expected: 'null or a whole number',
    actual: JSON.stringify(value),
    hint: 'the manifest was edited: restore it from the run',
  });
}

/** Verifies the run in `dir`; `protocol` overrides where the protocol is looked for. */
export async function verifyRun(dir: string, protocol?: string): Promise<VerifyReport> {
  const m = readManifest(dir);
  const run = (m.run ?? {}) as Partial<Manifest['run']>;
  const candidates = [
    protocol,
    typeof run.protocolFromOutput === 'string' ? join(dir, run.protocolFromOutput) : undefined,
    typeof run.protocol === 'string' ? run.protocol : undefined,
  ].filter((p): p is string => p !== undefined);
  const protocolFile = candidates.find((p) => existsSync(p));
  if (protocolFile === undefined) {
    throw new InputError(`cannot find the protocol of this run (tried ${candidates.join(', ')})`, {
      file: join(dir, 'manifest.json'),
      field: 'run.protocol',
      hint: 'pass its path with --protocol',
    });
  }
  const check = (what: string, expected: string, actual: string | null): VerifyCheck => ({
    what,
    expected,
    actual,
    ok: expected === actual,
  });
  const onDiskHash = (name: string): string | null => {
    const f = join(dir, name);
    return existsSync(f) && statSync(f).isFile() ? sha256(readFileSync(f)) : null;
  };

  // The manifest's own record of its outputs, against the files.
  const recorded = Array.isArray(m.outputs) ? m.outputs : [];
  const onDisk = recorded.map((o) => check(o.path, o.sha256, onDiskHash(o.path)));

  const seedOverride = override(dir, 'run.seedOverride', run.seedOverride);
  const replicatesOverride = override(dir, 'run.replicatesOverride', run.replicatesOverride);
  let output;
  try {
    output = await runProtocol({
      protocolFile,
      ...(seedOverride !== null ? { seed: seedOverride } : {}),
      ...(replicatesOverride !== null ? { replicates: replicatesOverride } : {}),
      // recorded relative to the protocol's directory (older runs: to where they ran)
      ...(typeof run.templates === 'string'
        ? { templates: resolve(dirname(protocolFile), run.templates) }
        : {}),
      command: String(m.command),
      ...(typeof run.sourceDateEpoch === 'string' ? { sourceDateEpoch: run.sourceDateEpoch } : {}),
      outDir: dir,
    });
  } catch (err) {
    if (err instanceof EcasimError) {
      throw new InputError(`the run cannot be repeated: ${err.message}`, err.details, err.related);
    }
    throw err;
  }
  const inputs = Array.isArray(m.inputs) ? m.inputs : [];
  const changedInputs = output.manifest.inputs
    .map((now, k) =>
      check(`${inputs[k]?.role ?? now.role} (${now.path})`, inputs[k]?.sha256 ?? '', now.sha256),
    )
    .filter((c) => !c.ok);

  // The re-derived manifest, with where-it-ran fields taken from the recorded one: then it must
  // be the file on disk byte for byte.
  const again: Manifest = structuredClone(output.manifest);
  const recordedNode = typeof m.node === 'string' ? m.node : again.node;
  again.node = recordedNode;
  if (typeof run.protocol === 'string') again.run.protocol = run.protocol;
  if (run.protocolFromOutput === null || typeof run.protocolFromOutput === 'string')
    again.run.protocolFromOutput = run.protocolFromOutput;
  const files = output.files.map((f) =>
    f.name === 'manifest.json' ? { name: f.name, content: toJsonText(again) } : f,
  );
  const rerun = files.map((f) => check(f.name, sha256(f.content), onDiskHash(f.name)));
  const manifestFields = jsonDifferences(m, again, 50).filter(
    (d) => !(LOCATION_FIELDS as readonly string[]).includes(d.path),
  );

  const written = new Set(files.map((f) => f.name));
  const present = listFiles(dir);
  const unexpected = present.filter((f) => !written.has(f) && !NOT_REPRODUCED.has(f));
  const notChecked = present.filter((f) => NOT_REPRODUCED.has(f));

  const ok =
    changedInputs.length === 0 &&
    onDisk.every((c) => c.ok) &&
    rerun.every((c) => c.ok) &&
    manifestFields.length === 0 &&
    unexpected.length === 0;
  let differences: VerifyReport['differences'] = [];
  const resultsFile = join(dir, 'results.json');
  if (rerun.some((c) => c.what === 'results.json' && !c.ok) && existsSync(resultsFile)) {
    try {
      const before = JSON.parse(readFileSync(resultsFile, 'utf8')) as unknown;
      const after = JSON.parse(files.find((f) => f.name === 'results.json')!.content) as unknown;
      differences = jsonDifferences(before, after);
    } catch {
      differences = [];
    }
  }
  return {
    ok,
    protocol: protocolFile,
    resultsDigest: typeof m.resultsDigest === 'string' ? m.resultsDigest : String(m.resultsDigest),
    changedInputs,
    onDisk,
    rerun,
    manifestFields,
    unexpected,
    notChecked,
    node:
      recordedNode !== process.version ? { recorded: recordedNode, now: process.version } : null,
    differences,
  };
}
