import sharp, { type OverlayOptions } from 'sharp';
import type { GridCell } from '../../../src-shared/contract/restore';

/** Colours of the cell states, the same as the studio's grid view. */
const STATE_FILL = {
  unchanged: '#f2f2f2',
  corrupted: '#ffd5a8',
  correct: '#b8efc4',
  wrong: '#ffb3b3',
  predicted: '#c9defc',
} as const;

export type CellState = keyof typeof STATE_FILL;

const GRID = 16;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** State of each cell of the corrupted and corrected grids, compared with the clean grid where there is one. */
export function cellStates(
  grids: { clean: readonly GridCell[]; corrupted: readonly GridCell[]; result: readonly GridCell[] },
  predicted: readonly number[],
  compare: boolean,
): { corrupted: CellState[]; result: CellState[] } {
  const isPredicted = new Set(predicted);
  const corrupted: CellState[] = [];
  const result: CellState[] = [];
  for (let i = 0; i < GRID * GRID; i++) {
    const clean = grids.clean[i]?.id;
    const damaged = isPredicted.has(i) || (compare && grids.corrupted[i]?.id !== clean);
    corrupted.push(damaged ? 'corrupted' : 'unchanged');
    if (!isPredicted.has(i)) result.push('unchanged');
    else if (!compare) result.push('predicted');
    else result.push(grids.result[i]?.id === clean ? 'correct' : 'wrong');
  }
  return { corrupted, result };
}

/** One grid as SVG markup at (x, y), each cell `cell` px square with its word written in it. */
function gridSvg(
  cells: readonly GridCell[],
  states: readonly CellState[],
  x: number,
  y: number,
  cell: number,
  title: string,
): string {
  const parts = [
    `<text x="${x}" y="${y - 8}" font-family="sans-serif" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i < GRID * GRID; i++) {
    const cx = x + (i % GRID) * cell;
    const cy = y + Math.floor(i / GRID) * cell;
    const fill = STATE_FILL[states[i] ?? 'unchanged'];
    const text = escapeXml((cells[i]?.text ?? '').slice(0, 6));
    parts.push(
      `<rect x="${cx}" y="${cy}" width="${cell}" height="${cell}" fill="${fill}" stroke="#999" stroke-width="0.5"/>`,
      `<text x="${cx + cell / 2}" y="${cy + cell * 0.62}" font-family="monospace" font-size="${Math.round(cell / 4)}" text-anchor="middle">${text}</text>`,
    );
  }
  return parts.join('');
}

/** The corrupted, corrected and clean grids side by side as a PNG, with a legend (and a heading above, if given). */
export async function renderGridsPng(
  grids: { clean: readonly GridCell[]; corrupted: readonly GridCell[]; result: readonly GridCell[] },
  predicted: readonly number[],
  compare: boolean,
  heading?: string,
): Promise<Buffer> {
  const cell = 44;
  const side = cell * GRID;
  const gap = 32;
  const top = heading === undefined ? 40 : 72;
  const panels = compare ? 3 : 2;
  const width = gap + panels * (side + gap);
  const height = top + side + 60;
  const states = cellStates(grids, predicted, compare);
  const body = [
    heading === undefined
      ? ''
      : `<text x="${gap}" y="26" font-family="sans-serif" font-size="16" font-weight="bold">${escapeXml(heading)}</text>`,
    gridSvg(grids.corrupted, states.corrupted, gap, top, cell, 'Corrupted words'),
    gridSvg(grids.result, states.result, gap * 2 + side, top, cell, 'Corrected words'),
    compare ? gridSvg(grids.clean, [], gap * 3 + side * 2, top, cell, 'Clean words') : '',
  ];
  const legend = (Object.keys(STATE_FILL) as CellState[])
    .map(
      (state, i) =>
        `<rect x="${gap + i * 150}" y="${top + side + 24}" width="16" height="16" fill="${STATE_FILL[state]}" stroke="#999"/>` +
        `<text x="${gap + i * 150 + 22}" y="${top + side + 37}" font-family="sans-serif" font-size="13">${state}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${body.join('')}${legend}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** One image of a sheet: a 128 px view is scaled up without smoothing, a larger image scaled down smoothly. */
export interface SheetPanel {
  readonly title: string;
  readonly png: Buffer;
}

/** A row of panels, each fitted into a `side` px square (the aspect kept), captioned. */
export interface SheetRow {
  readonly side: number;
  readonly panels: readonly SheetPanel[];
}

/** Rows of captioned images, with a line of metrics below. */
export async function renderSheetPng(rows: readonly SheetRow[], footer: string): Promise<Buffer> {
  const gap = 16;
  const caption = 36;
  const width = Math.max(...rows.map((r) => gap + r.panels.length * (r.side + gap)));
  const composites: OverlayOptions[] = [];
  const captions: string[] = [];
  let top = 0;
  for (const row of rows) {
    top += caption;
    // Each panel fitted into the row's square; the row is as tall as its tallest panel.
    const fitted = await Promise.all(
      row.panels.map(async (panel) => {
        const { width: w, height: h } = await sharp(panel.png).metadata();
        const scale = row.side / Math.max(w, h, 1);
        const size = {
          width: Math.max(1, Math.round(w * scale)),
          height: Math.max(1, Math.round(h * scale)),
        };
        const input = await sharp(panel.png)
          .resize(size.width, size.height, { kernel: scale >= 1 ? 'nearest' : 'lanczos3', fit: 'fill' })
          .png()
          .toBuffer();
        return { title: panel.title, input, height: size.height };
      }),
    );
    for (const [i, panel] of fitted.entries()) {
      const left = gap + i * (row.side + gap);
      captions.push(
        `<text x="${left}" y="${top - 12}" font-family="sans-serif" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
      );
      composites.push({ input: panel.input, left, top });
    }
    top += Math.max(0, ...fitted.map((p) => p.height));
  }
  const height = top + 48;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${captions.join('')}<text x="${gap}" y="${top + 30}" font-family="sans-serif" font-size="14">${escapeXml(footer)}</text></svg>`;
  return sharp(Buffer.from(svg)).composite(composites).png().toBuffer();
}
