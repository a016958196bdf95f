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
