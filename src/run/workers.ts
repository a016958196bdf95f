/**
 * Runs replicates in worker threads. Replicate r always uses substream (seed, r) and results are
 * put back in replicate order, so the output is byte-identical whatever the number of workers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EcasimError, type ErrorKind } from '../errors.js';
import { packageRoot } from '../package-info.js';
import type { PreparedRun } from './prepare.js';
import { runReplicate, type ReplicateOutput } from './replicate.js';
import type { WorkerMessage, WorkerRequest } from './worker.js';

export type Progress = (done: number, total: number) => void;

/** The compiled worker script (workers run JavaScript, so they need the build in dist/). */
function workerScript(): string {
  const file = join(packageRoot(), 'dist', 'src', 'run', 'worker.js');
  if (!existsSync(file)) {
    throw new EcasimError('usage', '--workers needs the compiled worker script, which is missing', {
      file,
      hint: 'run `npm run build` first, or use --workers 1',
    });
  }
  return file;
}

/**
 * Runs replicates 0..m−1 on `workers` threads (in this thread when `workers` is 1).
 * Worker w gets replicates w, w + workers, w + 2·workers, ...
 */
export async function runReplicates(
  prepared: PreparedRun,
  protocolFile: string,
  seed: number,
  m: number,
  workers: number,
  onProgress?: Progress,
): Promise<ReplicateOutput[]> {
  const outputs = new Array<ReplicateOutput>(m);
  let done = 0;
  if (workers <= 1 || m === 1) {
    for (let r = 0; r < m; r++) {
      // a turn of the event loop between replicates: a SIGINT or SIGTERM is then acted on (the
      // staging directory removed, src/io/output.ts) within a replicate, not after the run
      if (r > 0) await new Promise<void>((done) => setImmediate(done));
      outputs[r] = runReplicate(prepared, seed, r);
      onProgress?.(++done, m);
    }
    return outputs;
  }
  const script = workerScript();
  const count = Math.min(workers, m);
  const jobs = Array.from({ length: count }, (_, w) => {
    const indices: number[] = [];
    for (let r = w; r < m; r += count) indices.push(r);
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(script, {
        workerData: { protocolFile, seed, indices } satisfies WorkerRequest,
      });
      let received = 0;
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'replicate') {
          outputs[msg.output.index] = msg.output;
          received++;
          onProgress?.(++done, m);
        } else {
          const e = msg.error;
          reject(
            e.kind
              ? new EcasimError(e.kind as ErrorKind, e.message, (e.details ?? {}) as object)
              : new Error(`worker: ${e.message}\n${e.stack ?? ''}`),
          );
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (received === indices.length) resolve();
        else
          reject(
            new Error(
              `worker ${w} stopped (exit code ${code}) after ${received} of ${indices.length} replicates`,
            ),
          );
      });
    });
  });
  await Promise.all(jobs);
  return outputs;
}
