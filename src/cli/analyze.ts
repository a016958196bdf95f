/** `ecasim analyze`: two real arms from CSV files, no simulation; prints a summary, writes results.json. */
import type { Argv } from 'yargs';
import { analyzeArms, type AnalysisResults } from '../analyze.js';
import { openOutputDir } from '../io/output.js';
import { toJsonText } from '../results.js';
import type { CliContext } from './context.js';
import { numberOption, realNumber, requiredText, textValue } from './flags.js';

export interface AnalyzeArgs {
  treated: string;
  control: string;
  time: string;
  event: string;
  covariates?: string;
  categorical?: string;
  weights?: string;
  strata?: string;
  tau?: unknown;
  out?: string;
  force: boolean;
}

export function analyzeBuilder(y: Argv): Argv<AnalyzeArgs> {
  return y
    .option('treated', { type: 'string', demandOption: true, describe: 'CSV of the treated arm' })
    .option('control', { type: 'string', demandOption: true, describe: 'CSV of the control arm' })
    .option('time', { type: 'string', demandOption: true, describe: 'Time column (> 0)' })
    .option('event', {
      type: 'string',
      demandOption: true,
      describe: 'Event column (1 = event, 0 = censored)',
    })
    .option('covariates', {
      type: 'string',
      describe: 'Comma-separated covariate columns for the adjusted Cox model',
    })
    .option('categorical', {
      type: 'string',
      describe: 'Comma-separated covariates to treat as categorical (first level is the reference)',
    })
    .option('weights', { type: 'string', describe: 'Case-weight column (> 0)' })
    .option('strata', { type: 'string', describe: 'Stratum column (stratified log-rank and Cox)' })
    .option('tau', numberOption('RMST truncation time > 0 (default: survRM2 rule)'))
    .option('out', { type: 'string', describe: 'Directory for results.json (written atomically)' })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace a non-empty output directory',
    })
    .example(
      '$0 analyze --treated t.csv --control c.csv --time AVAL --event EVENT --covariates age,ecog --out out/a',
      'Compare two real arms',
    ) as unknown as Argv<AnalyzeArgs>;
}

const f = (x: number | null, d = 3): string => (x === null ? 'NA' : x.toFixed(d));
const fp = (p: number | null): string =>
  p === null ? 'NA' : p < 0.0001 ? p.toExponential(2) : p.toFixed(4);

export function formatAnalysis(r: AnalysisResults): string {
  const lines: string[] = [];
  const arm = (name: string, a: AnalysisResults['arms']['treated']) =>
    `  ${name.padEnd(8)} n = ${a.n}, events = ${a.events}, median ${f(a.median.estimate, 2)} (95% CI ${f(a.median.lower, 2)} to ${f(a.median.upper, 2)})`;
  lines.push(
    'Arms (Kaplan–Meier, log-transformed intervals)',
    arm('treated', r.arms.treated),
    arm('control', r.arms.control),
  );
  lines.push(
    `Log-rank${r.logrank.stratified ? ' (stratified)' : ''}: chi-square ${f(r.logrank.statistic)} on ${r.logrank.df} df, p = ${fp(r.logrank.p)}`,
  );
  const cox = (label: string, c: AnalysisResults['cox']) =>
    `${label}: HR ${f(c.hr)} (95% CI ${f(c.lower)} to ${f(c.upper)}), p = ${fp(c.p)} [${c.ties} ties, ${c.variance} variance]`;
  lines.push(cox('Cox, unadjusted', r.cox));
  if (r.coxAdjusted) {
    lines.push(cox('Cox, adjusted', r.coxAdjusted));
    for (const [name, t] of Object.entries(r.coxAdjusted.terms)) {
      const se = t.seRobust === null ? 'se' : 'robust se';
      lines.push(`  ${name.padEnd(20)} coef ${f(t.coef, 4)}  ${se} ${f(t.se, 4)}  p = ${fp(t.p)}`);
    }
  }
  lines.push(
    `PH test (cox.zph, ${r.phTest.transform}, ${r.phTest.model} model): global chi-square ${f(r.phTest.global.statistic)} on ${r.phTest.global.df} df, p = ${fp(r.phTest.global.p)}`,
  );
  const d = r.rmst.difference;
  lines.push(
    `RMST${r.rmst.weighted ? ' (weighted)' : ''} to tau = ${f(r.rmst.tau, 2)}: treated ${f(r.rmst.treated.estimate)}, control ${f(r.rmst.control.estimate)}, difference ${f(d.estimate)} (95% CI ${f(d.lower)} to ${f(d.upper)})`,
  );
  for (const w of r.warnings) lines.push(`warning: ${w.message}`);
  return lines.join('\n') + '\n';
}

export function analyzeCommand(args: AnalyzeArgs, ctx: CliContext): void {
  const tau = realNumber('--tau', args.tau, { gt: 0 });
  const treated = requiredText('--treated', args.treated, 'a CSV file');
  const control = requiredText('--control', args.control, 'a CSV file');
  const time = requiredText('--time', args.time, 'a column name');
  const event = requiredText('--event', args.event, 'a column name');
  const weights = textValue('--weights', args.weights, 'a column name');
  const strata = textValue('--strata', args.strata, 'a column name');
  const outDir = textValue('--out', args.out, 'an output directory');
  const out = outDir === undefined ? undefined : openOutputDir(outDir, { force: args.force });
  try {
    const list = (v: string | undefined) =>
      v
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    const covariates = list(args.covariates);
    const categorical = list(args.categorical);
    const results = analyzeArms({
      treated,
      control,
      time,
      event,
      ...(covariates && covariates.length > 0 ? { covariates } : {}),
      ...(categorical && categorical.length > 0 ? { categorical } : {}),
      ...(weights !== undefined ? { weights } : {}),
      ...(strata !== undefined ? { strata } : {}),
      ...(tau !== undefined ? { tau } : {}),
    });
    ctx.stdout(formatAnalysis(results));
    if (out) {
      out.write('results.json', toJsonText(results));
      out.commit();
      ctx.stdout(`wrote results.json to ${outDir}\n`);
    }
  } finally {
    out?.abort();
  }
}
