/**
 * Diagnostic behind docs/combining.md, "The registry term at small registries": are the
 * parameter draws as wide as the registry fit's sampling error? For registry size n, over many
 * registries drawn from the NSCLC truth and re-fitted with the example's fit spec:
 *
 * - `--check fit`: for every outcome parameter, its variance over registries against the mean
 *   variance the fitted covariance gives it; and the same for the log cumulative hazard at `--t`
 *   months of the mean treated patient (the quantity a synthetic arm reproduces).
 * - `--check contrast` (default): V_R, the variance over registries of each Cox analysis's log HR
 *   computed at the fitted parameters (one large treated arm, the same in every registry, large
 *   synthetic arms, parameter uncertainty off), against V_P, the mean over registries of the
 *   log HR's variance over `--draws` parameter draws (b − ū_C). A calibrated posterior has
 *   V_P ≈ V_R.
 *
 * `--covariance information|bootstrap` chooses how the fit estimates the covariance (the fit
 * spec's `covariance.method`; default: the spec's own). Run after `npm run validate:coverage`
 * has compiled the studies: `node dist/studies/coverage/posterior-check.js --n 150 --trials 200`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fitModel } from '../../src/model/fit.js';
import type { LoadedFitSpec } from '../../src/model/fit-spec.js';
import type { CovariateModel } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { prepareRunInMemory } from '../../src/run/prepare-memory.js';
import { runReplicate } from '../../src/run/replicate.js';
import { drawParameters } from '../../src/simulate/uncertainty.js';
import { STREAMS, TRUTHS } from './design.js';
import { createContext, studyProtocol } from './trial.js';
import { drawRegistry, drawTreated } from '../../src/design/truth.js';

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const num = (name: string, dflt: number): number => Number(flag(name) ?? dflt);
const n = num('n', 150);
const trials = num('trials', 200);
const seed = num('seed', 20261203);
const check = flag('check') ?? 'contrast';
const method = flag('covariance');
if (method !== undefined && method !== 'bootstrap' && method !== 'information')
  throw new Error(`--covariance must be bootstrap or information, found "${method}"`);
if (check !== 'fit' && check !== 'contrast')
  throw new Error(`--check must be fit or contrast, found "${check}"`);

const mean = (x: readonly number[]): number => x.reduce((s, y) => s + y, 0) / x.length;
const variance = (x: readonly number[]): number => {
  const m = mean(x);
  return x.reduce((s, y) => s + (y - m) ** 2, 0) / (x.length - 1);
};
/** MC SE of a variance estimated from T draws (normal theory). */
const varSe = (v: number, t: number): number => v * Math.sqrt(2 / (t - 1));

const options = {
  seed,
  replicates: 2,
  truthMode: 'fixed' as const,
  parameterUncertainty: false,
  root: process.cwd(),
};
const size = num('size', 1500);
const cell = { id: 'check', truth: 'nsclc' as const, registryN: n, ratio: size / 120, effect: 1 };
const ctx = createContext('nsclc', [cell], options);
const fitSpec: LoadedFitSpec =
  method === undefined
    ? ctx.fitSpec
    : {
        ...ctx.fitSpec,
        spec: {
          ...ctx.fitSpec.spec,
          covariance: { ...ctx.fitSpec.spec.covariance, method },
        },
      };
const treated = drawTreated(ctx.truth, ctx.design, size, 1, createStream(seed, 99, 0));
const fitAt = (t: number): CovariateModel =>
  fitModel(
    drawRegistry(
      ctx.truth,
      ctx.design.outcome,
      n,
      createStream(seed, STREAMS.registry, t),
      TRUTHS.nsclc.registry,
    ),
    fitSpec,
    { software: 'posterior check' },
  ).loaded;
const progress = (t: number): void => {
  if ((t + 1) % 20 === 0) process.stderr.write(`${t + 1}/${trials}\n`);
};

if (check === 'fit') {
  // The treated arm's mean of each design term ('age', 'sex=male', ...).
  const termMean = (term: string): number => {
    const [name, level] = term.split('=') as [string, string | undefined];
    const c = treated.covariates.columns.get(name)!;
    if (c.kind === 'numeric') return mean(Array.from(c.values));
    const l = c.levels.indexOf(level!);
    return mean(Array.from(c.codes, (k) => (k === l ? 1 : 0)));
  };
  const logT = Math.log(num('t', 12));
  const est: number[][] = [];
  const modelVar: number[][] = [];
  const logH: number[] = [];
  const logHVar: number[] = [];
  let names: readonly string[] = [];
  for (let t = 0; t < trials; t++) {
    const os = fitAt(t).model.variables['os']!;
    if (os.kind !== 'time-to-event' || os.baseline.distribution !== 'weibull')
      throw new Error('the NSCLC outcome is a Weibull time-to-event variable');
    const { shape, scale } = os.baseline;
    const c = os.covariance!;
    names = c.parameters;
    const value = (p: string): number =>
      p === 'log(shape)'
        ? Math.log(shape)
        : p === 'log(scale)'
          ? Math.log(scale)
          : (os.logHazardRatios[p] ?? 0);
    est.push(names.map(value));
    modelVar.push(names.map((_, j) => c.matrix[j]![j]!));
    // log H(t | x̄) = shape·(log t − log scale) + (x̄ − centre)ᵀβ, and its delta-method variance
    const grad = names.map((p) =>
      p === 'log(shape)'
        ? shape * (logT - Math.log(scale))
        : p === 'log(scale)'
          ? -shape
          : termMean(p) - (p.includes('=') ? 0 : (os.centers[p] ?? 0)),
    );
    logH.push(
      shape * (logT - Math.log(scale)) +
        names.reduce((s, p, j) => (p.startsWith('log(') ? s : s + grad[j]! * value(p)), 0),
    );
    let q = 0;
    grad.forEach((a, i) => grad.forEach((b, j) => (q += a * b * c.matrix[i]![j]!)));
    logHVar.push(q);
    progress(t);
  }
  console.log(`os, registry n = ${n}, ${trials} fits: parameter, empirical var, mean model var, ratio`);
  names.forEach((p, j) => {
    const ev = variance(est.map((r) => r[j]!));
    const mv = mean(modelVar.map((r) => r[j]!));
    console.log(`${p.padEnd(20)} ${ev.toFixed(5)} ${mv.toFixed(5)} ${(ev / mv).toFixed(3)}`);
  });
  const ev = variance(logH);
  console.log(
    `log H(t | mean treated x): empirical var ${ev.toFixed(5)} (±${varSe(ev, trials).toFixed(5)}), ` +
      `mean model var ${mean(logHVar).toFixed(5)}, ratio ${(ev / mean(logHVar)).toFixed(3)}`,
  );
} else {
  const file = resolve(options.root, TRUTHS.nsclc.protocol);
  const protocol = studyProtocol(file, readFileSync(file, 'utf8'), options, size);
  const draws = num('draws', 20);
  const methods = ['cox-iptw', 'cox-unadjusted', 'cox-adjusted'];
  const atFit: number[][] = methods.map(() => []);
  const vp: number[][] = methods.map(() => []);
  for (let t = 0; t < trials; t++) {
    const fitted = fitAt(t);
    const runSeed = createStream(seed, STREAMS.run, t).uint32();
    const estimate = (model: CovariateModel, r: number) =>
      runReplicate(prepareRunInMemory(protocol, model, treated), runSeed, r, {
        estimatesOnly: true,
      }).analyses;
    const [a0, a1] = [estimate(fitted, 0), estimate(fitted, 1)];
    methods.forEach((_, k) => atFit[k]!.push((a0[k]!.q + a1[k]!.q) / 2));
    const per = Array.from({ length: draws }, (_, r) =>
      estimate(drawParameters(fitted, createStream(seed, 50, t).substream(r)).model, 100 + r),
    );
    methods.forEach((_, k) => {
      const q = per.map((a) => a[k]!.q);
      vp[k]!.push(variance(q) - mean(per.map((a) => a[k]!.uControl)));
    });
    progress(t);
  }
  console.log(`registry n = ${n}, ${trials} registries, ${draws} draws, arms of ${size}`);
  methods.forEach((m, k) => {
    const vr = variance(atFit[k]!);
    const x = vp[k]!;
    console.log(
      `${m}: V_R ${vr.toFixed(5)} (±${varSe(vr, trials).toFixed(5)})  ` +
        `V_P ${mean(x).toFixed(5)} (±${Math.sqrt(variance(x) / x.length).toFixed(5)})`,
    );
  });
}
