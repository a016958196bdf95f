/** The study's markdown: settings, estimands, the three tables and the failures, for docs/validation.md. */
import type { StudyOptions, StudyResult } from './study.js';
import { PIPELINE_RULE, type CombiningRule } from './rules.js';
import { compareTable, estimationTable, rulesTable, type AnalysisSummary } from './summary.js';
import type { TrialRecord } from './trial.js';

/** Failed trials grouped by message with numbers masked, each with a command to reproduce it. */
export function failureList(records: readonly TrialRecord[]): string[] {
  const groups = new Map<string, TrialRecord[]>();
  for (const r of records) {
    if (r.error === undefined) continue;
    const key = `${r.cell}: ${r.error.replace(/-?\d+(\.\d+)?(e-?\d+)?/g, '#')}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map(
    (fs) =>
      `- ${fs.length}× ${fs[0]!.cell}: "${fs[0]!.error}" (trials ${fs.map((f) => f.trial).join(', ')}; ` +
      `reproduce: \`${fs[0]!.reproduce}\`)`,
  );
}

/** Secondary analyses left out of some trials, grouped by cell, method and masked reason. */
export function notEstimableList(records: readonly TrialRecord[]): string[] {
  const groups = new Map<string, { cell: string; method: string; reason: string; n: number }>();
  for (const r of records) {
    for (const [method, reason] of Object.entries(r.notEstimable ?? {})) {
      const key = `${r.cell}|${method}|${reason.replace(/-?\d+(\.\d+)?(e-?\d+)?/g, '#')}`;
      const g = groups.get(key) ?? { cell: r.cell, method, reason, n: 0 };
      g.n++;
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => `- ${g.n}× ${g.cell}, ${g.method}: "${g.reason}"`);
}

export function markdownReport(
  options: StudyOptions,
  result: StudyResult,
  rules: readonly CombiningRule[],
  rows: readonly AnalysisSummary[],
): string {
  const ok = result.records.filter((r) => r.error === undefined).length;
  const ms = result.records.reduce((a, r) => a + r.ms, 0) / result.records.length;
  const targets = [...result.targets].map(([k, v]) => {
    const ratio = !/:(risk|mean|rmst)-difference$/.test(k);
    const shown = ratio ? ` (${Math.exp(v.estimate).toFixed(4)} as a ratio)` : '';
    return `${k} ${v.estimate.toFixed(4)}${shown}, MC SE ${v.se.toFixed(4)}`;
  });
  const failures = failureList(result.records);
  const notEstimable = notEstimableList(result.records);
  return [
    `Coverage study: ${options.trial !== undefined ? `trial ${options.trial}` : `${options.trials} trials`} × ${options.cells.length} cells, ` +
      `m = ${options.replicates}, seed ${options.seed}, truth ${options.truthMode === 'fixed' ? 'fixed (registry drawn and re-fitted each trial)' : '~ posterior of the protocol model'}, ` +
      `parameter uncertainty ${options.parameterUncertainty ? 'on' : 'off'}, ${options.confLevel * 100}% intervals. ` +
      `${result.records.length} cell-trials (${result.records.length - ok} failed) in ${result.seconds.toFixed(0)} s on ${options.workers} worker(s); ` +
      `${ms.toFixed(0)} ms a cell-trial on one core (registry fit shared by the cells of a registry size).`,
    '',
    `Estimands (${options.estimandN} patients an arm): ${targets.length ? targets.join('; ') : 'no effect only (all targets 0)'}; the adjusted Cox model targets log(HR).`,
    '',
    `Rules: ${rules.map((r) => `\`${r.id}\` ${r.label}${r.id === PIPELINE_RULE ? ' (the pipeline\'s rule now)' : ''}`).join('; ')}.`,
    '',
    '**Estimation** (combined estimate q̄ on the combining scale: log HR, log RR, log OR, or the RMST, risk or mean difference; the same for every rule; MC SE in brackets)',
    '',
    estimationTable(rows),
    '',
    '**Intervals by rule** (MC SE in brackets)',
    '',
    rulesTable(rows),
    '',
    '**Rules side by side** (coverage / rejection of H0: no effect, %)',
    '',
    compareTable(rows),
    '',
    ...checkSection(result.records),
    failures.length ? `**Failed trials** (left out of every measure):\n\n${failures.join('\n')}` : 'No trial failed.',
    ...(notEstimable.length
      ? [
          '',
          `**Not estimable** (a secondary analysis that could not be carried out in some replicate is left out of that trial, as the pipeline leaves it out of a run; the trial's other analyses are kept):\n\n${notEstimable.join('\n')}`,
        ]
      : []),
    '',
  ].join('\n');
}

/**
 * The covariate-effects check of the common-effects adjusted Cox model, by cell: the by-arm
 * model's mean log HR and the difference d = by arm − common (mean and SD over trials), and how
 * often |d| exceeds 0.2 and 0.3 of the common model's SE (√ū of its replicates).
 */
export function checkSection(records: readonly TrialRecord[]): string[] {
  const byCell = new Map<string, { byArm: number; d: number; se: number }[]>();
  const missing = new Map<string, number>();
  for (const r of records) {
    if (r.covariateCheck === undefined) continue;
    const a = r.analyses?.['cox-adjusted'];
    if (r.covariateCheck === null || a === undefined) {
      missing.set(r.cell, (missing.get(r.cell) ?? 0) + 1);
      continue;
    }
    const ubar = a.u.reduce((s, x) => s + x, 0) / a.u.length;
    const row = { byArm: r.covariateCheck.byArm, d: r.covariateCheck.difference, se: Math.sqrt(ubar) };
    byCell.set(r.cell, [...(byCell.get(r.cell) ?? []), row]);
  }
  if (byCell.size === 0 && missing.size === 0) return [];
  const rows = [...new Set([...byCell.keys(), ...missing.keys()])].map((cell) => {
    const xs = byCell.get(cell) ?? [];
    const n = xs.length;
    const mean = (f: (x: (typeof xs)[number]) => number) => xs.reduce((s, x) => s + f(x), 0) / n;
    const md = mean((x) => x.d);
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x.d - md) ** 2, 0) / (n - 1));
    const share = (c: number) => `${((100 * xs.filter((x) => Math.abs(x.d) > c * x.se).length) / n).toFixed(1)}%`;
    return `| ${cell} | ${n} (${missing.get(cell) ?? 0}) | ${mean((x) => x.byArm).toFixed(4)} | ${md.toFixed(4)} (${(sd / Math.sqrt(n)).toFixed(4)}) | ${sd.toFixed(4)} | ${share(0.2)} | ${share(0.3)} |`;
  });
  return [
    '**Covariate-effects check** of the common-effects adjusted Cox model (the by-arm model on the same replicates; d = by-arm − common log HR, MC SE in brackets)',
    '',
    '| cell | trials (not assessed) | mean by-arm log HR | mean d | SD of d | \\|d\\| > 0.2 SE | \\|d\\| > 0.3 SE |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
}
