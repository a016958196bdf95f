/**
 * Everything a run needs, loaded and checked before any patient is drawn: the protocol, the
 * covariate model, the treated arm, the compiled eligibility criteria and success criterion, and
 * the analysis plan checked against the variables there are. `ecasim validate` stops here.
 */
import { problemAt } from '../io/document.js';
import { loadModel, type CovariateModel } from '../model/load.js';
import { endpointOfKind } from '../model/network.js';
import type { CompiledExpression } from '../protocol/expressions.js';
import {
  compileAt,
  inputProblems,
  loadProtocol,
  patientScope,
  type LoadedProtocol,
} from '../protocol/load.js';
import type { AnalysisSpec } from '../protocol/schema.js';
import { loadTreated, type TreatedArm } from '../protocol/treated.js';
import type { Criterion } from '../simulate/eligibility.js';
import { twinPlan, type TwinPlan } from '../simulate/twin.js';
import { uncertaintyGaps } from '../simulate/uncertainty.js';
import { deriveColumns, type DerivedVariable } from '../simulate/derived.js';
import type { EcasimError } from '../errors.js';
import { throwCollected } from '../errors.js';
import { covariateEffectsChecks, type CheckSpec } from './covariate-check.js';

export interface PreparedRun {
  readonly loaded: LoadedProtocol;
  readonly model: CovariateModel;
  readonly treated: TreatedArm;
  readonly criteria: readonly Criterion[];
  readonly controlSize: number;
  readonly outcomeLabel: string;
  readonly endpoint: 'time-to-event' | 'binary' | 'continuous';
  /** Primary first, then the secondary analyses, each with the name results use. */
  readonly analyses: readonly { key: string; name: string; spec: AnalysisSpec }[];
  /** The covariate-effects checks of the common-effects adjusted Cox analyses (covariate-check.ts). */
  readonly checks: readonly CheckSpec[];
  readonly successCriterion: CompiledExpression;
  /** Twin mode: which baseline variables the twins copy and which they draw. */
  readonly twin: TwinPlan | null;
  /** The protocol's derived variables, compiled, in order. */
  readonly derived: readonly DerivedVariable[];
}

/** Labels of the arms in tables, charts and CSV output. */
export const ARM_LABELS = { treated: 'Treated', control: 'Synthetic control' } as const;

/** Result fields a success criterion may name. */
export const RESULT_FIELDS = [
  'primary.estimate',
  'primary.lower',
  'primary.upper',
  'primary.se',
  'primary.p',
  'primary.df',
  'primary.logEstimate',
  'balance.maxAbsSmd',
  'ess.control',
] as const;

/** Re-exported for run/index.ts, whose public surface offers it. */
export { patientScope };

function compileSuccessCriterion(loaded: LoadedProtocol): CompiledExpression {
  const scope = Object.fromEntries(RESULT_FIELDS.map((f) => [f, { type: 'number' as const }]));
  const e = compileAt(
    loaded.doc,
    ['successCriterion'],
    loaded.protocol.successCriterion,
    scope,
    'success criterion',
  );
  if (e.type !== 'boolean') {
    throw problemAt(
      loaded.doc,
      ['successCriterion'],
      'the success criterion must be a condition (true/false)',
      {
        expected: 'e.g. primary.upper < 1',
        actual: loaded.protocol.successCriterion,
      },
    );
  }
  return e;
}

const TTE_METHODS = new Set(['cox-unadjusted', 'cox-adjusted', 'cox-iptw', 'rmst']);
const BINARY_METHODS = new Set(['risk-difference', 'risk-ratio', 'odds-ratio']);
const CONTINUOUS_METHODS = new Set(['mean-difference']);

/** The columns and analyses a protocol names must suit its endpoint; every mismatch is reported. */
function checkEndpointFields(
  loaded: LoadedProtocol,
  endpoint: 'time-to-event' | 'binary' | 'continuous',
): void {
  const { protocol, doc } = loaded;
  const cols = protocol.inputs.treated.columns;
  const problems: EcasimError[] = [];
  const base = ['inputs', 'treated'];
  if (endpoint === 'time-to-event') {
    if (cols.time === undefined) {
      problems.push(
        problemAt(doc, [...base, 'columns'], 'a time-to-event endpoint needs columns.time', {
          hint: 'name the time column, e.g. time: AVAL',
        }),
      );
    }
    if ((cols.event === undefined) === (cols.censor === undefined)) {
      problems.push(
        problemAt(
          doc,
          [...base, 'columns'],
          'give exactly one of columns.event (1 = event) and columns.censor (1 = censored)',
        ),
      );
    }
    if (protocol.inputs.treated.timeUnit === undefined) {
      problems.push(
        problemAt(doc, base, 'a time-to-event endpoint needs inputs.treated.timeUnit', {
          expected: 'days, weeks, months or years',
        }),
      );
    }
    const fu = protocol.followUp;
    const lacking = (['accrual', 'studyDuration'] as const).filter((f) => fu?.[f] === undefined);
    if (lacking.length > 0) {
      problems.push(
        problemAt(
          doc,
          fu === undefined ? [] : ['followUp'],
          `a time-to-event endpoint needs ${lacking.map((f) => `followUp.${f}`).join(' and ')}: the synthetic arms are censored as the trial is`,
          {
            expected:
              'followUp: {accrual: <entry period>, studyDuration: <first entry to data cut>}, in the model time unit',
            hint: 'give the trial’s accrual period and its duration to the data cut (docs/protocol-format.md, followUp)',
          },
        ),
      );
    }
  } else if (endpoint === 'continuous') {
    if (cols.value === undefined) {
      problems.push(
        problemAt(
          doc,
          [...base, 'columns'],
          'a continuous endpoint needs columns.value (a number per patient)',
        ),
      );
    }
  } else if (cols.response === undefined) {
    problems.push(
      problemAt(
        doc,
        [...base, 'columns'],
        'a binary endpoint needs columns.response (1 = response, 0 = none)',
      ),
    );
  }
  if (endpoint !== 'time-to-event' && protocol.followUp !== undefined) {
    for (const f of [
      'accrual',
      'studyDuration',
      'dropoutRate',
      'accrualPattern',
      'eventDriven',
    ] as const) {
      if (protocol.followUp[f] === undefined) continue;
      problems.push(
        problemAt(
          doc,
          ['followUp', f],
          `followUp.${f} applies to time-to-event endpoints only: a ${endpoint} endpoint is observed once per patient and not censored`,
          { hint: `remove followUp.${f} (followUp.indexDate, time zero, may stay)` },
        ),
      );
    }
  }
  const allowed =
    endpoint === 'time-to-event'
      ? TTE_METHODS
      : endpoint === 'binary'
        ? BINARY_METHODS
        : CONTINUOUS_METHODS;
  const specs = [
    { path: ['analysis', 'primary', 'method'], method: protocol.analysis.primary.method },
    ...protocol.analysis.secondary.map((a, k) => ({
      path: ['analysis', 'secondary', k, 'method'],
      method: a.method,
    })),
  ];
  for (const a of specs) {
    if (!allowed.has(a.method)) {
      problems.push(
        problemAt(doc, a.path, `analysis method ${a.method} does not suit a ${endpoint} endpoint`, {
          expected: `one of ${[...allowed].join(', ')}`,
          actual: a.method,
        }),
      );
    }
  }
  if (endpoint !== 'time-to-event') {
    const a = protocol.analysis.primary;
    if (a.covariates.length > 0) {
      problems.push(
        problemAt(
          doc,
          ['analysis', 'primary', 'covariates'],
          'binary- and continuous-endpoint analyses are unadjusted in this version',
          {
            hint: 'remove covariates; balance is still reported for every baseline covariate',
          },
        ),
      );
    }
  }
  throwCollected(problems);
}

/**
 * A calibrated interval needs the registry's sampling error, i.e. every parameter of the model
 * drawable from its posterior: refuse a model that lacks counts or covariances unless the
 * protocol says `parameterUncertainty: false` (docs/combining.md).
 */
function checkParameterUncertainty(loaded: LoadedProtocol, model: CovariateModel): void {
  const { protocol, doc } = loaded;
  if (!protocol.control.parameterUncertainty) return;
  const gaps = uncertaintyGaps(model);
  if (gaps.length === 0) return;
  const list = gaps.map((g) => `${g.variable} (${g.parameters.join(', ')})`);
  throw problemAt(
    doc,
    ['control', 'parameterUncertainty'],
    `the covariate model ${loaded.shownPaths.model} gives no sampling uncertainty for ` +
      `${gaps.length === 1 ? 'one variable' : `${gaps.length} variables`}: ${list.join('; ')}, so the ` +
      `interval could not carry the registry's sampling error`,
    {
      expected: 'counts in every table row and a covariance covering every other parameter',
      hint:
        'derive the model with `ecasim fit` (it writes counts and covariances), or set ' +
        'control.parameterUncertainty: false to accept an interval that ignores the registry’s ' +
        'sampling error (the dossier then says so in its summary)',
    },
  );
}

/**
 * Loads and checks every input of a protocol. A missing covariate model or treated dataset is
 * reported at the protocol line that names it, both at once (the readers know only the path).
 */
export function prepareRun(protocolFile: string): PreparedRun {
  const loaded = loadProtocol(protocolFile);
  throwCollected(inputProblems(loaded, ['model', 'treated']));
  const model = loadModel(loaded.shownPaths.model);
  return prepareLoaded(loaded, model, (endpoint) =>
    loadTreated(loaded.paths.treated, loaded.shownPaths.treated, loaded.protocol, model, endpoint),
  );
}

/**
 * The checks and compilation of {@link prepareRun} on inputs already loaded: `treatedArm` gives
 * the treated arm once the endpoint is known (prepareRun reads it from the protocol's CSV;
 * prepare-memory.ts passes one built in memory).
 */
export function prepareLoaded(
  loaded: LoadedProtocol,
  model: CovariateModel,
  treatedArm: (endpoint: 'time-to-event' | 'binary' | 'continuous') => TreatedArm,
): PreparedRun {
  const { protocol, doc } = loaded;
  checkParameterUncertainty(loaded, model);
  const outcome = model.variables.get(protocol.outcome);
  const endpoints = model.names.filter((n) => endpointOfKind(model.variables.get(n)!.kind));
  const endpoint = outcome === undefined ? null : endpointOfKind(outcome.kind);
  if (outcome === undefined || endpoint === null) {
    throw problemAt(
      doc,
      ['outcome'],
      outcome === undefined
        ? `outcome "${protocol.outcome}" is not a variable of the covariate model`
        : `outcome "${protocol.outcome}" is a ${outcome.kind} variable; this version analyses time-to-event, binary and continuous endpoints`,
      {
        expected: endpoints.length
          ? `a time-to-event, binary- or continuous-endpoint variable: ${endpoints.join(', ')}`
          : 'a time-to-event, binary- or continuous-endpoint variable (the model has none)',
        actual: protocol.outcome,
      },
    );
  }
  checkEndpointFields(loaded, endpoint);
  let treated = treatedArm(endpoint);
  const scope = patientScope(model);
  const derived: DerivedVariable[] = [];
  protocol.derived.forEach((d, k) => {
    if (scope[d.name] !== undefined) {
      throw problemAt(
        doc,
        ['derived', k, 'name'],
        `derived variable "${d.name}" has the name of a model variable`,
        {
          hint: 'choose another name',
        },
      );
    }
    const expression = compileAt(
      doc,
      ['derived', k, 'expression'],
      d.expression,
      scope,
      `derived variable "${d.name}"`,
    );
    if (expression.type === 'text') {
      throw problemAt(
        doc,
        ['derived', k, 'expression'],
        `derived variable "${d.name}" must be a number or a condition, not text`,
      );
    }
    derived.push({ name: d.name, expression });
    scope[d.name] = { type: 'number' };
  });
  // Derived variables the treated data allow (all their inputs present) join its covariates.
  treated = { ...treated, covariates: deriveColumns(treated.covariates, derived) };
  const criteria = protocol.eligibility.map((c, k) => ({
    name: c.name,
    expression: compileAt(
      doc,
      ['eligibility', k, 'expression'],
      c.expression,
      scope,
      `eligibility criterion "${c.name}"`,
    ),
  }));
  for (const [k, c] of criteria.entries()) {
    if (c.expression.type !== 'boolean') {
      throw problemAt(
        doc,
        ['eligibility', k, 'expression'],
        `eligibility criterion "${c.name}" must be a condition (true/false)`,
        {
          expected: 'a comparison such as age >= 18',
          actual: protocol.eligibility[k]!.expression,
        },
      );
    }
  }
  const analyses = [
    {
      key: 'primary',
      name: 'Primary',
      spec: protocol.analysis.primary as AnalysisSpec,
      path: ['analysis', 'primary'],
    },
    ...protocol.analysis.secondary.map((s, k) => ({
      key: `secondary.${k}`,
      name: s.name,
      spec: s as AnalysisSpec,
      path: ['analysis', 'secondary', k],
    })),
  ];
  const problems: EcasimError[] = [];
  for (const a of analyses) {
    a.spec.covariates.forEach((c, k) => {
      if (scope[c] === undefined) {
        problems.push(
          problemAt(
            doc,
            [...a.path, 'covariates', k],
            `analysis covariate "${c}" is not a baseline variable of the covariate model`,
            {
              expected: `one of ${Object.keys(scope).join(', ')}`,
              actual: c,
            },
          ),
        );
      } else if (!treated.covariates.columns.has(c)) {
        problems.push(
          problemAt(
            doc,
            [...a.path, 'covariates', k],
            `analysis covariate "${c}" is not in the treated dataset`,
            {
              hint: `add its column to ${loaded.shownPaths.treated} or map it under inputs.treated.covariates`,
            },
          ),
        );
      }
    });
    if (a.spec.covariateEffects !== undefined && a.spec.method !== 'cox-adjusted') {
      problems.push(
        problemAt(
          doc,
          [...a.path, 'covariateEffects'],
          `covariateEffects applies to the cox-adjusted method only, not ${a.spec.method}`,
          { hint: 'remove covariateEffects, or use method: cox-adjusted' },
        ),
      );
    }
    const needs = a.spec.method === 'cox-adjusted' || a.spec.method === 'cox-iptw';
    if (needs && a.spec.covariates.length === 0) {
      problems.push(
        problemAt(doc, [...a.path, 'method'], `analysis method ${a.spec.method} needs covariates`, {
          hint: 'list them under covariates, or use cox-unadjusted',
        }),
      );
    }
  }
  throwCollected(problems);
  const successCriterion = compileSuccessCriterion(loaded);
  const twin =
    protocol.control.mode === 'twin'
      ? twinPlan(model, new Set(treated.covariates.columns.keys()), loaded.shownPaths.treated)
      : null;
  const controlSize =
    twin !== null
      ? treated.n
      : (protocol.control.size ?? Math.round(protocol.control.ratio! * treated.n));
  if (controlSize < 1) {
    throw problemAt(doc, ['control', 'ratio'], 'control.ratio gives an empty control arm', {
      expected: `a ratio of at least ${(1 / treated.n).toPrecision(2)}`,
    });
  }
  return {
    loaded,
    model,
    treated,
    criteria,
    controlSize,
    outcomeLabel: outcome.label ?? protocol.outcome,
    analyses: analyses.map(({ key, name, spec }) => ({ key, name, spec })),
    checks: covariateEffectsChecks(analyses),
    successCriterion,
    twin,
    endpoint,
    derived,
  };
}
