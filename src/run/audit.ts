/**
 * The protocol's `audit:` of the covariate model against its registry extract, as results
 * report it. An edge of the run: it reads the model and registry files.
 */
import { auditSummaryForDossier, runAudit } from '../audit/index.js';
import type { Results } from '../results.js';
import type { PreparedRun } from './prepare.js';

/** The audit summary for results.json, or null when the protocol asks for none. */
export function protocolAudit(prepared: PreparedRun, seed: number): Results['audit'] {
  const { loaded } = prepared;
  const spec = loaded.protocol.audit;
  if (!spec || !loaded.auditPaths) return null;
  const audit = runAudit({
    model: loaded.shownPaths.model,
    registry: loaded.auditPaths.registry,
    ...(loaded.auditPaths.holdout ? { holdout: loaded.auditPaths.holdout } : {}),
    seed,
    columns: {
      ...(spec.time ? { time: spec.time } : {}),
      ...(spec.event ? { event: spec.event } : {}),
      ...(spec.columns ? { rename: spec.columns } : {}),
    },
    ...(spec.n ? { n: spec.n } : {}),
  });
  return {
    ...auditSummaryForDossier(audit),
    registry: spec.registry,
    holdout: spec.holdout ?? null,
  };
}
