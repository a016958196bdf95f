/** `ecasim schema protocol|model|design`: prints the JSON Schema of a file format (for editors). */
import type { Argv } from 'yargs';
import { designJsonSchema } from '../design/spec.js';
import { modelJsonSchema } from '../model/schema.js';
import { protocolJsonSchema } from '../protocol/schema.js';
import type { CliContext } from './context.js';

export interface SchemaArgs {
  format: 'protocol' | 'model' | 'design';
}

export function schemaBuilder(y: Argv): Argv<SchemaArgs> {
  return y.positional('format', {
    choices: ['protocol', 'model', 'design'] as const,
    demandOption: true,
    describe: 'Which file format',
  }) as unknown as Argv<SchemaArgs>;
}

export function schemaCommand(args: SchemaArgs, ctx: CliContext): void {
  const schema =
    args.format === 'protocol'
      ? protocolJsonSchema()
      : args.format === 'design'
        ? designJsonSchema()
        : modelJsonSchema();
  ctx.stdout(JSON.stringify(schema, null, 2) + '\n');
}
