/** Where the installed ecasim package lives and which versions it runs with. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root (holds package.json and templates/), whether running from src/ or dist/. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates')))
      return (root = dir);
    dir = dirname(dir);
  }
  throw new Error('internal: cannot find the ecasim package root');
}

/** ecasim's version and the installed versions of its runtime dependencies. */
export function softwareVersions(): { ecasim: string; dependencies: Record<string, string> } {
  const base = packageRoot();
  const own = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
  };
  const dependencies: Record<string, string> = {};
  for (const dep of Object.keys(own.dependencies).sort()) {
    const file = join(base, 'node_modules', dep, 'package.json');
    dependencies[dep] = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
      : own.dependencies[dep]!;
  }
  return { ecasim: own.version, dependencies };
}
