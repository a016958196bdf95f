/**
 * Sharding a design over processes or machines: trial t belongs to shard t mod N and draws only
 * from its own streams (seed, ·, t), so what a trial gives never depends on N. A shard file holds
 * the design's frame (the same in every shard: scenarios, analyses, targets, digest) and the
 * records of its trials, with a SHA-256 of those records; `mergeShards` checks that the shards
 * come from one design and cover every trial exactly once, and the merged records summarise to
 * the very bytes one process writes (summary.ts sorts them by trial).
 */
import { InputError, UsageError } from '../errors.js';
import { sha256 } from '../io/output.js';
import { softwareVersions } from '../package-info.js';
import { computeTargets, type DesignContext, type TrialRecord } from './engine.js';
import type { DesignFrame } from './summary.js';

export const SHARD_SCHEMA = 'ecasim-design-shard/1';

export interface ShardFile {
  schema: typeof SHARD_SCHEMA;
  frame: DesignFrame;
  shard: { index: number; count: number };
  /** The trials this shard ran, ascending. */
  trialsRun: number[];
  /** SHA-256 of the records' JSON: a shard cut short or edited does not merge. */
  recordsDigest: string;
  records: TrialRecord[];
}

/** JSON with the non-finite numbers a record may hold (an infinite limit) as strings. */
function finiteJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
    indent,
  );
}

/** The fields of a record's analyses that may be non-finite, and how they are written. */
const NUMBER_FIELDS = new Set(['q', 'se', 'lower', 'upper', 'p']);
const NON_FINITE = new Set(['Infinity', '-Infinity', 'NaN']);

/**
 * A shard file's text: stable JSON (two-space indent, trailing newline), an infinite limit or NaN
 * of a record written as the string "Infinity", "-Infinity" or "NaN" (readShard reads them back).
 */
export function shardText(shard: ShardFile): string {
  return finiteJson(shard, 2) + '\n';
}

/** Which shard runs which trials: t with t mod count = index. */
export function shardTrials(trials: number, index: number, count: number): number[] {
  const out: number[] = [];
  for (let t = index; t < trials; t += count) out.push(t);
  return out;
}

/**
 * The SHA-256 that ties shards to one design: the design as validated (defaults filled in), the
 * bytes of every file it reads, and the software version.
 */
export function designDigest(ctx: DesignContext, readFile: (file: string) => Uint8Array): string {
  const { design } = ctx;
  const files = [
    design.doc.file,
    design.paths.protocol,
    design.paths.model ?? ctx.protocol.paths.model,
    ...(design.paths.fit === null ? [] : [design.paths.fit]),
  ].map((f) => sha256(readFile(f)));
  return sha256(JSON.stringify({ spec: design.spec, files, ecasim: softwareVersions().ecasim }));
}

/** The frame of a design: what every shard carries and every merge compares. */
export function designFrame(ctx: DesignContext, digest: string): DesignFrame {
  const { spec } = ctx.design;
  return {
    name: spec.name,
    designDigest: digest,
    software: { ecasim: softwareVersions().ecasim },
    // as the design file names them: the same wherever a shard runs
    files: {
      design: ctx.design.doc.file.split(/[\\/]/).pop()!,
      protocol: spec.protocol,
      model: spec.truth.model ?? ctx.protocol.protocol.inputs.model,
      fit: spec.truth.fit ?? null,
    },
    mode: spec.truth.mode,
    seed: spec.seed,
    trials: spec.trials,
    estimandN: spec.estimandN,
    endpoint: ctx.endpoint,
    alpha: ctx.alpha,
    scenarios: ctx.scenarios.map((s) => ({
      ...s,
      drift: {
        ...s.drift,
        covariate: s.drift.covariate === null ? null : { ...s.drift.covariate },
      },
      followUp: s.followUp === null ? null : { ...s.followUp },
      missing: s.missing === null ? null : { ...s.missing },
      confounder: s.confounder === null ? null : { ...s.confounder },
    })),
    analyses: ctx.analyses.map((a) => ({ ...a })),
    targets: computeTargets(ctx),
  };
}

/** A shard's file content. */
export function shardFile(
  frame: DesignFrame,
  index: number,
  count: number,
  records: TrialRecord[],
): ShardFile {
  return {
    schema: SHARD_SCHEMA,
    frame,
    shard: { index, count },
    trialsRun: shardTrials(frame.trials, index, count),
    recordsDigest: sha256(finiteJson(records)),
    records,
  };
}

/** The file name of shard i of N. */
export function shardName(index: number, count: number): string {
  return `shard-${index}-of-${count}.json`;
}

/** "3, 5–9, 12": trial numbers as ranges. */
function ranges(xs: readonly number[]): string {
  const out: string[] = [];
  for (let k = 0; k < xs.length;) {
    let j = k;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(j === k ? `${xs[k]}` : `${xs[k]}–${xs[j]}`);
    k = j + 1;
  }
  return out.length > 12
    ? `${out.slice(0, 12).join(', ')}, … (${xs.length} in all)`
    : out.join(', ');
}

/** Parses and checks one shard file's text. */
export function readShard(file: string, text: string): ShardFile {
  let data: unknown;
  try {
    data = JSON.parse(text, (k, v: unknown) =>
      NUMBER_FIELDS.has(k) && typeof v === 'string' && NON_FINITE.has(v) ? Number(v) : v,
    );
  } catch (err) {
    throw new InputError(`${file} is not JSON: ${(err as Error).message}`, {
      file,
      expected: `a shard file (${SHARD_SCHEMA}) written by ecasim design --shard`,
      hint: 'pass the shard files ecasim design --shard wrote',
    });
  }
  const s = data as Partial<ShardFile>;
  if (s === null || typeof s !== 'object' || s.schema !== SHARD_SCHEMA) {
    throw new InputError(`${file} is not an ecasim design shard`, {
      file,
      field: 'schema',
      expected: SHARD_SCHEMA,
      actual: String((s as { schema?: unknown } | null)?.schema ?? 'no schema'),
      hint: 'pass the shard files ecasim design --shard wrote',
    });
  }
  if (!Array.isArray(s.records) || sha256(finiteJson(s.records)) !== s.recordsDigest) {
    throw new InputError(
      `${file}: its records do not match its recordsDigest (cut short or edited)`,
      {
        file,
        field: 'recordsDigest',
        hint: 're-run that shard',
      },
    );
  }
  return s as ShardFile;
}

/**
 * The records of shards that together make one design: the same frame in every shard (the same
 * design digest), every trial 0 … trials − 1 exactly once. Problems name the files and trials.
 */
export function mergeShards(shards: readonly { file: string; shard: ShardFile }[]): {
  frame: DesignFrame;
  records: TrialRecord[];
} {
  if (shards.length === 0) throw new UsageError('merge needs at least one shard file');
  const first = shards[0]!;
  const frameText = JSON.stringify(first.shard.frame);
  for (const { file, shard } of shards.slice(1)) {
    if (shard.frame.designDigest !== first.shard.frame.designDigest) {
      throw new InputError(
        `${file} belongs to another design than ${first.file} (design digest ${shard.frame.designDigest.slice(0, 12)}… against ${first.shard.frame.designDigest.slice(0, 12)}…)`,
        {
          file,
          field: 'frame.designDigest',
          expected: first.shard.frame.designDigest,
          actual: shard.frame.designDigest,
          hint: 'merge the shards of one design, run with the same design file, inputs and ecasim version',
        },
      );
    }
    if (JSON.stringify(shard.frame) !== frameText) {
      throw new InputError(`${file} has the design digest of ${first.file} but another frame`, {
        file,
        field: 'frame',
        hint: 're-run that shard',
      });
    }
  }
  const { trials } = first.shard.frame;
  const ranBy = new Map<number, string[]>();
  for (const { file, shard } of shards)
    for (const t of shard.trialsRun) ranBy.set(t, [...(ranBy.get(t) ?? []), file]);
  const missing: number[] = [];
  for (let t = 0; t < trials; t++) if (!ranBy.has(t)) missing.push(t);
  const twice = [...ranBy].filter(([, files]) => files.length > 1).sort((a, b) => a[0] - b[0]);
  if (twice.length > 0) {
    const [t, files] = twice[0]!;
    throw new InputError(
      `trials ${ranges(twice.map(([x]) => x))} are in more than one shard (trial ${t}: ${files.join(', ')})`,
      { hint: 'pass each shard once, all from the same --shard count' },
    );
  }
  if (missing.length > 0) {
    const counts = [...new Set(shards.map((s) => s.shard.shard.count))];
    const have = new Set(shards.map((s) => s.shard.shard.index));
    const absent =
      counts.length === 1
        ? ` (missing shards: ${Array.from({ length: counts[0]! }, (_, i) => i)
            .filter((i) => !have.has(i))
            .map((i) => shardName(i, counts[0]!))
            .join(', ')})`
        : '';
    throw new InputError(`trials ${ranges(missing)} of ${trials} are in no shard${absent}`, {
      hint: 'run the missing shards, then merge all of them',
    });
  }
  return { frame: first.shard.frame, records: shards.flatMap((s) => s.shard.records) };
}
