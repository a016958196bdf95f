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
  /** Shaded band: pointwise limits, or the spread over replicates. */
  band?: {
    time: readonly number[];
    lower: readonly (number | null)[];
    upper: readonly (number | null)[];
  };
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
 * Kaplan–Meier curves as step functions starting at (0, 1), each with an optional shaded band.
 */
export async function kaplanMeierChart(
  curves: readonly CurveForChart[],
  { timeUnit, title, description }: { timeUnit: string; title: string; description: string },
): Promise<string> {
  const lines: { t: number; s: number; arm: string }[] = [];
  const bands: { t: number; lo: number; hi: number; arm: string }[] = [];
  for (const c of curves) {
    lines.push({ t: 0, s: 1, arm: c.label });
    for (let i = 0; i < c.time.length; i++)
      lines.push({ t: c.time[i]!, s: c.surv[i]!, arm: c.label });
    if (c.band) {
      if (c.band.time[0] !== 0) bands.push({ t: 0, lo: 1, hi: 1, arm: c.label });
      for (let i = 0; i < c.band.time.length; i++) {
        const lo = c.band.lower[i];
        const hi = c.band.upper[i];
        if (lo !== null && lo !== undefined && hi !== null && hi !== undefined) {
          bands.push({ t: c.band.time[i]!, lo, hi, arm: c.label });
        }
      }
    }
  }
  const color = {
    field: 'arm',
    type: 'nominal' as const,
    title: null,
    scale: { domain: curves.map((c) => c.label), range: curves.map((c) => c.color) },
    legend: { orient: 'top-right' as const, symbolType: 'stroke', symbolStrokeWidth: 3 },
  };
  const x = { field: 't', type: 'quantitative' as const, title: `Time (${timeUnit})` };
  const spec: TopLevelSpec = {
    width: 600,
    height: 320,
    title,
    background: 'white',
    config: { font: 'Helvetica, Arial, sans-serif', axis: { grid: true, gridOpacity: 0.35 } },
    layer: [
      {
        data: { values: bands },
        mark: { type: 'area', interpolate: 'step-after', opacity: 0.18 },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
      },
      {
        data: { values: lines },
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

/**
 * The estimate of each replicate (dots) with the combined estimate and its interval (bar), on a
 * log axis for ratios — the spread that drawing a synthetic arm adds.
 */
export async function replicateChart(
  estimates: readonly number[],
  combined: { estimate: number; lower: number; upper: number },
  {
    axisTitle,
    log,
    title,
    description,
  }: { axisTitle: string; log: boolean; title: string; description: string },
): Promise<string> {
  const dots = estimates.map((e, r) => ({ e, row: 'Replicates', r }));
  const spec: TopLevelSpec = {
    width: 600,
    height: 90,
    title,
    background: 'white',
    config: { font: 'Helvetica, Arial, sans-serif' },
    layer: [
      {
        data: { values: [{ row: 'Combined', ...combined }] },
        mark: { type: 'rule', strokeWidth: 3, color: PALETTE.neutral },
        encoding: {
          y: { field: 'row', type: 'nominal', title: null },
          x: {
            field: 'lower',
            type: 'quantitative',
            scale: { type: log ? 'log' : 'linear', zero: false },
            title: axisTitle,
          },
          x2: { field: 'upper' },
        },
      },
      {
        data: { values: [{ row: 'Combined', ...combined }] },
        mark: { type: 'point', filled: true, size: 90, shape: 'diamond', color: PALETTE.neutral },
        encoding: {
          y: { field: 'row', type: 'nominal' },
          x: { field: 'estimate', type: 'quantitative' },
        },
      },
      {
        data: { values: dots },
        mark: { type: 'point', filled: true, size: 40, opacity: 0.7, color: PALETTE.treated },
        encoding: { y: { field: 'row', type: 'nominal' }, x: { field: 'e', type: 'quantitative' } },
      },
    ],
  };
  return renderSvg(spec, title, description);
}
