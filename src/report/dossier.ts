/**
 * The evidence dossier: `results.json` (plus the reproducibility record) → a view model of
 * formatted strings (view-model.ts) → the handlebars templates in `templates/` (`dossier.hbs`,
 * `dossier.css` and one partial per section in `templates/partials/`). Nothing is recomputed here;
 * every data-derived string goes through handlebars' HTML escaping (`{{ }}`), and only our own SVG
 * and CSS are inserted raw (`{{{ }}}`).
 *
 * A sponsor may pass a templates directory of their own: any `partials/NAME.hbs` (or `NAME.hbs`)
 * in it replaces the partial of that name, and a `dossier.hbs` or `dossier.css` in it replaces
 * the page or the style sheet.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { UsageError } from '../errors.js';
import { packageRoot } from '../package-info.js';
import type { Results } from '../results.js';
import { buildViewModel, type ReproInfo } from './view-model.js';

export { fmt, fmtP } from './format.js';
export { buildViewModel, SECTIONS, type DossierView, type ReproInfo } from './view-model.js';

export interface RenderOptions {
  /** A directory whose partials (and optionally dossier.hbs / dossier.css) override ours. */
  templates?: string;
}

/** The package's `templates/` directory. */
export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

function hbsFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.hbs')) out.set(basename(f, '.hbs'), join(dir, f));
  }
  return out;
}

interface TemplateSet {
  page: { file: string; source: string };
  css: string;
  partials: Map<string, { file: string; source: string }>;
}

/** Our templates, with a sponsor's directory laid over them (checked: unknown names are refused). */
export function loadTemplates(custom?: string): TemplateSet {
  const base = templatesDir();
  const read = (file: string) => ({ file, source: readFileSync(file, 'utf8') });
  const partials = new Map<string, { file: string; source: string }>();
  for (const [name, file] of hbsFiles(join(base, 'partials'))) partials.set(name, read(file));
  let page = read(join(base, 'dossier.hbs'));
  let css = readFileSync(join(base, 'dossier.css'), 'utf8');
  if (custom !== undefined) {
    if (!existsSync(custom) || !statSync(custom).isDirectory()) {
      throw new UsageError(`templates directory not found: ${custom}`, {
        file: custom,
        hint: 'pass --templates a directory holding partials/NAME.hbs files to override',
      });
    }
    const overrides = new Map([...hbsFiles(custom), ...hbsFiles(join(custom, 'partials'))]);
    for (const [name, file] of overrides) {
      if (name === 'dossier') {
        page = read(file);
      } else if (partials.has(name)) {
        partials.set(name, read(file));
      } else {
        throw new UsageError(`unknown dossier partial "${name}" in ${custom}`, {
          file,
          expected: `one of ${[...partials.keys(), 'dossier'].join(', ')}`,
          actual: name,
          hint: 'name override files after the partial they replace (see docs/dossier.md)',
        });
      }
    }
    const customCss = join(custom, 'dossier.css');
    if (existsSync(customCss)) css = readFileSync(customCss, 'utf8');
  }
  return { page, css, partials };
}

function compile(
  hb: typeof Handlebars,
  t: { file: string; source: string },
): HandlebarsTemplateDelegate {
  try {
    // Precompiling reports syntax errors here, with the file, rather than at render time.
    hb.precompile(t.source);
    return hb.compile(t.source);
  } catch (err) {
    throw new UsageError(`cannot read dossier template ${t.file}: ${(err as Error).message}`, {
      file: t.file,
      hint: 'fix the handlebars syntax of the template',
    });
  }
}

/**
 * Renders the dossier HTML. Deterministic: the same results, repro info and templates give the
 * same bytes.
 */
export async function renderDossier(
  results: Results,
  repro: ReproInfo,
  options: RenderOptions = {},
): Promise<string> {
  const t = loadTemplates(options.templates);
  const hb = Handlebars.create();
  for (const [name, p] of t.partials) hb.registerPartial(name, compile(hb, p));
  const page = compile(hb, t.page);
  const view = await buildViewModel(results, repro);
  try {
    return page({ ...view, css: t.css });
  } catch (err) {
    if (options.templates === undefined) throw err;
    throw new UsageError(`cannot render the dossier: ${(err as Error).message}`, {
      file: options.templates,
      hint: 'a custom template refers to a partial or value that does not exist',
    });
  }
}
