/**
 * `npm run fuzz -- [--mutants N] [--seed S] [--from K]`: the mutation fuzzer of studies/fuzz/mutate.ts
 * on N mutants (default 2 000) of seed S (default 20261207), from mutant K (default 0). The mutants
 * run in a worker thread watched by this one: a mutant that makes no progress for 60 s is reported
 * as a hang (and the run stops there). Prints a line per failing mutant and a summary; exits 1 when
 * any mutant broke the property.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { checkMutant, flagship, makeMutant, type Verdict } from './mutate.js';

interface Job {
  seed: number;
  from: number;
  count: number;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`${name} must be a whole number >= 0, found ${JSON.stringify(args[i + 1])}`);
    process.exit(2);
  }
  return v;
}

if (!isMainThread) {
  const { seed, from, count } = workerData as Job;
  const base = flagship();
  for (let k = from; k < from + count; k++) {
    parentPort!.postMessage({ started: k });
    const v = await checkMutant(makeMutant(base, seed, k));
    parentPort!.postMessage({ verdict: v });
  }
} else {
  const args = process.argv.slice(2);
  const job: Job = {
    seed: option(args, '--seed', 20261207),
    from: option(args, '--from', 0),
    count: option(args, '--mutants', 2000),
  };
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  const failed: Verdict[] = [];
  const codes = new Map<number, number>();
  let done = 0;
  let current = -1;
  let last = Date.now();
  const t0 = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - last > 60_000) {
      console.error(`HANG: mutant ${current} (seed ${job.seed}) made no progress for 60 s`);
      clearInterval(watchdog);
      void worker.terminate();
      process.exitCode = 1;
    }
  }, 1000);
  worker.on('message', (msg: { started?: number; verdict?: Verdict }) => {
    last = Date.now();
    if (msg.started !== undefined) current = msg.started;
    if (msg.verdict) {
      const v = msg.verdict;
      done++;
      codes.set(v.code, (codes.get(v.code) ?? 0) + 1);
      if (v.failure !== null) {
        failed.push(v);
        console.log(
          `FAIL mutant ${v.index} (${v.kind}): ${v.failure}\n  ${v.stderr.split('\n').slice(0, 3).join('\n  ')}`,
        );
      }
    }
  });
  worker.on('exit', () => {
    clearInterval(watchdog);
    const byCode = [...codes].sort((a, b) => a[0] - b[0]).map(([c, n]) => `exit ${c}: ${n}`);
    console.log(
      `${done} mutants (seed ${job.seed}, from ${job.from}) in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${byCode.join(', ')}; ${failed.length} broke the property`,
    );
    if (failed.length > 0 || done < job.count) process.exitCode = 1;
  });
}
