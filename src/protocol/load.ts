/**
 * Loading a protocol: YAML with positions → schema check (all problems at once, located, with
 * "did you mean" for unknown keys) → paths resolved against the protocol file's directory.
 */
import { statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import {
  checkWithSchema,
  formatPath,
  loadLocated,
  problemAt,
  type LocatedDocument,
  type PathSegment,
} from '../io/document.js';
import { EcasimError, InputError, throwCollected } from '../errors.js';
import { loadModel, type CovariateModel } from '../model/load.js';
import { isCategoricalKind, levelsOf } from '../model/network.js';
import {
  compileExpression,
  ExpressionError,
  type CompiledExpression,
  type VariableInfo,
} from './expressions.js';
import { protocolSchema, type Protocol } from './schema.js';

const WHAT = 'protocol';

export interface LoadedProtocol {
  readonly protocol: Protocol;
  readonly doc: LocatedDocument;
  /** Input paths resolved against the protocol's directory, and as shown to users. */
  readonly paths: { treated: string; model: string };
  readonly shownPaths: { treated: string; model: string };
  /** The audit's extracts (as shown to users), when the protocol has an `audit:` section. */
  readonly auditPaths: { registry: string; holdout?: string } | null;
}

/** Reads and validates a protocol file. */
export function loadProtocol(file: string): LoadedProtocol {
  const doc = loadLocated(file, WHAT);
  return parseProtocol(doc);
}

/** Validates a parsed protocol document. */
export function parseProtocol(doc: LocatedDocument): LoadedProtocol {
  const checked = checkWithSchema(protocolSchema, doc, WHAT);
  if (!checked.ok) {
    // The expressions are otherwise checked only once the schema holds (run/prepare.ts), so a
    // misspelt variable would surface one round later: check them now, as far as possible.
    throwCollected([...checked.problems, ...expressionProblems(doc)]);
  }
  const protocol = (checked as { data: Protocol }).data;
  const base = dirname(resolve(doc.file));
  const treated = resolve(base, protocol.inputs.treated.file);
  const model = resolve(base, protocol.inputs.model);
  const show = (p: string): string => relative(process.cwd(), p) || p;
  return {
    protocol,
    doc,
    paths: { treated, model },
    shownPaths: { treated: show(treated), model: show(model) },
    auditPaths: protocol.audit
      ? {
          registry: show(resolve(base, protocol.audit.registry)),
          ...(protocol.audit.holdout
            ? { holdout: show(resolve(base, protocol.audit.holdout)) }
            : {}),
        }
      : null,
  };
}

/** The input files a protocol names, by the field that names them. */
export type ProtocolInput = 'model' | 'treated' | 'registry' | 'holdout';

/**
 * The input files the protocol names that do not exist (or are not files), each as an
 * `InputError` located at the protocol line that names it (`p.yaml:43:3`, field `inputs.model`),
 * with the path it was resolved to. A reader's own "not found" names only the path; run this
 * first (the inputs a command reads, `which`) so the user sees which line to fix.
 */
export function inputProblems(
  loaded: LoadedProtocol,
  which: readonly ProtocolInput[] = ['model', 'treated', 'registry', 'holdout'],
): InputError[] {
  const { protocol, doc } = loaded;
  const base = dirname(resolve(doc.file));
  const named: { input: ProtocolInput; what: string; path: PathSegment[]; value?: string }[] = [
    {
      input: 'model',
      what: 'covariate model',
      path: ['inputs', 'model'],
      value: protocol.inputs.model,
    },
    {
      input: 'treated',
      what: 'treated dataset',
      path: ['inputs', 'treated', 'file'],
      value: protocol.inputs.treated.file,
    },
    {
      input: 'registry',
      what: 'audit registry extract',
      path: ['audit', 'registry'],
      ...(protocol.audit ? { value: protocol.audit.registry } : {}),
    },
    {
      input: 'holdout',
      what: 'audit holdout extract',
      path: ['audit', 'holdout'],
      ...(protocol.audit?.holdout !== undefined ? { value: protocol.audit.holdout } : {}),
    },
  ];
  const problems: InputError[] = [];
  for (const n of named) {
    if (!which.includes(n.input) || n.value === undefined) continue;
    const file = resolve(base, n.value);
    let why: string | undefined;
    try {
      if (!statSync(file).isFile()) why = 'is not a regular file';
    } catch {
      why = 'not found';
    }
    if (why === undefined) continue;
    const shown = relative(process.cwd(), file) || file;
    problems.push(
      problemAt(doc, n.path, `${n.what} ${why}: ${shown}`, {
        actual: JSON.stringify(n.value),
        hint: `check the path at ${formatPath(n.path)}; relative paths in a protocol are resolved from the protocol's directory (${relative(process.cwd(), base) || '.'})`,
      }),
    );
  }
  return problems;
}

/**
 * Compiles an expression found at `path` in `doc`; a problem becomes an `InputError` pointing at
 * the expression's line and the column of the offending token.
 */
export function compileAt(
  doc: LocatedDocument,
  path: readonly PathSegment[],
  source: string,
  scope: Readonly<Record<string, VariableInfo>>,
  what: string,
): CompiledExpression {
  try {
    return compileExpression(source, scope);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    const base = problemAt(doc, path, `${what}: ${err.message}`, {
      // the expression as written, cut when it is too long to read on one line
      actual: source.length > 200 ? `${source.slice(0, 197)}...` : source,
      ...(err.hint ? { hint: err.hint } : {}),
    });
    const d = base.details;
    if (err.offset !== undefined && d.line !== undefined && d.column !== undefined) {
      // Plain or quoted scalar on one line: point at the token (a quote shifts it by one).
      const lineText = doc.source.split('\n')[d.line - 1] ?? '';
      const quoted = lineText[d.column - 1] === '"' || lineText[d.column - 1] === "'";
      return raise(
        new InputError(base.message, { ...d, column: d.column + err.offset + (quoted ? 1 : 0) }),
      );
    }
    return raise(base);
  }
}

function raise(e: InputError): never {
  throw e;
}

/**
 * The variables expressions over patients may read: the model's baseline (non-outcome) variables.
 * Here rather than in run/prepare.ts so that the early expression check below and the run's
 * compile step read the same scope (run/ imports protocol/, not the other way round).
 */
export function patientScope(model: CovariateModel): Record<string, VariableInfo> {
  const scope: Record<string, VariableInfo> = {};
  for (const name of model.names) {
    if (model.outcomes.includes(name)) continue;
    const v = model.variables.get(name)!;
    scope[name] = isCategoricalKind(v)
      ? { type: 'text', levels: levelsOf(v)! }
      : { type: 'number' };
  }
  return scope;
}

/**
 * Problems of the derived variables and eligibility criteria of a protocol whose schema check
 * failed, against the model it names — when that model loads (its own problems are reported
 * once the protocol is right). Mirrors the compile step of run/prepare.ts.
 */
function expressionProblems(doc: LocatedDocument): EcasimError[] {
  const raw = doc.data as {
    inputs?: { model?: unknown };
    derived?: unknown;
    eligibility?: unknown;
  } | null;
  const modelPath = raw?.inputs?.model;
  if (typeof modelPath !== 'string') return [];
  let scope: Record<string, VariableInfo>;
  try {
    scope = patientScope(loadModel(resolve(dirname(resolve(doc.file)), modelPath)));
  } catch {
    return [];
  }
  const problems: EcasimError[] = [];
  const each = (list: unknown, f: (item: Record<string, unknown>, k: number) => void): void => {
    if (!Array.isArray(list)) return;
    list.forEach((item, k) => {
      if (item !== null && typeof item === 'object') f(item as Record<string, unknown>, k);
    });
  };
  const compile = (path: PathSegment[], source: unknown, what: string): boolean => {
    if (typeof source !== 'string') return false;
    try {
      compileAt(doc, path, source, scope, what);
      return true;
    } catch (err) {
      if (!(err instanceof EcasimError)) throw err;
      problems.push(err);
      return false;
    }
  };
  each(raw?.derived, (d, k) => {
    const name = typeof d['name'] === 'string' ? d['name'] : `#${k + 1}`;
    compile(['derived', k, 'expression'], d['expression'], `derived variable "${name}"`);
    if (typeof d['name'] === 'string' && scope[d['name']] === undefined) {
      scope[d['name']] = { type: 'number' };
    }
  });
  each(raw?.eligibility, (c, k) => {
    const name = typeof c['name'] === 'string' ? c['name'] : `#${k + 1}`;
    compile(['eligibility', k, 'expression'], c['expression'], `eligibility criterion "${name}"`);
  });
  return problems;
}
