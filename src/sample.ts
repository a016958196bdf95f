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
import { prepareRun } from './run/prepare.js';
import { runReplicate } from './run/replicate.js';
import { sampleCohort } from './simulate/ancestral.js';
import type { Cohort } from './cohort.js';
import { cohortColumns, cohortCsv, idColumn, numberColumn } from './io/cohort-csv.js';
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

/** The cohort's columns (and `extra` ones) as CSV, one row a virtual patient `V-001`… */
function toCsv(cohort: Cohort, extra: { name: string; values: ArrayLike<number> }[] = []): string {
  return cohortCsv([
    {
      n: cohort.n,
      columns: [
        idColumn('V-', cohort.n),
        ...cohortColumns(cohort, [...cohort.columns.keys()]),
        ...extra.map((e) => numberColumn(e.name, e.values)),
      ],
    },
  ]);
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
