/**
 * The treated arm: the protocol's CSV read through its column mapping into the same columnar
 * cohort as the virtual patients, with times converted to the model's unit. Every bad value is
 * reported with its row; all bad rows of a column are reported together.
 */
import { InputError, show, throwCollected, type EcasimError } from '../errors.js';
import { isMissingCell, numericColumn, readTable, stringColumn, type Table } from '../io/csv.js';
import type { CovariateModel } from '../model/load.js';
import { binIndex } from '../model/fit-spec.js';
import { isCategoricalKind, levelsOf, type Endpoint } from '../model/network.js';
import type { Cohort, Column } from '../cohort.js';
import type { Protocol, TimeUnit } from './schema.js';

const WHAT = 'treated dataset';

/** Days per unit; a month is 365.25/12 days and a year 365.25 days, the usual clinical convention. */
const DAYS: Record<TimeUnit, number> = { days: 1, weeks: 7, months: 365.25 / 12, years: 365.25 };

/** Factor that converts a time in `from` units into `to` units. */
export function timeFactor(from: TimeUnit, to: TimeUnit): number {
  return from === to ? 1 : DAYS[from] / DAYS[to];
}

export type { Endpoint } from '../model/network.js';

export interface TreatedArm {
  readonly file: string;
  readonly endpoint: Endpoint;
  readonly n: number;
  readonly ids: readonly string[];
  /**
   * Time in the model's unit (time-to-event); the endpoint's value (continuous); all 1 and unused
   * (binary).
   */
  readonly time: Float64Array;
  /** 1 = event (time-to-event) or response (binary), 0 = censored / no response. */
  readonly event: Uint8Array;
  /**
   * Baseline covariates present in the file, as model variables. A missing cell left for
   * imputation is level code −1 (categorical) or NaN (numeric); see `missing`.
   */
  readonly covariates: Cohort;
  /** The file's missing baseline covariates and what the protocol's `missing` policy did with them. */
  readonly missing: TreatedMissing;
}

/** Missing baseline covariates of the treated file (`inputs.treated.missing`). */
export interface TreatedMissing {
  readonly policy: 'impute' | 'exclude';
  /** Patients (rows) in the file. */
  readonly rows: number;
  /** Missing cells per covariate column of the file (only those with any). */
  readonly byVariable: readonly { variable: string; column: string; missing: number }[];
  /** Patients with at least one missing covariate. */
  readonly patients: number;
  /** Patients dropped ('exclude'); 0 under 'impute'. */
  readonly excluded: number;
  /** 'impute': the cells to draw in every replicate, by variable, as rows of the analysed arm. */
  readonly cells: readonly { variable: string; rows: Int32Array }[];
}

/**
 * The patient identifiers of the column `name`: each must be non-empty and appear once. Every
 * repeated identifier (up to 20) is reported with both rows.
 */
function uniqueIds(table: Table, name: string): string[] {
  const field = 'inputs.treated.columns.id';
  const ids = stringColumn(table, name, WHAT, field);
  // a Set, and a search only for a repeat (rare): hashing a million ids is the cost here
  const seen = new Set<string>();
  const problems: EcasimError[] = [];
  for (let i = 0; i < ids.length && problems.length < 20; i++) {
    const id = ids[i]!;
    if (!seen.has(id)) {
      seen.add(id);
      continue;
    }
    const earlier = ids.indexOf(id);
    problems.push(
      new InputError(
        `${WHAT}, rows ${earlier + 1} and ${i + 1}, column "${name}": the patient ${id === '' ? 'identifier is empty in both' : `"${id}" appears twice`}`,
        {
          file: table.file,
          row: i + 1,
          line: table.lines[i]!,
          field,
          expected: 'a different identifier on every row',
          actual: `${show(id)} on rows ${earlier + 1} (line ${table.lines[earlier]!}) and ${i + 1} (line ${table.lines[i]!})`,
          hint: 'each patient is one row: remove the repeated row or correct its identifier',
        },
      ),
    );
  }
  throwCollected(problems);
  return ids;
}

/**
 * Reads the treated arm. Covariates: every non-outcome model variable whose column (mapped, or
 * under its own name) is present; a mapped column that is absent is an error.
 */
export function loadTreated(
  file: string,
  shownFile: string,
  protocol: Protocol,
  model: CovariateModel,
  endpoint: Endpoint,
): TreatedArm {
  const table: Table = readTable(file, WHAT, shownFile);
  const spec = protocol.inputs.treated;
  let time: Float64Array;
  const event = new Uint8Array(table.rows.length);
  if (endpoint === 'time-to-event') {
    time = numericColumn(table, spec.columns.time!, {
      what: WHAT,
      min: 0,
      exclusiveMin: true,
      expected: 'a time > 0',
      field: 'inputs.treated.columns.time',
    });
    const factor = timeFactor(spec.timeUnit!, model.timeUnit);
    if (factor !== 1) for (let i = 0; i < time.length; i++) time[i]! *= factor;
    const eventCol = spec.columns.event ?? spec.columns.censor!;
    const flag = numericColumn(table, eventCol, {
      what: WHAT,
      allowed: [0, 1],
      expected: spec.columns.event
        ? '0 (censored) or 1 (event)'
        : '0 (event) or 1 (censored), CDISC CNSR',
      field: spec.columns.event ? 'inputs.treated.columns.event' : 'inputs.treated.columns.censor',
    });
    for (let i = 0; i < flag.length; i++) event[i] = spec.columns.event ? flag[i]! : 1 - flag[i]!;
  } else if (endpoint === 'continuous') {
    time = numericColumn(table, spec.columns.value!, {
      what: WHAT,
      expected: 'a number',
      field: 'inputs.treated.columns.value',
    });
    event.fill(1);
  } else {
    const flag = numericColumn(table, spec.columns.response!, {
      what: WHAT,
      allowed: [0, 1],
      expected: '0 (no response) or 1 (response)',
      field: 'inputs.treated.columns.response',
    });
    for (let i = 0; i < flag.length; i++) event[i] = flag[i]!;
    time = new Float64Array(table.rows.length).fill(1);
  }
  const ids = spec.columns.id
    ? uniqueIds(table, spec.columns.id)
    : table.rows.map((_, i) => String(i + 1));

  const problems: EcasimError[] = [];
  for (const name of Object.keys(spec.covariates)) {
    const v = model.variables.get(name);
    if (v === undefined || model.outcomes.includes(name)) {
      problems.push(
        new InputError(
          `inputs.treated.covariates names "${name}", which is not a baseline variable of the covariate model`,
          {
            field: `inputs.treated.covariates.${name}`,
            expected: `one of ${model.names.filter((n) => !model.outcomes.includes(n)).join(', ')}`,
            actual: name,
          },
        ),
      );
    }
  }
  throwCollected(problems);

  const columns = new Map<string, Column>();
  const missingRows = new Map<string, { column: string; rows: number[] }>();
  for (const name of model.names) {
    if (model.outcomes.includes(name)) continue;
    const mapped = spec.covariates[name];
    const v0 = model.variables.get(name)!;
    // a variable the fit binned from a numeric column is read from that column when its own is absent
    const recode = v0.kind === 'categorical' ? v0.recode : undefined;
    const col =
      mapped ?? (recode !== undefined && !table.header.includes(name) ? recode.column : name);
    if (!table.header.includes(col)) {
      if (mapped !== undefined) {
        stringColumn(table, col, WHAT, `inputs.treated.covariates.${name}`); // throws the located error
      }
      continue;
    }
    const v = model.variables.get(name)!;
    if (isCategoricalKind(v)) {
      const levels = levelsOf(v)!;
      const raw = stringColumn(table, col, WHAT);
      const codes = new Int32Array(raw.length);
      const bad: EcasimError[] = [];
      raw.forEach((s, i) => {
        let k = isMissingCell(s) ? MISSING_CODE : levels.indexOf(s);
        // the model's recode: a number in a binned variable's column becomes its level
        if (k === -1 && recode !== undefined && s.trim() !== '' && Number.isFinite(Number(s)))
          k = binIndex(Number(s), recode.bins);
        if (k === -1 && bad.length < 20) {
          bad.push(
            new InputError(
              `${WHAT}, row ${i + 1}, column "${col}": "${s}" is not a level of ${name}`,
              {
                file: shownFile,
                row: i + 1,
                line: table.lines[i]!,
                field: col,
                expected:
                  `one of ${levels.map((l) => `"${l}"`).join(', ')}` +
                  (recode ? `, or a number (binned at ${recode.bins.join(', ')})` : ''),
                actual: `"${s}"`,
                hint: 'recode the value to one of the model levels',
              },
            ),
          );
        }
        codes[i] = k;
      });
      throwCollected(bad);
      columns.set(name, { kind: 'categorical', codes, levels });
    } else {
      columns.set(name, {
        kind: 'numeric',
        values: numericColumn(table, col, {
          what: WHAT,
          expected: 'a number',
          field: col,
          allowMissing: true,
        }),
      });
    }
    const c = columns.get(name)!;
    const rows: number[] = [];
    if (c.kind === 'categorical') c.codes.forEach((k, i) => k === MISSING_CODE && rows.push(i));
    else c.values.forEach((x, i) => Number.isNaN(x) && rows.push(i));
    if (rows.length > 0) missingRows.set(name, { column: col, rows });
  }
  const arm = {
    file: shownFile,
    endpoint,
    n: time.length,
    ids,
    time,
    event,
    covariates: { n: time.length, columns },
  };
  return withMissingPolicy(arm, missingRows, spec.missing);
}

/** Level code of a missing categorical cell in a treated arm before imputation. */
export const MISSING_CODE = -2;

/**
 * Applies the `missing` policy: 'exclude' drops every patient with a missing covariate; 'impute'
 * keeps them and lists the cells each replicate draws (run/replicate.ts). `missingRows` names,
 * for each covariate with missing cells (level code `MISSING_CODE` or NaN), its column and rows.
 */
export function withMissingPolicy(
  arm: Omit<TreatedArm, 'missing'>,
  missingRows: ReadonlyMap<string, { column: string; rows: number[] }>,
  policy: 'impute' | 'exclude',
): TreatedArm {
  const byVariable = [...missingRows].map(([variable, m]) => ({
    variable,
    column: m.column,
    missing: m.rows.length,
  }));
  const incomplete = new Uint8Array(arm.n);
  for (const m of missingRows.values()) for (const i of m.rows) incomplete[i] = 1;
  const patients = incomplete.reduce((s, x) => s + x, 0);
  const base = { policy, rows: arm.n, byVariable, patients };
  if (policy === 'impute' || patients === 0) {
    const cells = [...missingRows].map(([variable, m]) => ({
      variable,
      rows: Int32Array.from(m.rows),
    }));
    return { ...arm, missing: { ...base, excluded: 0, cells: policy === 'impute' ? cells : [] } };
  }
  const keep: number[] = [];
  for (let i = 0; i < arm.n; i++) if (incomplete[i] === 0) keep.push(i);
  const pick = <T extends Float64Array | Uint8Array | Int32Array>(a: T): T =>
    a.constructor === Float64Array
      ? (Float64Array.from(keep, (i) => a[i]!) as T)
      : a.constructor === Uint8Array
        ? (Uint8Array.from(keep, (i) => a[i]!) as T)
        : (Int32Array.from(keep, (i) => a[i]!) as T);
  const columns = new Map<string, Column>();
  for (const [name, c] of arm.covariates.columns)
    columns.set(
      name,
      c.kind === 'categorical'
        ? { kind: 'categorical', codes: pick(c.codes), levels: c.levels }
        : { kind: 'numeric', values: pick(c.values) },
    );
  return {
    ...arm,
    n: keep.length,
    ids: keep.map((i) => arm.ids[i]!),
    time: pick(arm.time),
    event: pick(arm.event),
    covariates: { n: keep.length, columns },
    missing: { ...base, excluded: patients, cells: [] },
  };
}

/** The `missing` record of a treated arm without missing covariates (one built in memory). */
export function noMissing(n: number): TreatedMissing {
  return { policy: 'impute', rows: n, byVariable: [], patients: 0, excluded: 0, cells: [] };
}
