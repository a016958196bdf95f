/**
 * docs/protocol-format.md describes every field of the protocol format: each property name found
 * anywhere in the protocol's JSON Schema (`ecasim schema protocol`) must appear, as a word, inside
 * a backtick span of the page (`followUp.indexDate`, `{breaks, weights}`, ...); likewise
 * docs/design-format.md for the design format (`ecasim schema design`).
 */
import { readFileSync } from 'node:fs';
import { designJsonSchema } from '../../src/design/spec.js';
import { protocolJsonSchema } from '../../src/protocol/schema.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Every property name under `properties` at any depth, with the path where it was found. */
function propertyNames(node: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(node)) {
    node.forEach((n, k) => propertyNames(n, `${path}[${k}]`, out));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && value && typeof value === 'object') {
      for (const [name, sub] of Object.entries(value)) {
        if (!out.has(name)) out.set(name, `${path}.${name}`);
        propertyNames(sub, `${path}.${name}`, out);
      }
    } else {
      propertyNames(value, path, out);
    }
  }
}

/** The schema's property names that no backtick span of the page names, with where they are. */
function undocumented(page: string, schema: unknown, atLeast: number): string[] {
  const doc = readFileSync(`${ROOT}docs/${page}`, 'utf8');
  const spans = [...doc.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  const names = new Map<string, string>();
  propertyNames(schema, '', names);
  expect(names.size).toBeGreaterThan(atLeast);
  const missing = [...names]
    .filter(
      ([name]) =>
        !spans.some((s) =>
          new RegExp(`(^|[^\\w$])${name.replace(/[$]/g, '\\$')}([^\\w]|$)`).test(s),
        ),
    )
    .map(([name, where]) => `${name} (at ${where.slice(1)})`);
  return missing;
}

test('docs/protocol-format.md names every field of the protocol schema', () => {
  expect(undocumented('protocol-format.md', protocolJsonSchema(), 40)).toEqual([]);
});

test('docs/design-format.md names every field of the design schema', () => {
  expect(undocumented('design-format.md', designJsonSchema(), 15)).toEqual([]);
});

test('the committed schemas/protocol.schema.json is the one the code prints', () => {
  const committed = JSON.parse(readFileSync(`${ROOT}schemas/protocol.schema.json`, 'utf8'));
  expect(committed).toEqual(JSON.parse(JSON.stringify(protocolJsonSchema())));
});
