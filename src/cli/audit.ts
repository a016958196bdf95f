/** `ecasim audit`: fidelity, privacy and replication checks of synthetic data; writes audit.json and audit.html. */
import type { Argv } from 'yargs';
import { loadProtocol } from '../protocol/load.js';
import { auditSummaryForDossier, runAudit, type AuditResult } from '../audit/index.js';
import { UsageError } from '../errors.js';
import { openOutputDir } from '../io/output.js';
import type { CliContext } from './context.js';
import {
  numberOption,
  PATIENTS_RANGE,
  realNumber,
  SEED_RANGE,
  textValue,
  wholeNumber,
} from './flags.js';

/** The seed of an audit given neither --seed nor a protocol (docs/audit.md). */
export const DEFAULT_AUDIT_SEED = 20261123;

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
  n?: unknown;
  seed?: unknown;
  threshold?: unknown;
  k?: unknown;
  bins?: unknown;
  bootstrap?: unknown;
  alpha?: unknown;
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
    .option(
      'n',
      numberOption(
        "Synthetic records to draw (default: the protocol's audit.n, else as many as the registry)",
      ),
    )
    .option(
      'seed',
      numberOption(
        `Seed of every random draw (0 to 4294967295; default: the protocol's control.seed, else ${DEFAULT_AUDIT_SEED})`,
      ),
    )
    .option('threshold', numberOption('Univariate difference threshold in (0, 1) (default 0.01)'))
    .option('k', numberOption('Rare-cell size for the disclosure check, ≥ 2 (default 5)'))
    .option('bins', numberOption('Quantile bins for numbers, ≥ 2 (default 5)'))
    .option('bootstrap', numberOption("Bootstrap resamples for Cramér's V, ≥ 20 (default 200)"))
    .option('alpha', numberOption('Significance level of the replication in (0, 1) (default 0.05)'))
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

/** The numeric settings of an audit, checked before anything is read. */
function auditFlags(args: AuditArgs) {
  return {
    n: wholeNumber('--n', args.n, PATIENTS_RANGE),
    seed: wholeNumber('--seed', args.seed, SEED_RANGE),
    threshold: realNumber('--threshold', args.threshold, { gt: 0, lt: 1 }),
    k: wholeNumber('--k', args.k, { min: 2, max: 1_000_000 }),
    bins: wholeNumber('--bins', args.bins, { min: 2, max: 1000 }),
    bootstrap: wholeNumber('--bootstrap', args.bootstrap, { min: 20, max: 1_000_000 }),
    alpha: realNumber('--alpha', args.alpha, { gt: 0, lt: 1 }),
  };
}

export async function auditCommand(args: AuditArgs, ctx: CliContext): Promise<void> {
  const flags = auditFlags(args);
  for (const f of [
    'model',
    'registry',
    'protocol',
    'holdout',
    'real-control',
    'treated',
    'time',
    'event',
    'columns',
    'out',
  ] as const) {
    textValue(
      `--${f}`,
      args[f],
      f === 'time' || f === 'event'
        ? 'a column name'
        : f === 'columns'
          ? 'variable=column pairs'
          : f === 'out'
            ? 'an output directory'
            : 'a file',
    );
  }
  const renames = parseRenames(args.columns);
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
    const rename = renames ?? fromProtocol?.rename;
    const time = args.time ?? fromProtocol?.time;
    const event = args.event ?? fromProtocol?.event;
    const audit = runAudit({
      model,
      registry,
      // Flags left out never override the protocol: its seed, as `ecasim run` audits with it.
      seed: flags.seed ?? fromProtocol?.seed ?? DEFAULT_AUDIT_SEED,
      screen: args.screen,
      ...(holdout !== undefined ? { holdout } : {}),
      ...(args['real-control'] !== undefined ? { realControl: args['real-control'] } : {}),
      ...(args.treated !== undefined ? { treated: args.treated } : {}),
      columns: {
        ...(time !== undefined ? { time } : {}),
        ...(event !== undefined ? { event } : {}),
        ...(rename ? { rename } : {}),
      },
      ...((flags.n ?? fromProtocol?.n) !== undefined ? { n: (flags.n ?? fromProtocol?.n)! } : {}),
      ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
      ...(flags.k !== undefined ? { k: flags.k } : {}),
      ...(flags.bins !== undefined ? { bins: flags.bins } : {}),
      ...(flags.bootstrap !== undefined ? { bootstrap: flags.bootstrap } : {}),
      ...(flags.alpha !== undefined ? { alpha: flags.alpha } : {}),
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
  seed: number;
  n?: number;
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
    seed: loaded.protocol.control.seed,
    ...(a?.n !== undefined ? { n: a.n } : {}),
  };
}
