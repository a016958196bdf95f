/** The limitations verdicts: each rule, at and around its threshold, decided from results alone. */
import type { Results } from '../../src/results.js';
import { computeVerdicts, VERDICT_THRESHOLDS } from '../../src/run/verdicts.js';

type Base = Omit<Results, 'verdicts'>;

/** Only the fields the verdicts read; the rest is never looked at. */
function base(over: Partial<Record<string, unknown>> = {}): Base {
  const analysis = {
    key: 'primary',
    name: 'Primary',
    details: { converged: true },
    combining: {
      method: 'external-control',
      parameterUncertainty: true,
      recommendation: { target: 0.1, met: true },
    },
    ess: { treated: 40, control: 80 },
  };
  return {
    alpha: 0.05,
    arms: { treated: { km: {} }, control: { n: 100 } },
    sensitivity: { phTest: { medianP: 0.3, fractionBelowAlpha: 0.1 } },
    balance: { threshold: 0.1, weighted: true, rows: [{ flagged: false }], propensity: {} },
    attrition: { acceptanceRate: 0.5 },
    primary: analysis,
    secondary: [],
    warnings: [],
    ...over,
  } as unknown as Base;
}

const byKey = (r: Base) => new Map(computeVerdicts(r).map((v) => [v.key, v]));

test('a clean run flags nothing, and every verdict names its rule and sources', () => {
  const v = computeVerdicts(base());
  expect(v.map((x) => x.key)).toEqual([
    'proportional-hazards',
    'propensity-overlap',
    'effective-sample-size',
    'covariate-balance',
    'unseen-configurations',
    'acceptance-rate',
    'convergence',
    'registry-uncertainty',
    'monte-carlo-noise',
  ]);
  for (const x of v) {
    expect(x.flagged).toBe(false);
    expect(x.rule.length).toBeGreaterThan(10);
    expect(x.source.fields.length + x.source.warnings.length).toBeGreaterThan(0);
  }
});

test('PH: median p below alpha, or p < alpha in more than half the replicates', () => {
  const ph = (medianP: number, fractionBelowAlpha: number) =>
    byKey(base({ sensitivity: { phTest: { medianP, fractionBelowAlpha } } })).get(
      'proportional-hazards',
    )!;
  expect(ph(0.049, 0).flagged).toBe(true);
  expect(ph(0.05, 0.5).flagged).toBe(false);
  expect(ph(0.2, 0.55).flagged).toBe(true);
  expect(ph(0.2, 0.5).thresholds).toEqual({ alpha: 0.05, fractionBelowAlpha: 0.5 });
  const none = byKey(base({ sensitivity: { phTest: null } })).get('proportional-hazards')!;
  expect(none).toMatchObject({ assessed: false, flagged: false });
  // no curves (binary or continuous endpoint): no PH check at all
  expect(
    byKey(base({ arms: { treated: { km: null }, control: { n: 100 } } })).has(
      'proportional-hazards',
    ),
  ).toBe(false);
});

test('ESS: below half the control arm, or a low-ess warning', () => {
  const ess = (control: number, warnings: { code: string; message: string }[] = []) =>
    byKey(base({ primary: { ...base().primary, ess: { treated: 40, control } }, warnings })).get(
      'effective-sample-size',
    )!;
  const limit = VERDICT_THRESHOLDS.essFraction * 100;
  expect(ess(limit - 0.1).flagged).toBe(true);
  expect(ess(limit).flagged).toBe(false);
  expect(ess(90, [{ code: 'low-ess', message: 'low' }]).flagged).toBe(true);
  expect(ess(90).rule).toBe('synthetic control ESS below 50% of its 100 patients');
});

test('acceptance rate below 5%', () => {
  const acc = (acceptanceRate: number) =>
    byKey(base({ attrition: { acceptanceRate } })).get('acceptance-rate')!.flagged;
  expect(acc(0.049)).toBe(true);
  expect(acc(0.05)).toBe(false);
});

test('warnings by code flag overlap, unseen configurations and convergence', () => {
  const v = byKey(
    base({
      warnings: [
        { code: 'separation', message: 's' },
        { code: 'unseen-level', message: 'u' },
        { code: 'cox-not-converged', message: 'c' },
      ],
    }),
  );
  expect(v.get('propensity-overlap')!.flagged).toBe(true);
  expect(v.get('unseen-configurations')!.flagged).toBe(true);
  expect(v.get('convergence')!.flagged).toBe(true);
  expect(v.get('registry-uncertainty')!.flagged).toBe(false);
});

test('registry uncertainty ignored, and Monte-Carlo noise at or above its target, are flagged', () => {
  const withCombining = (combining: Record<string, unknown>) =>
    byKey(base({ primary: { ...base().primary, combining } }));
  const off = withCombining({
    method: 'external-control',
    parameterUncertainty: false,
    recommendation: { target: 0.1, met: true },
  });
  expect(off.get('registry-uncertainty')!.flagged).toBe(true);
  expect(off.get('monte-carlo-noise')!.flagged).toBe(false);
  const noisy = withCombining({
    method: 'external-control',
    parameterUncertainty: true,
    recommendation: { target: 0.1, met: false },
  });
  expect(noisy.get('monte-carlo-noise')).toMatchObject({
    flagged: true,
    thresholds: { share: 0.1 },
  });
});

test('balance: any flagged row; not assessed without shared covariates', () => {
  const b = (rows: { flagged: boolean }[]) =>
    byKey(base({ balance: { threshold: 0.1, weighted: false, rows, propensity: null } })).get(
      'covariate-balance',
    )!;
  expect(b([{ flagged: false }, { flagged: true }]).flagged).toBe(true);
  expect(b([]).assessed).toBe(false);
  expect(b([]).rule).toBe('|SMD| ≥ 0.1');
});
