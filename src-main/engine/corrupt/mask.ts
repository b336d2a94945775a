import type { Mask, Rgb, RgbImage } from '../image/types';
import {
  assertFinite,
  assertImage,
  assertInteger,
  assertMask,
  assertRgb,
  assertSameSize,
} from '../image/validate';
import { StudioError } from '../errors';

/*
 * Masks drawn by the user in image pixels. A pixel (px, py) covers the square [px, px+1) x [py, py+1), and it
 * is in a shape when its centre (px + 0.5, py + 0.5) is: canvas coordinates from Konva map onto this directly,
 * and whole-number rectangles cover exactly the pixels they span.
 */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Stroke {
  /** The brush path; a single point paints a disc. */
  readonly points: readonly Point[];
  /** Brush radius in pixels. */
  readonly radius: number;
  /** An eraser stroke clears the pixels it covers instead of setting them. */
  readonly erase?: boolean;
}

function emptyMask(width: number, height: number): Mask {
  assertInteger(width, 'mask width', 1);
  assertInteger(height, 'mask height', 1);
  return { width, height, data: new Uint8Array(width * height) };
}

/**
 * Pixels whose centres fall inside any of the rectangles (clipped to the canvas). Each row is filled once, over
 * the union of the rectangles that cross it, so overlapping rectangles cost no more than the pixels they cover.
 */
export function maskFromRects(width: number, height: number, rects: readonly Rect[]): Mask {
  const mask = emptyMask(width, height);
  const spans: { x0: number; x1: number; y0: number; y1: number }[] = [];
  for (const rect of rects) {
    assertFinite(rect.x, 'rectangle x');
    assertFinite(rect.y, 'rectangle y');
    assertFinite(rect.width, 'rectangle width');
    assertFinite(rect.height, 'rectangle height');
    if (rect.width < 0 || rect.height < 0) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `A rectangle is ${rect.width}x${rect.height}: sides cannot be negative.`,
      );
    }
    // Centre px + 0.5 lies in [x, x + w)  <=>  px in [ceil(x - 0.5), ceil(x + w - 0.5)).
    const x0 = Math.max(0, Math.ceil(rect.x - 0.5));
    const x1 = Math.min(width, Math.ceil(rect.x + rect.width - 0.5));
    const y0 = Math.max(0, Math.ceil(rect.y - 0.5));
    const y1 = Math.min(height, Math.ceil(rect.y + rect.height - 0.5));
    if (x1 > x0 && y1 > y0) spans.push({ x0, x1, y0, y1 });
  }
  spans.sort((a, b) => a.x0 - b.x0);
  for (let y = 0; y < height; y++) {
    // Spans sorted by their left edge: merge the ones that cover this row into runs, and fill each run once.
    let runStart = -1;
    let runEnd = -1;
    for (const span of spans) {
      if (y < span.y0 || y >= span.y1) continue;
      if (span.x0 > runEnd) {
        if (runEnd > runStart) mask.data.fill(1, y * width + runStart, y * width + runEnd);
        runStart = span.x0;
        runEnd = span.x1;
      } else if (span.x1 > runEnd) {
        runEnd = span.x1;
      }
    }
    if (runEnd > runStart) mask.data.fill(1, y * width + runStart, y * width + runEnd);
  }
  return mask;
}

/** Squared distance from (px, py) to the segment a-b. */
function distanceToSegmentSq(px: number, py: number, a: Point, b: Point): number {
  const vx = b.x - a.x;
  const vy = b.y - a.y;
  const lengthSq = vx * vx + vy * vy;
  const t = lengthSq === 0 ? 0 : Math.min(1, Math.max(0, ((px - a.x) * vx + (py - a.y) * vy) / lengthSq));
  const dx = px - (a.x + t * vx);
  const dy = py - (a.y + t * vy);
  return dx * dx + dy * dy;
}

/**
 * Round-brush strokes, painted in order: a pixel is covered when its centre is within `radius` of the polyline
 * (inclusive). Erase strokes clear what earlier strokes painted.
 */
export function maskFromStrokes(width: number, height: number, strokes: readonly Stroke[]): Mask {
  const mask = emptyMask(width, height);
  for (const stroke of strokes) {
    assertFinite(stroke.radius, 'brush radius');
    if (stroke.radius < 0) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `The brush radius is ${stroke.radius}: it cannot be negative.`,
      );
    }
    for (const p of stroke.points) {
      assertFinite(p.x, 'stroke point x');
      assertFinite(p.y, 'stroke point y');
    }
    const first = stroke.points[0];
    if (first === undefined) continue;
    const value = stroke.erase === true ? 0 : 1;
    const r = stroke.radius;
    const rSq = r * r;
    const segments: [Point, Point][] =
      stroke.points.length === 1
        ? [[first, first]]
        : stroke.points.slice(1).map((p, i): [Point, Point] => [stroke.points[i] ?? p, p]);
    for (const [a, b] of segments) {
      // Only the segment's bounding box grown by the radius can be touched.
      const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r - 0.5));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + r - 0.5));
      const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r - 0.5));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + r - 0.5));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          if (distanceToSegmentSq(x + 0.5, y + 0.5, a, b) <= rSq) mask.data[y * width + x] = value;
        }
      }
    }
  }
  return mask;
}

export function invertMask(mask: Mask): Mask {
  assertMask(mask);
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.data[i] === 0 ? 1 : 0;
  return { width: mask.width, height: mask.height, data };
}

/** Number of masked pixels. */
export function maskArea(mask: Mask): number {
  assertMask(mask);
  let count = 0;
  for (const v of mask.data) if (v !== 0) count++;
  return count;
}

/** A copy of the image with every masked pixel set to `fill` (what the model is asked to restore). */
export function applyMask(image: RgbImage, mask: Mask, fill: Rgb): RgbImage {
  assertImage(image);
  assertMask(mask);
  assertSameSize(image, mask);
  assertRgb(fill);
  const data = image.data.slice();
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p] === 0) continue;
    data[p * 3] = fill[0];
    data[p * 3 + 1] = fill[1];
    data[p * 3 + 2] = fill[2];
  }
  return { width: image.width, height: image.height, data };
}

/**
 * The mask at a smaller size, a target pixel marked when any source pixel under it is: a thin brush stroke must
 * survive the trip to the 128 px view, where a sampled or averaged copy would lose it.
 */
export function shrinkMask(mask: Mask, width: number, height: number): Mask {
  assertMask(mask);
  assertInteger(width, 'mask width', 1, mask.width);
  assertInteger(height, 'mask height', 1, mask.height);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < mask.height; y++) {
    const row = Math.floor((y * height) / mask.height) * width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] !== 0) data[row + Math.floor((x * width) / mask.width)] = 1;
    }
  }
  return { width, height, data };
}
