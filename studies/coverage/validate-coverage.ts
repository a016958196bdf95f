/**
 * `npm run validate:coverage`: the frequentist coverage study of issue #11 (docs/validation.md).
 * A fixed truth model plays the population; each trial draws a registry from it, re-fits it as
 * `ecasim fit` does, draws a treated arm with a known HR, runs the protocol's Cox analyses
 * against m synthetic arms from the fitted model, and combines the replicates by every rule in
 * studies/coverage/rules.ts. Prints the markdown tables; results do not depend on --workers.
 *
 * Usage: npm run validate:coverage -- [--trials 200] [--replicates 10] [--seed 20261123]
 *   [--workers 1] [--cells 'nsclc-n150-*,als-*'] [--trial T] [--truth fixed|posterior]
 *   [--no-parameter-uncertainty] [--covariance bootstrap|information (default: the fit spec's)]
 *   [--adjusted-effects common|by-arm (the cox-adjusted analyses' covariateEffects)]
 *   [--covariate-check (also fit and record the by-arm check of a common-effects cox-adjusted analysis)]
 *   [--rules pipeline,rrr,ubar-b] [--estimand-n 200000]
 *   [--json FILE] [--markdown FILE] [--from-json FILE (re-combine a --json run's replicates)]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { grid, selectCells, type TruthMode } from './design.js';
import { markdownReport } from './markdown.js';
import { selectRules } from './rules.js';
import {
  computeTargets,
  runStudy,
  summariseStudy,
  type StudyOptions,
  type StudyResult,
} from './study.js';

function parseArgs(argv: readonly string[]): {
  options: StudyOptions;
  rules: string | undefined;
  json: string | undefined;
  markdown: string | undefined;
  fromJson: string | undefined;
} {
  const known = new Set([
    'trials', 'replicates', 'seed', 'workers', 'cells', 'trial', 'truth', 'rules', 'estimand-n', 'json', 'markdown', 'from-json', 'covariance', 'adjusted-effects',
  ]);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const name = a.slice(2);
    if (name === 'no-parameter-uncertainty' || name === 'covariate-check') flags.add(name);
    else if (known.has(name) && k + 1 < argv.length) values.set(name, argv[++k]!);
    else throw new Error(`unknown option or missing value: ${a}`);
  }
  const int = (name: string, def: number, min = 1): number => {
    const v = values.get(name);
    const x = v === undefined ? def : Number(v);
    if (!Number.isInteger(x) || x < min)
      throw new Error(`invalid option. \`--${name}\` must be an integer >= ${min}. Value: \`${v}\`.`);
    return x;
  };
  const truth = values.get('truth') ?? 'fixed';
  if (truth !== 'fixed' && truth !== 'posterior')
    throw new Error(`invalid option. \`--truth\` must be fixed or posterior. Value: \`${truth}\`.`);
  const covariance = values.get('covariance');
  if (covariance !== undefined && covariance !== 'bootstrap' && covariance !== 'information')
    throw new Error(`invalid option. \`--covariance\` must be bootstrap or information. Value: \`${covariance}\`.`);
  const adjustedEffects = values.get('adjusted-effects');
  if (adjustedEffects !== undefined && adjustedEffects !== 'common' && adjustedEffects !== 'by-arm')
    throw new Error(`invalid option. \`--adjusted-effects\` must be common or by-arm. Value: \`${adjustedEffects}\`.`);
  return {
    options: {
      ...(covariance !== undefined ? { covariance } : {}),
      ...(adjustedEffects !== undefined ? { adjustedEffects } : {}),
      trials: int('trials', 200),
      ...(values.has('trial') ? { trial: int('trial', 0, 0) } : {}),
      replicates: int('replicates', 10, 2),
      seed: int('seed', 20261123, 0),
      workers: int('workers', 1),
      cells: selectCells(grid(truth as TruthMode), values.get('cells')),
      truthMode: truth as TruthMode,
      parameterUncertainty: !flags.has('no-parameter-uncertainty'),
      ...(flags.has('covariate-check') ? { covariateCheck: true } : {}),
      confLevel: 0.95,
      estimandN: int('estimand-n', 200_000),
      root: process.cwd(),
    },
    rules: values.get('rules'),
    json: values.get('json'),
    markdown: values.get('markdown'),
    fromJson: values.get('from-json'),
  };
}

const USAGE = `Usage: npm run validate:coverage -- [options]   (studies/coverage/README.md)
  --trials N (200)  --replicates M (10)  --seed S (20261123)  --workers W (1)
  --cells 'ID,PATTERN*'  --trial T  --truth fixed|posterior  --no-parameter-uncertainty
  --covariance bootstrap|information  --adjusted-effects common|by-arm  --covariate-check
  --rules external,within-floor,rrr,ubar-b  --estimand-n N (200000)
  --json FILE  --markdown FILE  --from-json FILE (re-combine a --json run's replicates)`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const parsed = parseArgs(argv);
  const { rules: ruleIds, json, markdown, fromJson } = parsed;
  let options = parsed.options;
  const rules = selectRules(ruleIds);
  if (fromJson !== undefined) {
    // Re-combine the replicates of an earlier run (e.g. with a rule added since): no trial is run.
    const saved = JSON.parse(readFileSync(fromJson, 'utf8')) as {
      options: Omit<StudyOptions, 'cells'> & { cells: string[] };
      targets: Record<string, { estimate: number; se: number }>;
      seconds: number;
      records: StudyResult['records'];
    };
    const all = grid(saved.options.truthMode);
    options = { ...saved.options, cells: saved.options.cells.map((id) => all.find((c) => c.id === id)!) };
    // targets added to the study since the run (e.g. RMST under an effect) are computed now
    const targets = computeTargets(options.cells, options);
    for (const [key, value] of Object.entries(saved.targets)) targets.set(key, value);
    const result: StudyResult = { records: saved.records, targets, seconds: saved.seconds };
    const text = markdownReport(options, result, rules, summariseStudy(result, options, rules));
    console.log(text);
    if (markdown) writeFileSync(markdown, text);
    return;
  }
  console.error(
    `validate-coverage: ${options.trial !== undefined ? `trial ${options.trial}` : `${options.trials} trials`} × ` +
      `${options.cells.length} cells (${options.cells.map((c) => c.id).join(', ')}), m = ${options.replicates}, ` +
      `seed ${options.seed}, ${options.workers} worker(s)`,
  );
  const t0 = Date.now();
  const result = await runStudy(options, (done, total) => {
    if (done % 20 === 0 || done === total) {
      const el = (Date.now() - t0) / 1000;
      console.error(`  ${done}/${total} trial groups, ${el.toFixed(0)} s, ~${((el / done) * (total - done)).toFixed(0)} s to go`);
    }
  });
  const rows = summariseStudy(result, options, rules);
  const text = markdownReport(options, result, rules, rows);
  console.log(text);
  if (markdown) writeFileSync(markdown, text);
  if (json) {
    writeFileSync(
      json,
      JSON.stringify({
        options: { ...options, cells: options.cells.map((c) => c.id) },
        rules: rules.map((r) => ({ id: r.id, label: r.label })),
        targets: Object.fromEntries(result.targets),
        seconds: result.seconds,
        summaries: rows,
        records: result.records,
      }) + '\n',
    );
    console.error(`wrote ${json}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
