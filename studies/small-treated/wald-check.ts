/**
 * How well one Cox analysis of a small treated arm is calibrated, before any combining: treated
 * arms of n₁ patients drawn from a design's truth (HR 1, the protocol's follow-up and eligibility)
 * against one large cohort drawn the same way, so that the control arm's error is negligible and
 * what is measured is the treated arm's own. For each n₁: the treated events, the empirical
 * variance of the log HR against the mean model-based variance, and the type-I error of the Wald
 * test with a normal reference, with t(2·d₁) (the treated part's degrees of freedom the combining
 * rule uses, docs/combining.md) and with t(d₁ − 1), and of the score and likelihood-ratio tests.
 *
 *   npx tsc -p tsconfig.scripts.json
 *   node dist/studies/small-treated/wald-check.js studies/small-treated/design-marginal.yaml 20,40,80,120 3000
 */
import { stackOutcomes } from '../../src/analysis/stacked.js';
import { prepareDesign } from '../../src/design/index.js';
import { drawTreated } from '../../src/design/truth.js';
import { createStream } from '../../src/random/index.js';
import { fitCox } from '../../src/stats/cox.js';
import { pt } from '../../src/stats/distributions.js';

const [file, sizes = '20,40,80,120', reps = '3000', controlN = '20000'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: wald-check.js DESIGN.yaml [n1,n1,…] [reps] [controlN]');
  process.exit(2);
}
const ctx = prepareDesign(file).context;
const R = Number(reps);
const control = drawTreated(ctx.truth, ctx.treated, Number(controlN), 1, createStream(99, 7, 0));
const rate = (k: number): string =>
  `${((100 * k) / R).toFixed(2)}% (${(100 * Math.sqrt(((k / R) * (1 - k / R)) / R)).toFixed(2)})`;

console.log(
  '| n₁ | treated events | Var(log HR) / mean model variance | Wald, normal | Wald, t(2·d₁) | Wald, t(d₁ − 1) | score | likelihood ratio |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const n1 of sizes.split(',').map(Number)) {
  const rejected = { normal: 0, t2d: 0, td: 0, score: 0, lr: 0 };
  const beta: number[] = [];
  let meanVar = 0;
  let events = 0;
  for (let r = 0; r < R; r++) {
    const arm = drawTreated(ctx.truth, ctx.treated, n1, 1, createStream(12345, 1, r));
    const { time, status, group } = stackOutcomes(arm, control);
    const fit = fitCox({ time, status, x: [group], names: ['treated'] });
    const d1 = arm.event.reduce((s, e) => s + e, 0);
    const z = Math.abs(fit.coef[0]!) / Math.sqrt(fit.var[0]!);
    beta.push(fit.coef[0]!);
    meanVar += fit.var[0]! / R;
    events += d1 / R;
    if (fit.p[0]! < 0.05) rejected.normal++;
    if (2 * pt(-z, 2 * d1) < 0.05) rejected.t2d++;
    if (d1 > 1 && 2 * pt(-z, d1 - 1) < 0.05) rejected.td++;
    if (fit.tests.score.p < 0.05) rejected.score++;
    if (fit.tests.likelihoodRatio.p < 0.05) rejected.lr++;
  }
  const mean = beta.reduce((s, b) => s + b, 0) / R;
  const variance = beta.reduce((s, b) => s + (b - mean) ** 2, 0) / (R - 1);
  console.log(
    `| ${n1} | ${events.toFixed(1)} | ${(variance / meanVar).toFixed(3)} | ${rate(rejected.normal)} | ${rate(rejected.t2d)} | ${rate(rejected.td)} | ${rate(rejected.score)} | ${rate(rejected.lr)} |`,
  );
}
