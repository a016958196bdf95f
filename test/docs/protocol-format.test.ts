/**
 * docs/protocol-format.md describes every field of the protocol format: each property name found
 * anywhere in the protocol's JSON Schema (`ecasim schema protocol`) must appear, as a word, inside
 * a backtick span of the page (`followUp.indexDate`, `{breaks, weights}`, ...).
 */
import { readFileSync } from 'node:fs';
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

test('docs/protocol-format.md names every field of the protocol schema', () => {
  const doc = readFileSync(`${ROOT}docs/protocol-format.md`, 'utf8');
  const spans = [...doc.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  const names = new Map<string, string>();
  propertyNames(protocolJsonSchema(), '', names);
  expect(names.size).toBeGreaterThan(40);
  const missing = [...names]
    .filter(
      ([name]) =>
        !spans.some((s) =>
          new RegExp(`(^|[^\\w$])${name.replace(/[$]/g, '\\$')}([^\\w]|$)`).test(s),
        ),
    )
    .map(([name, where]) => `${name} (at ${where.slice(1)})`);
  expect(missing).toEqual([]);
});

test('the committed schemas/protocol.schema.json is the one the code prints', () => {
  const committed = JSON.parse(readFileSync(`${ROOT}schemas/protocol.schema.json`, 'utf8'));
  expect(committed).toEqual(JSON.parse(JSON.stringify(protocolJsonSchema())));
});
