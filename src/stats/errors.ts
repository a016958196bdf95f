/**
 * Errors of the numerical core. `src/stats/` imports nothing of ours but `random/`, so it has its
 * own error type; the layer that called it re-words it in the user's terms, and the CLI maps any
 * that escape to the analysis-failure exit code.
 */
export class StatsError extends Error {
  /** A stable machine-readable code, e.g. `no-events`, `collinear`, `invalid-time`. */
  readonly code: string;
  /** The argument or variable concerned, when there is one. */
  readonly field: string | undefined;
  /** 0-based index of the offending observation, when there is one. */
  readonly index: number | undefined;

  constructor(code: string, message: string, options: { field?: string; index?: number } = {}) {
    super(message);
    this.name = 'StatsError';
    this.code = code;
    this.field = options.field;
    this.index = options.index;
  }
}

/** A statistical caveat attached to a result; shown in the dossier, never fatal. */
export interface StatsWarning {
  code: string;
  message: string;
}

/** Validates a two-sided confidence level, the one message form of every user-facing function. */
export function checkConfLevel(confLevel: unknown): asserts confLevel is number {
  if (!(typeof confLevel === 'number' && confLevel > 0 && confLevel < 1)) {
    throw new StatsError(
      'invalid-option',
      `invalid option. \`confLevel\` must be a number in (0,1). Value: \`${typeof confLevel === 'string' ? JSON.stringify(confLevel) : String(confLevel)}\`.`,
      { field: 'confLevel' },
    );
  }
}
