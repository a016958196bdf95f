/**
 * The data an audit compares: real records read from a registry extract (CSV) and synthetic
 * records drawn from the covariate model, in one columnar shape — the model's covariates as a
 * cohort, plus the observed outcome (time, event) when the model has a time-to-event outcome.
 */
import { InputError, throwCollected, type EcasimError } from '../errors.js';
import { columnIndex, isMissingCell, numericColumn, readTable, type Table } from '../io/csv.js';
import type { CovariateModel } from '../model/load.js';
import { isCategoricalKind, levelsOf } from '../model/network.js';
import type { RandomSource } from '../random/index.js';
import { sampleCohort } from '../simulate/ancestral.js';
import type { Cohort, Column } from '../cohort.js';
import { kaplanMeier } from '../stats/km.js';
import type { MixedData } from '../stats/distances.js';

/** Records to audit: covariates (and non-survival outcomes) plus an optional observed survival outcome. */
export interface AuditData {
  /** Complete rows used (the file's rows less `incomplete`). */
  readonly n: number;
  /** Rows of the file left out for a missing value, as `ecasim fit` leaves them out (complete cases). */
  readonly incomplete: number;
  /** One column per model variable except the time-to-event outcome, in model order. */
  readonly cohort: Cohort;
  /** Observed follow-up time and event (1) / censoring (0), when the model has a time-to-event outcome. */
  readonly time?: Float64Array;
  readonly event?: Uint8Array;
}

/**
 * How many records hold each of `k` levels (codes 0 to k − 1): what fidelity and screening both
 * compare, counted once here.
 */
export function levelCounts(codes: Int32Array, k: number): Float64Array {
  const counts = new Float64Array(k);
  for (const c of codes) counts[c]! += 1;
  return counts;
}

/** How registry columns are named. */
export interface ColumnNames {
  /** Follow-up time column (default `time`). */
  time?: string;
  /** Event column, 1 = event, 0 = censored (default `event`). */
  event?: string;
  /** CSV column for a model variable when it is named differently: variable → column. */
  rename?: Readonly<Record<string, string>>;
}

/** The time-to-event outcome the audit uses (the first declared), if any. */
export function survivalOutcome(model: CovariateModel): string | undefined {
  return model.outcomes.find((o) => model.variables.get(o)!.kind === 'time-to-event');
}

/** Variables compared column by column: every model variable except the time-to-event outcome. */
export function auditVariables(model: CovariateModel): string[] {
  const tte = survivalOutcome(model);
  return model.names.filter((n) => n !== tte);
}

/**
 * Reads a registry-like CSV (one column per model variable: level text for categorical kinds,
 * numbers otherwise; `time`/`event` for a time-to-event outcome) into audit data. Every bad cell
 * of the file is reported at once (up to 20 per column).
 */
export function readAuditData(
  file: string,
  model: CovariateModel,
  what: string,
  names: ColumnNames = {},
): AuditData {
  return tableToAuditData(readTable(file, what), model, what, names);
}

/** As {@link readAuditData}, from an already parsed table. */
export function tableToAuditData(
  table: Table,
  model: CovariateModel,
  what: string,
  names: ColumnNames = {},
): AuditData {
  const problems: EcasimError[] = [];
  const columns = new Map<string, Column>();
  const collect = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof InputError) problems.push(e, ...e.related);
      else throw e;
    }
  };
  const n = table.rows.length;
  // a missing cell (the rule of every command) leaves its row out, as the fit does
  const missingRow = new Uint8Array(n);
  for (const name of auditVariables(model)) {
    const v = model.variables.get(name)!;
    const col = names.rename?.[name] ?? name;
    collect(() => {
      if (isCategoricalKind(v)) {
        const levels = levelsOf(v)!;
        const j = columnIndex(table, col, what, name);
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const raw = table.rows[i]![j]!;
          if (isMissingCell(raw)) {
            missingRow[i] = 1;
            continue;
          }
          const k = levels.indexOf(raw);
          if (k < 0) {
            if (problems.length < 40) {
              problems.push(
                new InputError(
                  `${what}, row ${i + 1}, column "${col}": expected one of the levels of "${name}" (${levels.join(', ')}), found ${JSON.stringify(raw)}`,
                  {
                    file: table.file,
                    row: i + 1,
                    line: table.lines[i]!,
                    field: name,
                    expected: `one of ${levels.join(', ')}`,
                    actual: JSON.stringify(raw),
                    hint: 'write categorical values as the level text of the model, exactly',
                  },
                ),
              );
            }
            continue;
          }
          codes[i] = k;
        }
        columns.set(name, { kind: 'categorical', codes, levels });
      } else {
        const values = numericColumn(table, col, {
          what,
          expected: 'a finite number',
          field: name,
          allowMissing: true,
        });
        values.forEach((x, i) => Number.isNaN(x) && (missingRow[i] = 1));
        columns.set(name, { kind: 'numeric', values });
      }
    });
  }
  let time: Float64Array | undefined;
  let event: Uint8Array | undefined;
  if (survivalOutcome(model) !== undefined) {
    const tc = names.time ?? 'time';
    const ec = names.event ?? 'event';
    collect(() => {
      time = numericColumn(table, tc, {
        what,
        min: 0,
        exclusiveMin: true,
        expected: 'a follow-up time > 0',
        field: 'time',
        allowMissing: true,
      });
      time.forEach((x, i) => Number.isNaN(x) && (missingRow[i] = 1));
    });
    collect(() => {
      const flag = numericColumn(table, ec, {
        what,
        allowed: [0, 1],
        expected: '1 (event) or 0 (censored)',
        field: 'event',
        allowMissing: true,
      });
      flag.forEach((x, i) => Number.isNaN(x) && (missingRow[i] = 1));
      event = Uint8Array.from(flag, (x) => (Number.isNaN(x) ? 0 : x));
    });
  }
  throwCollected(problems);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (missingRow[i] === 0) keep.push(i);
  if (keep.length === n) {
    return {
      n,
      incomplete: 0,
      cohort: { n, columns },
      ...(time ? { time } : {}),
      ...(event ? { event } : {}),
    };
  }
  const kept = new Map<string, Column>();
  for (const [name, c] of columns)
    kept.set(
      name,
      c.kind === 'categorical'
        ? {
            kind: 'categorical',
            codes: Int32Array.from(keep, (i) => c.codes[i]!),
            levels: c.levels,
          }
        : { kind: 'numeric', values: Float64Array.from(keep, (i) => c.values[i]!) },
    );
  const t = time as Float64Array | undefined;
  const e = event as Uint8Array | undefined;
  return {
    n: keep.length,
    incomplete: n - keep.length,
    cohort: { n: keep.length, columns: kept },
    ...(t ? { time: Float64Array.from(keep, (i) => t[i]!) } : {}),
    ...(e ? { event: Uint8Array.from(keep, (i) => e[i]!) } : {}),
  };
}

/**
 * Reads a CSV of observed survival only (treated arm, real control): `time` and `event` columns.
 */
export function readSurvival(
  file: string,
  what: string,
  names: { time?: string; event?: string } = {},
): { time: Float64Array; event: Uint8Array } {
  const table = readTable(file, what);
  const problems: EcasimError[] = [];
  let time: Float64Array = new Float64Array(0);
  let event: Uint8Array = new Uint8Array(0);
  try {
    time = numericColumn(table, names.time ?? 'time', {
      what,
      min: 0,
      exclusiveMin: true,
      expected: 'a follow-up time > 0',
      field: 'time',
    });
  } catch (e) {
    if (e instanceof InputError) problems.push(e, ...e.related);
    else throw e;
  }
  try {
    event = Uint8Array.from(
      numericColumn(table, names.event ?? 'event', {
        what,
        allowed: [0, 1],
        expected: '1 (event) or 0 (censored)',
        field: 'event',
      }),
    );
  } catch (e) {
    if (e instanceof InputError) problems.push(e, ...e.related);
    else throw e;
  }
  throwCollected(problems);
  return { time, event };
}

/**
 * Censoring times drawn from the reverse Kaplan–Meier estimate of the censoring distribution of
 * observed data (events treated as censored; Schemper & Smith 1996, Controlled Clinical Trials
 * 17:343–346), by inversion: C = the first time at which G(t) ≤ U. When G never falls below U the
 * draw is the last observed time (follow-up ends there). One uniform per draw. Complexity
 * O(n log m).
 */
export function drawCensoring(
  time: ArrayLike<number>,
  event: ArrayLike<number>,
  n: number,
  rng: RandomSource,
): Float64Array {
  const flipped = Float64Array.from(event, (e) => 1 - e);
  const out = new Float64Array(n);
  let last = 0;
  for (let i = 0; i < time.length; i++) if (time[i]! > last) last = time[i]!;
  let anyCensored = false;
  for (let i = 0; i < flipped.length; i++) if (flipped[i] === 1) anyCensored = true;
  if (!anyCensored || time.length < 2) {
    out.fill(last);
    return out;
  }
  const g = kaplanMeier(time, flipped, { confType: 'none' });
  for (let i = 0; i < n; i++) {
    const u = rng.uniformOpen();
    // first index with surv <= u (surv is non-increasing)
    let lo = 0;
    let hi = g.surv.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (g.surv[mid]! <= u) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo < g.surv.length ? g.time[lo]! : last;
  }
  return out;
}

/**
 * Draws `n` synthetic records from the model: covariates by ancestral sampling from
 * `rng.substream(0)`; for a time-to-event outcome, the latent event time censored at a time
 * drawn from the reverse Kaplan–Meier of `censoringFrom` (`rng.substream(1)`), so synthetic and
 * real follow-up are comparable.
 */
export function sampleAuditData(
  model: CovariateModel,
  n: number,
  rng: RandomSource,
  censoringFrom?: { time: ArrayLike<number>; event: ArrayLike<number> },
): AuditData {
  const cohort = sampleCohort(model, n, rng.substream(0));
  const tte = survivalOutcome(model);
  const columns = new Map(cohort.columns);
  if (tte === undefined) return { n, incomplete: 0, cohort: { n, columns } };
  const latent = (columns.get(tte) as { values: Float64Array }).values;
  columns.delete(tte);
  let c: Float64Array;
  if (censoringFrom)
    c = drawCensoring(censoringFrom.time, censoringFrom.event, n, rng.substream(1));
  else {
    c = new Float64Array(n).fill(Infinity);
  }
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  let finiteMax = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(c[i]!) && c[i]! > finiteMax) finiteMax = c[i]!;
  for (let i = 0; i < n; i++) {
    const t = latent[i]!;
    const ci = c[i]!;
    if (t <= ci) {
      time[i] = Number.isFinite(t) ? t : finiteMax;
      event[i] = Number.isFinite(t) ? 1 : 0;
    } else {
      time[i] = ci;
      event[i] = 0;
    }
  }
  return { n, incomplete: 0, cohort: { n, columns }, time, event };
}

/** The records as Gower input: numeric columns (and time), categorical columns (and event). */
export function toMixed(data: AuditData, variables: readonly string[]): MixedData {
  const numeric: ArrayLike<number>[] = [];
  const categorical: ArrayLike<number>[] = [];
  for (const name of variables) {
    const c = data.cohort.columns.get(name)!;
    if (c.kind === 'numeric') numeric.push(c.values);
    else categorical.push(c.codes);
  }
  if (data.time) numeric.push(data.time);
  if (data.event) categorical.push(data.event);
  return { numeric, categorical };
}

/** The rows `index` of audit data (repeats allowed). */
export function selectAuditRows(data: AuditData, index: ArrayLike<number>): AuditData {
  const m = index.length;
  const columns = new Map<string, Column>();
  for (const [name, col] of data.cohort.columns) {
    if (col.kind === 'numeric') {
      columns.set(name, {
        kind: 'numeric',
        values: Float64Array.from(index, (i) => col.values[i]!),
      });
    } else {
      columns.set(name, {
        kind: 'categorical',
        codes: Int32Array.from(index, (i) => col.codes[i]!),
        levels: col.levels,
      });
    }
  }
  return {
    n: m,
    incomplete: 0,
    cohort: { n: m, columns },
    ...(data.time ? { time: Float64Array.from(index, (i) => data.time![i]!) } : {}),
    ...(data.event ? { event: Uint8Array.from(index, (i) => data.event![i]!) } : {}),
  };
}
