/**
 * `ecasim verify DIR`: re-runs a finished run from its manifest and checks that every output is
 * reproduced bit for bit — first that the inputs are the ones the manifest hashed, then that the
 * outputs on disk are the ones it recorded, then that a fresh run gives the same bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcasimError, InputError } from './errors.js';
import { sha256 } from './io/output.js';
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
  /** Output files on disk against the manifest. */
  onDisk: VerifyCheck[];
  /** The re-run's outputs against the manifest. */
  rerun: VerifyCheck[];
  /** When results.json is not reproduced: the first numbers (or values) that differ. */
  differences: { path: string; expected: unknown; actual: unknown }[];
}

/** Verifies the run in `dir`; `protocol` overrides where the protocol is looked for. */
export async function verifyRun(dir: string, protocol?: string): Promise<VerifyReport> {
  const m = readManifest(dir);
  const candidates = [
    protocol,
    m.run.protocolFromOutput === null ? undefined : join(dir, m.run.protocolFromOutput),
    m.run.protocol,
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

  // The manifest names inputs by the paths of the original run; the protocol names them itself.
  const onDisk = m.outputs.map((o) => {
    const f = join(dir, o.path);
    return check(o.path, o.sha256, existsSync(f) ? sha256(readFileSync(f)) : null);
  });

  let output;
  try {
    output = await runProtocol({
      protocolFile,
      ...(m.run.seedOverride !== null ? { seed: m.run.seedOverride } : {}),
      ...(m.run.replicatesOverride !== null ? { replicates: m.run.replicatesOverride } : {}),
      ...(m.run.templates ? { templates: m.run.templates } : {}),
      command: m.command,
      ...(m.run.sourceDateEpoch !== null ? { sourceDateEpoch: m.run.sourceDateEpoch } : {}),
      outDir: dir,
    });
  } catch (err) {
    if (err instanceof EcasimError) {
      throw new InputError(`the run cannot be repeated: ${err.message}`, err.details, err.related);
    }
    throw err;
  }
  const changedInputs = output.manifest.inputs
    .map((now, k) =>
      check(
        `${m.inputs[k]?.role ?? now.role} (${now.path})`,
        m.inputs[k]?.sha256 ?? '',
        now.sha256,
      ),
    )
    .filter((c) => !c.ok);
  const rerun = m.outputs
    .filter((o) => o.path !== 'manifest.json')
    .map((o) => {
      const again = output.files.find((f) => f.name === o.path);
      return check(o.path, o.sha256, again ? sha256(again.content) : null);
    });
  const ok = changedInputs.length === 0 && onDisk.every((c) => c.ok) && rerun.every((c) => c.ok);
  let differences: VerifyReport['differences'] = [];
  const resultsFile = join(dir, 'results.json');
  if (rerun.some((c) => c.what === 'results.json' && !c.ok) && existsSync(resultsFile)) {
    try {
      const recorded = JSON.parse(readFileSync(resultsFile, 'utf8')) as unknown;
      const again = JSON.parse(
        output.files.find((f) => f.name === 'results.json')!.content,
      ) as unknown;
      differences = jsonDifferences(recorded, again);
    } catch {
      differences = [];
    }
  }
  return {
    ok,
    protocol: protocolFile,
    resultsDigest: m.resultsDigest,
    changedInputs,
    onDisk,
    rerun,
    differences,
  };
}
