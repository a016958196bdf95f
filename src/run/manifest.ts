/**
 * manifest.json: what a reviewer needs to re-run and check a run — the command, the software,
 * the seed, SHA-256 of every input and output and the results digest. Built here from what the
 * run read (the file reader is injected), read back here for `ecasim verify` and `ecasim render`,
 * and turned here into the reproducibility record the dossier shows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { sha256 } from '../io/output.js';
import type { softwareVersions } from '../package-info.js';
import type { ReproInfo } from '../report/view-model.js';
import {
  MANIFEST_SCHEMA,
  RESULTS_SCHEMA,
  type FileRecord,
  type Manifest,
  type Results,
} from '../results.js';
import type { PreparedRun } from './prepare.js';

/** Reads a file's bytes (injected, so building a manifest needs no real file system in tests). */
export type ReadFile = (file: string) => Uint8Array;

/**
 * The inputs of a run with their hashes. Paths are as the protocol names them (relative to it),
 * so they do not depend on where ecasim ran.
 */
export function inputRecords(prepared: PreparedRun, readFile: ReadFile): FileRecord[] {
  const { loaded, model } = prepared;
  const { protocol, doc } = loaded;
  const audit = protocol.audit && loaded.auditPaths ? loaded.auditPaths : null;
  return [
    { role: 'protocol', path: basename(doc.file), sha256: sha256(doc.source) },
    { role: 'covariate model', path: protocol.inputs.model, sha256: sha256(model.doc.source) },
    {
      role: 'treated dataset',
      path: protocol.inputs.treated.file,
      sha256: sha256(readFile(loaded.paths.treated)),
    },
    ...(protocol.audit && audit
      ? [
          {
            role: 'audit registry extract',
            path: protocol.audit.registry,
            sha256: sha256(readFile(audit.registry)),
          },
          ...(protocol.audit.holdout && audit.holdout
            ? [
                {
                  role: 'audit holdout extract',
                  path: protocol.audit.holdout,
                  sha256: sha256(readFile(audit.holdout)),
                },
              ]
            : []),
        ]
      : []),
  ];
}

/** How the run was asked for: what `ecasim verify` repeats. */
export interface ManifestRun {
  protocolFile: string;
  command: string;
  seed: number;
  seedOverride?: number;
  replicatesOverride?: number;
  sourceDateEpoch?: string;
  outDir?: string;
  templates?: string;
  /** ISO time from SOURCE_DATE_EPOCH, when set. */
  createdAt?: string;
}

/** The manifest of a run whose outputs (all but the manifest itself) have these records. */
export function buildManifest(
  run: ManifestRun,
  versions: ReturnType<typeof softwareVersions>,
  inputs: FileRecord[],
  outputs: FileRecord[],
  resultsDigest: string,
): Manifest {
  return {
    schema: MANIFEST_SCHEMA,
    command: run.command,
    // Paths relative to the protocol's directory, so the manifest (and the dossier, which shows
    // the command) do not depend on where ecasim ran: the same run from / with absolute paths or
    // from the protocol's directory gives the same bytes.
    run: {
      protocol: basename(run.protocolFile),
      protocolFromOutput:
        run.outDir === undefined ? null : relative(resolve(run.outDir), resolve(run.protocolFile)),
      seedOverride: run.seedOverride ?? null,
      replicatesOverride: run.replicatesOverride ?? null,
      sourceDateEpoch: run.sourceDateEpoch ?? null,
      templates:
        run.templates === undefined
          ? null
          : relative(dirname(resolve(run.protocolFile)), resolve(run.templates)) || '.',
    },
    ecasim: versions.ecasim,
    node: process.version,
    dependencies: versions.dependencies,
    seed: run.seed,
    ...(run.createdAt ? { createdAt: run.createdAt } : {}),
    inputs,
    outputs,
    resultsDigest,
  };
}

/** The reproducibility record the dossier shows, from a run's manifest (the dossier cannot hold its own hash). */
export function reproFromManifest(m: Manifest): ReproInfo {
  return {
    command: m.command,
    ecasim: m.ecasim,
    software: [
      { name: 'ecasim', version: m.ecasim },
      ...Object.entries(m.dependencies).map(([name, version]) => ({ name, version })),
    ],
    inputs: m.inputs,
    outputs: m.outputs.filter((o) => o.path !== 'dossier.html' && o.path !== 'manifest.json'),
    resultsDigest: m.resultsDigest,
    ...(m.createdAt !== undefined ? { createdAt: m.createdAt } : {}),
  };
}

function readJson(dir: string, name: string, command: string): unknown {
  const file = join(dir, name);
  if (!existsSync(file)) {
    throw new InputError(`no ${name} in ${dir}`, {
      file,
      hint: `point ${command} at the output directory of an \`ecasim run\``,
    });
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new InputError(`${name} in ${dir} is not valid JSON: ${(err as Error).message}`, {
      file,
    });
  }
}

function wrongSchema(
  dir: string,
  name: string,
  expected: string,
  actual: unknown,
  noun: string,
): InputError {
  return new InputError(`${name} in ${dir} is not an ${expected} ${noun}`, {
    file: join(dir, name),
    field: 'schema',
    expected,
    actual: String(actual),
  });
}

/** A run directory's manifest.json, checked; `command` is who asks (for the hint). */
export function readManifest(dir: string, command = 'ecasim verify'): Manifest {
  const m = readJson(dir, 'manifest.json', command) as Partial<Manifest> | null;
  if (m?.schema !== MANIFEST_SCHEMA || typeof m.run?.protocol !== 'string') {
    throw wrongSchema(dir, 'manifest.json', MANIFEST_SCHEMA, m?.schema, 'manifest');
  }
  return m as Manifest;
}

/** A run directory's results.json, checked; `command` is who asks (for the hint). */
export function readResults(dir: string, command: string): Results {
  const r = readJson(dir, 'results.json', command) as Partial<Results> | null;
  if (r?.schema !== RESULTS_SCHEMA) {
    throw wrongSchema(dir, 'results.json', RESULTS_SCHEMA, r?.schema, 'file');
  }
  return r as Results;
}
