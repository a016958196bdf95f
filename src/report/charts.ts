/**
 * Dossier charts: vega-lite specifications rendered to static SVG in Node (no canvas, no browser,
 * no scripts in the output). Each chart carries an SVG <title> and <desc> for screen readers.
 * Colours are the Okabe–Ito colour-blind-safe palette.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Okabe & Ito (2008), "Color Universal Design": blue and vermillion stay distinct for all common colour-vision deficiencies. */
export const PALETTE = { treated: '#0072B2', control: '#D55E00', neutral: '#555555' } as const;

export interface CurveForChart {
  /** Legend label. */
  label: string;
  color: string;
  time: readonly number[];
  surv: readonly number[];
  lower: readonly (number | null)[];
  upper: readonly (number | null)[];
}

function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

// vega-lite reports spec conflicts through a logger; charts are ours, so they stay quiet in output.
const silent = {
  level: () => silent,
  error: () => silent,
  warn: () => silent,
  info: () => silent,
  debug: () => silent,
} as unknown as Parameters<typeof compile>[1] extends infer O
  ? O extends { logger?: infer L }
    ? L
    : never
  : never;

/** Renders a vega-lite spec to an SVG string with an accessible title and description. */
export async function renderSvg(
  spec: TopLevelSpec,
  title: string,
  description: string,
): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec, { logger: silent }).spec), {
    renderer: 'none',
    logLevel: vega.None,
  });
  try {
    const svg = await view.toSVG();
    const open = svg.indexOf('>') + 1;
    const a11y = `<title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>`;
    return svg.slice(0, open).replace('<svg ', '<svg role="img" ') + a11y + svg.slice(open);
  } finally {
    view.finalize();
  }
}

/**
 * Kaplan–Meier curves as step functions starting at (0, 1), with pointwise confidence bands.
 */
export async function kaplanMeierChart(
  curves: readonly CurveForChart[],
  { timeUnit, title, description }: { timeUnit: string; title: string; description: string },
): Promise<string> {
  const rows: { t: number; s: number; lo: number | null; hi: number | null; arm: string }[] = [];
  for (const c of curves) {
    rows.push({ t: 0, s: 1, lo: 1, hi: 1, arm: c.label });
    for (let i = 0; i < c.time.length; i++) {
      rows.push({
        t: c.time[i]!,
        s: c.surv[i]!,
        lo: c.lower[i] ?? null,
        hi: c.upper[i] ?? null,
        arm: c.label,
      });
    }
  }
  const color = {
    field: 'arm',
    type: 'nominal' as const,
    title: null,
    scale: { domain: curves.map((c) => c.label), range: curves.map((c) => c.color) },
    legend: { orient: 'top-right' as const },
  };
  const x = { field: 't', type: 'quantitative' as const, title: `Time (${timeUnit})` };
  const spec: TopLevelSpec = {
    width: 600,
    height: 320,
    title,
    background: 'white',
    config: { font: 'Helvetica, Arial, sans-serif', axis: { grid: true, gridOpacity: 0.35 } },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', interpolate: 'step-after', opacity: 0.15 },
        transform: [{ filter: 'datum.lo != null && datum.hi != null' }],
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 's',
            type: 'quantitative',
            title: 'Survival probability',
            scale: { domain: [0, 1] },
          },
          color,
        },
      },
    ],
  };
  return renderSvg(spec, title, description);
}
