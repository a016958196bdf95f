import { readFileSync } from 'node:fs';
import { parseModelText } from '../../src/model/load.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import { drawTwins, twinPlan } from '../../src/simulate/twin.js';

const ALS = parseModelText(
  'model.json',
  readFileSync(new URL('../../examples/als/model.json', import.meta.url), 'utf8'),
);

describe('twin mode', () => {
  test('observed covariates are copied, missing ones drawn, the outcome drawn for every twin', () => {
    const full = sampleCohort(ALS, 50, createStream(1));
    const observed = new Map(
      [...full.columns].filter(([k]) => ['age', 'sex', 'onset', 'delay', 'alsfrs'].includes(k)),
    );
    const twins = drawTwins(ALS, { n: 50, columns: observed }, createStream(2));
    for (const k of observed.keys()) expect(twins.columns.get(k)).toBe(observed.get(k));
    const fvc = twins.columns.get('fvc') as { values: Float64Array };
    expect(fvc.values).toHaveLength(50);
    expect(fvc.values.every((v) => v >= 30 && v <= 130)).toBe(true);
    const t = twins.columns.get('survival') as { values: Float64Array };
    expect(t.values.every((v) => v > 0)).toBe(true);
  });

  test('the plan names what is copied and what is drawn', () => {
    const plan = twinPlan(ALS, new Set(['age', 'sex', 'onset', 'delay', 'alsfrs']), 't.csv');
    expect(plan).toEqual({ observed: ['sex', 'onset', 'age', 'delay', 'alsfrs'], drawn: ['fvc'] });
  });

  test('a missing variable with an observed descendant is refused, naming both', () => {
    // delay is a parent of alsfrs: without delay but with alsfrs, forward sampling would ignore alsfrs
    expect(() => twinPlan(ALS, new Set(['age', 'sex', 'onset', 'alsfrs', 'fvc']), 't.csv')).toThrow(
      'twin mode cannot draw "delay" for the twins: it is missing from the treated data, but its descendant(s) alsfrs are observed',
    );
  });

  test('the same stream gives the same twins', () => {
    const full = sampleCohort(ALS, 20, createStream(1));
    const given = new Map([...full.columns].filter(([k]) => k !== 'survival' && k !== 'fvc'));
    const a = drawTwins(ALS, { n: 20, columns: given }, createStream(9));
    const b = drawTwins(ALS, { n: 20, columns: given }, createStream(9));
    expect(a.columns.get('survival')).toEqual(b.columns.get('survival'));
  });
});
