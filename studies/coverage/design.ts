/**
 * The design of the coverage study: the truths (a covariate model that plays the population, the
 * protocol analysed, the fit spec a registry is re-fitted with), the grid of cells, and which
 * random stream draws what. Pure data and small functions; nothing here draws a patient.
 *
 * Streams (seed = `--seed`), for trial t — the same in every cell, so cells differ only in what
 * they are meant to differ in (common random numbers; Morris, White & Crowther 2019, §5.3):
 *  - (seed, 0, t): the registry extract (sampling substream 0, censoring 1, as make-registry.mjs);
 *  - (seed, 1, t): the treated arm (patients 0, censoring 1; "truth ~ posterior": parameters 2);
 *  - (seed, 2, t): the run seed of the m synthetic replicates (`runReplicate(prepared, s, r)`).
 * Cells with the same truth and registry size share trial t's registry and its fit; cells with
 * the same effect (HR or OR) share its treated arm.
 */

/** Where a trial's true population comes from. */
export type TruthMode =
  /** A fixed truth model; each trial draws a registry from it and re-fits it (`ecasim fit`). */
  | 'fixed'
  /**
   * The weaker scenario of the first study: the protocol's fitted model is used as it is, and the
   * treated arm's population is drawn once per trial from that model's posterior.
   */
  | 'posterior';

import type { RegistryDesign } from '../../src/design/truth.js';

export type { RegistryDesign };

export interface TruthSetting {
  readonly id: 'nsclc' | 'als' | 'aml' | 'walk';
  readonly label: string;
  /** Repository-relative paths. */
  readonly truthModel: string;
  /** The protocol's own (fitted) model: the fit in "truth ~ posterior" mode. */
  readonly pointModel: string;
  readonly fitSpec: string;
  readonly protocol: string;
  readonly treatedN: number;
  /** Twin mode: one control per treated patient; no ratio. */
  readonly twin: boolean;
  /** Registry size of twin cells (population cells take it from the grid). */
  readonly registryN?: number;
  /** How the registry extract is censored; null for a binary or continuous endpoint (none needed). */
  readonly registry: RegistryDesign | null;
  /**
   * The treatment effect a cell applies, conditionally on the covariates: the hazard ratio of a
   * time-to-event endpoint, the odds ratio of a binary one, the mean shift of a continuous one.
   * Its grid values, cell-id prefix, and the value that means no effect (1 for a ratio, 0 for a
   * shift).
   */
  readonly effect: {
    readonly name: 'HR' | 'OR' | 'MD';
    readonly prefix: 'hr' | 'or' | 'md';
    readonly grid: readonly number[];
    readonly none: number;
  };
}

/** As examples/nsclc/make-registry.mjs draws examples/nsclc/registry.csv. */
export const MAKE_REGISTRY_DESIGN: RegistryDesign = {
  accrual: 60,
  studyDuration: 72,
  dropoutRate: 0.005,
  timePrecision: 0.01,
};

/** As examples/als/make-registry.mjs draws examples/als/registry.csv. */
export const ALS_REGISTRY_DESIGN: RegistryDesign = {
  accrual: 48,
  studyDuration: 60,
  dropoutRate: 0.005,
  timePrecision: 0.01,
  precision: { delay: 0.1 },
};

export const TRUTHS: Readonly<Record<TruthSetting['id'], TruthSetting>> = {
  nsclc: {
    id: 'nsclc',
    label: 'NSCLC (population)',
    truthModel: 'examples/nsclc/truth-model.json',
    pointModel: 'examples/nsclc/model.json',
    fitSpec: 'examples/nsclc/fit.yaml',
    protocol: 'protocols/nsclc-os.yaml',
    treatedN: 120,
    twin: false,
    registry: MAKE_REGISTRY_DESIGN,
    effect: { name: 'HR', prefix: 'hr', grid: [1, 0.7], none: 1 },
  },
  als: {
    id: 'als',
    label: 'ALS (twin)',
    truthModel: 'examples/als/truth-model.json',
    pointModel: 'examples/als/model.json',
    fitSpec: 'examples/als/fit.yaml',
    protocol: 'protocols/als-twin.yaml',
    treatedN: 30,
    twin: true,
    // The size of examples/als/registry.csv.
    registryN: 1200,
    registry: ALS_REGISTRY_DESIGN,
    effect: { name: 'HR', prefix: 'hr', grid: [1, 0.7], none: 1 },
  },
  aml: {
    id: 'aml',
    label: 'AML (binary endpoint)',
    truthModel: 'examples/aml/truth-model.json',
    pointModel: 'examples/aml/model.json',
    fitSpec: 'examples/aml/fit.yaml',
    protocol: 'protocols/aml-remission.yaml',
    // the trial of protocols/aml-remission.yaml (examples/aml/treated.csv)
    treatedN: 60,
    twin: false,
    // remission by cycle 4 is known for every patient (examples/aml/make-registry.mjs)
    registry: null,
    effect: { name: 'OR', prefix: 'or', grid: [1, 2], none: 1 },
  },
  walk: {
    id: 'walk',
    label: 'Six-minute walk (continuous endpoint)',
    truthModel: 'studies/coverage/truths/walk/truth-model.json',
    // no fitted model of its own: the study runs this truth in 'fixed' mode only
    pointModel: 'studies/coverage/truths/walk/truth-model.json',
    fitSpec: 'studies/coverage/truths/walk/fit.yaml',
    protocol: 'studies/coverage/truths/walk/protocol.yaml',
    // a rare-disease trial
    treatedN: 40,
    twin: false,
    registry: null,
    // metres of walk distance added to every treated patient's change (the truth's SD is 42)
    effect: { name: 'MD', prefix: 'md', grid: [0, 25], none: 0 },
  },
};

/** Whether `effect` is the truth's "no effect" (HR or OR 1, mean shift 0). */
export function isNoEffect(truth: TruthSetting['id'], effect: number): boolean {
  return effect === TRUTHS[truth].effect.none;
}

/** One cell of the grid. */
export interface Cell {
  /** e.g. `nsclc-n150-r10-hr1`, `als-twin-n500-hr0.7` (what `--cells` matches). */
  readonly id: string;
  readonly truth: TruthSetting['id'];
  /** Registry size (null in "truth ~ posterior" mode: no registry is drawn). */
  readonly registryN: number | null;
  /** Synthetic arm size as a multiple of the treated arm (null: twin mode, 1 per patient). */
  readonly ratio: number | null;
  /** The conditional treatment effect applied to the treated arm (TruthSetting.effect: HR or OR). */
  readonly effect: number;
}

export const GRID_REGISTRY_N = [150, 300, 1000, 3840] as const;
export const GRID_RATIOS = [1, 3, 10] as const;
/** Registry sizes of the binary-endpoint cells (examples/aml/registry.csv has 900), and the continuous ones'. */
export const GRID_AML_REGISTRY_N = [150, 300, 900] as const;

function cellId(truth: TruthSetting['id'], n: number | null, ratio: number | null, effect: number): string {
  return [
    ratio === null ? `${truth}-twin` : truth,
    ...(n === null ? [] : [`n${n}`]),
    ...(ratio === null ? [] : [`r${ratio}`]),
    `${TRUTHS[truth].effect.prefix}${effect}`,
  ].join('-');
}

/**
 * The grid: registry n × synthetic ratio × HR for the NSCLC protocol, the ALS twin protocol at
 * each HR (registry of 1200, as examples/als/registry.csv), and registry n × ratio × OR for the
 * AML protocol (binary endpoint: risk difference, risk ratio, odds ratio), and registry n ×
 * ratio × mean shift for the six-minute-walk protocol (continuous endpoint: mean difference),
 * 62 cells. In "truth ~ posterior" mode there is no registry, so the registry dimension collapses
 * (24 + 2 + 18 cells become 6 + 2 + 6) and the continuous truth, which has no fitted model, is
 * left out.
 */
export function grid(mode: TruthMode): Cell[] {
  const cells: Cell[] = [];
  const population = (truth: 'nsclc' | 'aml' | 'walk', sizes: readonly number[]): void => {
    const ns = mode === 'fixed' ? sizes : [null];
    for (const effect of TRUTHS[truth].effect.grid)
      for (const n of ns)
        for (const ratio of GRID_RATIOS)
          cells.push({ id: cellId(truth, n, ratio, effect), truth, registryN: n, ratio, effect });
  };
  population('nsclc', GRID_REGISTRY_N);
  for (const effect of TRUTHS.als.effect.grid) {
    const n = mode === 'fixed' ? TRUTHS.als.registryN! : null;
    cells.push({ id: cellId('als', n, null, effect), truth: 'als', registryN: n, ratio: null, effect });
  }
  population('aml', GRID_AML_REGISTRY_N);
  // the continuous endpoint has no fitted model to draw a posterior truth from: fixed mode only
  if (mode === 'fixed') population('walk', GRID_AML_REGISTRY_N);
  return cells;
}

/**
 * The cells whose id matches one of `patterns` (comma-separated; `*` matches any run of
 * characters), in grid order. Throws naming the ids there are when a pattern matches none.
 */
export function selectCells(cells: readonly Cell[], patterns: string | undefined): Cell[] {
  if (patterns === undefined || patterns === '') return [...cells];
  const res = patterns.split(',').map((p) => {
    const esc = p.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    return { p, re: new RegExp(`^${esc.replace(/\*/g, '.*')}$`) };
  });
  for (const { p, re } of res) {
    if (!cells.some((c) => re.test(c.id)))
      throw new Error(
        `--cells: "${p}" matches no cell; cells are ${cells.map((c) => c.id).join(', ')}`,
      );
  }
  return cells.filter((c) => res.some(({ re }) => re.test(c.id)));
}

/** Synthetic arm size of a population cell. */
export function controlSize(cell: Cell): number | null {
  return cell.ratio === null ? null : Math.round(cell.ratio * TRUTHS[cell.truth].treatedN);
}

/** The stream roots of trial t (see the file comment). */
export const STREAMS = { registry: 0, treated: 1, run: 2 } as const;
