/**
 * Loading a covariate model: parse with positions, check the shape (schema.ts), check the graph
 * (network.ts), and return the model with its topological order. All problems of a file are
 * reported together, each as `file:line:column` with the field's path.
 */
import { throwCollected } from '../errors.js';
import {
  loadLocatedJson,
  parseLocatedJson,
  validateWithSchema,
  type LocatedDocument,
} from '../io/document.js';
import { checkNetwork, childrenOf, outcomeNames, topologicalOrder } from './network.js';
import { modelSchema, type Model, type TimeUnit, type Variable } from './schema.js';

/** What error messages call the file. */
const WHAT = 'covariate model';

/** A validated covariate model, ready to sample. */
export interface CovariateModel {
  /** The validated file content, defaults filled in. */
  readonly model: Model;
  /** Variable names in declaration order (the order of substreams in the sampler). */
  readonly names: readonly string[];
  /** Variable names with every parent before its children (declaration order breaks ties). */
  readonly order: readonly string[];
  readonly variables: ReadonlyMap<string, Variable>;
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Outcome variables (time-to-event, binary and continuous endpoints). */
  readonly outcomes: readonly string[];
  readonly timeUnit: TimeUnit;
  /** The source document, so later problems (e.g. unreachable bounds) can point into the file. */
  readonly doc: LocatedDocument;
}

/**
 * Validates a parsed document as a covariate model; throws one `InputError` carrying every
 * problem (schema problems first; graph problems only once the shape is right).
 *
 * @example
 * const m = parseModel(parseLocatedJson('m.json', text, 'covariate model'));
 * m.order; // ['sex', 'age', 'stage', 'os']
 */
export function parseModel(doc: LocatedDocument): CovariateModel {
  const model = validateWithSchema(modelSchema, doc, WHAT);
  throwCollected(checkNetwork(model, doc));
  const order = topologicalOrder(model);
  if (order === undefined) throw new Error('internal: cycle not reported by checkNetwork');
  return {
    model,
    names: Object.keys(model.variables),
    order,
    variables: new Map(Object.entries(model.variables)),
    children: childrenOf(model),
    outcomes: outcomeNames(model),
    timeUnit: model.provenance.timeUnit,
    doc,
  };
}

/** Parses model text named `file` as strict JSON, whatever its name; see `parseModel`. */
export function parseModelText(file: string, text: string): CovariateModel {
  return parseModel(parseLocatedJson(file, text, WHAT));
}

/**
 * Reads, parses and validates a covariate model file (`ecasim-model/1`, docs/model-format.md),
 * as strict JSON (RFC 8259: no comments, trailing commas, single quotes or bare keys).
 * Complexity O(size of the file + Σ table rows · parents).
 *
 * @example
 * const model = loadModel('examples/nsclc/model.json');
 * model.timeUnit; // → 'months'
 * const cohort = sampleModel(model, 1000, { seed: 42 });
 */
export function loadModel(file: string): CovariateModel {
  return parseModel(loadLocatedJson(file, WHAT));
}
