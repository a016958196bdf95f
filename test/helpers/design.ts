/**
 * The flagship design of the design tests: its fit spec (the flagship's, with the
 * inverse-information covariance: no bootstrap, faster) and the head of a design file on the
 * flagship protocol and truth in registry mode.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Writes `fit.yaml` into `dir`: the flagship fit spec with `covariance: information`. */
export function writeFlagshipFit(dir: string): void {
  writeFileSync(
    join(dir, 'fit.yaml'),
    readFileSync(`${ROOT}examples/nsclc/fit.yaml`, 'utf8') +
      '\ncovariance: { method: information }\n',
  );
}

/** A design file's `name`, `protocol` and registry-mode `truth` lines (fit.yaml beside it). */
export function flagshipDesignHead(name: string): string[] {
  return [
    `name: ${name}`,
    `protocol: ${ROOT}protocols/nsclc-os.yaml`,
    'truth:',
    `  model: ${ROOT}examples/nsclc/truth-model.json`,
    '  fit: fit.yaml',
    '  registry: { accrual: 60, studyDuration: 72, dropoutRate: 0.005 }',
  ];
}
