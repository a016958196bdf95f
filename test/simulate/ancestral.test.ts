/**
 * Ancestral sampling: distributions checked against the model's exact values (theory, not
 * reference runs) with a fixed seed and n = 200,000. Each check allows 4 standard errors of the
 * estimator, stated per check; with ~100 checks the chance of a false alarm under a correct
 * sampler is about 100 · 6e-5 ≈ 0.6% per seed, and the seed is fixed.
 */
import { readFileSync } from 'node:fs';
import { parseModel, loadModel, type CovariateModel } from '../../src/model/load.js';
import { parseLocated } from '../../src/io/document.js';
import { EcasimError } from '../../src/errors.js';
import { createStream } from '../../src/random/index.js';
import { gammaSampler } from '../../src/random/variates.js';
import {
  cohortSampler,
  linearPredictor,
  poisson,
  sampleCohort,
} from '../../src/simulate/ancestral.js';
import {
  concatCohorts,
  getColumn,
  levelValues,
  numericView,
  selectRows,
  type CategoricalColumn,
  type Cohort,
  type Column,
} from '../../src/cohort.js';
import { lgamma, pchisq, pnorm, qnorm } from '../../src/stats/distributions.js';
import { expectClose } from '../helpers/close.js';

const N = 200_000;
const SEED = 20261123;
const model = loadModel('test/model/fixtures/moments.json');
const cohort = sampleCohort(model, N, createStream(SEED));

const num = (name: string): Float64Array =>
  (getColumn(cohort, name) as { values: Float64Array }).values;
const cat = (name: string): CategoricalColumn => getColumn(cohort, name) as CategoricalColumn;
const expit = (x: number): number => 1 / (1 + Math.exp(-x));
const dnorm = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** |observed − expected| ≤ 4·se, printing all three on failure. */
function within4se(label: string, observed: number, expected: number, se: number): void {
  const ok = Math.abs(observed - expected) <= 4 * se;
  if (!ok)
    throw new Error(`${label}: observed ${observed}, expected ${expected}, 4·se = ${4 * se}`);
  expect(ok).toBe(true);
}

/** Row indices where the categorical column `name` is at `level`. */
function rowsAt(name: string, level: string): number[] {
  const c = cat(name);
  const code = c.levels.indexOf(level);
  const out: number[] = [];
  for (let i = 0; i < c.codes.length; i++) if (c.codes[i] === code) out.push(i);
  return out;
}

/** A proportion p̂ = mean(indicator) over `rows`, checked against p with se √(p(1−p)/n). */
function checkProportion(
  label: string,
  rows: ArrayLike<number>,
  indicator: (i: number) => boolean,
  p: number,
): void {
  let hits = 0;
  for (let j = 0; j < rows.length; j++) if (indicator(rows[j]!)) hits++;
  within4se(label, hits / rows.length, p, Math.sqrt((p * (1 - p)) / rows.length));
}

function meanAndSd(x: ArrayLike<number>, rows: ArrayLike<number>): { mean: number; sd: number } {
  let s = 0;
  for (let j = 0; j < rows.length; j++) s += x[rows[j]!]!;
  const mean = s / rows.length;
  let ss = 0;
  for (let j = 0; j < rows.length; j++) ss += (x[rows[j]!]! - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (rows.length - 1)) };
}

const all = Array.from({ length: N }, (_, i) => i);
const female = rowsAt('sex', 'female');
const male = rowsAt('sex', 'male');

describe('categorical tables', () => {
  test('root frequencies within 4 SE of p', () => {
    checkProportion('P(sex = female)', all, (i) => cat('sex').codes[i] === 0, 0.41);
  });

  test('conditional frequencies within 4 SE of each row', () => {
    const table = { female: [0.5, 0.35, 0.15], male: [0.3, 0.45, 0.25] };
    for (const [sex, rows] of [
      ['female', female],
      ['male', male],
    ] as const) {
      table[sex].forEach((p, level) => {
        checkProportion(
          `P(ecog = ${level} | ${sex})`,
          rows,
          (i) => cat('ecog').codes[i] === level,
          p,
        );
      });
    }
  });

  test('the joint (sex, ecog) passes a chi-square test against the exact joint (p > 0.001)', () => {
    // exact joint by enumeration: P(sex) · P(ecog | sex)
    const expected = [0.41 * 0.5, 0.41 * 0.35, 0.41 * 0.15, 0.59 * 0.3, 0.59 * 0.45, 0.59 * 0.25];
    const observed = new Array<number>(6).fill(0);
    const s = cat('sex').codes;
    const e = cat('ecog').codes;
    for (let i = 0; i < N; i++) observed[s[i]! * 3 + e[i]!]!++;
    const stat = observed.reduce(
      (acc, o, k) => acc + (o - N * expected[k]!) ** 2 / (N * expected[k]!),
      0,
    );
    expect(pchisq(stat, 5)).toBeGreaterThan(0.001);
  });
});

describe('linear-Gaussian variables', () => {
  test('mean and sd given a categorical parent', () => {
    for (const [label, rows, mu] of [
      ['female', female, 66],
      ['male', male, 67.1],
    ] as const) {
      const { mean, sd } = meanAndSd(num('age'), rows);
      within4se(`mean age | ${label}`, mean, mu, 9.2 / Math.sqrt(rows.length));
      // se of a normal sample sd ≈ σ/√(2n)
      within4se(`sd age | ${label}`, sd, 9.2, 9.2 / Math.sqrt(2 * rows.length));
    }
  });

  test('log transform: Gaussian on the log scale, positive values', () => {
    const logLdh = num('ldh').map(Math.log);
    expect(num('ldh').every((x) => x > 0)).toBe(true);
    for (const [level, mu] of [
      ['0', 5.3],
      ['1', 5.3],
      ['2', 5.7],
    ] as const) {
      const rows = rowsAt('ecog', level);
      const { mean, sd } = meanAndSd(logLdh, rows);
      within4se(`mean log ldh | ecog ${level}`, mean, mu, 0.5 / Math.sqrt(rows.length));
      within4se(`sd log ldh | ecog ${level}`, sd, 0.5, 0.5 / Math.sqrt(2 * rows.length));
    }
  });

  test('bounds by rejection: the truncated-normal mean, not a clamped one', () => {
    const x = num('bmi');
    expect(x.every((v) => v >= 22 && v <= 35)).toBe(true);
    // Johnson, Kotz & Balakrishnan (1994) §10.1: truncated normal mean and variance
    const [mu, sigma, a, b] = [25, 5, (22 - 25) / 5, (35 - 25) / 5];
    const z = pnorm(b) - pnorm(a);
    const mean = mu + (sigma * (dnorm(a) - dnorm(b))) / z;
    const variance =
      sigma ** 2 * (1 + (a * dnorm(a) - b * dnorm(b)) / z - ((dnorm(a) - dnorm(b)) / z) ** 2);
    const observed = meanAndSd(x, all);
    within4se('mean of bmi truncated to [22, 35]', observed.mean, mean, Math.sqrt(variance / N));
    // clamping would put mass at the bounds
    expect(x.filter((v) => v === 22 || v === 35).length).toBe(0);
  });

  test('round: integers within the bounds, mean kept', () => {
    const x = num('visits');
    expect(x.every((v) => Number.isInteger(v) && v >= 0 && v <= 20)).toBe(true);
    // truncation at 3 sd below the mean moves it by < 0.01; rounding adds variance 1/12
    within4se('mean visits', meanAndSd(x, all).mean, 6, Math.sqrt((4 + 1 / 12) / N) + 0.01 / 4);
  });

  test('unreachable bounds: an error pointing at the bounds in the file', () => {
    const m = loadModel('test/model/fixtures/unreachable-bounds.json');
    let err: EcasimError | undefined;
    try {
      sampleCohort(m, 10, createStream(1));
    } catch (e) {
      err = e as EcasimError;
    }
    expect(err?.message).toMatch(
      /^cannot draw "age" within its bounds \[80, 95\]: 100 draws in a row fell outside for patient 0 \(mean 40\.00, sd 1\)$/,
    );
    const line = readFileSync('test/model/fixtures/unreachable-bounds.json', 'utf8').split(
      '\n',
    )[4]!;
    expect(err?.details).toMatchObject({
      file: 'test/model/fixtures/unreachable-bounds.json',
      field: 'variables.age.bounds',
      line: 5,
      column: line.indexOf('[80, 95]') + 1,
    });
  });

  test('continuous endpoint', () => {
    for (const [label, rows, mu] of [
      ['female', female, 1.5],
      ['male', male, 1.8],
    ] as const) {
      within4se(
        `mean crp | ${label}`,
        meanAndSd(num('crp'), rows).mean,
        mu,
        0.8 / Math.sqrt(rows.length),
      );
    }
  });
});

describe('logistic variables', () => {
  test('frequency of the second level matches the mean of expit(lp) over the drawn parents', () => {
    const sex = cat('sex').codes;
    const age = num('age');
    let sumP = 0;
    let sumVar = 0;
    let hits = 0;
    const pdl1 = cat('pdl1');
    expect(pdl1.levels).toEqual(['low', 'high']);
    for (let i = 0; i < N; i++) {
      const p = expit(-0.4 + 0.5 * sex[i]! - 0.03 * (age[i]! - 65));
      sumP += p;
      sumVar += p * (1 - p);
      hits += pdl1.codes[i]!;
    }
    within4se('P(pdl1 = high)', hits / N, sumP / N, Math.sqrt(sumVar) / N);
  });

  test('binary endpoint given its parent, default levels "0", "1"', () => {
    expect(cat('orr').levels).toEqual(['0', '1']);
    checkProportion(
      'P(orr = 1 | low)',
      rowsAt('pdl1', 'low'),
      (i) => cat('orr').codes[i] === 1,
      expit(-1.2),
    );
    checkProportion(
      'P(orr = 1 | high)',
      rowsAt('pdl1', 'high'),
      (i) => cat('orr').codes[i] === 1,
      expit(-0.4),
    );
  });
});

describe('counts', () => {
  const poissonPmf = (k: number, mu: number): number =>
    Math.exp(-mu + k * Math.log(mu) - lgamma(k + 1));

  test('Poisson by inversion (small mean): pmf at 0..5 within 4 SE', () => {
    for (const [label, rows, mu] of [
      ['female', female, Math.exp(0.5)],
      ['male', male, Math.exp(0.8)],
    ] as const) {
      for (let k = 0; k <= 5; k++) {
        checkProportion(
          `P(mets = ${k} | ${label})`,
          rows,
          (i) => num('mets')[i] === k,
          poissonPmf(k, mu),
        );
      }
    }
  });

  test('Poisson by transformed rejection (large mean): mean, variance and pmf near the mode', () => {
    const mu = Math.exp(3.6);
    const x = num('cells');
    const { mean, sd } = meanAndSd(x, all);
    within4se('mean cells', mean, mu, Math.sqrt(mu / N));
    // se of a sample variance: √((μ4 − σ⁴)/n), Poisson μ4 = μ(1 + 3μ)
    within4se('variance cells', sd * sd, mu, Math.sqrt((mu + 2 * mu * mu) / N));
    for (const k of [20, 30, 36, 37, 45, 55]) {
      checkProportion(`P(cells = ${k})`, all, (i) => x[i] === k, poissonPmf(k, mu));
    }
  });

  test('negative binomial: pmf at 0..6 and mean', () => {
    const [mu, theta] = [Math.exp(1.1), 1.7];
    // dnbinom(k, size = θ, mu = μ)
    const pmf = (k: number): number =>
      Math.exp(
        lgamma(k + theta) -
          lgamma(theta) -
          lgamma(k + 1) +
          theta * Math.log(theta / (theta + mu)) +
          k * Math.log(mu / (theta + mu)),
      );
    const x = num('lesions');
    for (let k = 0; k <= 6; k++)
      checkProportion(`P(lesions = ${k})`, all, (i) => x[i] === k, pmf(k));
    within4se('mean lesions', meanAndSd(x, all).mean, mu, Math.sqrt((mu + (mu * mu) / theta) / N));
  });
});

describe('time-to-event outcomes', () => {
  /** Checks P(T > t) = S0(t)^exp(lp) at several t within 4 SE. */
  function checkSurvival(
    name: string,
    rows: number[],
    s0: (t: number) => number,
    lp: number,
    times: number[],
  ): void {
    const t = num(name);
    for (const at of times) {
      const s = s0(at) ** Math.exp(lp);
      checkProportion(`S_${name}(${at} | lp ${lp})`, rows, (i) => t[i]! > at, s);
    }
  }

  test('Weibull: the median at lp 0 is scale·ln2^(1/shape)', () => {
    const [shape, scale] = [1.3, 14];
    const median = scale * Math.LN2 ** (1 / shape);
    const t = female.map((i) => num('os')[i]!).sort((a, b) => a - b);
    const observed = (t[t.length / 2 - 1]! + t[t.length / 2]!) / 2;
    // asymptotic se of a sample median: 1 / (2 f(m) √n), f the Weibull density at the median
    const density = (shape / scale) * (median / scale) ** (shape - 1) * 0.5;
    within4se('median os | female', observed, median, 1 / (2 * density * Math.sqrt(t.length)));
  });

  test('Weibull: S(t | male) = S0(t)^exp(0.45)', () => {
    const s0 = (t: number): number => Math.exp(-((t / 14) ** 1.3));
    checkSurvival('os', male, s0, 0.45, [2, 5, 10, 14, 20, 40]);
    checkSurvival('os', female, s0, 0, [2, 5, 10, 14, 20, 40]);
  });

  test('exponential: S(t | ecog) = exp(−rate·t·e^lp)', () => {
    const s0 = (t: number): number => Math.exp(-0.1 * t);
    for (const [level, lp] of [
      ['0', 0],
      ['1', 0.3],
      ['2', 0.7],
    ] as const) {
      checkSurvival('pfs', rowsAt('ecog', level), s0, lp, [1, 5, 10, 25]);
    }
  });

  test('piecewise exponential: S(t) = exp(−H0(t)·e^lp) across the breaks', () => {
    const h0 = (t: number): number =>
      0.02 * Math.min(t, 3) + 0.08 * Math.max(0, Math.min(t, 12) - 3) + 0.04 * Math.max(0, t - 12);
    const s0 = (t: number): number => Math.exp(-h0(t));
    checkSurvival('dfs', female, s0, 0, [1, 3, 6, 12, 20, 60]);
    checkSurvival('dfs', male, s0, -0.5, [1, 3, 6, 12, 20, 60]);
  });

  test('step baseline: event times on the steps, Infinity past the last, S(t) = S0(t)^exp(lp)', () => {
    const times = [2, 5, 9, 20];
    const survival = [0.9, 0.7, 0.55, 0.4];
    const s0 = (t: number): number => {
      let s = 1;
      times.forEach((tj, j) => {
        if (t >= tj) s = survival[j]!;
      });
      return s;
    };
    expect(num('ttf').every((t) => times.includes(t) || t === Infinity)).toBe(true);
    checkSurvival('ttf', female, s0, 0, [1, 2, 4, 5, 9, 19, 20, 100]);
    checkSurvival('ttf', male, s0, 0.6, [1, 2, 4, 5, 9, 19, 20, 100]);
    checkProportion(
      'P(ttf = Infinity | male)',
      male,
      (i) => num('ttf')[i] === Infinity,
      0.4 ** Math.exp(0.6),
    );
  });
});

describe('the linear predictor', () => {
  test('numeric parents centred, categorical parents by level, reference level 0', () => {
    const columns = new Map<string, Column>([
      ['age', { kind: 'numeric', values: Float64Array.from([60, 65, 70]) }],
      [
        'stage',
        { kind: 'categorical', codes: Int32Array.from([0, 1, 2]), levels: ['II', 'III', 'IV'] },
      ],
    ]);
    const lp = linearPredictor(
      0.5,
      { age: 0.1, 'stage=III': 1, 'stage=IV': 2 },
      { age: 65 },
      columns,
      3,
    );
    // 0.5 + 0.1·(60 − 65) + 0 ; 0.5 + 0 + 1 ; 0.5 + 0.1·5 + 2
    expect(Array.from(lp)).toEqual([0.5 + 0.1 * -5, 1.5, 0.5 + 0.1 * 5 + 2]);
  });
});

describe('draw scheme', () => {
  test('variable k draws from substream k: continuous = lp + sd·qnorm(U), Weibull by inversion', () => {
    const m = loadModel('test/model/fixtures/moments.json');
    const c = sampleCohort(m, 50, createStream(99));
    const ageStream = createStream(99).substream(m.names.indexOf('age'));
    const sex = (c.columns.get('sex') as CategoricalColumn).codes;
    const age = (c.columns.get('age') as { values: Float64Array }).values;
    for (let i = 0; i < 50; i++) {
      expectClose(age[i]!, 66 + 1.1 * sex[i]! + 9.2 * qnorm(ageStream.uniformOpen()), {
        rtol: 1e-14,
        label: `age[${i}]`,
      });
    }
    const osStream = createStream(99).substream(m.names.indexOf('os'));
    const os = (c.columns.get('os') as { values: Float64Array }).values;
    for (let i = 0; i < 50; i++) {
      const e = -Math.log(osStream.uniformOpen()) / Math.exp(0.45 * sex[i]!);
      expectClose(os[i]!, 14 * e ** (1 / 1.3), { rtol: 1e-14, label: `os[${i}]` });
    }
  });

  test('gamma draws: mean and variance equal the shape, below and above 1', () => {
    for (const shape of [0.4, 2.5]) {
      const gamma = gammaSampler(createStream(5, Math.round(shape * 10)));
      const x = Float64Array.from({ length: N }, () => gamma(shape));
      const { mean, sd } = meanAndSd(x, all);
      within4se(`mean Gamma(${shape})`, mean, shape, Math.sqrt(shape / N));
      // Gamma(k): μ4 − σ⁴ = 3k² + 6k − k² = 2k² + 6k
      within4se(
        `variance Gamma(${shape})`,
        sd * sd,
        shape,
        Math.sqrt((2 * shape * shape + 6 * shape) / N),
      );
    }
  });

  test('poisson(0) is 0 without drawing', () => {
    const s = createStream(1);
    expect(poisson(0, s)).toBe(0);
    expect(s.uniformOpen()).toBe(createStream(1).uniformOpen());
  });
});

describe('reproducibility', () => {
  const nsclc = loadModel('test/model/fixtures/nsclc.json');
  const arrays = (c: Cohort): unknown[] =>
    [...c.columns.values()].map((col) =>
      Array.from(col.kind === 'numeric' ? col.values : col.codes),
    );

  test('the same seed and n give identical columns', () => {
    const a = sampleCohort(nsclc, 5000, createStream(7, 3));
    const b = sampleCohort(nsclc, 5000, createStream(7, 3));
    expect(arrays(a)).toEqual(arrays(b));
    const c = sampleCohort(nsclc, 5000, createStream(8, 3));
    expect(arrays(c)).not.toEqual(arrays(a));
  });

  test('a smaller cohort is the first rows of a larger one (prefix property)', () => {
    const small = sampleCohort(nsclc, 300, createStream(7));
    const large = sampleCohort(nsclc, 3000, createStream(7));
    expect(arrays(small)).toEqual(
      arrays(
        selectRows(
          large,
          Array.from({ length: 300 }, (_, i) => i),
        ),
      ),
    );
  });

  test('a cohort drawn a chunk at a time is the cohort drawn at once (every kind: bounds, rounding, negative binomial)', () => {
    for (const m of [nsclc, loadModel('test/model/fixtures/moments.json')]) {
      const whole = sampleCohort(m, 1000, createStream(11, 2));
      const sampler = cohortSampler(m, createStream(11, 2));
      const chunks = [1, 64, 300, 0, 135, 500].map((k) => sampler.next(k));
      expect(sampler.drawn).toBe(1000);
      expect(arrays(concatCohorts(chunks))).toEqual(arrays(whole));
    }
  });

  test('every variable becomes a column, in declaration order, of the right kind', () => {
    const c = sampleCohort(nsclc, 10, createStream(1));
    expect([...c.columns.keys()]).toEqual([
      'sex',
      'stage',
      'age',
      'pdl1',
      'mets',
      'os',
      'orr',
      'crp',
    ]);
    expect([...c.columns.values()].map((col) => col.kind)).toEqual([
      'categorical',
      'categorical',
      'numeric',
      'categorical',
      'numeric',
      'numeric',
      'categorical',
      'numeric',
    ]);
    expect((c.columns.get('stage') as CategoricalColumn).levels).toEqual(['IIIB', 'IV']);
    expect(c.n).toBe(10);
  });

  test('n = 0 gives empty columns; a bad n is refused', () => {
    const c = sampleCohort(nsclc, 0, createStream(1));
    expect(
      [...c.columns.values()].every(
        (col) => (col.kind === 'numeric' ? col.values : col.codes).length === 0,
      ),
    ).toBe(true);
    expect(() => sampleCohort(nsclc, -1, createStream(1))).toThrow(
      /`n` must be a non-negative integer. Value: `-1`/,
    );
    expect(() => sampleCohort(nsclc, 2.5, createStream(1))).toThrow(RangeError);
  });

  test('a categorical variable with a logistic parent uses its two levels as table rows', () => {
    const m = parseModel(
      parseLocated(
        'inline.json',
        JSON.stringify({
          format: 'ecasim-model/1',
          provenance: { registry: 'R', derivation: { method: 'expert' }, timeUnit: 'days' },
          variables: {
            smoker: { kind: 'logistic', intercept: 0 },
            copd: {
              kind: 'categorical',
              levels: ['no', 'yes'],
              parents: ['smoker'],
              table: [
                { given: { smoker: '1' }, p: [0.7, 0.3] },
                { given: { smoker: '0' }, p: [0.95, 0.05] },
              ],
            },
          },
        }),
        'covariate model',
      ),
    );
    const c = sampleCohort(m, N / 4, createStream(4));
    const smoker = (c.columns.get('smoker') as CategoricalColumn).codes;
    const copd = (c.columns.get('copd') as CategoricalColumn).codes;
    for (const [level, p] of [
      [0, 0.05],
      [1, 0.3],
    ] as const) {
      const rows = Array.from(smoker.keys()).filter((i) => smoker[i] === level);
      checkProportion(`P(copd | smoker = ${level})`, rows, (i) => copd[i] === 1, p);
    }
  });

  test('a covariate-only model samples', () => {
    const m: CovariateModel = parseModel(
      parseLocated(
        'inline.json',
        '{"format": "ecasim-model/1", "provenance": {"registry": "R", "derivation": {"method": "expert"}, "timeUnit": "days"}, "variables": {"x": {"kind": "continuous", "intercept": 1, "sd": 1}}}',
        'covariate model',
      ),
    );
    expect(m.outcomes).toEqual([]);
    expect(sampleCohort(m, 5, createStream(2)).columns.get('x')?.kind).toBe('numeric');
  });
});

describe('cohort columns', () => {
  const c: Cohort = {
    n: 3,
    columns: new Map<string, Column>([
      ['age', { kind: 'numeric', values: Float64Array.from([50, 60, 70]) }],
      ['sex', { kind: 'categorical', codes: Int32Array.from([0, 1, 1]), levels: ['f', 'm'] }],
    ]),
  };

  test('selectRows keeps order and repeats', () => {
    const s = selectRows(c, [2, 0, 2]);
    expect(s.n).toBe(3);
    expect(Array.from(numericView(getColumn(s, 'age')))).toEqual([70, 50, 70]);
    expect(levelValues(getColumn(s, 'sex') as CategoricalColumn)).toEqual(['m', 'f', 'm']);
    expect(() => selectRows(c, [3])).toThrow(
      /row index 3 at position 0 is outside the cohort \(0 to 2\)/,
    );
  });

  test('concatCohorts stacks rows and checks columns', () => {
    const both = concatCohorts([c, selectRows(c, [1])]);
    expect(both.n).toBe(4);
    expect(Array.from(numericView(getColumn(both, 'sex')))).toEqual([0, 1, 1, 1]);
    const other: Cohort = {
      n: 1,
      columns: new Map<string, Column>([
        ['age', { kind: 'numeric', values: Float64Array.from([1]) }],
        ['sex', { kind: 'categorical', codes: Int32Array.from([0]), levels: ['m', 'f'] }],
      ]),
    };
    expect(() => concatCohorts([c, other])).toThrow(
      /column "sex" has different levels in cohort 1/,
    );
    expect(concatCohorts([]).n).toBe(0);
  });

  test('getColumn names the columns there are', () => {
    expect(() => getColumn(c, 'bmi')).toThrow('no column "bmi" in the cohort; columns: age, sex');
  });
});
