/**
 * The one error model of ecasim. Every failure a user can cause is an `EcasimError` that says
 * where (file, line/column or CSV row, field), what was expected, what was found and what to do.
 * `src/cli/errors.ts` is the only place that turns these into messages and exit codes.
 */

/** What kind of failure: decides the exit code. */
export type ErrorKind = 'usage' | 'input' | 'analysis' | 'verification' | 'internal';

export interface ErrorDetails {
  /** The file the problem is in, as the user named it (relative paths kept relative). */
  file?: string;
  /** 1-based line in a text file. */
  line?: number;
  /** 1-based column in a text file. */
  column?: number;
  /** 1-based data row of a CSV file (the header is row 0). */
  row?: number;
  /** Dotted path of the offending field (`control.size`, `variables.age.mean`). */
  field?: string;
  /** What a valid value looks like. */
  expected?: string;
  /** What was found, already rendered for display. */
  actual?: string;
  /** What the user should do next. */
  hint?: string;
}

export class EcasimError extends Error {
  readonly kind: ErrorKind;
  readonly details: ErrorDetails;
  /** Further problems collected from the same input (all reported at once). */
  readonly related: readonly EcasimError[];

  constructor(
    kind: ErrorKind,
    message: string,
    details: ErrorDetails = {},
    related: readonly EcasimError[] = [],
  ) {
    super(message);
    this.name = 'EcasimError';
    this.kind = kind;
    this.details = details;
    this.related = related;
  }

  /** `file:line:column`, `file, row N`, or `file`, as far as known. */
  get location(): string | undefined {
    const d = this.details;
    if (d.file === undefined) return undefined;
    if (d.row !== undefined) return `${d.file}, row ${d.row}`;
    if (d.line !== undefined)
      return `${d.file}:${d.line}${d.column !== undefined ? `:${d.column}` : ''}`;
    return d.file;
  }
}

/** A command line that cannot be acted on (unknown flag, missing argument, refused output dir). */
export class UsageError extends EcasimError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('usage', message, details);
    this.name = 'UsageError';
  }
}

/** An input file (protocol, model, dataset) that is missing, malformed or inconsistent. */
export class InputError extends EcasimError {
  constructor(message: string, details: ErrorDetails = {}, related: readonly EcasimError[] = []) {
    super('input', message, details, related);
    this.name = 'InputError';
  }
}

/** `ecasim verify` found that a run is not reproduced bit for bit. */
export class VerificationError extends EcasimError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('verification', message, details);
    this.name = 'VerificationError';
  }
}

/** Valid inputs on which an analysis cannot be carried out (no events, too few eligible, ...). */
export class AnalysisError extends EcasimError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('analysis', message, details);
    this.name = 'AnalysisError';
  }
}

/**
 * Throws one `InputError` for a list of problems: the first is the headline, the rest ride
 * along in `related`, so a user fixes a whole file in one pass.
 */
export function throwCollected(problems: readonly EcasimError[]): void {
  if (problems.length === 0) return;
  const [first, ...rest] = problems;
  if (rest.length === 0) throw first;
  throw new InputError(first!.message, first!.details, rest);
}

/** Renders a value for an error message: strings quoted, long values cut. */
export function show(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (value === undefined) s = 'nothing';
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
