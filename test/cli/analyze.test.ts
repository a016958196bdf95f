/**
 * `ecasim analyze` end to end against R: the fixture (test/reference/analyze.R) holds both arms
 * and R survival's results; the test writes the arms as CSV, runs the CLI, and compares
 * results.json at a relative tolerance of 1e-6.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/errors.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';
import { ecasim } from '../helpers/workspace.js';

type Row = { time: number; event: number; age: number; ecog: string; site: string; w?: number };
interface Est {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}
interface Case {
  name: string;
  covariates: string[] | string;
  strata: string | null;
  /** The case-weight column, when the case is weighted. */
  weights?: string;
  treated: Row[];
  control: Row[];
  arms: Record<'treated' | 'control', { n: number; events: number; median: Est }>;
  logrank: { statistic: number; df: number; p: number };
  cox: Record<'logHr' | 'se' | 'seModel' | 'hr' | 'lower' | 'upper' | 'p', number> & {
    seRobust?: number | null;
  };
  coxAdjusted?: Record<'logHr' | 'se' | 'seModel' | 'hr' | 'lower' | 'upper' | 'p', number> & {
    seRobust?: number | null;
    terms: Record<
      string,
      { coef: number; se: number; seModel: number; seRobust?: number | null; p: number }
    >;
  };
  phTest: { global: { statistic: number; df: number; p: number } };
  rmst: {
    tau: number;
    treated: { estimate: number; se: number };
    control: { estimate: number; se: number };
    difference: Est;
  };
}

const fixture = loadFixture('analyze') as { cases: Case[] };
const toCsv = (rows: Row[]): string => {
  const w = rows.some((r) => r.w !== undefined);
  return (
    `time,event,age,ecog,site${w ? ',w' : ''}\n` +
    rows
      .map((r) => [r.time, r.event, r.age, r.ecog, r.site, ...(w ? [r.w] : [])].join(','))
      .join('\n') +
    '\n'
  );
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecasim-analyze-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(fixture.cases.map((c) => [c.name, c] as const))(
  'ecasim analyze, case %s',
  (name, c) => {
    let r: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    let stdout: string;

    beforeAll(async () => {
      const t = join(dir, `${name}-treated.csv`);
      const k = join(dir, `${name}-control.csv`);
      writeFileSync(t, toCsv(c.treated));
      writeFileSync(k, toCsv(c.control));
      const covariates = ([] as string[]).concat(c.covariates);
      const args = [
        'analyze',
        '--treated',
        t,
        '--control',
        k,
        '--time',
        'time',
        '--event',
        'event',
      ];
      if (covariates.length) args.push('--covariates', covariates.join(','));
      // R's fixture data hold ecog as text (a factor); ours must be told.
      if (covariates.includes('ecog')) args.push('--categorical', 'ecog');
      if (c.strata) args.push('--strata', c.strata);
      if (c.weights) args.push('--weights', c.weights);
      args.push('--tau', String(c.rmst.tau), '--out', join(dir, name));
      const res = await ecasim(args);
      if (res.code !== 0) throw new Error(res.stderr);
      stdout = res.stdout;
      r = JSON.parse(readFileSync(join(dir, name, 'results.json'), 'utf8'));
    });

    test('arms: n, events, median with interval (survfit)', () => {
      for (const arm of ['treated', 'control'] as const) {
        expect(r.arms[arm].n).toBe(c.arms[arm].n);
        expect(r.arms[arm].events).toBe(c.arms[arm].events);
        for (const k of ['estimate', 'lower', 'upper'] as const) {
          expectClose(r.arms[arm].median[k], c.arms[arm].median[k], {
            label: `${arm} median ${k}`,
          });
        }
      }
    });

    test('log-rank (survdiff)', () => {
      expectClose(r.logrank.statistic, c.logrank.statistic, { label: 'chisq' });
      expect(r.logrank.df).toBe(c.logrank.df);
      expectClose(r.logrank.p, c.logrank.p, { label: 'p' });
    });

    test('unadjusted Cox (coxph, Efron): the SE in use, and both SEs by name', () => {
      for (const k of ['logHr', 'se', 'seModel', 'hr', 'lower', 'upper', 'p'] as const) {
        expectClose(r.cox[k], c.cox[k], { label: `cox ${k}` });
      }
      expect(r.cox.ties).toBe('efron');
      expect(r.cox.variance).toBe(c.weights ? 'robust' : 'model');
      if ((c.cox.seRobust ?? null) === null) expect(r.cox.seRobust).toBeNull();
      else expectClose(r.cox.seRobust, c.cox.seRobust, { label: 'cox seRobust' });
    });

    test('adjusted Cox with each term (coxph)', () => {
      if (!c.coxAdjusted) {
        expect(r.coxAdjusted).toBeUndefined();
        return;
      }
      for (const k of ['logHr', 'se', 'seModel', 'hr', 'lower', 'upper', 'p'] as const) {
        expectClose(r.coxAdjusted[k], c.coxAdjusted[k], { label: `adjusted ${k}` });
      }
      // R names factor terms ecog1; ours are ecog=1.
      for (const [rName, t] of Object.entries(c.coxAdjusted.terms)) {
        const ours =
          r.coxAdjusted.terms[rName.replace(/^ecog/, 'ecog=').replace('ecog==', 'ecog=')] ??
          r.coxAdjusted.terms[rName];
        expect(ours).toBeDefined();
        expectClose(ours.coef, t.coef, { label: `${rName} coef` });
        // se is the one p uses: robust with weights (R's robust se), else model-based
        expectClose(ours.se, t.se, { label: `${rName} se` });
        expectClose(ours.seModel, t.seModel, { label: `${rName} seModel` });
        if ((t.seRobust ?? null) === null) expect(ours.seRobust).toBeNull();
        else expectClose(ours.seRobust, t.seRobust, { label: `${rName} seRobust` });
        expectClose(ours.p, t.p, { label: `${rName} p` });
      }
    });

    test('PH test, global (cox.zph, km transform)', () => {
      expectClose(r.phTest.global.statistic, c.phTest.global.statistic, { label: 'zph chisq' });
      expect(r.phTest.global.df).toBe(c.phTest.global.df);
      expectClose(r.phTest.global.p, c.phTest.global.p, { label: 'zph p' });
    });

    test('RMST per arm and difference (survfit rmean, weighted when the case is)', () => {
      expect(r.rmst.tau).toBe(c.rmst.tau);
      expect(r.rmst.weighted).toBe(c.weights !== undefined);
      for (const arm of ['treated', 'control'] as const) {
        expectClose(r.rmst[arm].estimate, c.rmst[arm].estimate, { label: `${arm} rmst` });
        expectClose(r.rmst[arm].se, c.rmst[arm].se, { label: `${arm} rmst se` });
      }
      for (const k of ['estimate', 'lower', 'upper'] as const) {
        expectClose(r.rmst.difference[k], c.rmst.difference[k], { label: `rmst difference ${k}` });
      }
    });

    test('prints a readable summary', () => {
      expect(stdout).toMatch(/Cox, unadjusted: HR \d\.\d{3} \(95% CI/);
      expect(stdout).toContain('Log-rank');
      expect(stdout).toMatch(c.weights ? /RMST \(weighted\) to tau/ : /RMST to tau/);
    });
  },
);

describe('ecasim analyze, bad input', () => {
  const c = fixture.cases[0]!;
  const files = (treated: string): string[] => {
    const t = join(dir, 'bad-treated.csv');
    const k = join(dir, 'bad-control.csv');
    writeFileSync(t, treated);
    writeFileSync(k, toCsv(c.control));
    return ['analyze', '--treated', t, '--control', k, '--time', 'time', '--event', 'event'];
  };

  test('all censored in an arm is an analysis failure naming the arm', async () => {
    const r = await ecasim(files(toCsv(c.treated.map((x) => ({ ...x, event: 0 })))));
    expect(r.code).toBe(EXIT.analysis);
    expect(r.stderr).toContain('the treated arm has no events');
  });

  test('a negative time names the file and row', async () => {
    const rows = c.treated.map((x, i) => (i === 4 ? { ...x, time: -1 } : x));
    const r = await ecasim(files(toCsv(rows)));
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(
      'treated dataset, row 5, column "time": expected a time > 0, found "-1"',
    );
  });

  test('a missing covariate column', async () => {
    const r = await ecasim([...files(toCsv(c.treated)), '--covariates', 'age,ecgo']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('has no column "ecgo" — did you mean "ecog"?');
  });

  /** Writes both arms with extra columns and runs analyze on them with `flags`. */
  const runWithColumns = (
    name: string,
    extra: {
      header: string;
      cells: (r: Row, i: number, arm: 'treated' | 'control') => (string | number)[];
    },
    flags: string[],
  ) => {
    const paths = (['treated', 'control'] as const).map((arm) => {
      const file = join(dir, `${name}-${arm}.csv`);
      const rows = arm === 'treated' ? c.treated : c.control;
      const lines = rows.map((r, i) => [r.time, r.event, ...extra.cells(r, i, arm)].join(','));
      writeFileSync(file, `time,event,${extra.header}\n${lines.join('\n')}\n`);
      return file;
    });
    return ecasim([
      'analyze',
      '--treated',
      paths[0]!,
      '--control',
      paths[1]!,
      '--time',
      'time',
      '--event',
      'event',
      ...flags,
    ]);
  };

  test('collinear covariates are named', async () => {
    const r = await runWithColumns(
      'col',
      { header: 'age,age2', cells: (x) => [x.age, 2 * x.age] },
      ['--covariates', 'age,age2'],
    );
    expect(r.code).toBe(EXIT.analysis);
    expect(r.stderr).toMatch(/collinear/);
    expect(r.stderr).toContain('age2');
  });

  test('weights must be positive (named by row)', async () => {
    const cells = (_: Row, i: number, arm: string) => [arm === 'treated' && i === 2 ? 0 : 1.5];
    const r = await runWithColumns('w', { header: 'w', cells }, ['--weights', 'w']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('row 3, column "w": expected a weight > 0, found "0"');
  });

  test('case weights give a robust-variance Cox model and a note that log-rank ignores them', async () => {
    const cells = (_: Row, i: number) => [1 + (i % 3) / 2];
    const r = await runWithColumns('w2', { header: 'w', cells }, [
      '--weights',
      'w',
      '--out',
      join(dir, 'w2'),
    ]);
    expect(r.code).toBe(EXIT.ok);
    const res = JSON.parse(readFileSync(join(dir, 'w2', 'results.json'), 'utf8'));
    expect(res.cox.variance).toBe('robust');
    expect(res.warnings.map((w: { code: string }) => w.code)).toContain('logrank-unweighted');
    expect(JSON.stringify(res)).not.toMatch(/NaN|null,"se"/);
  });

  test('a single patient', async () => {
    const r = await ecasim(files(toCsv(c.treated.slice(0, 1).map((x) => ({ ...x, event: 1 })))));
    expect([EXIT.ok, EXIT.analysis]).toContain(r.code);
    expect(r.stderr).not.toMatch(/NaN/);
  });
});
