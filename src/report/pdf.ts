/**
 * Printing the dossier to PDF with the system's Chromium through playwright-core (no browser is
 * downloaded). The page is loaded from a string with every request refused, so printing cannot
 * reach the network; the running header (protocol id and version) and the page numbers come from
 * Chromium's header and footer templates.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { UsageError } from '../errors.js';
import { escapeXml } from './charts.js';

/** Where Debian's `chromium` package installs the browser. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-free headless Chromium (containers and CI). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
] as const;

export type Paper = 'a4' | 'letter';

const INSTALL_HINT =
  'install Chromium (Debian/Ubuntu: `apt-get install -y chromium`), or set ECASIM_CHROMIUM to the path of a Chromium or Chrome executable';

/**
 * The Chromium executable: `ECASIM_CHROMIUM` when set (it must exist), else /usr/bin/chromium.
 * Throws a UsageError saying how to install one: printing was asked for on a machine that cannot
 * print, which the user fixes by changing the machine or the command, not an input file.
 */
export function chromiumPath(env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env['ECASIM_CHROMIUM'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) {
      throw new UsageError(
        `cannot print the dossier to PDF: ECASIM_CHROMIUM is ${fromEnv}, which does not exist`,
        { field: 'ECASIM_CHROMIUM', actual: fromEnv, hint: INSTALL_HINT },
      );
    }
    return fromEnv;
  }
  if (!existsSync(DEFAULT_CHROMIUM)) {
    throw new UsageError(
      `cannot print the dossier to PDF: no Chromium found at ${DEFAULT_CHROMIUM}`,
      { hint: INSTALL_HINT },
    );
  }
  return DEFAULT_CHROMIUM;
}

/** Launches the system Chromium headless (see {@link chromiumPath} for which one). */
export async function launchChromium(
  env: Readonly<Record<string, string | undefined>>,
): Promise<Browser> {
  const executablePath = chromiumPath(env);
  try {
    return await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  } catch (err) {
    const first = ((err as Error).message ?? String(err)).split('\n')[0];
    throw new UsageError(`cannot start Chromium at ${executablePath}: ${first}`, {
      hint: INSTALL_HINT,
    });
  }
}

export interface PrintOptions {
  /** Running header: protocol id and version (and the title, shortened). */
  header: { id: string; version: string; title: string };
  paper?: Paper;
  /** Environment, for ECASIM_CHROMIUM. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A browser to reuse (tests open one per file); otherwise one is launched and closed. */
  browser?: Browser;
}

function headerTemplate(h: PrintOptions['header']): string {
  const title = h.title.length > 90 ? `${h.title.slice(0, 89)}…` : h.title;
  return (
    `<div style="font: 7.5pt Helvetica, Arial, sans-serif; color: #444; width: 100%; margin: 0 16mm; ` +
    `display: flex; justify-content: space-between; border-bottom: 0.5pt solid #bbb; padding-bottom: 2mm;">` +
    `<span>${escapeXml(h.id)} · version ${escapeXml(h.version)}</span>` +
    `<span>${escapeXml(title)}</span></div>`
  );
}

function footerTemplate(h: PrintOptions['header']): string {
  return (
    `<div style="font: 7.5pt Helvetica, Arial, sans-serif; color: #444; width: 100%; margin: 0 16mm; ` +
    `display: flex; justify-content: space-between;">` +
    `<span>Synthetic control evidence dossier · ${escapeXml(h.id)} v${escapeXml(h.version)}</span>` +
    `<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
  );
}

/** Prints dossier HTML to PDF bytes (A4 by default). No request leaves the page. */
export async function printPdf(html: string, options: PrintOptions): Promise<Uint8Array> {
  const own = options.browser === undefined;
  const browser = options.browser ?? (await launchChromium(options.env ?? {}));
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      const page = await context.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({
        format: options.paper === 'letter' ? 'Letter' : 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: headerTemplate(options.header),
        footerTemplate: footerTemplate(options.header),
        margin: { top: '20mm', bottom: '18mm', left: '16mm', right: '16mm' },
      });
      return new Uint8Array(pdf);
    } finally {
      await context.close();
    }
  } finally {
    if (own) await browser.close();
  }
}

/** Number of pages of a PDF (its `/Type /Page` objects); for tests and the CLI's summary line. */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}
