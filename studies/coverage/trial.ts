/**
 * One simulated trial of the study, in memory and lean: draw the registry from the truth and
 * re-fit it as `ecasim fit` does (fitModel with the truth's fit spec), draw the treated arm with
 * the cell's HR, prepare the protocol's run from memory (prepareRunInMemory) and call
 * `runReplicate` m times, keeping each Cox analysis's (q, u, uControl) per replicate. No dossier,
 * no CSV, no files; the protocol is cut down to the analyses the study assesses.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { fitModel } from '../../src/model/fit.js';
import { loadFitSpec, type LoadedFitSpec } from '../../src/model/fit-spec.js';
import { loadModel, type CovariateModel } from '../../src/model/load.js';
import type { LoadedProtocol } from '../../src/protocol/load.js';
import { createStream } from '../../src/random/index.js';
import type { AnalysisEstimate } from '../../src/run/analyses.js';
import { AnalysisError } from '../../src/errors.js';
import { combine, combineSettings, controlVariances, meanTreatedDf } from '../../src/run/combine.js';
import { combineCovariateCheck } from '../../src/run/covariate-check.js';
import type { PreparedRun } from '../../src/run/prepare.js';
import { prepareRunInMemory, protocolFromText } from '../../src/run/prepare-memory.js';
import { runReplicate } from '../../src/run/replicate.js';
import { drawParameters } from '../../src/simulate/uncertainty.js';
import { STREAMS, TRUTHS, controlSize, type Cell, type TruthMode } from './design.js';
import type { Replicates } from './rules.js';
import {
  drawRegistry,
  drawTreated,
  levelMismatch,
  treatedDesignOf,
  type TreatedDesign,
} from '../../src/design/truth.js';

/**
 * The analysis methods whose combined interval the study assesses. RMST's target under an HR
 * other than 1 is the marginal RMST difference to the protocol's τ (truth.ts `targetFor`); with no
 * τ in the protocol its coverage is not computed, its rejection rate still is.
 */
export const ASSESSED_METHODS = [
  'cox-iptw',
  'cox-unadjusted',
  'cox-adjusted',
  'rmst',
  'risk-difference',
  'risk-ratio',
  'odds-ratio',
  'mean-difference',
] as const;

export interface TrialOptions {
  readonly seed: number;
  readonly replicates: number;
  readonly truthMode: TruthMode;
  /** `control.parameterUncertainty` of the runs (the protocols' default: true). */
  readonly parameterUncertainty: boolean;
  /** Repository root the settings' paths are relative to. */
  readonly root: string;
  /** Only these of the assessed methods (default: every one the protocol has); the primary always runs. */
  readonly methods?: readonly string[];
  /** How the registry fit estimates its parameter covariance (default: the fit spec's own). */
  readonly covariance?: 'bootstrap' | 'information';
  /** `covariateEffects` of the protocol's cox-adjusted analyses (default: the protocol's own). */
  readonly adjustedEffects?: 'common' | 'by-arm';
  /**
   * Also fit the covariate-effects check of a common-effects cox-adjusted analysis (one more Cox
   * fit a replicate) and record it (`TrialRecord.covariateCheck`); off by default.
   */
  readonly covariateCheck?: boolean;
}

/** Everything a worker loads once per truth. */
export interface TruthContext {
  readonly setting: (typeof TRUTHS)[keyof typeof TRUTHS];
  /** The population the treated arm (and, in 'fixed' mode, the registry) comes from. */
  readonly truth: CovariateModel;
  /** The protocol's model: the fit in 'posterior' mode, and the base of its truth draws. */
  readonly point: CovariateModel;
  readonly fitSpec: LoadedFitSpec;
  readonly design: TreatedDesign;
  /** The Cox methods of the protocol's plan, in plan order (primary first). */
  readonly methods: readonly string[];
  /** The cut-down protocol of each synthetic arm size (key: size, or 'twin'). */
  readonly protocols: ReadonlyMap<string, LoadedProtocol>;
}

/** One cell's result in one trial. */
export interface TrialRecord {
  readonly cell: string;
  readonly trial: number;
  readonly treatedEvents: number;
  /** Registry patients used by the fit (complete cases); null in 'posterior' mode. */
  readonly registryN: number | null;
  /** Per assessed method: each replicate's q, u (and uControl). Absent when the trial failed. */
  readonly analyses?: Readonly<Record<string, Replicates>>;
  /**
   * Secondary analyses that could not be carried out in some replicate (e.g. an RMST τ beyond a
   * small synthetic arm's follow-up), with the first reason: as the pipeline does, such an
   * analysis is left out of the trial (and of `analyses`); the others are kept.
   */
  readonly notEstimable?: Readonly<Record<string, string>>;
  /**
   * The covariate-effects check of the common-effects adjusted Cox analysis (the pipeline's
   * sensitivity.covariateEffects): the by-arm model's combined log HR and its difference from
   * the common-effects one; null where it could not be assessed. Absent when the plan has none.
   */
  readonly covariateCheck?: { readonly byArm: number; readonly difference: number } | null;
  /** Why the trial failed (then `reproduce` says how to run it alone). */
  readonly error?: string;
  readonly reproduce?: string;
  /** Wall time of this cell's trial, its share of the registry fit included. */
  readonly ms: number;
}

function sizeKey(cell: Cell): string {
  const n = controlSize(cell);
  return n === null ? 'twin' : String(n);
}

/**
 * The protocol as the study runs it: m replicates, the cell's synthetic arm size, parameter
 * uncertainty as asked, only the assessed analyses (the adjusted Cox models' covariate effects as
 * asked), no PH test (it would run cox.zph every
 * replicate) and no audit. Paths stay as written; nothing is read from them.
 */
export function studyProtocol(
  file: string,
  text: string,
  options: Pick<TrialOptions, 'replicates' | 'parameterUncertainty' | 'methods' | 'adjustedEffects'>,
  size: number | null,
): LoadedProtocol {
  const doc = parse(text) as {
    control: Record<string, unknown>;
    analysis: {
      primary: { method: string; covariateEffects?: string };
      secondary?: { method: string; covariateEffects?: string }[];
      sensitivity?: Record<string, unknown>;
    };
    audit?: unknown;
  };
  doc.control['replicates'] = options.replicates;
  doc.control['parameterUncertainty'] = options.parameterUncertainty;
  if (size !== null) {
    delete doc.control['ratio'];
    doc.control['size'] = size;
  }
  const keep = new Set<string>(options.methods ?? ASSESSED_METHODS);
  doc.analysis.secondary = (doc.analysis.secondary ?? []).filter((a) => keep.has(a.method));
  if (options.adjustedEffects !== undefined) {
    for (const a of [doc.analysis.primary, ...doc.analysis.secondary])
      if (a.method === 'cox-adjusted') a.covariateEffects = options.adjustedEffects;
  }
  if (doc.analysis.sensitivity) delete doc.analysis.sensitivity['phTest'];
  delete doc.audit;
  return protocolFromText(file, stringify(doc));
}

/** Loads a truth's inputs and the cut-down protocols its cells need. */
export function createContext(
  id: keyof typeof TRUTHS,
  cells: readonly Cell[],
  options: TrialOptions,
): TruthContext {
  const setting = TRUTHS[id];
  const at = (p: string): string => resolve(options.root, p);
  const point = loadModel(at(setting.pointModel));
  const truth = options.truthMode === 'fixed' ? loadModel(at(setting.truthModel)) : point;
  const specified = loadFitSpec(at(setting.fitSpec));
  const fitSpec: LoadedFitSpec =
    options.covariance === undefined
      ? specified
      : {
          ...specified,
          spec: {
            ...specified.spec,
            covariance: { ...specified.spec.covariance, method: options.covariance },
          },
        };
  // The treated arm is built from the truth but analysed against the fit: their levels must agree.
  const mismatch = levelMismatch(truth, fitSpec);
  if (mismatch !== null) throw new Error(`${setting.fitSpec}: ${mismatch}`);
  const file = at(setting.protocol);
  const text = readFileSync(file, 'utf8');
  const protocols = new Map<string, LoadedProtocol>();
  for (const cell of cells) {
    if (cell.truth !== id || protocols.has(sizeKey(cell))) continue;
    protocols.set(sizeKey(cell), studyProtocol(file, text, options, controlSize(cell)));
  }
  const base = protocols.values().next().value ?? studyProtocol(file, text, options, null);
  const p = base.protocol;
  return {
    setting,
    truth,
    point,
    fitSpec,
    design: treatedDesignOf(base, truth),
    methods: [p.analysis.primary, ...p.analysis.secondary]
      .map((a) => a.method)
      .filter((m) => (ASSESSED_METHODS as readonly string[]).includes(m)),
    protocols,
  };
}

/** The command that runs trial t of a cell alone. */
export function reproduceCommand(cell: Cell, trial: number, options: TrialOptions): string {
  return (
    `npm run validate:coverage -- --seed ${options.seed} --replicates ${options.replicates} ` +
    `--cells ${cell.id} --trial ${trial}` +
    (options.truthMode === 'posterior' ? ' --truth posterior' : '') +
    (options.parameterUncertainty ? '' : ' --no-parameter-uncertainty') +
    (options.covariance === undefined ? '' : ` --covariance ${options.covariance}`)
  );
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Trial t of every cell in `cells` (all of one truth and registry size): one registry draw and fit,
 * one treated arm per HR, m replicates per cell. A failure is recorded against the cells it
 * touches, with the command to reproduce it; it never stops the study.
 */
export function runTrialGroup(
  ctx: TruthContext,
  cells: readonly Cell[],
  trial: number,
  options: TrialOptions,
): TrialRecord[] {
  const t0 = performance.now();
  const failed = (cell: Cell, err: unknown, ms: number, events = 0): TrialRecord => ({
    cell: cell.id,
    trial,
    treatedEvents: events,
    registryN: cell.registryN,
    error: message(err),
    reproduce: reproduceCommand(cell, trial, options),
    ms,
  });
  let fitted: CovariateModel;
  let registryN: number | null = null;
  try {
    if (options.truthMode === 'fixed') {
      const n = cells[0]!.registryN!;
      const table = drawRegistry(
        ctx.truth,
        ctx.design.outcome,
        n,
        createStream(options.seed, STREAMS.registry, trial),
        ctx.setting.registry,
      );
      const fit = fitModel(table, ctx.fitSpec, { software: 'ecasim coverage study' });
      fitted = fit.loaded;
      registryN = fit.n;
    } else fitted = ctx.point;
  } catch (err) {
    const ms = (performance.now() - t0) / cells.length;
    return cells.map((c) => failed(c, new Error(`registry fit: ${message(err)}`), ms));
  }
  const fitMs = (performance.now() - t0) / cells.length;
  const treatedStream = createStream(options.seed, STREAMS.treated, trial);
  const truth =
    options.truthMode === 'fixed'
      ? ctx.truth
      : drawParameters(ctx.point, treatedStream.substream(2)).model;
  const runSeed = createStream(options.seed, STREAMS.run, trial).uint32();
  const treatedByEffect = new Map<number, ReturnType<typeof drawTreated>>();
  return cells.map((cell) => {
    const t1 = performance.now();
    let events = 0;
    try {
      let treated = treatedByEffect.get(cell.effect);
      if (treated === undefined) {
        treated = drawTreated(truth, ctx.design, ctx.setting.treatedN, cell.effect, treatedStream);
        treatedByEffect.set(cell.effect, treated);
      }
      for (const e of treated.event) events += e;
      const prepared = prepareRunInMemory(ctx.protocols.get(sizeKey(cell))!, fitted, treated);
      const methods = prepared.analyses.map((a) => a.spec.method);
      const per = methods.map(() => [] as AnalysisEstimate[]);
      const notEstimable: Record<string, string> = {};
      const checks = prepared.checks.map(() => [] as (AnalysisEstimate | null)[]);
      for (let r = 0; r < options.replicates; r++) {
        // the primary analysis cannot fail here: runReplicate throws when it does
        const out = runReplicate(prepared, runSeed, r, {
          estimatesOnly: true,
          checks: options.covariateCheck === true,
        });
        out.checks.forEach((c, j) => checks[j]!.push(c));
        out.analyses.forEach((a, k) => {
          if (a !== null) per[k]!.push(a);
          else {
            const f = out.failed.find((x) => x.key === prepared.analyses[k]!.key);
            notEstimable[methods[k]!] ??= `replicate ${r}: ${f?.message ?? 'failed'}`;
          }
        });
      }
      const analyses: Record<string, Replicates> = {};
      methods.forEach((m, k) => {
        if (notEstimable[m] !== undefined) return;
        // the control parts as the pipeline's combining rule takes them (twin mode: across replicates)
        const treated = per[k]![0]?.treated;
        const treatedDf = meanTreatedDf(per[k]!);
        analyses[m] = {
          q: per[k]!.map((a) => a.q),
          u: per[k]!.map((a) => a.u),
          uControl: controlVariances(per[k]!),
          ...(Number.isFinite(treatedDf) ? { treatedDf } : {}),
          ...(treated !== undefined ? { treated } : {}),
        };
      });
      const covariateCheck = checkOf(prepared, per, checks, notEstimable);
      return {
        cell: cell.id,
        trial,
        treatedEvents: events,
        registryN,
        analyses,
        ...(covariateCheck !== undefined ? { covariateCheck } : {}),
        ...(Object.keys(notEstimable).length > 0 ? { notEstimable } : {}),
        ms: fitMs + performance.now() - t1,
      };
    } catch (err) {
      return failed(cell, err, fitMs + performance.now() - t1, events);
    }
  });
}

/** The first covariate-effects check of a trial, combined as the pipeline combines it. */
function checkOf(
  prepared: PreparedRun,
  per: readonly AnalysisEstimate[][],
  checks: readonly (AnalysisEstimate | null)[][],
  notEstimable: Readonly<Record<string, string>>,
): TrialRecord['covariateCheck'] {
  const check = prepared.checks[0];
  if (check === undefined || checks[0]!.length === 0) return undefined;
  const k = prepared.analyses.findIndex((a) => a.key === check.of);
  if (notEstimable[prepared.analyses[k]!.spec.method] !== undefined) return null;
  const settings = combineSettings(prepared, 1 - prepared.loaded.protocol.analysis.alpha);
  let combined: ReturnType<typeof combine>;
  try {
    combined = combine(check.of, check.of, per[k]!, settings);
  } catch (err) {
    // an unbounded combined interval: the pipeline drops that analysis, and has no check of it
    if (err instanceof AnalysisError) return null;
    throw err;
  }
  const c = combineCovariateCheck(check, per[k]!, checks[0]!, combined, settings);
  return c.difference !== null && c.byArm !== null
    ? { byArm: c.byArm.logEstimate, difference: c.difference.logEstimate }
    : null;
}
