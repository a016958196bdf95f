/**
 * The operating characteristics of a design, from its trial records: for every scenario and
 * analysis the rejection rate (type-I error under no effect, power otherwise), coverage, bias,
 * empirical SD, RMSE, mean SE and CI width, and the success criterion's rate, each with its
 * Monte-Carlo SE (performance.ts; Morris, White & Crowther 2019). The summary depends only on the
 * records in trial order, so a sharded design merges to the same bytes as one process.
 */
import { roundDeep } from '../results.js';
import {
  trialConfounder,
  type DesignContext,
  type Scenario,
  type Target,
  type TrialRecord,
} from './engine.js';
import { bias, empiricalSd, meanOf, proportion, rmse, type Estimate } from './performance.js';
import { targetFor, type MarginalEstimand } from './truth.js';

export const DESIGN_SCHEMA = 'ecasim-design/1';

/** Analyses whose combining scale is a log ratio (their intervals are reported as ratios). */
const RATIO_METHODS = new Set([
  'cox-iptw',
  'cox-unadjusted',
  'cox-adjusted',
  'risk-ratio',
  'odds-ratio',
]);

/** A measure with its MC SE; null where it cannot be computed (no trial, or no target). */
export type Measure = { value: number; mcse: number | null } | null;

export interface AnalysisCharacteristics {
  key: string;
  name: string;
  method: string;
  /** What the analysis estimates on its combining scale under this scenario's effect (null: none known). */
  target: number | null;
  /** Trials with a combined estimate; failed and not-estimable trials are left out. */
  trials: number;
  notEstimable: number;
  /** `type-I error` under no effect, else `power`: the share of intervals that exclude no effect. */
  rejection: { kind: 'type-I error' | 'power'; value: number; mcse: number | null } | null;
  coverage: Measure;
  bias: Measure;
  empiricalSd: Measure;
  rmse: Measure;
  meanSe: Measure;
  /** Mean width of the interval on the reporting scale (HR, not log HR). */
  meanWidth: Measure;
}

export interface ScenarioCharacteristics extends Scenario {
  trials: number;
  failed: number;
  /** The protocol's success criterion met, over the trials that did not fail. */
  success: Measure;
  analyses: AnalysisCharacteristics[];
}

/** What every shard of a design carries and every merge checks: the same for all of them. */
export interface DesignFrame {
  name: string;
  /** SHA-256 of the design, its inputs and the software version (designDigest in shard.ts). */
  designDigest: string;
  software: { ecasim: string };
  /** Model (truth) and fit spec as the design names them; posterior mode: the protocol's model, no fit. */
  files: { design: string; protocol: string; model: string; fit: string | null };
  mode: 'registry' | 'posterior';
  seed: number;
  trials: number;
  estimandN: number;
  endpoint: DesignContext['endpoint'];
  alpha: number;
  scenarios: Scenario[];
  analyses: { key: string; name: string; method: string }[];
  targets: Target[];
}

export interface DesignResults {
  schema: typeof DESIGN_SCHEMA;
  name: string;
  designDigest: string;
  software: { ecasim: string };
  files: DesignFrame['files'];
  mode: DesignFrame['mode'];
  seed: number;
  trials: number;
  estimandN: number;
  endpoint: DesignFrame['endpoint'];
  alpha: number;
  targets: Target[];
  scenarios: ScenarioCharacteristics[];
  failures: { trial: number; scenario: string; message: string }[];
}

const finite = (e: Estimate): Measure =>
  Number.isFinite(e.value)
    ? { value: e.value, mcse: Number.isFinite(e.mcse) ? e.mcse : null }
    : null;

function characteristics(
  frame: DesignFrame,
  scenario: Scenario,
  analysis: DesignFrame['analyses'][number],
  records: readonly TrialRecord[],
): AnalysisCharacteristics {
  const none = frame.endpoint === 'continuous' ? 0 : 1;
  const confounder = JSON.stringify(trialConfounder(scenario));
  const followUp = JSON.stringify(scenario.followUp);
  const marginal = (estimand: MarginalEstimand): number =>
    frame.targets.find(
      (t) =>
        t.effect === scenario.effect &&
        t.estimand === estimand &&
        JSON.stringify(t.confounder) === confounder &&
        JSON.stringify(t.followUp) === followUp,
    )?.estimate ?? NaN;
  const target = targetFor(analysis.method, scenario.effect, marginal, none);
  const ratio = RATIO_METHODS.has(analysis.method);
  const ok = records.filter((r) => r.error === undefined);
  const rows = ok.map((r) => r.analyses![analysis.key]!).filter((a) => a !== null);
  const n = rows.length;
  const nullValue = ratio ? 1 : 0;
  const natural = ratio ? Math.exp(target) : target;
  const known = Number.isFinite(target);
  const q = rows.map((a) => a.q);
  return {
    key: analysis.key,
    name: analysis.name,
    method: analysis.method,
    target: known ? target : null,
    trials: n,
    notEstimable: ok.length - n,
    rejection:
      n === 0
        ? null
        : {
            kind: scenario.effect === none ? 'type-I error' : 'power',
            ...finite(
              proportion(rows.filter((a) => a.lower > nullValue || a.upper < nullValue).length, n),
            )!,
          },
    coverage:
      n > 0 && known
        ? finite(proportion(rows.filter((a) => a.lower <= natural && natural <= a.upper).length, n))
        : null,
    bias: n > 0 && known ? finite(bias(q, target)) : null,
    empiricalSd: n > 1 ? finite(empiricalSd(q)) : null,
    rmse: n > 0 && known ? finite(rmse(q, target)) : null,
    meanSe: n > 0 ? finite(meanOf(rows.map((a) => a.se))) : null,
    meanWidth: n > 0 ? finite(meanOf(rows.map((a) => a.upper - a.lower))) : null,
  };
}

/**
 * The design's results from every trial's records (any order; each (trial, scenario) once).
 * Numbers are rounded to 10 significant digits, as results.json's.
 */
export function summariseDesign(
  frame: DesignFrame,
  records: readonly TrialRecord[],
): DesignResults {
  const byScenario = new Map<string, TrialRecord[]>(frame.scenarios.map((s) => [s.id, []]));
  const sorted = [...records].sort((a, b) => a.trial - b.trial);
  for (const r of sorted) byScenario.get(r.scenario)!.push(r);
  const scenarios = frame.scenarios.map((s): ScenarioCharacteristics => {
    const rs = byScenario.get(s.id)!;
    const ok = rs.filter((r) => r.error === undefined);
    return {
      ...s,
      trials: rs.length,
      failed: rs.length - ok.length,
      success:
        ok.length > 0
          ? finite(proportion(ok.filter((r) => r.success === true).length, ok.length))
          : null,
      analyses: frame.analyses.map((a) => characteristics(frame, s, a, rs)),
    };
  });
  const order = new Map(frame.scenarios.map((s, k) => [s.id, k]));
  const failures = sorted
    .filter((r) => r.error !== undefined)
    .sort((a, b) => a.trial - b.trial || order.get(a.scenario)! - order.get(b.scenario)!)
    .map((r) => ({ trial: r.trial, scenario: r.scenario, message: r.error! }));
  return roundDeep({
    schema: DESIGN_SCHEMA,
    name: frame.name,
    designDigest: frame.designDigest,
    software: frame.software,
    files: frame.files,
    mode: frame.mode,
    seed: frame.seed,
    trials: frame.trials,
    estimandN: frame.estimandN,
    endpoint: frame.endpoint,
    alpha: frame.alpha,
    targets: frame.targets,
    scenarios,
    failures,
  });
}
