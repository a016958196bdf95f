/**
 * Sensitivity analyses for a hazard ratio: E-values for unmeasured confounding and tipping points
 * (how far the estimate, or the imputed control hazard, must move before the conclusion flips).
 */
import { pnorm, qnorm } from './distributions.js';
import { StatsError, type StatsWarning } from './errors.js';

/** Options of {@link eValue}. */
export interface EValueOptions {
  /**
   * Whether the outcome is rare (< 15% at the end of follow-up). Rare: the HR is taken as a risk
   * ratio. Common: converted by RR ≈ (1 − 0.5^√HR)/(1 − 0.5^√(1/HR)). Required, as in the EValue
   * package, because the two give very different answers.
   */
  rare: boolean;
}

/** Result of {@link eValue}. */
export interface EValueResult {
  /** The hazard ratio on the risk-ratio scale (converted when the outcome is common). */
  readonly rr: {
    readonly estimate: number;
    readonly lower: number | null;
    readonly upper: number | null;
  };
  /** E-value of the point estimate. */
  readonly estimate: number;
  /**
   * E-value of the confidence limit closest to 1; 1 when the interval includes 1; null when no
   * interval was given.
   */
  readonly limit: number | null;
  readonly method: 'hr-rare' | 'hr-common';
  readonly warnings: StatsWarning[];
}

/** HR → RR of VanderWeele & Ding (2017), Table 2 (common outcome; VanderWeele 2020 Biometrics). */
function hrToRr(hr: number, rare: boolean): number {
  return rare ? hr : (1 - 0.5 ** Math.sqrt(hr)) / (1 - 0.5 ** Math.sqrt(1 / hr));
}

/** E-value of a risk ratio: RR + √(RR·(RR − 1)), after inverting RR < 1. */
function eValueRr(rr: number): number {
  const r = rr < 1 ? 1 / rr : rr;
  return r + Math.sqrt(r * (r - 1));
}

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) {
    throw new StatsError(
      'invalid-ratio',
      `invalid \`${name}\`: expected a finite hazard ratio > 0, found ${v}`,
      {
        field: name,
      },
    );
  }
}

/**
 * E-value of a hazard ratio and of its confidence limit closest to the null (VanderWeele TJ & Ding P,
 * 2017, "Sensitivity analysis in observational research: introducing the E-value", Ann Intern Med
 * 167:268–275): the minimum strength of association, on the risk-ratio scale, that an unmeasured
 * confounder would need with both treatment and outcome to explain the estimate away,
 * E = RR + √(RR·(RR − 1)) for RR ≥ 1 (RR < 1 is inverted first). For a hazard ratio the outcome's
 * frequency matters: rare (< 15%) → RR = HR; common → RR ≈ (1 − 0.5^√HR)/(1 − 0.5^√(1/HR)), the
 * conversion of the EValue R package's `evalues.HR` (Mathur, Ding, Riddell & VanderWeele 2018).
 * The limit's E-value is 1 when the interval includes 1.
 *
 * Complexity: O(1).
 * @example
 * eValue(0.56, 0.46, 0.69, { rare: false });
 * // → { rr: { estimate: 0.670, lower: 0.586, upper: 0.774 }, estimate: 2.35, limit: 1.91, method: 'hr-common', ... }
 */
export function eValue(
  hr: number,
  lower: number | null,
  upper: number | null,
  options: EValueOptions,
): EValueResult {
  if (options === undefined || typeof options.rare !== 'boolean') {
    throw new StatsError(
      'invalid-option',
      'invalid option. `rare` must be true or false: is the outcome rare (< 15% at the end of follow-up)?',
      { field: 'rare' },
    );
  }
  const { rare } = options;
  checkPositive('hr', hr);
  if ((lower === null) !== (upper === null)) {
    throw new StatsError('invalid-interval', 'give both confidence limits or neither', {
      field: 'lower',
    });
  }
  if (lower !== null && upper !== null) {
    checkPositive('lower', lower);
    checkPositive('upper', upper);
    if (!(lower <= hr && hr <= upper)) {
      throw new StatsError(
        'invalid-interval',
        `invalid interval: expected lower <= hr <= upper, found ${lower} <= ${hr} <= ${upper}`,
        { field: 'lower' },
      );
    }
  }
  const rr = hrToRr(hr, rare);
  const rrLower = lower === null ? null : hrToRr(lower, rare);
  const rrUpper = upper === null ? null : hrToRr(upper, rare);
  let limit: number | null = null;
  if (rrLower !== null && rrUpper !== null) {
    if (rrLower <= 1 && rrUpper >= 1) limit = 1;
    else limit = eValueRr(rr > 1 ? rrLower : rrUpper);
  }
  return {
    rr: { estimate: rr, lower: rrLower, upper: rrUpper },
    estimate: eValueRr(rr),
    limit,
    method: rare ? 'hr-rare' : 'hr-common',
    warnings: [],
  };
}

/** Which conclusion is being stress-tested. */
export type Direction = 'benefit' | 'harm';

/** Options shared by the tipping-point analyses. */
export interface TippingOptions {
  /** Significance level (default 0.05). */
  alpha?: number;
  /** 2 (default): limits of the two-sided 1 − alpha interval; 1: the one-sided 1 − alpha bound. */
  sided?: 1 | 2;
  /**
   * 'benefit' (default): the conclusion is "HR < 1", i.e. the upper limit below 1. 'harm': "HR > 1",
   * the lower limit above 1.
   */
  direction?: Direction;
}

/** One row of a tipping-point grid. */
export interface TippingRow {
  /** The shift (log-HR) or the inflation factor. */
  readonly shift: number;
  readonly logHr: number;
  readonly se: number;
  /** Hazard ratio exp(logHr) and its limits. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** p-value of the Wald test (two-sided, or one-sided in `direction` when sided = 1). */
  readonly p: number;
  /** Whether the conclusion in `direction` holds at this shift. */
  readonly significant: boolean;
}

/** Result of {@link tippingPoint}. */
export interface TippingPointResult {
  /** δ* on the log-HR scale at which the limit reaches 1 exactly. */
  readonly shift: number;
  /** exp(logHr + δ*), the hazard ratio at the tipping point. */
  readonly estimate: number;
  /** Whether the conclusion holds unshifted. */
  readonly significant: boolean;
  /** The normal quantile used (z_{1−alpha/2} or z_{1−alpha}). */
  readonly z: number;
  readonly grid: readonly TippingRow[];
  readonly method: 'log-hr-shift';
  readonly warnings: StatsWarning[];
}

interface ResolvedTipping {
  alpha: number;
  sided: 1 | 2;
  direction: Direction;
  z: number;
}

function resolveTipping(options: TippingOptions): ResolvedTipping {
  const { alpha = 0.05, sided = 2, direction = 'benefit' } = options;
  if (!(typeof alpha === 'number' && alpha > 0 && alpha < 1)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`alpha\` must be a number in (0,1). Value: \`${alpha}\`.`,
      {
        field: 'alpha',
      },
    );
  }
  if (sided !== 1 && sided !== 2) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`sided\` must be 1 or 2. Value: \`${String(sided)}\`.`,
      {
        field: 'sided',
      },
    );
  }
  if (direction !== 'benefit' && direction !== 'harm') {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`direction\` must be 'benefit' or 'harm'. Value: \`${String(direction)}\`.`,
      { field: 'direction' },
    );
  }
  return { alpha, sided, direction, z: qnorm(1 - alpha / sided) };
}

function checkEstimate(logHr: number, se: number, where: string): void {
  if (!Number.isFinite(logHr)) {
    throw new StatsError(
      'invalid-estimate',
      `invalid log hazard ratio${where}: expected a finite number, found ${logHr}`,
      {
        field: 'logHr',
      },
    );
  }
  if (!(Number.isFinite(se) && se > 0)) {
    throw new StatsError(
      'invalid-se',
      `invalid standard error${where}: expected a finite number > 0, found ${se}`,
      {
        field: 'se',
      },
    );
  }
}

function row(shift: number, logHr: number, se: number, t: ResolvedTipping): TippingRow {
  const zStat = logHr / se;
  const p =
    t.sided === 2
      ? 2 * pnorm(-Math.abs(zStat))
      : t.direction === 'benefit'
        ? pnorm(zStat)
        : pnorm(-zStat);
  const lower = logHr - t.z * se;
  const upper = logHr + t.z * se;
  return {
    shift,
    logHr,
    se,
    estimate: Math.exp(logHr),
    lower: Math.exp(lower),
    upper: Math.exp(upper),
    p,
    significant: t.direction === 'benefit' ? upper < 0 : lower > 0,
  };
}

/**
 * Tipping point of a hazard-ratio conclusion under a shift δ of the log hazard ratio (a simple
 * delta-adjustment sensitivity analysis; cf. the tipping-point analyses of Yan, Lee & Li 2009,
 * "Missing data handling methods in medical device clinical trials", J Biopharm Stat 19:1085–1098):
 * with z = z_{1−α/2} (two-sided) or z_{1−α} (one-sided), the benefit conclusion's upper limit
 * logHr + δ + z·se reaches 0 at δ* = −logHr − z·se; for 'harm' the lower limit reaches 0 at
 * δ* = −logHr + z·se. The conclusion holds when δ* points towards the null (δ* > 0 for 'benefit',
 * δ* < 0 for 'harm') and then survives any smaller shift; otherwise it would need a shift of δ* to
 * hold. The grid evaluates the shifted interval
 * (the standard error is kept) at `shifts` (default: 21 points from 0 to 2·δ*).
 *
 * Complexity: O(grid size).
 * @example
 * tippingPoint(-0.5, 0.15).shift; // → 0.2060054 (0.5 − 1.959964·0.15)
 */
export function tippingPoint(
  logHr: number,
  se: number,
  options: TippingOptions & { shifts?: ArrayLike<number> } = {},
): TippingPointResult {
  const t = resolveTipping(options);
  checkEstimate(logHr, se, '');
  const shift = t.direction === 'benefit' ? -logHr - t.z * se : -logHr + t.z * se;
  let shifts: ArrayLike<number>;
  if (options.shifts !== undefined) {
    shifts = options.shifts;
    for (let i = 0; i < shifts.length; i++) {
      if (!Number.isFinite(shifts[i])) {
        throw new StatsError(
          'invalid-shift',
          `invalid shift at position ${i}: expected a finite number, found ${shifts[i]}`,
          {
            field: 'shifts',
            index: i,
          },
        );
      }
    }
  } else {
    shifts = Array.from({ length: 21 }, (_, i) => (2 * shift * i) / 20);
  }
  const grid = Array.from(shifts, (d) => row(d, logHr + d, se, t));
  return {
    shift,
    estimate: Math.exp(logHr + shift),
    significant: row(0, logHr, se, t).significant,
    z: t.z,
    grid,
    method: 'log-hr-shift',
    warnings: [],
  };
}

/** What the injected refit returns for one hazard inflation. */
export interface RefitResult {
  logHr: number;
  se: number;
}

/** Options of {@link inflationTippingPoint}. */
export interface InflationOptions extends TippingOptions {
  /**
   * Inflation factors to evaluate, increasing (default 1, 1.1, …, 3). 1 is "no inflation"; the
   * search looks for the first change of conclusion along the grid, then bisects between the two
   * neighbouring points.
   */
  grid?: ArrayLike<number>;
  /** Bisection stops when the bracket is narrower than this (default 1e-6). */
  tol?: number;
  /** Maximum number of bisection steps (default 60). */
  maxIter?: number;
}

/** Result of {@link inflationTippingPoint}. */
export interface InflationTippingResult {
  /**
   * The inflation at which the conclusion flips (the midpoint of the final bracket), or null when it
   * does not flip within the grid.
   */
  readonly inflation: number | null;
  /** The final bracket [last inflation with the original conclusion, first with the other]. */
  readonly bracket: readonly [number, number] | null;
  /** Whether the conclusion holds at the first grid point. */
  readonly significant: boolean;
  /** The grid evaluations (`shift` holds the inflation). */
  readonly grid: readonly TippingRow[];
  /** Number of refits performed. */
  readonly evaluations: number;
  readonly method: 'hazard-inflation';
  readonly warnings: StatsWarning[];
}

/**
 * Tipping point in the hazard of the (synthetic) controls: the caller's `refit(inflation)`
 * re-imputes the censored controls with their hazard multiplied by `inflation` and refits the Cox
 * model; this evaluates it along a grid and bisects the first change of conclusion (the
 * "tipping-point" analysis for censoring of Yan et al. 2009 and of the EMA/FDA guidance on missing
 * data, with the hazard multiplier as the sensitivity parameter). The conclusion is assumed to
 * change once along the grid; a second change is reported as a warning.
 *
 * Complexity: (grid size + bisection steps) refits.
 * @example
 * const r = inflationTippingPoint((k) => ({ logHr: -0.6 + 0.5 * Math.log(k), se: 0.15 }));
 * r.inflation; // → 1.8441 (exp((0.6 − 1.959964·0.15) / 0.5))
 */
export function inflationTippingPoint(
  refit: (inflation: number) => RefitResult,
  options: InflationOptions = {},
): InflationTippingResult {
  const t = resolveTipping(options);
  const { tol = 1e-6, maxIter = 60 } = options;
  if (typeof refit !== 'function') {
    throw new StatsError(
      'invalid-option',
      'invalid option. `refit` must be a function of the inflation factor.',
      {
        field: 'refit',
      },
    );
  }
  if (!(Number.isFinite(tol) && tol > 0)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`tol\` must be a number > 0. Value: \`${tol}\`.`,
      {
        field: 'tol',
      },
    );
  }
  if (!(Number.isInteger(maxIter) && maxIter >= 0)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`maxIter\` must be an integer >= 0. Value: \`${maxIter}\`.`,
      {
        field: 'maxIter',
      },
    );
  }
  const grid = options.grid ?? Array.from({ length: 21 }, (_, i) => 1 + i / 10);
  if (grid.length < 2) {
    throw new StatsError(
      'invalid-option',
      'invalid option. `grid` must hold at least 2 inflation factors.',
      {
        field: 'grid',
      },
    );
  }
  for (let i = 0; i < grid.length; i++) {
    const g = grid[i]!;
    if (!(Number.isFinite(g) && g > 0) || (i > 0 && !(g > grid[i - 1]!))) {
      throw new StatsError(
        'invalid-grid',
        `invalid inflation at grid position ${i}: expected a finite number > 0, greater than the previous one, found ${g}`,
        { field: 'grid', index: i },
      );
    }
  }
  let evaluations = 0;
  const evaluate = (k: number): TippingRow => {
    const r = refit(k);
    evaluations++;
    checkEstimate(r?.logHr, r?.se, ` returned by refit(${k})`);
    return row(k, r.logHr, r.se, t);
  };
  const rows = Array.from(grid, evaluate);
  const start = rows[0]!.significant;
  const warnings: StatsWarning[] = [];
  const flip = rows.findIndex((r) => r.significant !== start);
  if (flip < 0) {
    warnings.push({
      code: 'no-tipping-point',
      message: `the conclusion does not change for inflations from ${grid[0]} to ${grid[grid.length - 1]}`,
    });
    return {
      inflation: null,
      bracket: null,
      significant: start,
      grid: rows,
      evaluations,
      method: 'hazard-inflation',
      warnings,
    };
  }
  if (rows.slice(flip).some((r) => r.significant === start)) {
    warnings.push({
      code: 'non-monotone',
      message:
        'the conclusion changes more than once along the inflation grid; the first change is reported',
    });
  }
  let lo = grid[flip - 1]!;
  let hi = grid[flip]!;
  for (let i = 0; i < maxIter && hi - lo > tol; i++) {
    const mid = 0.5 * (lo + hi);
    if (evaluate(mid).significant === start) lo = mid;
    else hi = mid;
  }
  return {
    inflation: 0.5 * (lo + hi),
    bracket: [lo, hi],
    significant: start,
    grid: rows,
    evaluations,
    method: 'hazard-inflation',
    warnings,
  };
}
