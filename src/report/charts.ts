/**
 * Dossier charts: vega-lite specifications rendered to static SVG in Node (no canvas, no browser,
 * no scripts in the output). Each chart carries an SVG <title> and <desc> for screen readers.
 * Colours are the Okabe–Ito colour-blind-safe palette.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Okabe & Ito (2008), "Color Universal Design": blue and vermillion stay distinct for all common colour-vision deficiencies. */
export const PALETTE = {
  treated: '#0072B2',
  control: '#D55E00',
  neutral: '#555555',
  /** Okabe–Ito bluish green, for "after weighting". */
  after: '#009E73',
} as const;

const FONT = 'Helvetica, Arial, sans-serif';

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

export function escapeXml(s: string): string {
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

/**
 * The top of every vega-lite chart: its size and title, on white in the dossier's font, with a
 * light grid unless `grid` is false (the replicate strip has no axis worth gridding).
 */
function frame(width: number, height: number, title: string, grid = true) {
  return {
    width,
    height,
    title,
    background: 'white',
    config: grid ? { font: FONT, axis: { grid: true, gridOpacity: 0.35 } } : { font: FONT },
  };
}

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
 * An axis domain around `values` with 8% padding (on the log scale for ratios), so a chart shows
 * its data rather than the next powers of ten.
 */
export function paddedDomain(values: readonly number[], log: boolean): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (finite.length === 0) return log ? [0.5, 2] : [-1, 1];
  const f = log ? Math.log : (v: number) => v;
  const g = log ? Math.exp : (v: number) => v;
  const lo = f(Math.min(...finite));
  const hi = f(Math.max(...finite));
  const pad = (hi - lo || Math.abs(lo) || 1) * 0.08;
  return [g(lo - pad), g(hi + pad)];
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
    legend: {
      orient: 'top-right' as const,
      symbolType: 'stroke',
      symbolStrokeWidth: 3,
      // the legend merges the bands' layer; keep its symbols as solid as the lines
      symbolOpacity: 1,
      labelLimit: 320,
    },
  };
  const x = { field: 't', type: 'quantitative' as const, title: `Time (${timeUnit})` };
  const spec: TopLevelSpec = {
    ...frame(600, 320, title),
    layer: [
      {
        data: { values: bands },
        mark: { type: 'area', interpolate: 'step-after', opacity: 0.18 },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
          color,
        },
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
  const domain = paddedDomain([...estimates, combined.lower, combined.upper], log);
  const spec: TopLevelSpec = {
    ...frame(600, 90, title, false),
    layer: [
      {
        data: { values: [{ row: 'Combined', ...combined }] },
        mark: { type: 'rule', strokeWidth: 3, color: PALETTE.neutral },
        encoding: {
          y: { field: 'row', type: 'nominal', title: null },
          x: {
            field: 'lower',
            type: 'quantitative',
            scale: { type: log ? 'log' : 'linear', zero: false, domain, nice: false },
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

/** A covariate's standardized mean difference before and, where weighted, after weighting. */
export interface LoveRow {
  name: string;
  before: number | null;
  after: number | null;
}

/**
 * Love plot: absolute standardized mean differences per covariate before (hollow) and after
 * (filled) weighting, with the balance threshold as a dashed rule. Shape and colour both differ,
 * so the two series stay apart in greyscale too.
 */
export async function loveChart(
  rows: readonly LoveRow[],
  {
    threshold,
    weighted,
    title,
    description,
  }: { threshold: number; weighted: boolean; title: string; description: string },
): Promise<string> {
  const before = weighted ? 'Before weighting' : 'Unweighted';
  const points: { name: string; when: string; smd: number }[] = [];
  for (const r of rows) {
    if (r.before !== null) points.push({ name: r.name, when: before, smd: Math.abs(r.before) });
    if (weighted && r.after !== null)
      points.push({ name: r.name, when: 'After weighting', smd: Math.abs(r.after) });
  }
  const domain = weighted ? [before, 'After weighting'] : [before];
  const spec: TopLevelSpec = {
    ...frame(520, Math.max(60, 20 * rows.length), title),
    layer: [
      {
        data: { values: [{ t: threshold }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: PALETTE.neutral },
        encoding: { x: { field: 't', type: 'quantitative' } },
      },
      {
        data: { values: points },
        mark: { type: 'point', size: 60, strokeWidth: 2 },
        encoding: {
          y: {
            field: 'name',
            type: 'nominal',
            sort: rows.map((r) => r.name),
            title: 'Covariate (level)',
          },
          x: {
            field: 'smd',
            type: 'quantitative',
            title: 'Absolute standardized mean difference (SD units)',
            scale: { domainMin: 0 },
          },
          color: {
            field: 'when',
            type: 'nominal',
            title: null,
            scale: { domain, range: [PALETTE.control, PALETTE.after] },
            legend: { orient: 'bottom' },
          },
          shape: {
            field: 'when',
            type: 'nominal',
            scale: { domain, range: ['circle', 'square'] },
          },
          fill: {
            field: 'when',
            type: 'nominal',
            scale: { domain, range: ['white', PALETTE.after] },
            legend: null,
          },
        },
      },
    ],
  };
  return renderSvg(spec, title, description);
}

/**
 * Propensity-score overlap as a mirrored histogram: treated above the axis, synthetic control
 * below, so arms of different sizes can both be read. Only the bins that hold patients are shown.
 */
export async function propensityChart(
  hist: { breaks: readonly number[]; treated: readonly number[]; control: readonly number[] },
  {
    treatedLabel,
    controlLabel,
    title,
    description,
  }: { treatedLabel: string; controlLabel: string; title: string; description: string },
): Promise<string> {
  const bars: { x0: number; x1: number; n: number; zero: number; arm: string }[] = [];
  let first = hist.breaks.length - 2;
  let last = 0;
  for (let k = 0; k + 1 < hist.breaks.length; k++) {
    const t = hist.treated[k] ?? 0;
    const c = hist.control[k] ?? 0;
    if (t > 0 || c > 0) {
      first = Math.min(first, k);
      last = Math.max(last, k);
    }
    bars.push({ x0: hist.breaks[k]!, x1: hist.breaks[k + 1]!, n: t, zero: 0, arm: treatedLabel });
    bars.push({ x0: hist.breaks[k]!, x1: hist.breaks[k + 1]!, n: -c, zero: 0, arm: controlLabel });
  }
  if (first > last) [first, last] = [0, hist.breaks.length - 2];
  const lo = hist.breaks[Math.max(0, first - 1)]!;
  const hi = hist.breaks[Math.min(hist.breaks.length - 1, last + 2)]!;
  const spec: TopLevelSpec = {
    ...frame(520, 240, title),
    data: { values: bars.filter((b) => b.x0 >= lo && b.x1 <= hi) },
    mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: {
        field: 'x0',
        type: 'quantitative',
        title: 'Propensity score (probability of being in the treated arm)',
        scale: { domain: [lo, hi] },
      },
      x2: { field: 'x1' },
      y: {
        field: 'n',
        type: 'quantitative',
        title: 'Patients per bin (mean over replicates)',
        stack: null,
        axis: { labelExpr: 'format(abs(datum.value), ",")' },
      },
      y2: { field: 'zero' },
      color: {
        field: 'arm',
        type: 'nominal',
        title: null,
        scale: { domain: [treatedLabel, controlLabel], range: [PALETTE.treated, PALETTE.control] },
        legend: { orient: 'bottom', labelLimit: 320 },
      },
    },
  };
  return renderSvg(spec, title, description);
}

/** One row of a forest plot. */
export interface ForestRow {
  name: string;
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Forest plot: each analysis's estimate (square) and interval (line), with the line of no effect
 * (1 for ratios on a log axis, 0 for differences).
 */
export async function forestChart(
  rows: readonly ForestRow[],
  {
    axisTitle,
    log,
    ref,
    title,
    description,
  }: {
    axisTitle: string;
    log: boolean;
    /** Line of no effect (1 for ratios, 0 for differences); null for none. */
    ref: number | null;
    title: string;
    description: string;
  },
): Promise<string> {
  const y = {
    field: 'name',
    type: 'nominal' as const,
    sort: rows.map((r) => r.name),
    title: null,
    axis: { labelLimit: 400 },
  };
  const domain = paddedDomain(
    [...rows.flatMap((r) => [r.lower, r.upper]), ...(ref === null ? [] : [ref])],
    log,
  );
  const scale = log
    ? { type: 'log' as const, domain, nice: false }
    : { zero: false, domain, nice: false };
  const spec: TopLevelSpec = {
    ...frame(440, Math.max(40, 28 * rows.length), title),
    layer: [
      ...(ref === null
        ? []
        : [
            {
              data: { values: [{ ref }] },
              mark: { type: 'rule' as const, strokeDash: [4, 3], color: PALETTE.neutral },
              encoding: { x: { field: 'ref', type: 'quantitative' as const, scale } },
            },
          ]),
      {
        data: { values: [...rows] },
        mark: { type: 'rule', strokeWidth: 2, color: PALETTE.treated },
        encoding: {
          y,
          x: { field: 'lower', type: 'quantitative', scale, title: axisTitle },
          x2: { field: 'upper' },
        },
      },
      {
        data: { values: [...rows] },
        mark: { type: 'square', size: 90, filled: true, color: PALETTE.treated },
        encoding: { y, x: { field: 'estimate', type: 'quantitative', scale } },
      },
    ],
  };
  return renderSvg(spec, title, description);
}

/**
 * Tipping-point chart: the primary estimate and its interval as a bias against the treated arm is
 * added (to the log of a ratio), with the line of no effect and the tipping point marked.
 */
export async function tippingChart(
  grid: readonly { shift: number; estimate: number; lower: number; upper: number }[],
  tip: number,
  {
    measure,
    log,
    title,
    description,
  }: {
    /** "Hazard ratio", "Risk difference", ... */
    measure: string;
    /** Ratios: the bias is added on the log scale and the axis is logarithmic. */
    log: boolean;
    title: string;
    description: string;
  },
): Promise<string> {
  const lower = measure.toLowerCase();
  const x = {
    field: 'shift',
    type: 'quantitative' as const,
    title: log ? `Bias added to the log ${lower}` : `Bias added to the ${lower}`,
  };
  const none = log ? 1 : 0;
  const scale = {
    type: log ? ('log' as const) : ('linear' as const),
    domain: paddedDomain([...grid.flatMap((g) => [g.lower, g.upper]), none], log),
    nice: false,
  };
  const spec: TopLevelSpec = {
    ...frame(520, 220, title),
    layer: [
      {
        data: { values: [...grid] },
        mark: { type: 'area', opacity: 0.2, color: PALETTE.treated },
        encoding: {
          x,
          y: { field: 'lower', type: 'quantitative', scale },
          y2: { field: 'upper' },
        },
      },
      {
        data: { values: [...grid] },
        mark: { type: 'line', strokeWidth: 2, color: PALETTE.treated },
        encoding: {
          x,
          y: {
            field: 'estimate',
            type: 'quantitative',
            scale,
            title: log ? `${measure} (log scale)` : measure,
          },
        },
      },
      {
        data: { values: [{ ref: none }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: PALETTE.neutral },
        encoding: { y: { field: 'ref', type: 'quantitative', scale } },
      },
      {
        data: { values: [{ tip }] },
        mark: { type: 'rule', color: PALETTE.control, strokeWidth: 2 },
        encoding: { x: { field: 'tip', type: 'quantitative' } },
      },
    ],
  };
  return renderSvg(spec, title, description);
}

/** A node of the covariate network. */
export interface NetworkNode {
  name: string;
  label: string;
  kind: string;
  parents: readonly string[];
}

function wrapText(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && (line + ' ' + w).length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  if (lines.length > 2)
    return [
      lines[0]!,
      `${lines
        .slice(1)
        .join(' ')
        .slice(0, width - 1)}…`,
    ];
  return lines;
}

/**
 * The covariate model's directed acyclic graph as a layered drawing: each variable in the column
 * of its longest path from a root, ordered within the column by the mean position of its parents
 * (one barycentre pass, which keeps crossings few for the small networks of a protocol), edges as
 * curves with arrowheads. Hand-placed SVG: a graph layout is not a chart vega-lite draws. Outcomes
 * are drawn with a heavier border. Text is escaped.
 */
export function networkChart(
  nodes: readonly NetworkNode[],
  { title, description }: { title: string; description: string },
): string {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const layer = new Map<string, number>();
  const depth = (name: string, seen: Set<string>): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0; // a cycle cannot pass model validation; stay finite regardless
    seen.add(name);
    const parents = (byName.get(name)?.parents ?? []).filter((p) => byName.has(p));
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => depth(p, seen)));
    layer.set(name, d);
    return d;
  };
  for (const n of nodes) depth(n.name, new Set());
  const columns: string[][] = [];
  for (const n of nodes) (columns[layer.get(n.name)!] ??= []).push(n.name);
  const row = new Map<string, number>();
  columns.forEach((col, c) => {
    if (c > 0) {
      const key = (name: string): number => {
        const ps = byName.get(name)!.parents.filter((p) => row.has(p));
        return ps.length === 0 ? 0 : ps.reduce((s, p) => s + row.get(p)!, 0) / ps.length;
      };
      col.sort((a, b) => key(a) - key(b));
    }
    col.forEach((name, r) => row.set(name, r - (col.length - 1) / 2));
  });
  const boxW = 150;
  const boxH = 46;
  const colGap = 60;
  const rowGap = 22;
  const maxRows = Math.max(1, ...columns.map((c) => c.length));
  const top = 36;
  const height = top + maxRows * (boxH + rowGap) + 8;
  const width = Math.max(1, columns.length) * (boxW + colGap) - colGap + 20;
  const mid = top + (maxRows * (boxH + rowGap) - rowGap) / 2;
  const pos = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    pos.set(n.name, {
      x: 10 + layer.get(n.name)! * (boxW + colGap),
      y: mid + row.get(n.name)! * (boxH + rowGap) - boxH / 2,
    });
  }
  const parts: string[] = [];
  for (const n of nodes) {
    const to = pos.get(n.name)!;
    for (const p of n.parents) {
      const from = pos.get(p);
      if (!from) continue;
      const x1 = from.x + boxW;
      const y1 = from.y + boxH / 2;
      const x2 = to.x - 2;
      const y2 = to.y + boxH / 2;
      const dx = (x2 - x1) / 2;
      parts.push(
        // The curve ends horizontally, so the arrowhead is a right-pointing triangle (no marker
        // reference: the dossier has no url() references at all).
        `<path d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2 - 7},${y2}" fill="none" stroke="${PALETTE.neutral}" stroke-width="1.2"/>` +
          `<path d="M${x2 - 8},${y2 - 4} L${x2},${y2} L${x2 - 8},${y2 + 4} z" fill="${PALETTE.neutral}"/>`,
      );
    }
  }
  for (const n of nodes) {
    const { x, y } = pos.get(n.name)!;
    const outcome = /time-to-event|outcome|binary-endpoint|continuous-endpoint/.test(n.kind);
    const lines = wrapText(n.label, 24);
    parts.push(
      `<g><rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="6" fill="${outcome ? '#fdf0e6' : '#eaf3fa'}" stroke="${outcome ? PALETTE.control : PALETTE.treated}" stroke-width="${outcome ? 2 : 1.2}"/>`,
    );
    lines.forEach((l, k) => {
      parts.push(
        `<text x="${x + boxW / 2}" y="${y + 15 + k * 13}" text-anchor="middle" font-size="11" font-weight="600" fill="#1a1a1a">${escapeXml(l)}</text>`,
      );
    });
    parts.push(
      `<text x="${x + boxW / 2}" y="${y + boxH - 6}" text-anchor="middle" font-size="9.5" fill="#444">${escapeXml(`${n.name} · ${n.kind}`)}</text></g>`,
    );
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">` +
    `<title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>` +
    `<rect width="${width}" height="${height}" fill="white"/>` +
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold" fill="#1a1a1a">${escapeXml(title)}</text>` +
    parts.join('') +
    `</svg>`
  );
}
