/**
 * Loading a protocol: YAML with positions → schema check (all problems at once, located, with
 * "did you mean" for unknown keys) → paths resolved against the protocol file's directory.
 */
import { dirname, relative, resolve } from 'node:path';
import {
  loadLocated,
  problemAt,
  validateWithSchema,
  type LocatedDocument,
  type PathSegment,
} from '../io/document.js';
import { InputError } from '../errors.js';
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
  const protocol = validateWithSchema(protocolSchema, doc, WHAT);
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
      actual: source,
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
