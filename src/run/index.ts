/**
 * `ecasim run` as a library function: protocol → (model, treated arm) → m synthetic control
 * arms → every analysis of the plan per replicate → combined over replicates → results, synthetic
 * data, dossier and manifest, returned as file contents. Writing them (atomically) is the
 * caller's job, so a failure anywhere leaves nothing behind.
 *
 * The steps live in their own modules: prepare.ts (load and check inputs), replicate.ts and
 * workers.ts (the m replicates), compute.ts (the results, pure), and at the edges audit.ts,
 * synthetic-csv.ts, manifest.ts and the dossier renderer (loaded only when a dossier is made).
 */
import { readFileSync } from 'node:fs';
import { AnalysisError, InputError, throwCollected } from '../errors.js';
import { inputProblems } from '../protocol/load.js';
import { sha256 } from '../io/output.js';
import { softwareVersions } from '../package-info.js';
import { toJsonText, type FileRecord, type Manifest, type Results } from '../results.js';
import { protocolAudit } from './audit.js';
import { computeResults } from './compute.js';
import { buildManifest, inputRecords, reproFromManifest, type ReadFile } from './manifest.js';
import { prepareRun, type PreparedRun } from './prepare.js';
import { syntheticControlCsv } from './synthetic-csv.js';
import { runReplicates, type Progress } from './workers.js';

export { ARM_LABELS, patientScope, prepareRun, type PreparedRun } from './prepare.js';
export { computeResults, type ComputeOptions } from './compute.js';
export { runReplicate, type ReplicateOutput } from './replicate.js';
export { syntheticControlCsv } from './synthetic-csv.js';

export interface RunOptions {
  protocolFile: string;
  /** Overrides the protocol's seed. */
  seed?: number;
  /** Overrides the protocol's number of replicates. */
  replicates?: number;
  /** Worker threads for the replicates (default 1); the output does not depend on it. */
  workers?: number;
  /** The command line as the user would re-type it (recorded in the manifest and dossier). */
  command: string;
  /** SOURCE_DATE_EPOCH, when set: the only timestamp a run shows. */
  sourceDateEpoch?: string;
  /** The output directory, so the manifest can find the protocol from it. */
  outDir?: string;
  /** A sponsor's directory of dossier partials overriding the built-in ones. */
  templates?: string;
  onProgress?: Progress;
  /** Reads input files for their hashes (default: the file system). */
  readFile?: ReadFile;
}

export interface RunOutput {
  results: Results;
  manifest: Manifest;
  /** Output files by name, in the order they should be written. */
  files: { name: string; content: string }[];
}

function parseEpoch(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const s = Number(value);
  if (!Number.isInteger(s) || s < 0) {
    throw new InputError(
      `SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, found "${value}"`,
      {
        field: 'SOURCE_DATE_EPOCH',
        hint: 'unset it, or set it to e.g. the commit time: git log -1 --format=%ct',
      },
    );
  }
  return new Date(s * 1000).toISOString();
}

/** Methods that estimate from event times: they need events in both arms (analyses.ts). */
const NEEDS_EVENTS = new Set(['cox-iptw', 'cox-adjusted', 'cox-unadjusted', 'rmst']);

/**
 * A treated arm without a single event cannot carry a time-to-event primary analysis: said before
 * any replicate is drawn, naming the treated file and its censoring column. (A secondary analysis
 * that cannot be estimated is dropped with a warning by the replicates instead.)
 */
function checkTreatedEvents(prepared: PreparedRun): void {
  const { treated, loaded } = prepared;
  if (prepared.endpoint !== 'time-to-event') return;
  const primary = prepared.analyses[0]!;
  if (!NEEDS_EVENTS.has(primary.spec.method)) return;
  let events = 0;
  for (const e of treated.event) events += e;
  if (events > 0) return;
  const columns = loaded.protocol.inputs.treated.columns;
  const column = columns.event ?? columns.censor;
  throw new AnalysisError(
    `the primary analysis (${primary.spec.method}) cannot be estimated: the treated arm (${loaded.shownPaths.treated}) has no events — all ${treated.n} patients are censored`,
    {
      file: loaded.shownPaths.treated,
      field: `inputs.treated.columns.${columns.event !== undefined ? 'event' : 'censor'}`,
      expected: 'at least one event in the treated arm',
      actual: `0 events among ${treated.n} patients${column !== undefined ? ` (column ${column})` : ''}`,
      hint:
        columns.event !== undefined
          ? `check column ${columns.event} of the treated dataset: columns.event is 1 for an event, 0 for censored`
          : `check column ${column ?? 'CNSR'} of the treated dataset: columns.censor is 1 for censored, 0 for an event (ADaM CNSR); use columns.event for the opposite coding`,
    },
  );
}

/** Runs a protocol end to end; returns the output files without writing them. */
export async function runProtocol(options: RunOptions): Promise<RunOutput> {
  const createdAt = parseEpoch(options.sourceDateEpoch);
  const prepared: PreparedRun = prepareRun(options.protocolFile);
  // The audit's extracts are read only after the replicates: a missing one is said now.
  throwCollected(inputProblems(prepared.loaded, ['registry', 'holdout']));
  checkTreatedEvents(prepared);
  const { protocol } = prepared.loaded;
  const seed = options.seed ?? protocol.control.seed;
  const m = options.replicates ?? protocol.control.replicates;
  const replicates = await runReplicates(
    prepared,
    options.protocolFile,
    seed,
    m,
    options.workers ?? 1,
    options.onProgress,
  );
  const results = computeResults(prepared, replicates, {
    seed,
    audit: protocolAudit(prepared, seed),
  });

  // The edges: serialise, hash, render, record.
  const resultsJson = toJsonText(results);
  const csv = syntheticControlCsv(prepared.model, replicates);
  const resultsDigest = sha256(resultsJson);
  const outputs: FileRecord[] = [
    { role: 'results', path: 'results.json', sha256: resultsDigest },
    { role: 'synthetic control arms', path: 'synthetic-control.csv', sha256: sha256(csv) },
  ];
  const draft = buildManifest(
    {
      protocolFile: options.protocolFile,
      command: options.command,
      seed,
      ...(options.seed !== undefined ? { seedOverride: options.seed } : {}),
      ...(options.replicates !== undefined ? { replicatesOverride: options.replicates } : {}),
      ...(options.sourceDateEpoch !== undefined
        ? { sourceDateEpoch: options.sourceDateEpoch }
        : {}),
      ...(options.outDir !== undefined ? { outDir: options.outDir } : {}),
      ...(options.templates !== undefined ? { templates: options.templates } : {}),
      ...(createdAt ? { createdAt } : {}),
    },
    softwareVersions(),
    inputRecords(prepared, options.readFile ?? readFileSync),
    outputs,
    resultsDigest,
  );
  // handlebars and vega are slow to load: only a run that renders a dossier loads them.
  const { renderDossier } = await import('../report/dossier.js');
  const dossier = await renderDossier(
    results,
    reproFromManifest(draft),
    options.templates !== undefined ? { templates: options.templates } : {},
  );
  const manifest: Manifest = {
    ...draft,
    outputs: [...outputs, { role: 'dossier', path: 'dossier.html', sha256: sha256(dossier) }],
  };
  return {
    results,
    manifest,
    files: [
      { name: 'results.json', content: resultsJson },
      { name: 'synthetic-control.csv', content: csv },
      { name: 'dossier.html', content: dossier },
      { name: 'manifest.json', content: toJsonText(manifest) },
    ],
  };
}
