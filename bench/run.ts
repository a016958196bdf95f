/**
 * `npm run bench`: runs every benchmark module in bench/ (each exports `run()`: cox, fit, sampler,
 * startup (whole-process CLI start-up times), ...), or only those
 * named on the command line (`npm run bench -- cox`), and prints medians with ratios against R
 * on the same data when `Rscript` is installed. Never part of `npm test`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasR, report, type BenchResult } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && f !== 'harness.js')
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

console.log(
  `ecasim benchmarks on Node ${process.version}; R ${hasR() ? 'found' : 'not found (no ratios)'}`,
);
let failed = false;
for (const name of modules) {
  console.log(`\n# ${name}`);
  try {
    const mod = (await import(join(here, `${name}.js`))) as { run: () => Promise<BenchResult[]> };
    report(await mod.run());
  } catch (err) {
    failed = true;
    console.error(`benchmark ${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
}
process.exitCode = failed ? 1 : 0;
