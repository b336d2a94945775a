import type { DamageMask } from '../../../src-shared/contract/restore';
import type { MaskOp } from './document';

/** Longest side of the mask raster; larger photos are rasterised downscaled (the mask is a soft brush anyway). */
const RASTER_MAX_SIDE = 1024;

export interface MaskRaster {
  /** The mask drawn opaque on transparent, `scale` raster px per image px. */
  readonly canvas: HTMLCanvasElement;
  readonly scale: number;
  /** Bounding box of the marked pixels in image px, or null when nothing is marked. */
  readonly bounds: { x0: number; y0: number; x1: number; y1: number } | null;
  /** Fraction of the photo that is marked. */
  readonly coverage: number;
}

/** Draws the ops in order: strokes and rects paint, erasers clear, an invert flips coverage (XOR). */
function drawOps(ctx: CanvasRenderingContext2D, ops: readonly MaskOp[], scale: number, colour: string) {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = colour;
  ctx.strokeStyle = colour;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const op of ops) {
    switch (op.kind) {
      case 'rect':
        ctx.globalCompositeOperation = 'source-over';
        ctx.fillRect(op.x * scale, op.y * scale, op.width * scale, op.height * scale);
        break;
      case 'invert':
        ctx.globalCompositeOperation = 'xor';
        ctx.fillRect(0, 0, width, height);
        break;
      case 'stroke': {
        ctx.globalCompositeOperation = op.erase ? 'destination-out' : 'source-over';
        const [first, ...rest] = op.points;
        if (!first) break;
        ctx.lineWidth = op.radius * 2 * scale;
        ctx.beginPath();
        ctx.moveTo(first.x * scale, first.y * scale);
        // A single click is a dot: a zero-length line with round caps draws nothing in some browsers.
        if (rest.length === 0) ctx.lineTo(first.x * scale + 0.01, first.y * scale);
        for (const p of rest) ctx.lineTo(p.x * scale, p.y * scale);
        ctx.stroke();
        break;
      }
    }
  }
  ctx.globalCompositeOperation = 'source-over';
}

export function rasterizeMask(
  ops: readonly MaskOp[],
  width: number,
  height: number,
  colour: string,
): MaskRaster {
  const scale = Math.min(1, RASTER_MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  drawOps(ctx, ops, scale, colour);
  if (ops.length === 0) return { canvas, scale, bounds: null, coverage: 0 };
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  let marked = 0;
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      if ((data[(y * canvas.width + x) * 4 + 3] ?? 0) < 128) continue;
      marked += 1;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const bounds =
    x1 < 0
      ? null
      : {
          x0: Math.floor(x0 / scale),
          y0: Math.floor(y0 / scale),
          x1: Math.min(width - 1, Math.ceil((x1 + 1) / scale) - 1),
          y1: Math.min(height - 1, Math.ceil((y1 + 1) / scale) - 1),
        };
  return { canvas, scale, bounds, coverage: marked / (canvas.width * canvas.height) };
}

/**
 * Rectangles that cover exactly the marked raster pixels: runs of each row, merged downwards while the row below
 * has the same run. Used when the mask holds an invert, which the contract's strokes and rects cannot express.
 */
function rasterToRects(raster: MaskRaster): DamageMask['rects'] {
  const { canvas, scale } = raster;
  const ctx = canvas.getContext('2d');
  if (!ctx) return [];
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const open = new Map<string, { x: number; y: number; width: number; height: number }>();
  const rects: { x: number; y: number; width: number; height: number }[] = [];
  for (let y = 0; y <= canvas.height; y++) {
    const runs = new Set<string>();
    if (y < canvas.height) {
      let start = -1;
      for (let x = 0; x <= canvas.width; x++) {
        const on = x < canvas.width && (data[(y * canvas.width + x) * 4 + 3] ?? 0) >= 128;
        if (on && start < 0) start = x;
        if (!on && start >= 0) {
          runs.add(`${start}:${x - start}`);
          start = -1;
        }
      }
    }
    for (const [key, rect] of open) {
      if (runs.has(key)) {
        rect.height += 1;
        runs.delete(key);
      } else {
        rects.push(rect);
        open.delete(key);
      }
    }
    for (const key of runs) {
      const [x, w] = key.split(':').map(Number);
      open.set(key, { x: x ?? 0, y, width: w ?? 0, height: 1 });
    }
  }
  return rects.map((r) => ({
    x: r.x / scale,
    y: r.y / scale,
    width: r.width / scale,
    height: r.height / scale,
  }));
}

/** The mask as the contract's DamageMask in image px: the user's own strokes where possible, exact rects otherwise. */
export function toDamageMask(ops: readonly MaskOp[], raster: MaskRaster): DamageMask {
  if (!ops.some((op) => op.kind === 'invert')) {
    return {
      strokes: ops.flatMap((op) =>
        op.kind === 'stroke'
          ? [
              {
                points: op.points.map((p) => ({ x: p.x, y: p.y })),
                radius: Math.max(0.5, op.radius),
                ...(op.erase ? { erase: true } : {}),
              },
            ]
          : [],
      ),
      rects: ops.flatMap((op) =>
        op.kind === 'rect' ? [{ x: op.x, y: op.y, width: op.width, height: op.height }] : [],
      ),
    };
  }
  return { strokes: [], rects: rasterToRects(raster) };
}
