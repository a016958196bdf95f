/**
 * `ecasim validate FILE`: checks a protocol and every input it names, or a covariate model, without
 * running anything. A file whose `format` is `ecasim-model/1` is a model; anything else a protocol.
 */
import type { Argv } from 'yargs';
import { loadLocated } from '../io/document.js';
import { parseModel } from '../model/load.js';
import { prepareRun } from '../run/prepare.js';
import type { TreatedMissing } from '../protocol/treated.js';
import type { CliContext } from './context.js';

export interface ValidateArgs {
  protocol: string;
}

export function validateBuilder(y: Argv): Argv<ValidateArgs> {
  return y.positional('protocol', {
    type: 'string',
    demandOption: true,
    describe: 'Protocol YAML file, or covariate model JSON',
  }) as unknown as Argv<ValidateArgs>;
}

export function validateCommand(args: ValidateArgs, ctx: CliContext): void {
  const doc = loadLocated(
    args.protocol,
    args.protocol.endsWith('.json') ? 'covariate model' : 'protocol',
  );
  const format = (doc.data as { format?: unknown } | null)?.format;
  if (format === 'ecasim-model/1') {
    const m = parseModel(doc);
    const prov = m.model.provenance;
    ctx.stdout(
      `${args.protocol}: valid covariate model\n` +
        `  ${m.names.length} variables (${m.outcomes.length} outcome${m.outcomes.length === 1 ? '' : 's'}: ${m.outcomes.join(', ') || 'none'})\n` +
        `  sampling order ${m.order.join(' → ')}\n` +
        `  registry ${prov.registry}${prov.n !== undefined ? `, n = ${prov.n}` : ''}; derivation ${prov.derivation.method}; time unit ${m.timeUnit}\n`,
    );
    return;
  }
  const p = prepareRun(args.protocol);
  const t = p.treated;
  const events = t.event.reduce((s, e) => s + e, 0);
  ctx.stdout(
    `${args.protocol}: valid\n` +
      `  protocol ${p.loaded.protocol.id} version ${p.loaded.protocol.version}\n` +
      `  covariate model ${p.loaded.shownPaths.model}: ${p.model.names.length} variables, outcome ${p.loaded.protocol.outcome}\n` +
      `  treated dataset ${p.loaded.shownPaths.treated}: ${t.n} patients, ${events} ${t.endpoint === 'binary' ? 'responders' : 'events'}, ` +
      `covariates ${[...t.covariates.columns.keys()].join(', ') || 'none'}\n` +
      missingLine(t) +
      `  ${p.criteria.length} eligibility criteria; ${p.loaded.protocol.control.replicates} control arms of ${p.controlSize}\n` +
      `  analyses: ${p.analyses.map((a) => `${a.name} (${a.spec.method})`).join(', ')}\n`,
  );
}

/** The validate summary's line on missing treated covariates (empty when there are none). */
function missingLine(t: { missing: TreatedMissing }): string {
  const m = t.missing;
  if (m.patients === 0) return '';
  const cells = m.byVariable.map((b) => `${b.column} ${b.missing}`).join(', ');
  return m.policy === 'exclude'
    ? `  missing covariates in ${m.patients} of ${m.rows} patients (${cells}): excluded (inputs.treated.missing: exclude)\n`
    : `  missing covariates in ${m.patients} of ${m.rows} patients (${cells}): imputed from the covariate model in every replicate (inputs.treated.missing: impute)\n`;
}
