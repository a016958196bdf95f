/**
 * The coverage study's inner loop (studies/coverage/): one simulated trial of the NSCLC protocol
 * at m = 10, treated n = 120, synthetic n = 400 — the target is ≤ 60 ms a trial on one core —
 * split into its parts: the registry draw and re-fit (n = 3 840, as `ecasim fit`), the treated arm
 * and in-memory preparation, and the m replicates (`runReplicate`, IPTW-ATT + unadjusted +
 * adjusted Cox). Trials per second on one core are reported with each. No R reference.
 */
import { fitModel } from '../src/model/fit.js';
import { createStream } from '../src/random/index.js';
import { prepareRunInMemory } from '../src/run/prepare-memory.js';
import { runReplicate } from '../src/run/replicate.js';
import type { Cell } from '../studies/coverage/design.js';
import { createContext, runTrialGroup, type TrialOptions } from '../studies/coverage/trial.js';
import { drawRegistry, drawTreated } from '../src/design/truth.js';
import { timeIt, type BenchResult } from './harness.js';

const perSecond = (ms: number): string => `${(1000 / ms).toFixed(1)} trials/s on one core`;

export async function run(): Promise<BenchResult[]> {
  const options: TrialOptions = {
    seed: 20261123,
    replicates: 10,
    truthMode: 'fixed',
    parameterUncertainty: true,
    root: process.cwd(),
  };
  const cell: Cell = {
    id: 'bench',
    truth: 'nsclc',
    registryN: 3840,
    ratio: 400 / 120,
    effect: 0.7,
  };
  const ctx = createContext('nsclc', [cell], options);
  const runs = 15;
  let t = 0;
  const trialMs = timeIt(() => runTrialGroup(ctx, [cell], t++, options), runs);
  let f = 0;
  const fitMs = timeIt(() => {
    const table = drawRegistry(ctx.truth, 'os', 3840, createStream(1, f++), ctx.setting.registry);
    return fitModel(table, ctx.fitSpec, { software: 'bench' });
  }, runs);
  const fitted = fitModel(
    drawRegistry(ctx.truth, 'os', 3840, createStream(1), ctx.setting.registry),
    ctx.fitSpec,
    { software: 'bench' },
  ).loaded;
  const protocol = ctx.protocols.get('400')!;
  let p = 0;
  const prepareMs = timeIt(() => {
    const treated = drawTreated(ctx.truth, ctx.design, 120, 0.7, createStream(2, p++));
    return prepareRunInMemory(protocol, fitted, treated);
  }, runs);
  const prepared = prepareRunInMemory(
    protocol,
    fitted,
    drawTreated(ctx.truth, ctx.design, 120, 0.7, createStream(2)),
  );
  // A trial group of the grid: 6 cells (1:1, 3:1, 10:1 × HR 1, 0.7) sharing one registry fit.
  const group: Cell[] = [1, 3, 10].flatMap((ratio) =>
    [1, 0.7].map((hr) => ({
      id: `g${ratio}-${hr}`,
      truth: 'nsclc' as const,
      registryN: 3840,
      ratio,
      effect: hr,
    })),
  );
  const gctx = createContext('nsclc', group, options);
  let g = 0;
  const groupMs = timeIt(() => runTrialGroup(gctx, group, g++, options), 5);
  let s = 0;
  const replicatesMs = timeIt(() => {
    const seed = s++;
    return Array.from({ length: 10 }, (_, r) =>
      runReplicate(prepared, seed, r, { estimatesOnly: true }),
    );
  }, runs);
  return [
    {
      name: 'study: one trial (fit 3840 + 10 replicates, 400 ctl)',
      medianMs: trialMs,
      runs,
      note: `${perSecond(trialMs)}; target <= 60 ms`,
    },
    {
      name: 'study: grid trial group (fit 3840 + 6 cells)',
      medianMs: groupMs,
      runs: 5,
      note: `${(groupMs / 6).toFixed(0)} ms a cell-trial (120/360/1200 ctl, fit shared)`,
    },
    { name: 'study: registry draw + fit, n = 3840', medianMs: fitMs, runs },
    { name: 'study: treated arm + prepareRunInMemory', medianMs: prepareMs, runs },
    {
      name: 'study: 10 x runReplicate (iptw, unadj., adj. Cox)',
      medianMs: replicatesMs,
      runs,
      note: perSecond(replicatesMs) + ' without the re-fit',
    },
  ];
}
