/** `ecasim validate PROTOCOL`: checks a protocol and every input it names, without running it. */
import type { Argv } from 'yargs';
import { prepareRun } from '../run/index.js';
import type { CliContext } from './context.js';

export interface ValidateArgs {
  protocol: string;
}

export function validateBuilder(y: Argv): Argv<ValidateArgs> {
  return y.positional('protocol', {
    type: 'string',
    demandOption: true,
    describe: 'Protocol YAML file',
  }) as unknown as Argv<ValidateArgs>;
}

export function validateCommand(args: ValidateArgs, ctx: CliContext): void {
  const p = prepareRun(args.protocol);
  const t = p.treated;
  const events = t.event.reduce((s, e) => s + e, 0);
  ctx.stdout(
    `${args.protocol}: valid\n` +
      `  protocol ${p.loaded.protocol.id} version ${p.loaded.protocol.version}\n` +
      `  covariate model ${p.loaded.shownPaths.model}: ${p.model.names.length} variables, outcome ${p.loaded.protocol.outcome}\n` +
      `  treated dataset ${p.loaded.shownPaths.treated}: ${t.time.length} patients, ${events} events, ` +
      `covariates ${[...t.covariates.columns.keys()].join(', ') || 'none'}\n` +
      `  ${p.criteria.length} eligibility criteria; ${p.loaded.protocol.control.replicates} control arms of ${p.controlSize}\n` +
      `  analyses: ${p.analyses.map((a) => `${a.name} (${a.spec.method})`).join(', ')}\n`,
  );
}
