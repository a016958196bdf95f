/**
 * Temporary workspaces for CLI tests: a copy of the flagship example (protocol, model, treated
 * CSV) side by side in a fresh directory, each file optionally edited, and an in-process `ecasim`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export const EXAMPLE = {
  protocol: readFileSync(join(ROOT, 'protocols/nsclc-os.yaml'), 'utf8')
    .replace('../examples/nsclc/treated.csv', 'treated.csv')
    .replace('../examples/nsclc/model.json', 'model.json')
    // the registry audit is tested on the real protocol (test/cli/examples.test.ts); here it would only slow runs
    .replace(/\naudit:\n( {2}.*\n)*/, '\n'),
  model: readFileSync(join(ROOT, 'examples/nsclc/model.json'), 'utf8'),
  /** The hand-written network the flagship data come from: easier to edit in tests. */
  truthModel: readFileSync(join(ROOT, 'examples/nsclc/truth-model.json'), 'utf8'),
  treated: readFileSync(join(ROOT, 'examples/nsclc/treated.csv'), 'utf8'),
};

export interface Workspace {
  dir: string;
  path(name: string): string;
  /** Names in the workspace directory (to check nothing partial was left). */
  list(): string[];
  cleanup(): void;
}

export function makeWorkspace(
  edit: { protocol?: string; model?: string; treated?: string } = {},
): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'ecasim-test-'));
  writeFileSync(join(dir, 'protocol.yaml'), edit.protocol ?? EXAMPLE.protocol);
  writeFileSync(join(dir, 'model.json'), edit.model ?? EXAMPLE.model);
  writeFileSync(join(dir, 'treated.csv'), edit.treated ?? EXAMPLE.treated);
  return {
    dir,
    path: (name) => join(dir, name),
    list: () => readdirSync(dir).sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ecasim` in-process with captured output. */
export async function ecasim(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
  });
  return { code, stdout, stderr };
}

/** Replaces the first occurrence of `from` in `text`, failing loudly when it is absent. */
export function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`test setup: ${String(from)} not found`);
  return out;
}
