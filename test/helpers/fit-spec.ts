/**
 * The fit spec of the fit fixtures' truth (test/model/fit-fixtures/truth.json): its variables as
 * a registry of it records them, with the inverse-information covariance (point estimates and
 * structure are under test, not the covariance: no bootstrap) and a given structure block.
 */
export function truthFitSpec(structure: string, crp = 'transform: log'): string {
  return `
format: ecasim-fit/1
registry: { name: simulated }
timeUnit: months
covariance: { method: information }
variables:
  sex: { kind: categorical, levels: [female, male] }
  stage: { kind: categorical, levels: [III, IV] }
  age: { kind: continuous }
  ecog: { kind: logistic }
  nmets: { kind: count }
  crp: { kind: continuous${crp === '' ? '' : `, ${crp}`} }
  os: { kind: time-to-event, time: os_time, event: os_event, baseline: weibull }
structure:
  ${structure}
`;
}

/** The fixed graph of the fit fixtures' truth. */
export const TRUTH_GRAPH =
  'graph: { stage: [sex], age: [sex], ecog: [age, stage], nmets: [stage], crp: [ecog], os: [age, stage, ecog] }';
