/** `ecasim audit`: fidelity, privacy and replication checks of synthetic data; writes audit.json and audit.html. */
import type { Argv } from 'yargs';
import { loadProtocol } from '../protocol/load.js';
import { auditSummaryForDossier, runAudit, type AuditResult } from '../audit/index.js';
import { UsageError } from '../errors.js';
import { openOutputDir } from '../io/output.js';
import type { CliContext } from './context.js';

export interface AuditArgs {
  model?: string;
  registry?: string;
  protocol?: string;
  holdout?: string;
  'real-control'?: string;
  treated?: string;
  time?: string;
  event?: string;
  columns?: string;
  n?: number;
  seed: number;
  threshold?: number;
  k?: number;
  bins?: number;
  bootstrap?: number;
  alpha?: number;
  screen: boolean;
  out?: string;
  force: boolean;
}

export function auditBuilder(y: Argv): Argv<AuditArgs> {
  return y
    .option('model', {
      type: 'string',
      describe: "Covariate model (JSON); default: the protocol's",
    })
    .option('protocol', {
      type: 'string',
      describe:
        "Take the model and the registry/holdout extracts and columns from this protocol's audit: section",
    })
    .option('registry', {
      type: 'string',
      describe: 'Registry extract the model was built from (CSV, one column per model variable)',
    })
    .option('holdout', {
      type: 'string',
      describe:
        'Real records NOT used to build the model (CSV): enables the holdout-based privacy metrics',
    })
    .option('real-control', {
      type: 'string',
      describe: 'Real control arm (CSV with time and event) for the replication check',
    })
    .option('treated', {
      type: 'string',
      describe: 'Treated arm (CSV with time and event) for the replication check',
    })
    .option('time', {
      type: 'string',
      describe: 'Follow-up time column in every CSV (default: time)',
    })
    .option('event', {
      type: 'string',
      describe: 'Event column, 1 = event, 0 = censored (default: event)',
    })
    .option('columns', {
      type: 'string',
      describe:
        'Renames, variable=column,... for registry columns named differently from the model',
    })
    .option('n', {
      type: 'number',
      describe: 'Synthetic records to draw (default: as many as the registry)',
    })
    .option('seed', { type: 'number', default: 20261123, describe: 'Seed of every random draw' })
    .option('threshold', {
      type: 'number',
      describe: 'Univariate difference threshold (default 0.01)',
    })
    .option('k', {
      type: 'number',
      describe: 'Rare-cell size for the disclosure check (default 5)',
    })
    .option('bins', { type: 'number', describe: 'Quantile bins for numbers (default 5)' })
    .option('bootstrap', {
      type: 'number',
      describe: "Bootstrap resamples for Cramér's V (default 200)",
    })
    .option('alpha', {
      type: 'number',
      describe: 'Significance level of the replication (default 0.05)',
    })
    .option('screen', {
      type: 'boolean',
      default: false,
      describe: "Remove synthetic records outside the registry's support before the checks",
    })
    .option('out', { type: 'string', describe: 'Directory for audit.json and audit.html (atomic)' })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace a non-empty output directory',
    })
    .example(
      '$0 audit --model model.json --registry train.csv --holdout holdout.csv --out out/audit',
      'Audit synthetic patients drawn from the model against its registry',
    ) as unknown as Argv<AuditArgs>;
}

/** Parses `a=b,c=d` into a map, or explains the expected form. */
export function parseRenames(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const m = /^([^=]+)=(.+)$/.exec(part);
    if (!m) {
      throw new UsageError(`invalid --columns entry ${JSON.stringify(part)}`, {
        field: 'columns',
        expected: 'variable=column pairs separated by commas, e.g. age=AGE,sex=SEX',
        actual: part,
      });
    }
    out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

const f = (x: number | null | undefined, d = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'NA' : x.toFixed(d);

/** The text summary printed on stdout. */
export function formatAudit(a: AuditResult): string {
  const s = auditSummaryForDossier(a);
  const lines = [
    `Audit of ${a.data.synthetic} synthetic records against ${a.data.training} registry records${a.data.holdout ? ` (holdout ${a.data.holdout})` : ''}`,
    `Fidelity: largest univariate difference ${f(s.univariate.maxDifference, 4)} (threshold ${s.univariate.threshold})${s.univariate.exceeding.length ? `; above it: ${s.univariate.exceeding.join(', ')}` : ''}`,
    `  pairs: mean |difference| ${f(s.bivariate.meanDifference)}, mean CI overlap ${f(s.bivariate.meanCiOverlap, 2)}, ${f(100 * s.bivariate.shareOverlapAbove50, 0)}% overlap > 50%`,
  ];
  if (s.outcome) {
    lines.push(
      `  outcome: KM largest gap ${f(s.outcome.kmSupDifference)}, hazard-ratio CI overlap ${f(s.outcome.hrMeanCiOverlap, 2)}`,
    );
  }
  lines.push(
    `Privacy: ${s.privacy.leaking ? `LEAK flagged by ${s.privacy.flagged.join(', ')}` : 'no leak flagged'}; exact matches ${f(100 * s.privacy.exactMatchRate, 2)}%` +
      (s.privacy.membershipAuc !== null
        ? `, DCR ratio ${f(s.privacy.dcrRatio)}, closer to training ${f(100 * (s.privacy.shareCloserToTraining ?? NaN), 1)}%, membership AUC ${f(s.privacy.membershipAuc)}`
        : ' (no holdout: holdout-based metrics not assessed)'),
  );
  if (s.replication) {
    lines.push(
      `Replication: decision agreement ${s.replication.decisionAgreement ? 'yes' : 'no'}, estimate agreement ${s.replication.estimateAgreement ? 'yes' : 'no'}, standardized difference ${f(s.replication.standardizedDifference, 2)}, CI overlap ${f(s.replication.ciOverlap, 2)}`,
    );
  }
  lines.push(
    `Screening: ${s.screening.outOfSupport} records outside the registry's support${a.screening.screened ? `, ${s.screening.removed} removed` : ''}; ${s.screening.flaggedRates} rare-category/tail rates flagged`,
  );
  for (const w of a.warnings) lines.push(`warning: ${w.message}`);
  return lines.join('\n') + '\n';
}

export async function auditCommand(args: AuditArgs, ctx: CliContext): Promise<void> {
  const out = args.out === undefined ? undefined : openOutputDir(args.out, { force: args.force });
  try {
    const fromProtocol = args.protocol === undefined ? undefined : protocolAudit(args.protocol);
    const model = args.model ?? fromProtocol?.model;
    const registry = args.registry ?? fromProtocol?.registry;
    if (model === undefined || registry === undefined) {
      throw new UsageError(
        'ecasim audit needs --model and --registry (or a --protocol with an audit: section)',
        {
          hint: 'see ecasim audit --help',
        },
      );
    }
    const holdout = args.holdout ?? fromProtocol?.holdout;
    const rename = parseRenames(args.columns) ?? fromProtocol?.rename;
    const time = args.time ?? fromProtocol?.time;
    const event = args.event ?? fromProtocol?.event;
    const audit = runAudit({
      model,
      registry,
      seed: args.seed,
      screen: args.screen,
      ...(holdout !== undefined ? { holdout } : {}),
      ...(args['real-control'] !== undefined ? { realControl: args['real-control'] } : {}),
      ...(args.treated !== undefined ? { treated: args.treated } : {}),
      columns: {
        ...(time !== undefined ? { time } : {}),
        ...(event !== undefined ? { event } : {}),
        ...(rename ? { rename } : {}),
      },
      ...(args.n !== undefined ? { n: args.n } : {}),
      ...(args.threshold !== undefined ? { threshold: args.threshold } : {}),
      ...(args.k !== undefined ? { k: args.k } : {}),
      ...(args.bins !== undefined ? { bins: args.bins } : {}),
      ...(args.bootstrap !== undefined ? { bootstrap: args.bootstrap } : {}),
      ...(args.alpha !== undefined ? { alpha: args.alpha } : {}),
    });
    ctx.stdout(formatAudit(audit));
    if (out) {
      out.write('audit.json', JSON.stringify(audit, null, 2) + '\n');
      const { auditHtml } = await import('../audit/html.js');
      out.write('audit.html', await auditHtml(audit));
      out.commit();
      ctx.stdout(`wrote audit.json and audit.html to ${args.out}\n`);
    }
  } finally {
    out?.abort();
  }
}

/** The model and the audit: section of a protocol, with paths as the user would type them. */
function protocolAudit(file: string): {
  model: string;
  registry?: string;
  holdout?: string;
  time?: string;
  event?: string;
  rename?: Record<string, string>;
} {
  const loaded = loadProtocol(file);
  const a = loaded.protocol.audit;
  return {
    model: loaded.shownPaths.model,
    ...(loaded.auditPaths ? { registry: loaded.auditPaths.registry } : {}),
    ...(loaded.auditPaths?.holdout ? { holdout: loaded.auditPaths.holdout } : {}),
    ...(a?.time ? { time: a.time } : {}),
    ...(a?.event ? { event: a.event } : {}),
    ...(a?.columns ? { rename: a.columns } : {}),
  };
}
