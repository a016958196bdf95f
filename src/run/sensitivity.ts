/**
 * The protocol's sensitivity policy applied to the combined primary estimate: the E-value
 * (VanderWeele & Ding 2017) for hazard and risk ratios, the tipping point for ratio measures,
 * and the cox.zph PH test summarised over the replicates. A requested analysis that does not
 * apply to the primary measure is a warning, not an error.
 */
import type { Protocol } from '../protocol/schema.js';
import type { CombinedAnalysis, Results, Warning } from '../results.js';
import { quantileSorted } from '../stats/distances.js';
import { eValue, tippingPoint } from '../stats/sensitivity.js';
import type { ReplicateOutput } from './replicate.js';

/** Median of unsorted values (type-7, as R's `median`). */
export function median(xs: readonly number[]): number {
  return quantileSorted(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

/** The sensitivity section of the results; inapplicable requests are added to `warnings`. */
export function sensitivityResults(
  analysis: Pick<Protocol['analysis'], 'sensitivity' | 'alpha'>,
  primary: CombinedAnalysis,
  replicates: readonly ReplicateOutput[],
  warnings: Warning[],
): Omit<Results['sensitivity'], 'covariateEffects'> {
  const { sensitivity: sens, alpha } = analysis;
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
  return {
    eValue: ev ? { rareOutcome, estimate: ev.estimate, limit: ev.limit, method: ev.method } : null,
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
  };
}
