/**
 * Every example's dossier in a real browser (the system Chromium through playwright-core, one
 * launch for the file): no console errors, zero network requests, every section heading present,
 * charts with non-empty SVG, and a PDF with a sane page count on A4 and Letter. A full-page
 * screenshot and the A4 PDF of each example go to test/artifacts/ (gitignored) for a human to look at.
 *
 * Without Chromium the tests are skipped with a message saying so; with CI=true a missing browser
 * is a failure (the CI image installs Debian's `chromium`).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { SECTIONS } from '../../src/report/dossier.js';
import { chromiumPath, countPdfPages, launchChromium, printPdf } from '../../src/report/pdf.js';
import type { Results } from '../../src/results.js';
import { ecasim } from '../helpers/workspace.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const PROTOCOLS = readdirSync(join(ROOT, 'protocols'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function browserProblem(): string | null {
  try {
    chromiumPath(process.env);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const problem = browserProblem();
const inCi = process.env['CI'] === 'true';

if (problem !== null && !inCi) {
  // Said once, plainly, so a local run without a browser does not look like a pass.
  console.warn(
    `test/browser/dossier.test.ts: SKIPPED — ${problem}. Install it with \`apt-get install -y chromium\` or set ECASIM_CHROMIUM.`,
  );
}

if (problem !== null && inCi) {
  test('Chromium is installed (required in CI)', () => {
    throw new Error(`${problem}; CI must install it (apt-get install -y chromium)`);
  });
}

const suite = problem === null ? describe : describe.skip;

/**
 * Runs in the page (as a string: the test is compiled without DOM types): every element outside
 * the charts that holds text, whose contrast with its background is below WCAG 2 AA (4.5:1).
 */
const CONTRAST_CHECK = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  let checked = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg')) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    checked++;
    const a = lum(rgb(getComputedStyle(el).color).slice(0, 3));
    const b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) out.push(el.tagName + ' ' + ratio.toFixed(2) + ': ' + el.textContent.slice(0, 40));
  }
  if (checked < 50) out.push('only ' + checked + ' text elements found');
  return out;
})()`;

interface Example {
  name: string;
  dir: string;
  html: string;
  results: Results;
}

suite('example dossiers in headless Chromium', () => {
  let browser: Browser;
  let work: string;
  const examples: Example[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ecasim-browser-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const file of PROTOCOLS) {
      const name = basename(file, '.yaml');
      const dir = join(work, name);
      const r = await ecasim([
        'run',
        join(ROOT, 'protocols', file),
        '--out',
        dir,
        '--replicates',
        '4',
        '--quiet',
      ]);
      if (r.code !== 0) {
        failures.push(`${file}: exit ${r.code}\n${r.stderr}`);
        continue;
      }
      examples.push({
        name,
        dir,
        html: readFileSync(join(dir, 'dossier.html'), 'utf8'),
        results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results,
      });
    }
    browser = await launchChromium(process.env);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('every example protocol runs', () => {
    expect(PROTOCOLS.length).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  test.each(PROTOCOLS.map((f) => basename(f, '.yaml')))(
    '%s: loads with no console errors and no network requests; all sections and charts render',
    async (name) => {
      const ex = examples.find((e) => e.name === name);
      if (!ex) throw new Error(`${name} did not run (see "every example protocol runs")`);
      const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
      const errors: string[] = [];
      const requests: string[] = [];
      const url = pathToFileURL(join(ex.dir, 'dossier.html')).href;
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      // Anything besides the document itself is refused (and counted above).
      await page.route('**/*', (route) =>
        route.request().url() === url ? route.continue() : route.abort(),
      );
      await page.goto(url, { waitUntil: 'load' });

      expect(errors).toEqual([]);
      expect(requests).toEqual([]);

      const h1 = await page.locator('#cover h1').innerText();
      expect(h1).toBe(ex.results.protocol.title);
      const headings = await page.locator('main section > h2').allInnerTexts();
      const expected = SECTIONS.map((s) => s.title);
      for (const title of expected) {
        expect(headings.some((h) => h.startsWith(title))).toBe(true);
      }
      for (const s of SECTIONS) expect(await page.locator(`section#${s.id}`).count()).toBe(1);

      // Charts: every figure has an SVG with drawn content, a title and a description.
      const charts = await page.locator('figure.chart svg').evaluateAll((svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            title: svg.querySelector('title')?.textContent ?? '',
            desc: svg.querySelector('desc')?.textContent ?? '',
            shapes: svg.querySelectorAll('path, rect, line, circle, text').length,
            width: box.width,
            height: box.height,
          };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(5);
      for (const c of charts) {
        expect(c.title.length).toBeGreaterThan(0);
        expect(c.desc.length).toBeGreaterThan(0);
        expect(c.shapes).toBeGreaterThan(10);
        expect(c.width).toBeGreaterThan(200);
        expect(c.height).toBeGreaterThan(40);
      }
      const titles = charts.map((c) => c.title);
      if (ex.results.arms.treated.km !== null)
        expect(titles.some((t) => t.includes('Kaplan–Meier'))).toBe(true);
      expect(titles.some((t) => t.startsWith('Covariate model'))).toBe(true);
      expect(titles.some((t) => t.includes('all analyses'))).toBe(true);
      expect(titles.some((t) => t.startsWith('Primary estimate in each'))).toBe(true);

      // Tables have headers with a scope and a caption.
      const unscoped = await page.locator('th:not([scope])').count();
      expect(unscoped).toBe(0);
      const uncaptioned = await page.locator('table:not(:has(caption))').count();
      expect(uncaptioned).toBe(0);

      // Headings: one h1, and no level skipped on the way down.
      const levels = await page
        .locator('h1, h2, h3, h4, h5, h6')
        .evaluateAll((hs) => hs.map((h) => Number(h.tagName.slice(1))));
      expect(levels.filter((l) => l === 1)).toHaveLength(1);
      for (let k = 1; k < levels.length; k++)
        expect(levels[k]!).toBeLessThanOrEqual(levels[k - 1]! + 1);

      // Text contrast (WCAG 2 AA, 4.5:1) of every element holding text, outside the charts.
      const lowContrast = (await page.evaluate(CONTRAST_CHECK)) as string[];
      expect(lowContrast).toEqual([]);

      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      await page.close();
    },
    60_000,
  );

  test.each(PROTOCOLS.map((f) => basename(f, '.yaml')))(
    '%s: prints to PDF on A4 and Letter with a sane page count',
    async (name) => {
      const ex = examples.find((e) => e.name === name);
      if (!ex) throw new Error(`${name} did not run (see "every example protocol runs")`);
      const header = ex.results.protocol;
      const a4 = await printPdf(ex.html, { browser, header, paper: 'a4' });
      const letter = await printPdf(ex.html, { browser, header, paper: 'letter' });
      expect(Buffer.from(a4.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      const pagesA4 = countPdfPages(a4);
      const pagesLetter = countPdfPages(letter);
      expect(pagesA4).toBeGreaterThanOrEqual(6);
      expect(pagesA4).toBeLessThanOrEqual(40);
      expect(Math.abs(pagesLetter - pagesA4)).toBeLessThanOrEqual(4);
      writeFileSync(join(ARTIFACTS, `${name}.pdf`), a4);
    },
    60_000,
  );
});
