/**
 * The one vocabulary of a result (STYLE.md, "From lifelines and R survival"): an estimate, its
 * standard error, the limits of its interval, the test statistic and the two-sided p-value, named
 * the same in every result that has them. Each result's own doc comment says which SE, interval
 * and test these are.
 */
export interface Estimate {
  readonly estimate: number;
  readonly se: number;
  readonly lower: number;
  readonly upper: number;
  readonly statistic: number;
  readonly p: number;
}
