/**
 * Everything a run needs, loaded and checked before any patient is drawn: the protocol, the
 * covariate model, the treated arm, the compiled eligibility criteria and success criterion, and
 * the analysis plan checked against the variables there are. `ecasim validate` stops here.
 */
import { problemAt } from '../io/document.js';
import { loadModel, type CovariateModel } from '../model/load.js';
import { isCategoricalKind, levelsOf } from '../model/network.js';
import type { CompiledExpression, VariableInfo } from '../protocol/expressions.js';
import { compileAt, loadProtocol, type LoadedProtocol } from '../protocol/load.js';
import type { AnalysisSpec } from '../protocol/schema.js';
import { loadTreated, type TreatedArm } from '../protocol/treated.js';
import type { Criterion } from '../simulate/eligibility.js';
import { twinPlan, type TwinPlan } from '../simulate/twin.js';
import type { EcasimError } from '../errors.js';
import { throwCollected } from '../errors.js';

export interface PreparedRun {
  readonly loaded: LoadedProtocol;
  readonly model: CovariateModel;
  readonly treated: TreatedArm;
  readonly criteria: readonly Criterion[];
  readonly controlSize: number;
  readonly outcomeLabel: string;
  /** Primary first, then the secondary analyses, each with the name results use. */
  readonly analyses: readonly { key: string; name: string; spec: AnalysisSpec }[];
  readonly successCriterion: CompiledExpression;
  /** Twin mode: which baseline variables the twins copy and which they draw. */
  readonly twin: TwinPlan | null;
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

/** The variables expressions over patients may read: the model's baseline (non-outcome) variables. */
export function patientScope(model: CovariateModel): Record<string, VariableInfo> {
  const scope: Record<string, VariableInfo> = {};
  for (const name of model.names) {
    if (model.outcomes.includes(name)) continue;
    const v = model.variables.get(name)!;
    scope[name] = isCategoricalKind(v)
      ? { type: 'text', levels: levelsOf(v)! }
      : { type: 'number' };
  }
  return scope;
}

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

/** Loads and checks every input of a protocol. */
export function prepareRun(protocolFile: string): PreparedRun {
  const loaded = loadProtocol(protocolFile);
  const { protocol, doc } = loaded;
  const model = loadModel(loaded.shownPaths.model);
  const outcome = model.variables.get(protocol.outcome);
  if (outcome === undefined || outcome.kind !== 'time-to-event') {
    const tte = model.names.filter((n) => model.variables.get(n)!.kind === 'time-to-event');
    throw problemAt(
      doc,
      ['outcome'],
      outcome === undefined
        ? `outcome "${protocol.outcome}" is not a variable of the covariate model`
        : `outcome "${protocol.outcome}" is a ${outcome.kind} variable; this version analyses time-to-event outcomes`,
      {
        expected: tte.length
          ? `a time-to-event variable: ${tte.join(', ')}`
          : 'a time-to-event variable (the model has none)',
        actual: protocol.outcome,
      },
    );
  }
  const treated = loadTreated(loaded.paths.treated, loaded.shownPaths.treated, protocol, model);
  const scope = patientScope(model);
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
      ? treated.time.length
      : (protocol.control.size ?? Math.round(protocol.control.ratio! * treated.time.length));
  if (controlSize < 1) {
    throw problemAt(doc, ['control', 'ratio'], 'control.ratio gives an empty control arm', {
      expected: `a ratio of at least ${(1 / treated.time.length).toPrecision(2)}`,
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
    successCriterion,
    twin,
  };
}
