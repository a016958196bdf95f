/**
 * `ecasim design` as a library: load a design, run all its trials (or one shard of them), merge
 * shards, and lay out design.json, design.html and manifest.json. Reading the design's inputs is
 * the only I/O here; writing is the caller's (the CLI writes atomically).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { softwareVersions } from '../package-info.js';
import { toJsonText } from '../results.js';
import { sha256 } from '../io/output.js';
import {
  createDesignContext,
  runDesignTrial,
  type DesignContext,
  type TrialRecord,
} from './engine.js';
import { designHtml } from './html.js';
import {
  designDigest,
  designFrame,
  mergeShards,
  readShard,
  shardFile,
  shardTrials,
  type ShardFile,
} from './shard.js';
import { loadDesign } from './spec.js';
import { summariseDesign, type DesignFrame, type DesignResults } from './summary.js';

export { designJsonSchema, loadDesign, type DesignSpec, type LoadedDesign } from './spec.js';
export { shardName, shardText, shardTrials, SHARD_SCHEMA, type ShardFile } from './shard.js';
export { DESIGN_SCHEMA, type DesignResults } from './summary.js';
export type { Scenario, TrialRecord } from './engine.js';

export const DESIGN_MANIFEST_SCHEMA = 'ecasim-design-manifest/1';

/** A loaded design, ready to run any of its trials. */
export interface PreparedDesign {
  readonly context: DesignContext;
  readonly frame: DesignFrame;
}

/** Loads and checks a design and everything it names; computes its targets. */
export function prepareDesign(file: string): PreparedDesign {
  const context = createDesignContext(loadDesign(file));
  const digest = designDigest(context, (f) => readFileSync(f));
  return { context, frame: designFrame(context, digest) };
}

/** Called after each trial: trials done of those this process runs. */
export type DesignProgress = (done: number, total: number) => void;

/** Runs the given trials in order; their records, trial by trial. */
export function runTrials(
  prepared: PreparedDesign,
  trials: readonly number[],
  onProgress?: DesignProgress,
): TrialRecord[] {
  const out: TrialRecord[] = [];
  trials.forEach((t, k) => {
    out.push(...runDesignTrial(prepared.context, t));
    onProgress?.(k + 1, trials.length);
  });
  return out;
}

/** Shard `index` of `count`: its file (trials t with t mod count = index). */
export function runShard(
  prepared: PreparedDesign,
  index: number,
  count: number,
  onProgress?: DesignProgress,
): ShardFile {
  const trials = shardTrials(prepared.frame.trials, index, count);
  return shardFile(prepared.frame, index, count, runTrials(prepared, trials, onProgress));
}

export interface DesignOutput {
  results: DesignResults;
  files: { name: string; content: string }[];
}

/** Where a design's output came from, for `ecasim verify`. */
export interface DesignSource {
  /** The design file as the command named it. */
  readonly file: string;
  /** The output directory, to record the design's path from it (verify from anywhere). */
  readonly outDir?: string;
}

/** manifest.json of a design's outputs. */
export interface DesignManifest {
  schema: typeof DESIGN_MANIFEST_SCHEMA;
  command: string;
  /** The design file (as named, and from the output directory); null after a merge. */
  design: { file: string; fromOutput: string | null } | null;
  designDigest: string;
  software: ReturnType<typeof softwareVersions>;
  outputs: { role: string; path: string; sha256: string }[];
}

/** design.json, design.html and manifest.json of finished records. */
export async function designOutputs(
  frame: DesignFrame,
  records: readonly TrialRecord[],
  command: string,
  source: DesignSource | null = null,
): Promise<DesignOutput> {
  const results = summariseDesign(frame, records);
  const json = toJsonText(results);
  const html = await designHtml(results);
  const manifest: DesignManifest = {
    schema: DESIGN_MANIFEST_SCHEMA,
    command,
    design:
      source === null
        ? null
        : {
            file: source.file,
            fromOutput:
              source.outDir === undefined
                ? null
                : relative(resolve(source.outDir), resolve(source.file)),
          },
    designDigest: frame.designDigest,
    software: softwareVersions(),
    outputs: [
      { role: 'results', path: 'design.json', sha256: sha256(json) },
      { role: 'report', path: 'design.html', sha256: sha256(html) },
    ],
  };
  return {
    results,
    files: [
      { name: 'design.json', content: json },
      { name: 'design.html', content: html },
      { name: 'manifest.json', content: toJsonText(manifest) },
    ],
  };
}

/** Runs every trial of a design in this process. */
export async function runDesign(
  file: string,
  options: { command?: string; onProgress?: DesignProgress; outDir?: string } = {},
): Promise<DesignOutput> {
  const prepared = prepareDesign(file);
  const trials = shardTrials(prepared.frame.trials, 0, 1);
  const records = runTrials(prepared, trials, options.onProgress);
  return designOutputs(
    prepared.frame,
    records,
    options.command ?? `ecasim design ${file} --out DIR`,
    { file, ...(options.outDir !== undefined ? { outDir: options.outDir } : {}) },
  );
}

/** Merges shard files (name and text of each) into the outputs one process writes. */
export async function mergeDesign(
  shards: readonly { file: string; text: string }[],
  command = 'ecasim merge',
): Promise<DesignOutput> {
  const { frame, records } = mergeShards(
    shards.map((s) => ({ file: s.file, shard: readShard(s.file, s.text) })),
  );
  return designOutputs(frame, records, command);
}

/** What `ecasim verify` found for a design's output directory. */
export interface DesignVerifyReport {
  ok: boolean;
  design: string;
  designDigest: string;
  /** The design or a file it reads changed since the outputs were written (digest differs). */
  changedInputs: { what: string; expected: string; actual: string; ok: boolean }[];
  onDisk: { what: string; expected: string; actual: string | null; ok: boolean }[];
  rerun: { what: string; expected: string; actual: string | null; ok: boolean }[];
}

/**
 * Re-runs the design of `dir` (its manifest names it; `designFile` overrides, and is needed after
 * a merge) and checks that design.json and design.html come out byte for byte.
 */
export async function verifyDesign(
  dir: string,
  manifest: DesignManifest,
  designFile?: string,
): Promise<DesignVerifyReport> {
  const candidates = [
    designFile,
    manifest.design?.fromOutput == null ? undefined : join(dir, manifest.design.fromOutput),
    manifest.design?.file,
  ].filter((p): p is string => p !== undefined);
  const file = candidates.find((p) => existsSync(p));
  if (file === undefined) {
    throw new InputError(
      candidates.length === 0
        ? 'this design output was merged from shards and does not record its design file'
        : `cannot find the design of this output (tried ${candidates.join(', ')})`,
      {
        file: join(dir, 'manifest.json'),
        field: 'design',
        hint: 'pass the design file with --design',
      },
    );
  }
  const onDisk = manifest.outputs.map((o) => {
    const f = join(dir, o.path);
    const actual = existsSync(f) ? sha256(readFileSync(f)) : null;
    return { what: o.path, expected: o.sha256, actual, ok: actual === o.sha256 };
  });
  const again = await runDesign(file, { command: manifest.command });
  const digest = again.results.designDigest;
  const changedInputs =
    digest === manifest.designDigest
      ? []
      : [
          {
            what: 'the design and the files it reads (design digest)',
            expected: manifest.designDigest,
            actual: digest,
            ok: false,
          },
        ];
  const rerun = manifest.outputs
    .filter((o) => o.path !== 'manifest.json')
    .map((o) => {
      const f = again.files.find((x) => x.name === o.path);
      const actual = f ? sha256(f.content) : null;
      return { what: o.path, expected: o.sha256, actual, ok: actual === o.sha256 };
    });
  return {
    ok: changedInputs.length === 0 && onDisk.every((c) => c.ok) && rerun.every((c) => c.ok),
    design: file,
    designDigest: manifest.designDigest,
    changedInputs,
    onDisk,
    rerun,
  };
}
