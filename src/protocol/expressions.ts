/**
 * Protocol expressions (eligibility criteria, derived variables, success criteria).
 *
 * mathjs is used as a *parser only*: the syntax tree is checked against a whitelist and compiled
 * into closures of our own, so an expression can read the patient's variables and call a fixed set
 * of pure functions — and nothing else (no assignment, function definition, property access,
 * import, globals, file system or network). Types are checked at compile time: comparing a text
 * variable with a number, or naming a level a categorical variable does not have, fails before
 * any patient is drawn.
 */
import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';
import { didYouMean } from '../io/document.js';

let mathParse: ((source: string) => MathNode) | undefined;

/**
 * mathjs's parser, loaded on first use from the package's single-file build: the same parser
 * as `import { parse } from 'mathjs'`, but one file instead of ~1500 modules, which cuts the
 * cost of loading it from about 1 s to about 0.25 s (bench/startup.ts).
 */
function parse(source: string): MathNode {
  mathParse ??= (
    createRequire(import.meta.url)('mathjs/lib/browser/math.js') as typeof import('mathjs')
  ).parse;
  return mathParse(source);
}

export type ValueType = 'number' | 'text' | 'boolean';
export type Value = number | string | boolean;

/** What the compiler knows about a variable an expression may name. */
export interface VariableInfo {
  type: 'number' | 'text';
  /** For categorical (text) variables, the allowed levels. */
  levels?: readonly string[];
}

/** Reads variable `name` for row `i`. */
export type RowReader = (name: string, i: number) => Value;

export interface CompiledExpression {
  readonly source: string;
  readonly type: ValueType;
  /** Variables the expression reads. */
  readonly variables: readonly string[];
  evaluate(read: RowReader, i: number): Value;
}

/** A problem in an expression; `offset` is the 0-based character where it was found, if known. */
export class ExpressionError extends Error {
  readonly offset: number | undefined;
  readonly hint: string | undefined;
  constructor(message: string, offset?: number, hint?: string) {
    super(message);
    this.name = 'ExpressionError';
    this.offset = offset;
    this.hint = hint;
  }
}

type Fn = (read: RowReader, i: number) => Value;
interface Compiled {
  type: ValueType;
  fn: Fn;
  /** Set when the node is a bare categorical variable: its levels, for level checks. */
  levels?: readonly string[];
  name?: string;
  constant?: Value;
}

const NUMERIC_FUNCTIONS: Record<
  string,
  { arity: [number, number]; f: (...a: number[]) => number }
> = {
  abs: { arity: [1, 1], f: Math.abs },
  exp: { arity: [1, 1], f: Math.exp },
  log: { arity: [1, 1], f: Math.log },
  log10: { arity: [1, 1], f: Math.log10 },
  sqrt: { arity: [1, 1], f: Math.sqrt },
  floor: { arity: [1, 1], f: Math.floor },
  ceil: { arity: [1, 1], f: Math.ceil },
  round: { arity: [1, 1], f: Math.round },
  min: { arity: [1, 16], f: Math.min },
  max: { arity: [1, 16], f: Math.max },
};

/** Function names an expression may call. */
export const ALLOWED_FUNCTIONS = Object.keys(NUMERIC_FUNCTIONS);

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  pow: (a, b) => a ** b,
  mod: (a, b) => a - b * Math.floor(a / b),
};
const ORDER: Record<string, (a: number, b: number) => boolean> = {
  smaller: (a, b) => a < b,
  smallerEq: (a, b) => a <= b,
  larger: (a, b) => a > b,
  largerEq: (a, b) => a >= b,
};

function typeName(t: ValueType): string {
  return t === 'text' ? 'text' : t === 'boolean' ? 'true/false' : 'a number';
}

/**
 * Compiles `source` for variables `scope`. Throws `ExpressionError` with the character offset of
 * the problem.
 *
 * @example
 * const e = compileExpression('age >= 18 and stage in ["IIIB", "IV"]', {
 *   age: { type: 'number' }, stage: { type: 'text', levels: ['IIIB', 'IV'] } });
 * e.evaluate((name) => (name === 'age' ? 70 : 'IV'), 0); // true
 */
export function compileExpression(
  source: string,
  scope: Readonly<Record<string, VariableInfo>>,
): CompiledExpression {
  checkBrackets(source);
  let root: MathNode;
  try {
    root = parse(source);
  } catch (err) {
    if (err instanceof RangeError) {
      // mathjs parses recursively: a long chain of prefix operators (not not not ...) can still
      // exhaust the stack although the brackets are shallow
      throw new ExpressionError(
        'the expression is nested too deeply to read (a chain of prefix operators such as "not not ...")',
        undefined,
        'split it into derived variables',
      );
    }
    const e = err as Error & { char?: number };
    throw new ExpressionError(`syntax error: ${e.message.replace(/ \(char \d+\)$/, '')}`, e.char);
  }
  checkTreeDepth(root);
  const used = new Set<string>();
  // mathjs nodes do not keep offsets; find a token's first occurrence for a useful column.
  const at = (token: string): number | undefined => {
    const k = source.indexOf(token);
    return k >= 0 ? k : undefined;
  };

  const compile = (node: MathNode): Compiled => {
    const n = node as MathNode & Record<string, unknown>;
    switch (node.type) {
      case 'ParenthesisNode':
        return compile(n['content'] as MathNode);
      case 'ConstantNode': {
        const v = n['value'] as unknown;
        if (typeof v === 'number') return { type: 'number', fn: () => v, constant: v };
        if (typeof v === 'string') return { type: 'text', fn: () => v, constant: v };
        if (typeof v === 'boolean') return { type: 'boolean', fn: () => v, constant: v };
        throw new ExpressionError(`unsupported constant ${String(v)}`, at(String(v)));
      }
      case 'AccessorNode':
      case 'SymbolNode': {
        // Dotted names (primary.upper) are plain variable names here, not property access.
        const name = dottedName(node);
        if (name === undefined) {
          throw new ExpressionError(
            'property or index access is not allowed in a protocol expression',
          );
        }
        const info = scope[name];
        if (!info) {
          const known = Object.keys(scope);
          const guess = didYouMean(name, known);
          throw new ExpressionError(
            `unknown variable "${name}"${guess ? ` — did you mean "${guess}"?` : ''}`,
            at(name),
            `variables available: ${known.join(', ')}`,
          );
        }
        used.add(name);
        return {
          type: info.type,
          fn: (read, i) => read(name, i),
          name,
          ...(info.levels ? { levels: info.levels } : {}),
        };
      }
      case 'FunctionNode': {
        const fnNode = n['fn'] as MathNode & { name?: string };
        const name = fnNode.type === 'SymbolNode' ? fnNode.name! : '';
        const spec = NUMERIC_FUNCTIONS[name];
        if (!spec) {
          throw new ExpressionError(
            `function "${name || fnNode.toString()}" is not allowed`,
            at(name),
            `allowed functions: ${ALLOWED_FUNCTIONS.join(', ')}`,
          );
        }
        const args = (n['args'] as MathNode[]).map(compile);
        if (args.length < spec.arity[0] || args.length > spec.arity[1]) {
          throw new ExpressionError(
            `${name}() takes ${spec.arity.join(' to ')} arguments, found ${args.length}`,
            at(name),
          );
        }
        for (const a of args) expectType(a, 'number', `the argument of ${name}()`);
        const fns = args.map((a) => a.fn);
        if (fns.length === 1) {
          const f0 = fns[0]!;
          return { type: 'number', fn: (r, i) => spec.f(f0(r, i) as number) };
        }
        return { type: 'number', fn: (r, i) => spec.f(...fns.map((f) => f(r, i) as number)) };
      }
      case 'ConditionalNode': {
        const c = compile(n['condition'] as MathNode);
        const t = compile(n['trueExpr'] as MathNode);
        const f = compile(n['falseExpr'] as MathNode);
        expectType(c, 'boolean', 'the condition of ?:');
        if (t.type !== f.type) {
          throw new ExpressionError(
            `both branches of ?: must have the same type, found ${typeName(t.type)} and ${typeName(f.type)}`,
          );
        }
        return { type: t.type, fn: (r, i) => (c.fn(r, i) ? t.fn(r, i) : f.fn(r, i)) };
      }
      case 'OperatorNode':
        if (n['fn'] === 'to' && n['op'] === 'in') {
          const [left, list] = n['args'] as [MathNode, MathNode];
          return compileIn(compile(left), list);
        }
        return compileOperator(
          n['fn'] as string,
          n['op'] as string,
          (n['args'] as MathNode[]).map(compile),
        );
      default:
        throw new ExpressionError(
          `${describeNode(node.type)} is not allowed in a protocol expression`,
          undefined,
          'expressions may only read variables, compare, combine with and/or/not and call ' +
            ALLOWED_FUNCTIONS.join(', '),
        );
    }
  };

  const compileOperator = (fn: string, op: string, args: Compiled[]): Compiled => {
    if (args.length === 1) {
      const [a] = args as [Compiled];
      if (fn === 'not') {
        expectType(a, 'boolean', `the operand of "not"`);
        return { type: 'boolean', fn: (r, i) => !a.fn(r, i) };
      }
      if (fn === 'unaryMinus' || fn === 'unaryPlus') {
        expectType(a, 'number', `the operand of "${op}"`);
        if (a.constant !== undefined) {
          const v = fn === 'unaryMinus' ? -(a.constant as number) : (a.constant as number);
          return { type: 'number', fn: () => v, constant: v };
        }
        return fn === 'unaryMinus' ? { type: 'number', fn: (r, i) => -(a.fn(r, i) as number) } : a;
      }
    }
    if (args.length !== 2) throw new ExpressionError(`operator "${op}" is not allowed`, at(op));
    const [a, b] = args as [Compiled, Compiled];
    const arith = ARITHMETIC[fn];
    if (arith) {
      expectType(a, 'number', `the left side of "${op}"`);
      expectType(b, 'number', `the right side of "${op}"`);
      return { type: 'number', fn: (r, i) => arith(a.fn(r, i) as number, b.fn(r, i) as number) };
    }
    const order = ORDER[fn];
    if (order) {
      expectType(a, 'number', `the left side of "${op}"`);
      expectType(b, 'number', `the right side of "${op}"`);
      return { type: 'boolean', fn: (r, i) => order(a.fn(r, i) as number, b.fn(r, i) as number) };
    }
    if (fn === 'equal' || fn === 'unequal') {
      if (a.type !== b.type) {
        throw new ExpressionError(
          `"${op}" compares ${typeName(a.type)} with ${typeName(b.type)}` +
            (a.levels || b.levels
              ? ' (categorical variables compare with a level in quotes, e.g. stage == "IV")'
              : ''),
          at(op),
        );
      }
      checkLevel(a, b);
      checkLevel(b, a);
      return fn === 'equal'
        ? { type: 'boolean', fn: (r, i) => a.fn(r, i) === b.fn(r, i) }
        : { type: 'boolean', fn: (r, i) => a.fn(r, i) !== b.fn(r, i) };
    }
    if (fn === 'and' || fn === 'or' || fn === 'xor') {
      expectType(a, 'boolean', `the left side of "${op}"`);
      expectType(b, 'boolean', `the right side of "${op}"`);
      if (fn === 'and')
        return {
          type: 'boolean',
          fn: (r, i) => (a.fn(r, i) as boolean) && (b.fn(r, i) as boolean),
        };
      if (fn === 'or')
        return {
          type: 'boolean',
          fn: (r, i) => (a.fn(r, i) as boolean) || (b.fn(r, i) as boolean),
        };
      return { type: 'boolean', fn: (r, i) => a.fn(r, i) !== b.fn(r, i) };
    }
    throw new ExpressionError(`operator "${op}" is not allowed`, at(op));
  };

  const compileIn = (a: Compiled, list: MathNode): Compiled => {
    if (list.type !== 'ArrayNode') {
      throw new ExpressionError(
        '"in" needs a list of values on its right, e.g. stage in ["IIIB", "IV"]',
        at(' in '),
      );
    }
    const items = ((list as unknown as { items: MathNode[] }).items ?? []).map(compile);
    const values: Value[] = [];
    for (const it of items) {
      if (it.constant === undefined)
        throw new ExpressionError('the list after "in" may only hold constants', at(' in '));
      if (it.type !== a.type) {
        throw new ExpressionError(
          `"in" compares ${typeName(a.type)} with a list holding ${typeName(it.type)}`,
          at(' in '),
        );
      }
      checkLevel(a, it);
      values.push(it.constant);
    }
    const set = new Set(values);
    return { type: 'boolean', fn: (r, i) => set.has(a.fn(r, i)) };
  };

  const checkLevel = (variable: Compiled, other: Compiled): void => {
    if (!variable.levels || typeof other.constant !== 'string') return;
    if (!variable.levels.includes(other.constant)) {
      throw new ExpressionError(
        `"${variable.name}" has no level "${other.constant}"`,
        at(`"${other.constant}"`),
        `its levels are ${variable.levels.map((l) => `"${l}"`).join(', ')}`,
      );
    }
  };

  const expectType = (c: Compiled, t: ValueType, what: string): void => {
    if (c.type !== t) {
      const extra =
        c.levels && t === 'number'
          ? ` ("${c.name}" is categorical; compare it with a level in quotes)`
          : '';
      throw new ExpressionError(
        `${what} must be ${typeName(t)}, found ${typeName(c.type)}${extra}`,
        c.name ? at(c.name) : undefined,
      );
    }
  };

  const top = compile(root);
  return { source, type: top.type, variables: [...used], evaluate: top.fn };
}

/**
 * How deeply an expression may nest brackets, and (×4) operators. Real criteria nest a few
 * levels; the limits keep mathjs's recursive parser and our recursive compiler far from the end
 * of the call stack, so a hostile expression is a located error, not a stack overflow.
 */
export const MAX_EXPRESSION_DEPTH = 64;

/** Refuses brackets — ( [ { — nested deeper than `MAX_EXPRESSION_DEPTH`, before mathjs sees them. */
function checkBrackets(source: string): void {
  let depth = 0;
  let quote: string | undefined;
  for (let k = 0; k < source.length; k++) {
    const c = source[k]!;
    if (quote !== undefined) {
      if (c === '\\') k++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') {
      if (++depth > MAX_EXPRESSION_DEPTH) {
        throw new ExpressionError(
          `brackets nested deeper than ${MAX_EXPRESSION_DEPTH} levels`,
          k,
          'remove redundant parentheses, or split the expression into derived variables',
        );
      }
    } else if (c === ')' || c === ']' || c === '}') depth--;
  }
}

/** Refuses a syntax tree deeper than 4 × `MAX_EXPRESSION_DEPTH` (walked without recursion). */
function checkTreeDepth(root: MathNode): void {
  const limit = 4 * MAX_EXPRESSION_DEPTH;
  const stack: [MathNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) {
      throw new ExpressionError(
        `the expression nests operators deeper than ${limit} levels`,
        undefined,
        'split it into derived variables',
      );
    }
    node.forEach((child) => stack.push([child, depth + 1]));
  }
}

function dottedName(node: MathNode): string | undefined {
  const n = node as MathNode & Record<string, unknown>;
  if (node.type === 'SymbolNode') return n['name'] as string;
  if (node.type !== 'AccessorNode') return undefined;
  const index = n['index'] as { isObjectProperty(): boolean; getObjectProperty(): string };
  if (!index.isObjectProperty()) return undefined;
  const head = dottedName(n['object'] as MathNode);
  return head === undefined ? undefined : `${head}.${index.getObjectProperty()}`;
}

function describeNode(type: string): string {
  switch (type) {
    case 'AssignmentNode':
      return 'assignment';
    case 'FunctionAssignmentNode':
      return 'defining a function';
    case 'AccessorNode':
    case 'IndexNode':
      return 'property or index access';
    case 'ObjectNode':
      return 'an object literal';
    case 'ArrayNode':
      return 'a list (other than after "in")';
    case 'BlockNode':
      return 'several statements';
    case 'RangeNode':
      return 'a range';
    default:
      return `a ${type}`;
  }
}
