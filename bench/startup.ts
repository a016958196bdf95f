/**
 * Start-up time of the command line: whole-process wall time of `node bin/ecasim.js ...` (the
 * median of several runs after one warm-up, so the file-system cache is warm), for the commands
 * that should feel instant. Targets (issue 12): `--version` and `--help` under 0.3 s, `validate`
 * of the flagship protocol under 1 s. Bare `node -e 0` is timed too, as the floor.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type BenchResult } from './harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 9;

const CASES: { name: string; args: string[]; targetMs?: number }[] = [
  { name: 'node -e 0 (the floor)', args: ['-e', '0'] },
  { name: 'ecasim --version', args: ['bin/ecasim.js', '--version'], targetMs: 300 },
  { name: 'ecasim --help', args: ['bin/ecasim.js', '--help'], targetMs: 300 },
  { name: 'ecasim run --help', args: ['bin/ecasim.js', 'run', '--help'] },
  {
    name: 'ecasim validate protocols/nsclc-os.yaml',
    args: ['bin/ecasim.js', 'validate', 'protocols/nsclc-os.yaml'],
    targetMs: 1000,
  },
];

/** Wall time of one process, in ms; a failure stops the benchmark. */
function once(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function run(): Promise<BenchResult[]> {
  return CASES.map((c) => {
    once(c.args);
    const times = Array.from({ length: RUNS }, () => once(c.args));
    const m = median(times);
    return {
      name: c.name,
      medianMs: m,
      runs: RUNS,
      ...(c.targetMs !== undefined
        ? { note: `target < ${c.targetMs} ms: ${m < c.targetMs ? 'met' : 'NOT met'}` }
        : {}),
    };
  });
}
