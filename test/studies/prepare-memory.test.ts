/** prepareRunInMemory (src/run/prepare-memory.ts) prepares the run prepareRun prepares from files. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../src/errors.js';
import { prepareRun } from '../../src/run/prepare.js';
import { prepareRunInMemory, protocolFromText } from '../../src/run/prepare-memory.js';
import { runReplicate } from '../../src/run/replicate.js';

describe('prepareRunInMemory', () => {
  const file = resolve('protocols/nsclc-os.yaml');
  const fromFiles = prepareRun(file);
  const loaded = protocolFromText(file, readFileSync(file, 'utf8'));

  test('gives the same replicates as prepareRun on the same inputs', () => {
    const inMemory = prepareRunInMemory(loaded, fromFiles.model, fromFiles.treated);
    expect(inMemory.controlSize).toBe(fromFiles.controlSize);
    expect(inMemory.analyses.map((a) => a.key)).toEqual(fromFiles.analyses.map((a) => a.key));
    const a = runReplicate(fromFiles, 20261123, 2);
    const b = runReplicate(inMemory, 20261123, 2);
    expect(b.analyses.map((x) => [x!.q, x!.u])).toEqual(a.analyses.map((x) => [x!.q, x!.u]));
  });

  test('refuses a treated arm whose endpoint is not the protocol’s', () => {
    const binary = { ...fromFiles.treated, endpoint: 'binary' as const };
    expect(() => prepareRunInMemory(loaded, fromFiles.model, binary)).toThrow(InputError);
  });
});
