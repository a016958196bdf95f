/**
 * Worker-thread entry: prepares the run once from the protocol file (the parent has already
 * validated it and checked the inputs' hashes) and runs the replicates it is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareRun } from './prepare.js';
import { runReplicate, type ReplicateOutput } from './replicate.js';

export interface WorkerRequest {
  protocolFile: string;
  seed: number;
  indices: number[];
}

export type WorkerMessage =
  | { type: 'replicate'; output: ReplicateOutput }
  | {
      type: 'error';
      error: { name: string; message: string; kind?: string; details?: unknown; stack?: string };
    };

const request = workerData as WorkerRequest;
try {
  const prepared = prepareRun(request.protocolFile);
  for (const index of request.indices) {
    const output = runReplicate(prepared, request.seed, index);
    for (const a of output.analyses) if (a) delete a.weights; // large and not needed after balance
    parentPort!.postMessage({ type: 'replicate', output } satisfies WorkerMessage);
  }
} catch (err) {
  const e = err as Error & { kind?: string; details?: unknown };
  parentPort!.postMessage({
    type: 'error',
    error: { name: e.name, message: e.message, kind: e.kind, details: e.details, stack: e.stack },
  } satisfies WorkerMessage);
}
