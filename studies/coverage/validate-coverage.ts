/**
 * `npm run validate:coverage` — the statistical-validity study of issue #5: simulate many
 * single-arm trials whose treated arm has a KNOWN hazard ratio against the covariate model's own
 * control population, run the full pipeline (`runProtocol`, population mode, the protocol's whole
 * analysis plan) on each, and report how often the combined 95% interval covers the truth and how
 * often H0: HR = 1 is rejected when it is true. Results and the reasoning behind them are in
 * docs/validation.md.
 *
 * Trial t of a scenario:
 *  1. its treated arm (n = 120, as examples/nsclc/make-treated.R) is drawn with our sampler from
 *     the protocol's covariate model restricted to the protocol's eligibility (stream (seed, 0, t)),
 *     its latent event time multiplied by HR^(−1/shape) — for a Weibull PH baseline exactly the
 *     time drawn with lp + log(HR) — and censored like the protocol's follow-up;
 *  2. that arm is written as CSV next to a copy of the protocol (replicates m, run seed from
 *     stream (seed, 1, t), parameter uncertainty on or off) in a temporary directory;
 *  3. `runProtocol` runs it; the combined estimates of the Cox analyses are recorded.
 * Trial t uses the same random numbers in every scenario (common random numbers), so scenarios
 * differ only in what they are meant to differ in. The study is seeded and deterministic, and
 * its numbers do not depend on `--workers`.
 *
 * Usage: node dist/studies/coverage/validate-coverage.js [--trials 200] [--replicates 10] [--seed 20261123]
 *   [--workers 1] [--treated 120] [--protocol protocols/nsclc-os.yaml] [--json FILE] [--hr 0.7,1]
 *   [--control-size N] [--no-posterior-truth] [--no-parameter-uncertainty]
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parse, stringify } from 'yaml';
import type { CovariateModel } from '../../src/model/load.js';
import { protocolSchema } from '../../src/protocol/schema.js';
import { createStream } from '../../src/random/index.js';
import { prepareRun, runProtocol } from '../../src/run/index.js';
import type { CombinedAnalysis } from '../../src/results.js';
import { applyCensoring } from '../../src/simulate/censoring.js';
import type { Cohort } from '../../src/cohort.js';
import { drawEligible, type Criterion } from '../../src/simulate/eligibility.js';
import { drawParameters } from '../../src/simulate/uncertainty.js';
import { fitCox } from '../../src/stats/cox.js';
import { qnorm } from '../../src/stats/distributions.js';

/** The Cox analyses whose coverage is assessed (RMST has no simple known truth here). */
const METHODS = ['cox-iptw', 'cox-unadjusted', 'cox-adjusted'] as const;
type Method = (typeof METHODS)[number];

interface Options {
  trials: number;
  replicates: number;
  seed: number;
  workers: number;
  treatedSize: number;
  protocol: string;
  json: string | undefined;
  hrs: number[];
  posteriorTruth: boolean;
  /** Run the parameter-uncertainty scenarios when the protocol language supports them. */
  parameterUncertainty: boolean;
  /** Overrides the protocol's control arm size. */
  controlSize: number | undefined;
}

interface Scenario {
  hr: number;
  parameterUncertainty: boolean;
  /**
   * The treated arm (and so the true control population the HR refers to) comes from a model
   * whose parameters are drawn once per trial from their posterior, while the pipeline still
   * uses the point model: the situation parameter uncertainty is meant for (a finite registry).
   */
  truthFromPosterior: boolean;
}

/** One combined analysis of one trial, with what is needed to recombine it differently. */
interface AnalysisRecord {
  logEstimate: number;
  lower: number;
  upper: number;
  se: number;
  df: number | null;
  p: number;
  fallback: boolean;
  between: number;
  within: number;
  /** Per replicate: log HR, and the variance behind its own interval (robust for IPTW). */
  repLog: number[];
  repVar: number[];
}

interface TrialRecord {
  scenario: number;
  trial: number;
  treatedEvents: number;
  /** Absent when the run failed (then `error` says why and `inputs` where its inputs are kept). */
  analyses?: Record<Method, AnalysisRecord>;
  error?: string;
  inputs?: string;
  seconds: number;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => {
    const k = argv.indexOf(`--${name}`);
    return k >= 0 ? argv[k + 1] : undefined;
  };
  const int = (name: string, def: number): number => {
    const v = get(name);
    const x = v === undefined ? def : Number(v);
    if (!Number.isInteger(x) || x < 1)
      throw new Error(`--${name} must be a positive integer, found ${v}`);
    return x;
  };
  return {
    trials: int('trials', 200),
    replicates: int('replicates', 10),
    seed: int('seed', 20261123),
    workers: int('workers', 1),
    treatedSize: int('treated', 120),
    protocol: get('protocol') ?? 'protocols/nsclc-os.yaml',
    json: get('json'),
    hrs: (get('hr') ?? '0.7,1').split(',').map(Number),
    posteriorTruth: !argv.includes('--no-posterior-truth'),
    parameterUncertainty: !argv.includes('--no-parameter-uncertainty'),
    controlSize: get('control-size') === undefined ? undefined : int('control-size', 1),
  };
}

/** Whether the protocol language has `control.parameterUncertainty` (being added in parallel). */
function supportsParameterUncertainty(): boolean {
  const control = (protocolSchema as unknown as { shape?: Record<string, unknown> }).shape?.[
    'control'
  ] as { shape?: Record<string, unknown> } | undefined;
  return control?.shape?.['parameterUncertainty'] !== undefined;
}

/**
 * Multiplier of a latent event time drawn with linear predictor lp that gives the time drawn with
 * lp + log(HR) from the same uniform: S0(t)^exp(lp) = u inverted, for the baselines where that
 * is a rescaling (Weibull: HR^(−1/shape); exponential: 1/HR).
 */
function timeMultiplier(model: CovariateModel, outcome: string, hr: number): number {
  const v = model.variables.get(outcome);
  if (v === undefined || v.kind !== 'time-to-event')
    throw new Error(`${outcome} is not a time-to-event variable`);
  const b = v.baseline;
  if (b.distribution === 'weibull') return Math.pow(hr, -1 / b.shape);
  if (b.distribution === 'exponential') return 1 / hr;
  throw new Error(`the study needs a Weibull or exponential baseline, found ${b.distribution}`);
}

interface Setup {
  options: Options;
  protocolDoc: Record<string, unknown>;
  protocolDir: string;
  model: CovariateModel;
  criteria: readonly Criterion[];
  outcome: string;
  followUp: { accrual: number; studyDuration: number; dropoutRate: number };
  maxDraws: number;
  columns: { id?: string; time?: string; event?: string; censor?: string };
  /** Model variable → CSV column of the treated data. */
  covariateColumns: [string, string][];
  scenarios: Scenario[];
  /** Whether the protocol language has control.parameterUncertainty. */
  puSupported: boolean;
}

function setup(options: Options): Setup {
  const protocolFile = resolve(options.protocol);
  const prepared = prepareRun(protocolFile);
  const p = prepared.loaded.protocol;
  const covariates = [...prepared.treated.covariates.columns.keys()];
  const puSupported = supportsParameterUncertainty();
  const pu = puSupported && options.parameterUncertainty;
  const scenarios: Scenario[] = [];
  for (const hr of options.hrs) {
    scenarios.push({ hr, parameterUncertainty: false, truthFromPosterior: false });
    if (pu) scenarios.push({ hr, parameterUncertainty: true, truthFromPosterior: false });
    if (options.posteriorTruth) {
      scenarios.push({ hr, parameterUncertainty: false, truthFromPosterior: true });
      if (pu) scenarios.push({ hr, parameterUncertainty: true, truthFromPosterior: true });
    }
  }
  return {
    options,
    protocolDoc: parse(readFileSync(protocolFile, 'utf8')) as Record<string, unknown>,
    protocolDir: dirname(protocolFile),
    model: prepared.model,
    criteria: prepared.criteria,
    outcome: p.outcome,
    followUp: {
      accrual: p.followUp.accrual,
      studyDuration: p.followUp.studyDuration,
      dropoutRate: p.followUp.dropoutRate,
    },
    maxDraws: p.control.maxDraws,
    columns: p.inputs.treated.columns,
    covariateColumns: covariates.map((v) => [v, p.inputs.treated.covariates[v] ?? v]),
    scenarios,
    puSupported,
  };
}

/** A treated arm of n patients from the model with true hazard ratio `hr`, censored by design. */
function drawTreated(
  s: Setup,
  n: number,
  hr: number,
  seed: number,
  trial: number,
  truthFromPosterior = false,
): { cohort: Cohort; time: Float64Array; event: Uint8Array } {
  const stream = createStream(seed, 0, trial);
  const model = truthFromPosterior ? drawParameters(s.model, stream.substream(2)).model : s.model;
  const { cohort } = drawEligible(model, s.criteria, n, stream.substream(0), s.maxDraws);
  const latent = (cohort.columns.get(s.outcome) as { values: Float64Array }).values;
  const k = timeMultiplier(s.model, s.outcome, hr);
  const scaled = Float64Array.from(latent, (t) => t * k);
  const { time, event } = applyCensoring(
    scaled,
    {
      accrual: { duration: s.followUp.accrual, shape: 'uniform' },
      studyDuration: s.followUp.studyDuration,
      dropoutRate: s.followUp.dropoutRate,
    },
    stream.substream(1),
  );
  return { cohort, time, event };
}

function treatedCsv(s: Setup, cohort: Cohort, time: Float64Array, event: Uint8Array): string {
  const { id, time: timeCol, event: eventCol, censor } = s.columns;
  const header = [
    ...(id ? [id] : []),
    ...s.covariateColumns.map(([, c]) => c),
    timeCol!,
    (eventCol ?? censor)!,
  ];
  const lines = [header.join(',')];
  for (let i = 0; i < cohort.n; i++) {
    const row: string[] = id ? [`SIM-${String(i + 1).padStart(4, '0')}`] : [];
    for (const [v] of s.covariateColumns) {
      const c = cohort.columns.get(v)!;
      row.push(c.kind === 'numeric' ? String(c.values[i]) : c.levels[c.codes[i]!]!);
    }
    row.push(String(Number(time[i]!.toPrecision(10))));
    row.push(String(eventCol ? event[i] : 1 - event[i]!));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

function protocolCopy(s: Setup, scenario: Scenario, runSeed: number): string {
  const doc = structuredClone(s.protocolDoc) as {
    inputs: { treated: { file: string }; model: string };
    control: Record<string, unknown>;
  };
  doc.inputs.treated.file = 'treated.csv';
  doc.inputs.model = resolve(s.protocolDir, doc.inputs.model);
  doc.control['replicates'] = s.options.replicates;
  doc.control['seed'] = runSeed;
  if (s.puSupported) doc.control['parameterUncertainty'] = scenario.parameterUncertainty;
  if (s.options.controlSize !== undefined) {
    delete doc.control['ratio'];
    doc.control['size'] = s.options.controlSize;
  }
  return stringify(doc);
}

function analysisRecord(a: CombinedAnalysis): AnalysisRecord {
  const z = qnorm(1 - (1 - a.confLevel) / 2);
  return {
    logEstimate: a.logEstimate,
    lower: a.lower,
    upper: a.upper,
    se: a.se,
    df: a.df,
    p: a.p,
    fallback: a.combining.method !== 'raghunathan-2003',
    between: a.combining.between,
    within: a.combining.within,
    repLog: a.replicates.map((r) => Math.log(r.estimate)),
    repVar: a.replicates.map((r) => ((Math.log(r.upper) - Math.log(r.lower)) / (2 * z)) ** 2),
  };
}

async function runTrial(
  s: Setup,
  dir: string,
  scenarioIndex: number,
  trial: number,
): Promise<TrialRecord> {
  const started = process.hrtime.bigint();
  const scenario = s.scenarios[scenarioIndex]!;
  const { cohort, time, event } = drawTreated(
    s,
    s.options.treatedSize,
    scenario.hr,
    s.options.seed,
    trial,
    scenario.truthFromPosterior,
  );
  const runSeed = createStream(s.options.seed, 1, trial).uint32();
  writeFileSync(join(dir, 'treated.csv'), treatedCsv(s, cohort, time, event));
  const protocolFile = join(dir, 'protocol.yaml');
  writeFileSync(protocolFile, protocolCopy(s, scenario, runSeed));
  let treatedEvents = 0;
  for (const e of event) treatedEvents += e;
  let out;
  try {
    out = await runProtocol({ protocolFile, command: 'validate-coverage' });
  } catch (err) {
    // A failed run is a finding, not a reason to stop: keep the inputs of the first few.
    let keep: string | undefined;
    if (keptFailures++ < MAX_KEPT_FAILURES) {
      keep = mkdtempSync(join(tmpdir(), `ecasim-coverage-failed-s${scenarioIndex}-t${trial}-`));
      // Self-contained: the frozen model is deleted when the study ends.
      copyFileSync(join(dir, 'treated.csv'), join(keep, 'treated.csv'));
      const doc = parse(readFileSync(protocolFile, 'utf8')) as { inputs: { model: string } };
      copyFileSync(doc.inputs.model, join(keep, 'model.json'));
      doc.inputs.model = 'model.json';
      writeFileSync(join(keep, 'protocol.yaml'), stringify(doc));
    }
    return {
      scenario: scenarioIndex,
      trial,
      treatedEvents,
      error: err instanceof Error ? err.message : String(err),
      ...(keep ? { inputs: keep } : {}),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }
  const all = [out.results.primary, ...out.results.secondary];
  const analyses = {} as Record<Method, AnalysisRecord>;
  for (const method of METHODS) {
    const a = all.find((x) => x.method === method);
    if (a === undefined) throw new Error(`the protocol's plan has no ${method} analysis`);
    analyses[method] = analysisRecord(a);
  }
  return {
    scenario: scenarioIndex,
    trial,
    treatedEvents,
    analyses,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/**
 * The large-sample value of the log HR that an unadjusted (marginal) Cox model estimates when
 * both arms share the covariate distribution and the conditional HR is `hr`: with covariate
 * heterogeneity the marginal HR is closer to 1 than the conditional one (non-collapsibility;
 * Gail, Wieand & Piantadosi 1984) and depends on censoring. Computed from one large simulated
 * trial (n per arm); the IPTW-ATT analysis targets the same marginal HR here, since its weights
 * are ≈ 1 when the arms come from the same population.
 */
function marginalLogHr(s: Setup, hr: number, n: number): { estimate: number; se: number } {
  const seed = s.options.seed;
  const t = drawTreated(s, n, hr, seed, 1_000_000);
  const c = drawTreated(s, n, 1, seed, 1_000_001);
  const time = new Float64Array(2 * n);
  const status = new Float64Array(2 * n);
  const group = new Float64Array(2 * n);
  time.set(t.time);
  time.set(c.time, n);
  for (let i = 0; i < n; i++) [status[i], status[n + i], group[i]] = [t.event[i]!, c.event[i]!, 1];
  const fit = fitCox({ time, status, x: [group], names: ['treated'] });
  return { estimate: fit.coef[0]!, se: fit.se[0]! };
}

// ---------------------------------------------------------------------------------------------
// Summaries

/** Alternative intervals from the same replicates, for the diagnosis (see docs/validation.md). */
type Interval = 'pipeline' | 'ubar' | 'ubarRobust' | 'proposed';
const INTERVALS: readonly Interval[] = ['pipeline', 'ubar', 'ubarRobust', 'proposed'];

/** Log-scale interval of one trial's analysis by the pipeline's rule or an alternative. */
function interval(a: AnalysisRecord, kind: Interval, confLevel: number): [number, number] {
  if (kind === 'pipeline') return [Math.log(a.lower), Math.log(a.upper)];
  const m = a.repLog.length;
  const z = qnorm(1 - (1 - confLevel) / 2);
  if (kind === 'ubar') {
    const se = Math.sqrt(a.within);
    return [a.logEstimate - z * se, a.logEstimate + z * se];
  }
  // ū from the variance each replicate's own interval uses (robust for IPTW, as the per-replicate
  // intervals are; the pipeline combines the model-based one).
  const ubar = a.repVar.reduce((x, y) => x + y, 0) / m;
  if (kind === 'ubarRobust') {
    const se = Math.sqrt(ubar);
    return [a.logEstimate - z * se, a.logEstimate + z * se];
  }
  // proposed: Var(q̄) = V_treated + V_control/m estimated by ū − (1 − 1/m)·b; never below ū/m.
  const t = Math.max(ubar - (1 - 1 / m) * a.between, ubar / m);
  const se = Math.sqrt(t);
  return [a.logEstimate - z * se, a.logEstimate + z * se];
}

interface IntervalStats {
  coverage: number;
  mcse: number;
  rejection: number;
  meanSe: number;
  width: number;
}

interface Row {
  scenario: string;
  hr: number;
  method: Method;
  n: number;
  /** Trials whose run failed (left out of every rate). */
  failed: number;
  target: number;
  meanHr: number;
  meanLog: number;
  empSd: number;
  fallback: number;
  coverageNoFallback: number | null;
  nNoFallback: number;
  coverageFallback: number | null;
  meanWithin: number;
  meanRepVar: number;
  meanBetween: number;
  intervals: Record<Interval, IntervalStats>;
}

const mean = (xs: readonly number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;

function scenarioLabel(sc: Scenario): string {
  return `HR ${sc.hr}, PU ${sc.parameterUncertainty ? 'on' : 'off'}${sc.truthFromPosterior ? ', truth ~ posterior' : ''}`;
}

function summarise(
  records: readonly TrialRecord[],
  scenarios: readonly Scenario[],
  truth: Map<number, Map<Method, number>>,
  confLevel: number,
): Row[] {
  const z = qnorm(1 - (1 - confLevel) / 2);
  const rows: Row[] = [];
  scenarios.forEach((sc, k) => {
    const all = records.filter((r) => r.scenario === k);
    const recs = all.filter((r) => r.analyses !== undefined);
    const failed = all.length - recs.length;
    const n = recs.length;
    for (const method of METHODS) {
      const target = truth.get(sc.hr)!.get(method)!;
      const as = recs.map((r) => r.analyses![method]);
      const stats = (kind: Interval): { s: IntervalStats; covers: boolean[] } => {
        const iv = as.map((a) => interval(a, kind, confLevel));
        const covers = iv.map(([lo, hi]) => lo <= target && target <= hi);
        const coverage = covers.filter(Boolean).length / n;
        return {
          covers,
          s: {
            coverage,
            mcse: Math.sqrt((coverage * (1 - coverage)) / n),
            rejection: iv.filter(([lo, hi]) => lo > 0 || hi < 0).length / n,
            meanSe: mean(iv.map(([lo, hi]) => (hi - lo) / 2 / z)),
            width: mean(iv.map(([lo, hi]) => Math.exp(hi) - Math.exp(lo))),
          },
        };
      };
      const intervals = {} as Record<Interval, IntervalStats>;
      let pipelineCovers: boolean[] = [];
      for (const kind of INTERVALS) {
        const { s, covers } = stats(kind);
        intervals[kind] = s;
        if (kind === 'pipeline') pipelineCovers = covers;
      }
      const fb = as.map((a) => a.fallback);
      const sub = (want: boolean): number | null => {
        const idx = fb.map((f, i) => (f === want ? i : -1)).filter((i) => i >= 0);
        return idx.length ? idx.filter((i) => pipelineCovers[i]).length / idx.length : null;
      };
      const logs = as.map((a) => a.logEstimate);
      const meanLog = mean(logs);
      rows.push({
        scenario: scenarioLabel(sc),
        hr: sc.hr,
        method,
        n,
        failed,
        target,
        meanHr: mean(logs.map(Math.exp)),
        meanLog,
        empSd: Math.sqrt(logs.reduce((x, y) => x + (y - meanLog) ** 2, 0) / (n - 1)),
        fallback: fb.filter(Boolean).length / n,
        coverageNoFallback: sub(false),
        nNoFallback: fb.filter((f) => !f).length,
        coverageFallback: sub(true),
        meanWithin: mean(as.map((a) => a.within)),
        meanRepVar: mean(as.map((a) => mean(a.repVar))),
        meanBetween: mean(as.map((a) => a.between)),
        intervals,
      });
    }
  });
  return rows;
}

function pct(x: number | null, digits = 1): string {
  return x === null ? '—' : `${(100 * x).toFixed(digits)}%`;
}

function markdown(head: readonly string[], body: readonly string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((b) => `| ${b.join(' | ')} |`),
  ].join('\n');
}

/** Table 1: the pipeline as it is. Table 2: the variance diagnosis and the alternatives. */
function printTables(rows: readonly Row[]): void {
  console.log(
    markdown(
      [
        'scenario',
        'analysis',
        'trials (failed)',
        'true HR (target)',
        'coverage',
        'MC SE',
        'reject H0: HR = 1',
        'mean HR',
        'mean CI width',
        'fallback T* = ū',
        'coverage, T > 0 cases',
        'coverage, fallback cases',
      ],
      rows.map((r) => [
        r.scenario,
        r.method,
        `${r.n} (${r.failed})`,
        Math.exp(r.target).toFixed(3),
        pct(r.intervals.pipeline.coverage),
        pct(r.intervals.pipeline.mcse),
        `${pct(r.intervals.pipeline.rejection)}${r.hr === 1 ? ' (type I)' : ' (power)'}`,
        r.meanHr.toFixed(3),
        r.intervals.pipeline.width.toFixed(3),
        pct(r.fallback, 0),
        `${pct(r.coverageNoFallback)} (n=${r.nNoFallback})`,
        pct(r.coverageFallback),
      ]),
    ),
  );
  console.log(
    '\nVariance diagnosis (log-HR scale): empirical SD of the combined estimate over trials',
  );
  console.log('against the mean SE of each interval rule; coverage / rejection of each rule.\n');
  console.log(
    markdown(
      [
        'scenario',
        'analysis',
        'bias (log HR)',
        'emp. SD',
        'mean ū (pipeline)',
        'mean ū (replicate CIs)',
        'mean b',
        'SE pipeline',
        'SE √ū',
        'SE √ū robust',
        'SE proposed',
        'coverage pipeline / √ū / √ū robust / proposed',
        'reject H0 pipeline / √ū / √ū robust / proposed',
      ],
      rows.map((r) => [
        r.scenario,
        r.method,
        (r.meanLog - r.target).toFixed(4),
        r.empSd.toFixed(4),
        r.meanWithin.toFixed(5),
        r.meanRepVar.toFixed(5),
        r.meanBetween.toFixed(5),
        r.intervals.pipeline.meanSe.toFixed(4),
        r.intervals.ubar.meanSe.toFixed(4),
        r.intervals.ubarRobust.meanSe.toFixed(4),
        r.intervals.proposed.meanSe.toFixed(4),
        INTERVALS.map((k) => pct(r.intervals[k].coverage)).join(' / '),
        INTERVALS.map((k) => pct(r.intervals[k].rejection)).join(' / '),
      ]),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Driver

/** Failed runs whose inputs are kept (per thread) for reproduction. */
const MAX_KEPT_FAILURES = 5;
let keptFailures = 0;

/**
 * Freezes the inputs for the whole study: the protocol (pointing to copies of its model and
 * treated data) in a directory of its own, so a model file edited while the study runs cannot mix
 * two models into one table. Returns the frozen protocol's path and the model's SHA-256.
 */
function freezeInputs(protocol: string): { protocol: string; dir: string; modelSha256: string } {
  const file = resolve(protocol);
  const doc = parse(readFileSync(file, 'utf8')) as {
    inputs: { treated: { file: string }; model: string };
    audit?: unknown;
  };
  // The model-versus-registry audit does not touch the estimates; its inputs are not frozen.
  delete doc.audit;
  const dir = mkdtempSync(join(tmpdir(), 'ecasim-coverage-inputs-'));
  const model = readFileSync(resolve(dirname(file), doc.inputs.model));
  writeFileSync(join(dir, 'model.json'), model);
  copyFileSync(resolve(dirname(file), doc.inputs.treated.file), join(dir, 'treated-original.csv'));
  doc.inputs.model = 'model.json';
  doc.inputs.treated.file = 'treated-original.csv';
  writeFileSync(join(dir, 'protocol.yaml'), stringify(doc));
  return {
    protocol: join(dir, 'protocol.yaml'),
    dir,
    modelSha256: createHash('sha256').update(model).digest('hex'),
  };
}

interface Job {
  scenario: number;
  trial: number;
}

type WorkerMsg = { type: 'record'; record: TrialRecord } | { type: 'error'; message: string };

async function runJobs(
  s: Setup,
  jobs: readonly Job[],
  onRecord: (r: TrialRecord) => void,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ecasim-coverage-'));
  try {
    for (const j of jobs) onRecord(await runTrial(s, dir, j.scenario, j.trial));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  const frozen = freezeInputs(parsed.protocol);
  try {
    await study({ ...parsed, protocol: frozen.protocol }, parsed.protocol, frozen.modelSha256);
  } finally {
    rmSync(frozen.dir, { recursive: true, force: true });
  }
}

async function study(options: Options, shownProtocol: string, modelSha256: string): Promise<void> {
  const s = setup(options);
  const confLevel = 0.95;
  const puNote = !s.puSupported
    ? 'NOT in the protocol schema: scenarios without only'
    : options.parameterUncertainty
      ? 'supported: scenarios with and without'
      : 'supported, but off in every scenario (--no-parameter-uncertainty)';
  const controlN =
    options.controlSize ??
    ((s.protocolDoc['control'] as Record<string, unknown>)['size'] as number | undefined) ??
    `ratio ${String((s.protocolDoc['control'] as Record<string, unknown>)['ratio'])}`;
  console.error(
    `validate-coverage: ${options.trials} trials × ${s.scenarios.length} scenarios, m = ${options.replicates}, ` +
      `treated n = ${options.treatedSize}, seed ${options.seed}, ${options.workers} worker(s); ` +
      `control n = ${controlN}; control.parameterUncertainty ${puNote}`,
  );
  console.error(`  protocol ${shownProtocol}; covariate model SHA-256 ${modelSha256}`);

  const truth = new Map<number, Map<Method, number>>();
  for (const hr of options.hrs) {
    const marginal = hr === 1 ? { estimate: 0, se: 0 } : marginalLogHr(s, hr, 200_000);
    if (hr !== 1) {
      console.error(
        `  HR ${hr}: conditional log HR ${Math.log(hr).toFixed(4)}; marginal (unadjusted/IPTW) target ` +
          `${marginal.estimate.toFixed(4)} (HR ${Math.exp(marginal.estimate).toFixed(4)}, MC SE ${marginal.se.toFixed(4)})`,
      );
    }
    truth.set(
      hr,
      new Map<Method, number>([
        ['cox-adjusted', Math.log(hr)],
        ['cox-unadjusted', marginal.estimate],
        ['cox-iptw', marginal.estimate],
      ]),
    );
  }

  const jobs: Job[] = [];
  for (let trial = 0; trial < options.trials; trial++)
    for (let scenario = 0; scenario < s.scenarios.length; scenario++)
      jobs.push({ scenario, trial });
  const records: TrialRecord[] = [];
  const started = Date.now();
  const progress = (r: TrialRecord): void => {
    records.push(r);
    const done = records.length;
    if (done % 10 === 0 || done === jobs.length) {
      const el = (Date.now() - started) / 1000;
      console.error(
        `  ${done}/${jobs.length} trials, ${el.toFixed(0)} s elapsed, ~${((el / done) * (jobs.length - done)).toFixed(0)} s to go`,
      );
    }
  };
  if (options.workers <= 1) await runJobs(s, jobs, progress);
  else {
    const script = fileURLToPath(import.meta.url);
    await Promise.all(
      Array.from({ length: options.workers }, (_, w) => {
        const mine = jobs.filter((_, i) => i % options.workers === w);
        return new Promise<void>((res, rej) => {
          const worker = new Worker(script, { workerData: { options, jobs: mine } });
          worker.on('message', (msg: WorkerMsg) =>
            msg.type === 'record' ? progress(msg.record) : rej(new Error(msg.message)),
          );
          worker.on('error', rej);
          worker.on('exit', (code) =>
            code === 0 ? res() : rej(new Error(`worker ${w} exited ${code}`)),
          );
        });
      }),
    );
  }
  records.sort((a, b) => a.scenario - b.scenario || a.trial - b.trial);
  const seconds = (Date.now() - started) / 1000;

  const rows = summarise(records, s.scenarios, truth, confLevel);
  console.log(
    `\nCoverage of the combined ${confLevel * 100}% interval (${options.trials} trials a scenario, m = ${options.replicates}, ` +
      `treated n = ${options.treatedSize}, control n = ${controlN}); ` +
      `runtime ${seconds.toFixed(0)} s (${(seconds / records.length).toFixed(2)} s a trial, ${options.workers} worker(s))\n`,
  );
  printTables(rows);
  console.log(`\nmean treated events: ${mean(records.map((r) => r.treatedEvents)).toFixed(1)}`);
  const failures = records.filter((r) => r.error !== undefined);
  if (failures.length > 0) {
    console.log(`\n${failures.length} run(s) failed (left out of the rates above):`);
    // Grouped by message with its numbers masked, so a systematic failure shows as one line.
    const groups = new Map<string, TrialRecord[]>();
    for (const f of failures) {
      const key = `${scenarioLabel(s.scenarios[f.scenario]!)}: ${f.error!.replace(/-?\d+(\.\d+)?(e-?\d+)?/g, '#')}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const [key, fs] of groups) {
      const kept = fs.filter((f) => f.inputs !== undefined).map((f) => f.inputs);
      console.log(
        `- ${fs.length}× ${key} (trials ${fs.map((f) => f.trial).join(', ')}; e.g. "${fs[0]!.error}"` +
          `${kept.length ? `; inputs kept in ${kept.join(', ')}` : ''})`,
      );
    }
  }
  if (options.json) {
    writeFileSync(
      options.json,
      JSON.stringify(
        {
          options: { ...options, protocol: shownProtocol },
          modelSha256,
          scenarios: s.scenarios,
          truth: Object.fromEntries([...truth].map(([hr, m]) => [hr, Object.fromEntries(m)])),
          seconds,
          rows,
          records,
        },
        null,
        1,
      ) + '\n',
    );
    console.error(`wrote ${options.json}`);
  }
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  });
} else {
  const { options, jobs } = workerData as { options: Options; jobs: Job[] };
  const s = setup(options);
  runJobs(s, jobs, (record) =>
    parentPort!.postMessage({ type: 'record', record } satisfies WorkerMsg),
  ).catch((err: unknown) =>
    parentPort!.postMessage({
      type: 'error',
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    } satisfies WorkerMsg),
  );
}
