/**
 * The arms of a run as results report them: the treated arm (real, once) and the synthetic
 * control arm over all replicates — Kaplan–Meier curves with the number at risk for a
 * time-to-event endpoint, responders for a binary one, mean and SD for a continuous one.
 */
import type { ArmResult, ControlArmResult, Results, Warning } from '../results.js';
import { wilson } from '../stats/binary.js';
import { quantileSorted } from '../stats/distances.js';
import { qnorm } from '../stats/distributions.js';
import { kaplanMeier, nRiskAt, survivalAt, type KaplanMeierFit } from '../stats/km.js';
import type { TreatedArm } from '../protocol/treated.js';
import { ARM_LABELS, type PreparedRun } from './prepare.js';
import type { ReplicateOutput } from './replicate.js';

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** A "nice" step for the number-at-risk table: about six columns. */
export function atRiskStep(maxTime: number): number {
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

function perReplicate(replicates: readonly ReplicateOutput[]): ControlArmResult['perReplicate'] {
  return replicates.map((r) => ({
    n: r.control.n,
    events: r.control.events,
    median: r.control.median.estimate,
  }));
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
  // Proportion over all replicates; its interval is the spread of the replicate proportions.
  const props = replicates.map((r) => r.control.events / r.control.n).sort((a, b) => a - b);
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
      response: {
        proportion: eC / nC,
        lower: quantileSorted(props, 0.025),
        upper: quantileSorted(props, 0.975),
      },
      perReplicate: perReplicate(replicates).map((r) => ({ ...r, median: null })),
      spread: { time: [], lower: [], upper: [] },
    },
  };
}

function describe(xs: ArrayLike<number>): { mean: number; sd: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const mean = s / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i]! - mean) ** 2;
  return { mean, sd: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0 };
}

/** Arms of a continuous endpoint: mean and SD (control: all replicates together). */
function continuousArms(
  treated: Float64Array,
  replicates: readonly ReplicateOutput[],
): Results['arms'] {
  const none = { estimate: null, lower: null, upper: null };
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
      perReplicate: perReplicate(replicates).map((r) => ({ ...r, median: null })),
      spread: { time: [], lower: [], upper: [] },
    },
  };
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
    perReplicate: perReplicate(replicates),
    spread: { time: kept, lower, upper },
  };
}

/** Time-to-event arms: Kaplan–Meier per arm, at-risk counts on a common grid. */
function survivalArms(
  treated: TreatedArm,
  replicates: readonly ReplicateOutput[],
  warnings: Warning[],
): Results['arms'] {
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
  return {
    treated: armResult(ARM_LABELS.treated, kmT, atRiskTimes),
    control: controlArm(replicates, atRiskTimes, maxTime),
  };
}

/** The arms of the run for its endpoint; caveats (e.g. of the treated arm's curve) go to `warnings`. */
export function summariseArms(
  prepared: Pick<PreparedRun, 'endpoint' | 'treated'>,
  replicates: readonly ReplicateOutput[],
  confLevel: number,
  warnings: Warning[],
): Results['arms'] {
  const { treated } = prepared;
  if (prepared.endpoint === 'time-to-event') return survivalArms(treated, replicates, warnings);
  if (prepared.endpoint === 'binary') return binaryArms(treated.event, replicates, confLevel);
  return continuousArms(treated.time, replicates);
}
