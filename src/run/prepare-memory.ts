/**
 * {@link prepareRun} without files: a run prepared from a protocol already parsed, a covariate
 * model already loaded and a treated arm already in columnar form — for studies that simulate
 * many trials (studies/coverage/) and must not write or read a file per trial. The checks and
 * compilation are prepareRun's own (`prepareLoaded`), so a run prepared here behaves exactly as
 * one prepared from the same inputs on disk.
 */
import { InputError } from '../errors.js';
import { parseLocated } from '../io/document.js';
import type { CovariateModel } from '../model/load.js';
import { parseProtocol, type LoadedProtocol } from '../protocol/load.js';
import type { TreatedArm } from '../protocol/treated.js';
import { prepareLoaded, type PreparedRun } from './prepare.js';

/**
 * A protocol from its YAML (or JSON) text, validated as `loadProtocol` validates a file; `file`
 * names it in messages and is the base its relative input paths resolve against (nothing is read).
 */
export function protocolFromText(file: string, text: string): LoadedProtocol {
  return parseProtocol(parseLocated(file, text, 'protocol'));
}

/**
 * Prepares a run from inputs in memory. The treated arm must have the protocol's endpoint, its
 * times in the model's unit, and its covariates as model variables with the model's levels.
 * Complexity: that of compiling the protocol's expressions; O(treated n) for derived variables.
 *
 * @example
 * const prepared = prepareRunInMemory(protocolFromText('p.yaml', text), model, treated);
 * const out = runReplicate(prepared, seed, 0); // out.analyses[0].q: the primary log HR
 */
export function prepareRunInMemory(
  loaded: LoadedProtocol,
  model: CovariateModel,
  treated: TreatedArm,
): PreparedRun {
  return prepareLoaded(loaded, model, (endpoint) => {
    if (treated.endpoint !== endpoint) {
      throw new InputError(
        `the treated arm in memory has a ${treated.endpoint} endpoint, the protocol's outcome "${loaded.protocol.outcome}" is ${endpoint}`,
        { file: treated.file, expected: endpoint, actual: treated.endpoint },
      );
    }
    if (treated.time.length !== treated.n || treated.event.length !== treated.n) {
      throw new InputError(
        `the treated arm in memory has n = ${treated.n} but ${treated.time.length} times and ${treated.event.length} events`,
        { file: treated.file },
      );
    }
    return treated;
  });
}
