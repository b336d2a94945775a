import type { DamageMask, RestoreRequest } from '../../../src-shared/contract/restore';
import { DEFAULT_MAX_PIXELS } from '../image/decode';
import { StudioError } from '../errors';
import { readsField } from '../../../src-shared/tasks/registry';

/**
 * Budgets on what one restoration request may ask the engine to draw. The mask is rasterised on the server's
 * main thread before the job's first await, so an unbounded one (a 44 KB request of long, wide strokes took
 * 2.5 s) froze every other call; an extended canvas is allocated whole. Checked before the job starts, in
 * O(points), so an over-budget request is refused at once and costs nothing.
 */
export const REQUEST_LIMITS = {
  /** Strokes and rectangles per mask (the editor's own masks have tens). */
  strokes: 2_000,
  rects: 1_000,
  /** Points over all strokes of a mask. */
  points: 50_000,
  /**
   * Pixels the brush visits: per segment, its bounding box grown by the radius and clipped to the photo
   * (about 3 ns each here: 30 M is ~0.1 s).
   */
  paintedPixels: 30_000_000,
} as const;

export function checkRequestComplexity(
  request: RestoreRequest,
  photo: { width: number; height: number },
  maxPixels = DEFAULT_MAX_PIXELS,
): void {
  const width = request.crop ? Math.min(request.crop.width, photo.width) : photo.width;
  const height = request.crop ? Math.min(request.crop.height, photo.height) : photo.height;
  if (request.mask) checkMask(request.mask, 'mask', width, height);
  if (request.blurRegion) checkMask(request.blurRegion, 'blurRegion', width, height);
  if (readsField(request.task, 'extend') && request.extend) {
    const { top, right, bottom, left } = request.extend;
    const area = (width + left + right) * (height + top + bottom);
    if (area > maxPixels) {
      throw new StudioError(
        'REFUSED',
        `Extending the ${width}x${height} photo by these margins makes a ${megapixels(area)} canvas, more than the ` +
          `${megapixels(maxPixels)} limit: use smaller margins, or crop the photo first.`,
      );
    }
  }
}

function checkMask(mask: DamageMask, name: string, width: number, height: number): void {
  const over = (what: string, count: number, limit: number) =>
    new StudioError(
      'REFUSED',
      `The ${name} has ${count} ${what}, more than the ${limit} one request may draw: simplify it (fewer, shorter strokes).`,
    );
  if (mask.strokes.length > REQUEST_LIMITS.strokes)
    throw over('strokes', mask.strokes.length, REQUEST_LIMITS.strokes);
  if (mask.rects.length > REQUEST_LIMITS.rects)
    throw over('rectangles', mask.rects.length, REQUEST_LIMITS.rects);
  let points = 0;
  let painted = 0;
  for (const stroke of mask.strokes) {
    points += stroke.points.length;
    if (points > REQUEST_LIMITS.points) throw over('points', points, REQUEST_LIMITS.points);
    const r = stroke.radius;
    // Erasers are drawn twice (with the strokes, and again as the eraser mask over the rectangles).
    const passes = stroke.erase === true ? 2 : 1;
    for (let i = 0; i < stroke.points.length; i++) {
      const a = stroke.points[Math.max(0, i - 1)];
      const b = stroke.points[i];
      if (!a || !b || (i === 0 && stroke.points.length > 1)) continue;
      const spanX = clip(Math.max(a.x, b.x) + r, width) - clip(Math.min(a.x, b.x) - r, width);
      const spanY = clip(Math.max(a.y, b.y) + r, height) - clip(Math.min(a.y, b.y) - r, height);
      painted += passes * (spanX + 1) * (spanY + 1);
    }
    if (painted > REQUEST_LIMITS.paintedPixels) {
      throw new StudioError(
        'REFUSED',
        `The ${name}'s strokes would paint over ${megapixels(REQUEST_LIMITS.paintedPixels)} of brush area: use ` +
          'fewer or shorter strokes, or a rectangle for a large region.',
      );
    }
  }
}

function clip(value: number, size: number): number {
  return Math.min(size, Math.max(0, value));
}

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} MP`;
}
