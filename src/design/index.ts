/**
 * `ecasim design` as a library: load a design, run all its trials (or one shard of them), merge
 * shards, and lay out design.json, design.html and manifest.json. Reading the design's inputs is
 * the only I/O here; writing is the caller's (the CLI writes atomically).
 */
import { readFileSync } from 'node:fs';
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
export { shardName, shardTrials, SHARD_SCHEMA, type ShardFile } from './shard.js';
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

/** design.json, design.html and manifest.json of finished records. */
export async function designOutputs(
  frame: DesignFrame,
  records: readonly TrialRecord[],
  command: string,
): Promise<DesignOutput> {
  const results = summariseDesign(frame, records);
  const json = toJsonText(results);
  const html = await designHtml(results);
  const manifest = {
    schema: DESIGN_MANIFEST_SCHEMA,
    command,
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
  options: { command?: string; onProgress?: DesignProgress } = {},
): Promise<DesignOutput> {
  const prepared = prepareDesign(file);
  const trials = shardTrials(prepared.frame.trials, 0, 1);
  const records = runTrials(prepared, trials, options.onProgress);
  return designOutputs(
    prepared.frame,
    records,
    options.command ?? `ecasim design ${file} --out DIR`,
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
