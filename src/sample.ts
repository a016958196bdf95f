/**
 * `ecasim sample` as a library function: virtual patients from a covariate model, seeded; with a
 * protocol, exactly the control arm of that protocol's replicate K (its parameter draw,
 * eligibility and censoring), so a replicate can be inspected or re-drawn on its own.
 */
import { loadModel } from './model/load.js';
import { createStream } from './random/index.js';
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { sha256 } from './io/output.js';
import { prepareRun } from './run/index.js';
import { runReplicate } from './run/replicate.js';
import { sampleCohort } from './simulate/ancestral.js';
import type { Cohort } from './cohort.js';
import { csvField, formatCsvNumber } from './io/csv.js';
import type { Attrition } from './simulate/eligibility.js';

export interface SampleOptions {
  model: string;
  n: number;
  seed: number;
  replicate: number;
  protocol?: string;
}

export interface SampleOutput {
  csv: string;
  n: number;
  attrition: (Attrition & { criteria: string[] }) | null;
}

function toCsv(cohort: Cohort, extra: { name: string; values: ArrayLike<number> }[] = []): string {
  const names = [...cohort.columns.keys()];
  const lines = [['id', ...names, ...extra.map((e) => e.name)].map(csvField).join(',')];
  const width = String(cohort.n).length;
  for (let i = 0; i < cohort.n; i++) {
    const row = [`V-${String(i + 1).padStart(width, '0')}`];
    for (const name of names) {
      const c = cohort.columns.get(name)!;
      row.push(
        c.kind === 'numeric' ? formatCsvNumber(c.values[i]!) : csvField(c.levels[c.codes[i]!]!),
      );
    }
    for (const e of extra) row.push(formatCsvNumber(e.values[i]!));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * Without a protocol: `n` patients by ancestral sampling from substream (seed, replicate, 0), every
 * variable (a time-to-event outcome as its latent event time, `Inf` when never). With a protocol:
 * the control arm of replicate `replicate` as `ecasim run` draws it (its size is the protocol's;
 * `n` must match it), with observed `time` and `event`.
 */
export function samplePatients(o: SampleOptions): SampleOutput {
  if (o.protocol === undefined) {
    const model = loadModel(o.model);
    const cohort = sampleCohort(model, o.n, createStream(o.seed, o.replicate, 0));
    return { csv: toCsv(cohort), n: cohort.n, attrition: null };
  }
  const prepared = prepareRun(o.protocol);
  if (sha256(readFileSync(o.model)) !== sha256(prepared.model.doc.source)) {
    throw new UsageError(
      `the model ${o.model} is not the one the protocol names (${prepared.loaded.shownPaths.model})`,
      {
        field: 'MODEL',
        hint: "pass the protocol's model, or leave out --protocol",
      },
    );
  }
  const r = runReplicate({ ...prepared, controlSize: o.n }, o.seed, o.replicate);
  return {
    csv: toCsv(r.cohort, [
      { name: 'time', values: r.time },
      { name: 'event', values: r.event },
    ]),
    n: r.cohort.n,
    attrition: { ...r.attrition, criteria: prepared.criteria.map((c) => c.name) },
  };
}
