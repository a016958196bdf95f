/**
 * Structure learning: hill-climbing on BIC recovers a known network from data sampled from it
 * (sampleCohort, fixed seed, n = 20 000), honours the whitelist, blacklist, tiers and maxParents,
 * and is deterministic. Plus the generic `hillClimb` on a hand-made score.
 */
import { cohortTable, fitModel, learnStructure, readRegistry } from '../../src/model/fit.js';
import { parseFitSpecText, type LearnSpec } from '../../src/model/fit-spec.js';
import { loadModel } from '../../src/model/load.js';
import { hillClimb } from '../../src/model/structure.js';
import { createStream } from '../../src/random/index.js';
import { sampleCohort } from '../../src/simulate/ancestral.js';
import { truthFitSpec } from '../helpers/fit-spec.js';

const truth = loadModel('test/model/fit-fixtures/truth.json');
const cohort = sampleCohort(truth, 20000, createStream(20261123));
const table = cohortTable(cohort, ['os'], 'sim.csv', 40);

function spec(learn: string): string {
  return truthFitSpec(`learn: ${learn}`);
}

/** Undirected arcs "a-b" with a < b. */
function skeleton(graph: Record<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [c, ps] of Object.entries(graph))
    for (const p of ps) out.push([p, c].sort().join('-'));
  return out.sort();
}

const trueGraph = Object.fromEntries([...truth.variables].map(([n, v]) => [n, v.parents]));

describe('learning a known network', () => {
  const loaded = parseFitSpecText(
    'fit.yaml',
    spec('{ tiers: [[sex, age], [stage, ecog, nmets, crp], [os]], maxParents: 3 }'),
  );
  const data = readRegistry(table, loaded);
  const learned = learnStructure(
    data,
    loaded.spec,
    (loaded.spec.structure as { learn: LearnSpec }).learn,
  );

  test('recovers the skeleton', () => {
    expect(skeleton(learned)).toEqual(skeleton(trueGraph));
  });

  test('tiers fix the orientations across tiers; outcomes have no children', () => {
    expect(learned['stage']).toContain('sex');
    expect(learned['age']).toEqual(['sex']);
    expect([...learned['os']!].sort()).toEqual(['age', 'ecog', 'stage']);
    for (const ps of Object.values(learned)) expect(ps).not.toContain('os');
  });

  test('deterministic: the same data give the same graph', () => {
    expect(
      learnStructure(data, loaded.spec, (loaded.spec.structure as { learn: LearnSpec }).learn),
    ).toEqual(learned);
  });

  test('the fitted model loads and carries the learned graph', () => {
    const fit = fitModel(table, loaded, { software: 't' });
    for (const [n, ps] of Object.entries(learned))
      expect(fit.model.variables[n]!.parents).toEqual(ps);
    expect(fit.loaded.order.at(-1)).toBe('os');
  });
});

describe('constraints', () => {
  test('a whitelisted arc is always present, even when BIC would drop it', () => {
    const loaded = parseFitSpecText(
      'fit.yaml',
      spec('{ whitelist: [[nmets, crp]], maxParents: 3 }'),
    );
    const g = learnStructure(
      readRegistry(table, loaded),
      loaded.spec,
      (loaded.spec.structure as { learn: LearnSpec }).learn,
    );
    expect(g['crp']).toContain('nmets');
  });

  test('a blacklisted arc is never present (in either orientation when both are listed)', () => {
    const loaded = parseFitSpecText(
      'fit.yaml',
      spec('{ blacklist: [[sex, stage], [stage, sex], [stage, os]], maxParents: 3 }'),
    );
    const g = learnStructure(
      readRegistry(table, loaded),
      loaded.spec,
      (loaded.spec.structure as { learn: LearnSpec }).learn,
    );
    expect(g['stage']).not.toContain('sex');
    expect(g['sex']).not.toContain('stage');
    expect(g['os']).not.toContain('stage');
  });

  test('maxParents bounds every parent set; categorical variables keep categorical parents', () => {
    const loaded = parseFitSpecText('fit.yaml', spec('{ maxParents: 1 }'));
    const g = learnStructure(
      readRegistry(table, loaded),
      loaded.spec,
      (loaded.spec.structure as { learn: LearnSpec }).learn,
    );
    for (const ps of Object.values(g)) expect(ps.length).toBeLessThanOrEqual(1);
    for (const n of ['sex', 'stage'])
      for (const p of g[n]!) expect(['sex', 'stage', 'ecog']).toContain(p);
  });

  test('maxParents per node: its own limit, the default for the rest', () => {
    const learn = (limits: string) => {
      const loaded = parseFitSpecText(
        'fit.yaml',
        spec(`{ tiers: [[sex, age], [stage, ecog, nmets, crp], [os]], maxParents: ${limits} }`),
      );
      return learnStructure(
        readRegistry(table, loaded),
        loaded.spec,
        (loaded.spec.structure as { learn: LearnSpec }).learn,
      );
    };
    // the outcome alone may have parents: it finds its three, and nothing else has any
    const onlyOs = learn('{ default: 0, os: 3 }');
    expect([...onlyOs['os']!].sort()).toEqual(['age', 'ecog', 'stage']);
    for (const [n, ps] of Object.entries(onlyOs)) if (n !== 'os') expect(ps).toEqual([]);
    // the outcome limited to one parent, the rest as the default 3 (the true graph's)
    const oneForOs = learn('{ os: 1 }');
    expect(oneForOs['os']).toHaveLength(1);
    expect(oneForOs['age']).toEqual(['sex']);
    expect(oneForOs['stage']).toContain('sex');
  });
});

describe('hillClimb (generic)', () => {
  // a score that wants exactly the arcs a → b and b → c, each worth 1
  const want = new Set(['a>b', 'b>c']);
  const score = (n: string, ps: readonly string[]): number =>
    ps.reduce((s, p) => s + (want.has(`${p}>${n}`) ? 1 : -1), 0);

  test('finds the wanted arcs and nothing else', () => {
    const r = hillClimb({ nodes: ['a', 'b', 'c'], score, allowed: () => true, maxParents: 2 });
    expect(r.parents).toEqual({ a: [], b: ['a'], c: ['b'] });
    expect(r.score).toBe(2);
    expect(r.moves).toBe(2);
  });

  test('never creates a cycle, and respects `allowed`', () => {
    const cyc = (_n: string, ps: readonly string[]): number => ps.length; // every arc pays
    const r = hillClimb({
      nodes: ['a', 'b', 'c'],
      score: cyc,
      allowed: (f, t) => !(f === 'c' && t === 'a'),
      maxParents: 2,
    });
    // a DAG on 3 nodes has at most 3 arcs; check acyclicity by a topological order
    const order: string[] = [];
    const left = new Map(Object.entries(r.parents));
    while (left.size) {
      const next = [...left].find(([, ps]) => ps.every((p) => order.includes(p)));
      expect(next).toBeDefined();
      order.push(next![0]);
      left.delete(next![0]);
    }
    expect(r.parents['a']).not.toContain('c');
  });

  test('ties go to the first candidate in node order', () => {
    const flat = (_n: string, ps: readonly string[]): number => (ps.length === 1 ? 1 : 0);
    const r = hillClimb({ nodes: ['a', 'b'], score: flat, allowed: () => true, maxParents: 1 });
    expect(r.parents).toEqual({ a: ['b'], b: [] });
  });
});
