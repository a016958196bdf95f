/** Worker thread of the coverage study: runs its share of trial groups and posts the records. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Cell } from './design.js';
import { runGroups, type TrialGroup, type WorkerMessage } from './study.js';
import type { TrialOptions } from './trial.js';

const { groups, cells, options } = workerData as {
  groups: TrialGroup[];
  cells: Cell[];
  options: TrialOptions;
};
try {
  runGroups(groups, cells, options, (records) =>
    parentPort!.postMessage({ type: 'records', records } satisfies WorkerMessage),
  );
} catch (err) {
  parentPort!.postMessage({
    type: 'error',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  } satisfies WorkerMessage);
}
