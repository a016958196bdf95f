/**
 * `ecasim run` as a library function: protocol → (model, treated arm) → m synthetic control
 * arms → every analysis of the plan per replicate → combined over replicates → results, synthetic
 * data, dossier and manifest, returned as file contents. Writing them (atomically) is the
 * caller's job, so a failure anywhere leaves nothing behind.
 */
import { readFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { csvField, formatCsvNumber } from '../io/csv.js';
import { sha256 } from '../io/output.js';
import type { CovariateModel } from '../model/load.js';
import { softwareVersions } from '../package-info.js';
import { renderDossier, type ReproInfo } from '../report/dossier.js';
import {
  MANIFEST_SCHEMA,
  RESULTS_SCHEMA,
  roundDeep,
  toJsonText,
  type ArmResult,
  type BalanceRowResult,
  type CombinedAnalysis,
  type ControlArmResult,
  type FileRecord,
  type Manifest,
  type Results,
  type Warning,
} from '../results.js';
import { wilson } from '../stats/binary.js';
import { combineExternalControl, monteCarloPlan } from '../stats/combine.js';
import { quantileSorted } from '../stats/distances.js';
import { qnorm } from '../stats/distributions.js';
import { kaplanMeier, nRiskAt, survivalAt, type KaplanMeierFit } from '../stats/km.js';
import { eValue, tippingPoint } from '../stats/sensitivity.js';
import { concatCohorts } from '../cohort.js';
import { firstFailed } from '../simulate/eligibility.js';
import { auditSummaryForDossier, runAudit } from '../audit/index.js';
import { table1 } from './table1.js';
import type { AnalysisEstimate } from './analyses.js';
import { ARM_LABELS, prepareRun, type PreparedRun } from './prepare.js';
import type { ReplicateOutput } from './replicate.js';
import { runReplicates, type Progress } from './workers.js';

export { ARM_LABELS, patientScope, prepareRun, type PreparedRun } from './prepare.js';

export interface RunOptions {
  protocolFile: string;
  /** Overrides the protocol's seed. */
  seed?: number;
  /** Overrides the protocol's number of replicates. */
  replicates?: number;
  /** Worker threads for the replicates (default 1); the output does not depend on it. */
  workers?: number;
  /** The command line as the user would re-type it (recorded in the manifest and dossier). */
  command: string;
  /** SOURCE_DATE_EPOCH, when set: the only timestamp a run shows. */
  sourceDateEpoch?: string;
  /** The output directory, so the manifest can find the protocol from it. */
  outDir?: string;
  /** A sponsor's directory of dossier partials overriding the built-in ones. */
  templates?: string;
  onProgress?: Progress;
}

export interface RunOutput {
  results: Results;
  manifest: Manifest;
  /** Output files by name, in the order they should be written. */
  files: { name: string; content: string }[];
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Median of unsorted values (type-7, as R's `median`). */
function median(xs: readonly number[]): number {
  return quantileSorted(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

/** A "nice" step for the number-at-risk table: about six columns. */
function atRiskStep(maxTime: number): number {
  const candidates = [1, 2, 3, 6, 12, 24, 36, 60, 120, 180, 365, 730];
  return candidates.find((c) => maxTime / c <= 8) ?? Math.ceil(maxTime / 8);
}

function armResult(label: string, fit: KaplanMeierFit, times: number[]): ArmResult {
  let events = 0;
  for (const e of fit.nEvent) events += e;
  return {
    label,
    n: fit.n,
    events,
    response: null,
    median: fit.median,
    atRisk: { time: times, nRisk: Array.from(nRiskAt(fit, times)) },
    km: {
      confType: fit.confType,
      confLevel: fit.confLevel,
      time: Array.from(fit.time),
      nRisk: Array.from(fit.nRisk),
      nEvent: Array.from(fit.nEvent),
      surv: Array.from(fit.surv),
      lower: Array.from(fit.lower, finiteOrNull),
      upper: Array.from(fit.upper, finiteOrNull),
    },
  };
}

/** The virtual control arms as CSV: replicate, id, baseline variables, time and event (model unit). */
export function syntheticControlCsv(
  model: CovariateModel,
  replicates: readonly ReplicateOutput[],
): string {
  const names = model.names.filter((n) => !model.outcomes.includes(n));
  const lines = [['replicate', 'id', ...names, 'time', 'event'].map(csvField).join(',')];
  for (const r of replicates) {
    const width = String(r.cohort.n).length;
    for (let i = 0; i < r.cohort.n; i++) {
      const row = [String(r.index), `SC-${r.index}-${String(i + 1).padStart(width, '0')}`];
      for (const name of names) {
        const c = r.cohort.columns.get(name)!;
        row.push(
          c.kind === 'numeric' ? formatCsvNumber(c.values[i]!) : csvField(c.levels[c.codes[i]!]!),
        );
      }
      row.push(formatCsvNumber(r.time[i]!), String(r.event[i]));
      lines.push(row.join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** How the replicates are combined: the registry's information and the synthetic arms' size. */
interface CombineSettings {
  confLevel: number;
  /** The replicates drew the model parameters from their posterior. */
  parameterUncertainty: boolean;
  /** Patients in each synthetic arm; null in twin mode (one twin per treated patient, fixed). */
  controlSize: number | null;
}

/** Why the pipeline combines as it does, for results.json and the dossier. */
const COMBINING_RULE =
  'the real treated arm is the same in every replicate and the synthetic arms come from a model ' +
  'estimated from a finite registry, so the variance is split into the treated arm (ū_T), the ' +
  "registry (V̂_P = max(0, b − ū_C)) and Monte-Carlo noise ((ū_C + V̂_P)/m), with each replicate's " +
  'variance divided between the arms by its influence functions (docs/combining.md). Chosen over ' +
  "Raghunathan–Reiter–Rubin's T (never positive here), ū (misses the registry's error and counts " +
  'the synthetic noise in full) and ū − (1 − 1/m)·b (drops the registry) by the coverage study ' +
  'in docs/validation.md.';

/** Combines one analysis over the replicates on its combining scale. */
function combine(
  key: string,
  name: string,
  per: readonly AnalysisEstimate[],
  settings: CombineSettings,
): CombinedAnalysis {
  const first = per[0]!;
  const { confLevel, parameterUncertainty, controlSize } = settings;
  const c = combineExternalControl(
    per.map((a) => a.q),
    per.map((a) => a.u),
    per.map((a) => a.uControl),
    { confLevel, parameterUncertainty },
  );
  const plan = monteCarloPlan(c, controlSize);
  const ratio =
    first.measure === 'hazard-ratio' ||
    first.measure === 'risk-ratio' ||
    first.measure === 'odds-ratio';
  const back = ratio ? Math.exp : (x: number) => x;
  const ess = per.every((a) => a.ess)
    ? {
        treated: per.reduce((s, a) => s + a.ess!.treated, 0) / per.length,
        control: per.reduce((s, a) => s + a.ess!.control, 0) / per.length,
      }
    : null;
  return {
    key,
    name,
    measure: first.measure,
    method: first.method,
    details: first.details,
    confLevel,
    estimate: back(c.estimate),
    lower: back(c.lower),
    upper: back(c.upper),
    logEstimate: c.estimate,
    ...(first.measure === 'hazard-ratio' ? { hr: back(c.estimate), logHr: c.estimate } : {}),
    se: c.se,
    df: Number.isFinite(c.df) ? c.df : null,
    p: c.p,
    combining: {
      method: c.method,
      rule: COMBINING_RULE,
      m: c.m,
      parameterUncertainty: c.parameterUncertainty,
      between: c.between,
      within: c.within,
      withinTreated: c.withinTreated,
      withinControl: c.withinControl,
      parameterVariance: c.parameterVariance,
      totalVariance: c.totalVariance,
      decomposition: {
        treated: { variance: c.components.treated, share: c.components.treated / c.totalVariance },
        registry: {
          variance: c.components.registry,
          share: c.components.registry / c.totalVariance,
        },
        monteCarlo: {
          variance: c.components.monteCarlo,
          share: c.components.monteCarlo / c.totalVariance,
        },
      },
      recommendation: {
        target: plan.target,
        met: plan.share < plan.target,
        replicates: plan.replicates,
        controlSize: plan.controlSize,
        currentControlSize: controlSize,
      },
    },
    replicates: per.map((a) => ({
      estimate: a.estimate,
      lower: a.lower,
      upper: a.upper,
      p: a.p,
      q: a.q,
      variance: a.u,
      controlVariance: a.uControl,
    })),
    ess,
  };
}

/** Arms of a binary endpoint: responders and proportions (control: all replicates together). */
function binaryArms(
  treated: Uint8Array,
  replicates: readonly ReplicateOutput[],
  confLevel: number,
): Results['arms'] {
  const none = { estimate: null, lower: null, upper: null };
  const e1 = treated.reduce((s, v) => s + v, 0);
  const eC = replicates.reduce((s, r) => s + r.control.events, 0);
  const nC = replicates.reduce((s, r) => s + r.control.n, 0);
  const m = replicates.length;
  const base = { median: none, atRisk: { time: [], nRisk: [] }, km: null };
  return {
    treated: {
      ...base,
      label: ARM_LABELS.treated,
      n: treated.length,
      events: e1,
      response: {
        proportion: e1 / treated.length,
        ...wilson(e1, treated.length, qnorm(1 - (1 - confLevel) / 2)),
      },
    },
    control: {
      ...base,
      label: ARM_LABELS.control,
      n: Math.round(nC / m),
      events: eC / m,
      // Proportion over all replicates; its interval is the spread of the replicate proportions.
      response: (() => {
        const props = replicates.map((r) => r.control.events / r.control.n).sort((a, b) => a - b);
        return {
          proportion: eC / nC,
          lower: quantileSorted(props, 0.025),
          upper: quantileSorted(props, 0.975),
        };
      })(),
      perReplicate: replicates.map((r) => ({
        n: r.control.n,
        events: r.control.events,
        median: null,
      })),
      spread: { time: [], lower: [], upper: [] },
    },
  };
}

/** Arms of a continuous endpoint: mean and SD (control: all replicates together). */
function continuousArms(
  treated: Float64Array,
  replicates: readonly ReplicateOutput[],
): Results['arms'] {
  const none = { estimate: null, lower: null, upper: null };
  const describe = (xs: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i]!;
    const mean = s / xs.length;
    let ss = 0;
    for (let i = 0; i < xs.length; i++) ss += (xs[i]! - mean) ** 2;
    return { mean, sd: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0 };
  };
  const all = Float64Array.from(replicates.flatMap((r) => Array.from(r.time)));
  const base = { median: none, atRisk: { time: [], nRisk: [] }, km: null, response: null };
  return {
    treated: {
      ...base,
      label: ARM_LABELS.treated,
      n: treated.length,
      events: treated.length,
      mean: describe(treated),
    },
    control: {
      ...base,
      label: ARM_LABELS.control,
      n: Math.round(all.length / replicates.length),
      events: all.length / replicates.length,
      mean: describe(all),
      perReplicate: replicates.map((r) => ({
        n: r.control.n,
        events: r.control.events,
        median: null,
      })),
      spread: { time: [], lower: [], upper: [] },
    },
  };
}

/** Averages the replicates' balance tables (the same covariates in every replicate). */
function combineBalance(
  replicates: readonly ReplicateOutput[],
  weighted: boolean,
  estimand: string,
): Results['balance'] {
  const tables = replicates.map((r) => r.balance).filter((b) => b !== null);
  const hists = replicates.map((r) => r.analyses[0]!.scoreHistogram).filter((h) => h !== undefined);
  const average = (pick: (h: (typeof hists)[number]) => number[]): number[] =>
    pick(hists[0]!).map((_, b) => hists.reduce((s, h) => s + pick(h)[b]!, 0) / hists.length);
  const propensity =
    hists.length > 0 && hists.length === replicates.length
      ? {
          breaks: Array.from({ length: 21 }, (_, k) => k / 20),
          treated: average((h) => h.treated),
          control: average((h) => h.control),
        }
      : null;
  if (tables.length === 0) {
    return {
      method: 'cobalt',
      estimand,
      weighted,
      threshold: 0.1,
      maxAbsSmd: 0,
      rows: [],
      propensity,
    };
  }
  const mean = (xs: (number | null)[]): number | null =>
    xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + x!, 0) / xs.length;
  const threshold = tables[0]!.threshold;
  const rows: BalanceRowResult[] = tables[0]!.rows.map((row, j) => {
    const col = tables.map((t) => t.rows[j]!);
    const smdAfter = weighted ? mean(col.map((r) => r.diff)) : null;
    const smdBefore = mean(col.map((r) => r.diffUnadjusted));
    const shown = weighted ? smdAfter : smdBefore;
    return {
      name: row.name,
      type: row.type,
      meanTreated: mean(col.map((r) => r.mean1Unadjusted))!,
      meanControl: mean(col.map((r) => r.mean0Unadjusted))!,
      smdBefore,
      smdAfter,
      varianceRatioBefore: mean(col.map((r) => r.varianceRatioUnadjusted)),
      varianceRatioAfter: weighted ? mean(col.map((r) => r.varianceRatio)) : null,
      flagged: shown !== null && Math.abs(shown) >= threshold,
    };
  });
  const maxAbsSmd = rows.reduce(
    (m, r) => Math.max(m, Math.abs((weighted ? r.smdAfter : r.smdBefore) ?? 0)),
    0,
  );
  return { method: 'cobalt', estimand, weighted, threshold, maxAbsSmd, rows, propensity };
}

/** The pooled control curve and the 2.5–97.5% spread of the replicate curves on a grid. */
function controlArm(
  replicates: readonly ReplicateOutput[],
  atRiskTimes: number[],
  gridEnd: number,
): ControlArmResult {
  const n = replicates.reduce((s, r) => s + r.time.length, 0);
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  let o = 0;
  for (const r of replicates) {
    time.set(r.time, o);
    event.set(r.event, o);
    o += r.time.length;
  }
  const pooled = armResult(ARM_LABELS.control, kaplanMeier(time, event), atRiskTimes);
  // The pooled curve has m times the patients of one arm: its pointwise band would be too narrow,
  // so the band shown is the spread of the replicate curves instead.
  const m = replicates.length;
  const km = pooled.km!;
  km.lower = km.lower.map(() => null);
  km.upper = km.upper.map(() => null);
  pooled.atRisk.nRisk = pooled.atRisk.nRisk.map((v) => v / m);
  const grid = Array.from({ length: 101 }, (_, k) => (gridEnd * k) / 100);
  const curves = replicates.map((r) => {
    const fit = kaplanMeier(r.time, r.event);
    const last = fit.time[fit.time.length - 1]!;
    const inside = grid.filter((t) => t <= last);
    const s = inside.length > 0 ? Array.from(survivalAt(fit, inside).surv) : [];
    return grid.map((_, k) => (k < s.length ? s[k]! : NaN));
  });
  const lower: number[] = [];
  const upper: number[] = [];
  const kept: number[] = [];
  grid.forEach((t, k) => {
    const vals = curves.map((c) => c[k]!).filter((v) => Number.isFinite(v));
    if (vals.length < m) return; // beyond some replicate's follow-up
    vals.sort((a, b) => a - b);
    kept.push(t);
    lower.push(quantileSorted(vals, 0.025));
    upper.push(quantileSorted(vals, 0.975));
  });
  return {
    ...pooled,
    n: Math.round(n / m),
    events: replicates.reduce((s, r) => s + r.control.events, 0) / m,
    perReplicate: replicates.map((r) => ({
      n: r.control.n,
      events: r.control.events,
      median: r.control.median.estimate,
    })),
    spread: { time: kept, lower, upper },
  };
}

/**
 * One warning per (code, source) over all replicates, saying in how many replicates it arose;
 * when the messages differ (e.g. numbers), the first replicate's is shown as an example.
 */
function aggregateWarnings(replicates: readonly ReplicateOutput[]): Warning[] {
  const groups = new Map<string, { w: Warning; first: number; count: number; same: boolean }>();
  for (const r of replicates) {
    const seen = new Set<string>();
    for (const w of r.warnings) {
      const key = `${w.code}\u0000${w.source ?? ''}`;
      const g = groups.get(key);
      if (!g) groups.set(key, { w, first: r.index, count: 1, same: true });
      else {
        if (!seen.has(key)) g.count++;
        if (g.w.message !== w.message) g.same = false;
      }
      seen.add(key);
    }
  }
  const m = replicates.length;
  return [...groups.values()].map(({ w, first, count, same }) => ({
    ...w,
    message: same
      ? `${w.message} (in ${count} of ${m} replicates)`
      : `in ${count} of ${m} replicates, e.g. replicate ${first}: ${w.message}`,
  }));
}

function parseEpoch(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const s = Number(value);
  if (!Number.isInteger(s) || s < 0) {
    throw new InputError(
      `SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, found "${value}"`,
      {
        field: 'SOURCE_DATE_EPOCH',
        hint: 'unset it, or set it to e.g. the commit time: git log -1 --format=%ct',
      },
    );
  }
  return new Date(s * 1000).toISOString();
}

/** Runs a protocol end to end; returns the output files without writing them. */
export async function runProtocol(options: RunOptions): Promise<RunOutput> {
  const prepared: PreparedRun = prepareRun(options.protocolFile);
  const { loaded, model, treated, criteria, controlSize } = prepared;
  const { protocol, doc } = loaded;
  const seed = options.seed ?? protocol.control.seed;
  const m = options.replicates ?? protocol.control.replicates;
  const alpha = protocol.analysis.alpha;
  const confLevel = 1 - alpha;
  const warnings: Warning[] = [];

  const replicates = await runReplicates(
    prepared,
    options.protocolFile,
    seed,
    m,
    options.workers ?? 1,
    options.onProgress,
  );
  warnings.push(...aggregateWarnings(replicates));

  // Treated patients outside the criteria are worth a warning: the arms should be comparable.
  const present = criteria.filter((c) =>
    c.expression.variables.every((v) => treated.covariates.columns.has(v)),
  );
  if (present.length > 0) {
    const failed = firstFailed(treated.covariates, present);
    present.forEach((c, k) => {
      const count = failed.reduce((s, f) => s + (f === k ? 1 : 0), 0);
      if (count > 0) {
        warnings.push({
          code: 'treated-ineligible',
          source: 'arms.treated',
          message: `${count} treated patient(s) do not meet the eligibility criterion "${c.name}" applied to the synthetic control arm`,
        });
      }
    });
  }

  const tte = prepared.endpoint === 'time-to-event';
  let arms: Results['arms'];
  if (tte) {
    const kmT = kaplanMeier(treated.time, treated.event);
    for (const w of kmT.warnings)
      if (w.code !== 'ci-undefined') warnings.push({ ...w, source: 'arms.treated' });
    const maxTime = Math.max(
      kmT.time[kmT.time.length - 1]!,
      ...replicates.map((r) => Math.max(...r.time)),
    );
    const step = atRiskStep(maxTime);
    const atRiskTimes: number[] = [];
    for (let t = 0; t <= maxTime; t += step) atRiskTimes.push(t);
    arms = {
      treated: armResult(ARM_LABELS.treated, kmT, atRiskTimes),
      control: controlArm(replicates, atRiskTimes, maxTime),
    };
  } else if (prepared.endpoint === 'binary') {
    arms = binaryArms(treated.event, replicates, confLevel);
  } else {
    arms = continuousArms(treated.time, replicates);
  }

  const combined: CombinedAnalysis[] = [];
  prepared.analyses.forEach((a, k) => {
    const failures = replicates.flatMap((r) =>
      r.failed.filter((f) => f.key === a.key).map((f) => ({ r: r.index, ...f })),
    );
    if (failures.length > 0) {
      warnings.push({
        code: 'analysis-not-estimable',
        source: a.key,
        message: `${a.name} could not be carried out in ${failures.length} of ${replicates.length} replicates and is not reported (e.g. replicate ${failures[0]!.r}: ${failures[0]!.message})`,
      });
      return;
    }
    const per = replicates.map((r) => r.analyses[k]!);
    combined.push(
      combine(a.key, a.name, per, {
        confLevel,
        parameterUncertainty: prepared.loaded.protocol.control.parameterUncertainty,
        controlSize: prepared.twin !== null ? null : prepared.controlSize,
      }),
    );
  });
  const primary = combined[0]!;
  const primarySpec = prepared.analyses[0]!.spec;
  const balance = combineBalance(
    replicates,
    primarySpec.method === 'cox-iptw',
    primarySpec.weighting.estimand,
  );
  const sens = protocol.analysis.sensitivity;
  let controlEvents = 0;
  let controlN = 0;
  for (const r of replicates)
    [controlEvents, controlN] = [controlEvents + r.control.events, controlN + r.control.n];
  const isHr = primary.measure === 'hazard-ratio' || primary.measure === 'risk-ratio';
  const onLogScale = isHr || primary.measure === 'odds-ratio';
  // A risk ratio needs no conversion: it is taken as it is (the "rare" form of the E-value).
  const rareOutcome =
    primary.measure === 'risk-ratio'
      ? true
      : (sens.eValue?.rareOutcome ?? controlEvents / controlN < 0.15);
  const ev =
    sens.eValue && isHr
      ? eValue(primary.estimate, primary.lower, primary.upper, { rare: rareOutcome })
      : null;
  const direction = primary.estimate < 1 ? 'benefit' : 'harm';
  const tp =
    sens.tippingPoint && onLogScale
      ? tippingPoint(primary.logEstimate, primary.se, { alpha, direction })
      : null;
  if (sens.tippingPoint && !onLogScale) {
    warnings.push({
      code: 'tipping-point-not-applicable',
      source: 'sensitivity',
      message: `the tipping-point analysis applies to ratio measures; the primary ${primary.measure} has none`,
    });
  }
  if (sens.eValue && !isHr) {
    warnings.push({
      code: 'e-value-not-applicable',
      source: 'sensitivity',
      message: `the E-value applies to hazard and risk ratios; the primary ${primary.measure} has none`,
    });
  }
  const phReps = sens.phTest
    ? replicates.map((r) => r.analyses[0]!.phTest).filter((z) => z !== undefined)
    : [];

  const metricScope: Record<string, number> = {
    'primary.estimate': primary.estimate,
    'primary.lower': primary.lower,
    'primary.upper': primary.upper,
    'primary.se': primary.se,
    'primary.p': primary.p,
    'primary.df': primary.df ?? Infinity,
    'primary.logEstimate': primary.logEstimate,
    'balance.maxAbsSmd': balance.maxAbsSmd,
    'ess.control': primary.ess?.control ?? NaN,
  };
  const auditSpec = protocol.audit;
  const audit =
    auditSpec && loaded.auditPaths
      ? {
          ...auditSummaryForDossier(
            runAudit({
              model: loaded.shownPaths.model,
              registry: loaded.auditPaths.registry,
              ...(loaded.auditPaths.holdout ? { holdout: loaded.auditPaths.holdout } : {}),
              seed,
              columns: {
                ...(auditSpec.time ? { time: auditSpec.time } : {}),
                ...(auditSpec.event ? { event: auditSpec.event } : {}),
                ...(auditSpec.columns ? { rename: auditSpec.columns } : {}),
              },
              ...(auditSpec.n ? { n: auditSpec.n } : {}),
            }),
          ),
          registry: auditSpec.registry,
          holdout: auditSpec.holdout ?? null,
        }
      : null;
  if (audit?.privacy.leaking) {
    warnings.push({
      code: 'audit-privacy',
      source: 'audit',
      message: `the audit flags the synthetic data as possibly disclosing registry records (${audit.privacy.flagged.join(', ')})`,
    });
  }
  const roundedScope = roundDeep(metricScope);
  const met = prepared.successCriterion.evaluate((name) => roundedScope[name]!, 0) === true;

  const drawn = replicates.reduce((s, r) => s + r.attrition.drawn, 0);
  let remaining = drawn;
  const excluded = criteria.map((_, k) =>
    replicates.reduce((s, r) => s + r.attrition.excluded[k]!, 0),
  );
  const accepted = replicates.reduce((s, r) => s + r.attrition.accepted, 0);
  const fu = protocol.followUp;
  const prov = model.model.provenance;
  const results: Results = roundDeep({
    schema: RESULTS_SCHEMA,
    protocol: {
      id: protocol.id,
      title: protocol.title,
      version: protocol.version,
      sponsor: protocol.sponsor,
      indication: protocol.indication,
      date: protocol.date,
      contextOfUse: protocol.contextOfUse?.trim() ?? null,
      estimand: {
        ...protocol.estimand,
        intercurrentEvents: protocol.estimand.intercurrentEvents.map((e) => ({
          event: e.event,
          strategy: e.strategy,
          rationale: e.rationale ?? null,
        })),
      },
    },
    outcome: { variable: protocol.outcome, label: prepared.outcomeLabel, timeUnit: model.timeUnit },
    seed,
    control: {
      mode: protocol.control.mode,
      size: controlSize,
      replicates: m,
      substreams:
        'replicate r draws from substream (seed, r): (r, 0) the patients, (r, 1) their censoring, (r, 2) the model parameters',
      parameterUncertainty: {
        enabled: protocol.control.parameterUncertainty,
        drawn: [...replicates[0]!.parametersDrawn],
        fixed: model.names.filter((n) => !replicates[0]!.parametersDrawn.includes(n)),
        method:
          'Dirichlet(counts + 1/2) for table rows with counts; N(estimate, covariance) where the model carries a covariance',
      },
      eligibility: protocol.eligibility.map((c) => ({ name: c.name, expression: c.expression })),
      followUp: {
        accrual: fu.accrual,
        studyDuration: fu.studyDuration,
        dropoutRate: fu.dropoutRate,
        timeUnit: model.timeUnit,
        indexDate: fu.indexDate ?? null,
        accrualPattern: fu.accrualPattern ?? null,
        eventDriven: fu.eventDriven ?? null,
      },
    },
    attrition: {
      drawn,
      steps: criteria.map((c, k) => {
        remaining -= excluded[k]!;
        return {
          criterion: c.name,
          expression: protocol.eligibility[k]!.expression,
          excluded: excluded[k]!,
          remaining,
        };
      }),
      accepted,
      acceptanceRate: accepted / drawn,
    },
    model: {
      registry: prov.registry,
      extractDate: prov.extractDate ?? null,
      population: prov.population ?? null,
      n: prov.n ?? null,
      derivation: prov.derivation.method,
      epsilon: prov.derivation.epsilon ?? null,
      variables: model.names.map((name) => {
        const v = model.variables.get(name)!;
        return {
          name,
          label: v.label ?? name,
          unit: 'unit' in v && typeof v.unit === 'string' ? v.unit : null,
          kind: v.kind,
          parents: [...v.parents],
        };
      }),
    },
    table1: table1(model, treated.covariates, concatCohorts(replicates.map((r) => r.cohort))),
    arms,
    logrank: tte
      ? {
          method: 'log-rank',
          df: 1,
          medianStatistic: median(replicates.map((r) => r.logrank!.statistic)),
          medianP: median(replicates.map((r) => r.logrank!.p)),
          replicates: replicates.map((r) => ({ statistic: r.logrank!.statistic, p: r.logrank!.p })),
        }
      : null,
    primary,
    secondary: combined.slice(1),
    replicates: replicates.map((r) => ({
      index: r.index,
      substream: [r.index],
      parametersDrawn: [...r.parametersDrawn],
      cut: r.cut,
      control: { n: r.control.n, events: r.control.events, median: r.control.median.estimate },
      attrition: {
        drawn: r.attrition.drawn,
        accepted: r.attrition.accepted,
        acceptanceRate: r.attrition.acceptanceRate,
      },
      primary: {
        estimate: r.analyses[0]!.estimate,
        lower: r.analyses[0]!.lower,
        upper: r.analyses[0]!.upper,
        p: r.analyses[0]!.p,
        logEstimate: r.analyses[0]!.q,
        se: Math.sqrt(r.analyses[0]!.u),
      },
    })),
    balance,
    sensitivity: {
      eValue: ev
        ? { rareOutcome, estimate: ev.estimate, limit: ev.limit, method: ev.method }
        : null,
      tippingPoint: tp
        ? {
            shift: tp.shift,
            estimate: tp.estimate,
            direction,
            grid: tp.grid.map((g) => ({
              shift: g.shift,
              estimate: g.estimate,
              lower: g.lower,
              upper: g.upper,
              significant: g.significant,
            })),
          }
        : null,
      phTest:
        sens.phTest && phReps.length > 0
          ? {
              transform: sens.phTest.transform,
              medianP: median(phReps.map((z) => z.p)),
              fractionBelowAlpha: phReps.filter((z) => z.p < alpha).length / phReps.length,
              replicates: phReps,
            }
          : null,
    },
    audit,
    alpha,
    successCriterion: { expression: protocol.successCriterion, met },
    warnings,
  } satisfies Results);

  const resultsJson = toJsonText(results);
  const csv = syntheticControlCsv(model, replicates);
  const versions = softwareVersions();
  const inputs: FileRecord[] = [
    // Paths as the protocol names them (relative to it), so they do not depend on where ecasim ran.
    { role: 'protocol', path: basename(doc.file), sha256: sha256(doc.source) },
    { role: 'covariate model', path: protocol.inputs.model, sha256: sha256(model.doc.source) },
    {
      role: 'treated dataset',
      path: protocol.inputs.treated.file,
      sha256: sha256(readFileSync(loaded.paths.treated)),
    },
    ...(protocol.audit && loaded.auditPaths
      ? [
          {
            role: 'audit registry extract',
            path: protocol.audit.registry,
            sha256: sha256(readFileSync(loaded.auditPaths.registry)),
          },
          ...(protocol.audit.holdout && loaded.auditPaths.holdout
            ? [
                {
                  role: 'audit holdout extract',
                  path: protocol.audit.holdout,
                  sha256: sha256(readFileSync(loaded.auditPaths.holdout)),
                },
              ]
            : []),
        ]
      : []),
  ];
  const resultsDigest = sha256(resultsJson);
  const outputsBeforeDossier: FileRecord[] = [
    { role: 'results', path: 'results.json', sha256: resultsDigest },
    { role: 'synthetic control arms', path: 'synthetic-control.csv', sha256: sha256(csv) },
  ];
  const createdAt = parseEpoch(options.sourceDateEpoch);
  const repro: ReproInfo = {
    command: options.command,
    ecasim: versions.ecasim,
    software: [
      { name: 'ecasim', version: versions.ecasim },
      ...Object.entries(versions.dependencies).map(([name, version]) => ({ name, version })),
    ],
    inputs,
    outputs: outputsBeforeDossier,
    resultsDigest,
    ...(createdAt ? { createdAt } : {}),
  };
  const dossier = await renderDossier(
    results,
    repro,
    options.templates !== undefined ? { templates: options.templates } : {},
  );
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    command: options.command,
    run: {
      protocol: options.protocolFile,
      protocolFromOutput:
        options.outDir === undefined
          ? null
          : relative(resolve(options.outDir), resolve(options.protocolFile)),
      seedOverride: options.seed ?? null,
      replicatesOverride: options.replicates ?? null,
      sourceDateEpoch: options.sourceDateEpoch ?? null,
      templates: options.templates ?? null,
    },
    ecasim: versions.ecasim,
    node: process.version,
    dependencies: versions.dependencies,
    seed,
    ...(createdAt ? { createdAt } : {}),
    inputs,
    outputs: [
      ...outputsBeforeDossier,
      { role: 'dossier', path: 'dossier.html', sha256: sha256(dossier) },
    ],
    resultsDigest,
  };
  return {
    results,
    manifest,
    files: [
      { name: 'results.json', content: resultsJson },
      { name: 'synthetic-control.csv', content: csv },
      { name: 'dossier.html', content: dossier },
      { name: 'manifest.json', content: toJsonText(manifest) },
    ],
  };
}
