import { imagePx, type ImagePoint, type ImagePx } from '../geometry/spaces';
import type { CropRect, MaskOp } from './document';

/*
 * Crop geometry. A crop being drawn lives in px of the working photo (what the stage shows, already cropped when
 * an earlier crop was applied); an applied crop is stored in px of the opened photo, which is what the engine
 * holds at full resolution. composeCrop goes from the first to the second.
 */

export type CropAspect = 'free' | 'square';

export const CROP_ASPECTS: readonly { id: CropAspect; label: string }[] = [
  { id: 'free', label: 'Free' },
  { id: 'square', label: '1:1' },
];

export type CropHandle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';

const CORNERS: readonly CropHandle[] = ['nw', 'ne', 'se', 'sw'];
const EDGES: readonly CropHandle[] = ['n', 'e', 's', 'w'];

export interface PhotoSize {
  readonly width: ImagePx;
  readonly height: ImagePx;
}

/** The size of the photo the editor works on: the crop's, or the opened photo's without one. */
export function workingSize(image: { width: number; height: number }, crop: CropRect | null): PhotoSize {
  return crop
    ? { width: crop.width, height: crop.height }
    : { width: imagePx(image.width), height: imagePx(image.height) };
}

const clamp = (v: number, min: number, max: number) => Math.max(min, Math.min(max, v));

function fromEdges(x0: number, y0: number, x1: number, y1: number): CropRect {
  return {
    x: imagePx(Math.min(x0, x1)),
    y: imagePx(Math.min(y0, y1)),
    width: imagePx(Math.abs(x1 - x0)),
    height: imagePx(Math.abs(y1 - y0)),
  };
}

/**
 * The rectangle between a fixed corner and the pointer, kept on the photo. A square takes the shorter of the two
 * sides, so clamping the pointer first keeps the square on the photo too.
 */
export function rectFromCorners(
  anchor: ImagePoint,
  pointer: ImagePoint,
  aspect: CropAspect,
  size: PhotoSize,
): CropRect {
  const ax = clamp(anchor.x, 0, size.width);
  const ay = clamp(anchor.y, 0, size.height);
  let dx = clamp(pointer.x, 0, size.width) - ax;
  let dy = clamp(pointer.y, 0, size.height) - ay;
  if (aspect === 'square') {
    const side = Math.min(Math.abs(dx), Math.abs(dy));
    dx = Math.sign(dx || 1) * side;
    dy = Math.sign(dy || 1) * side;
  }
  return fromEdges(ax, ay, ax + dx, ay + dy);
}

/** The handles a rectangle offers: a square keeps to its corners, since moving one edge would break it. */
export function handlesFor(aspect: CropAspect): readonly CropHandle[] {
  return aspect === 'square' ? CORNERS : [...CORNERS, ...EDGES];
}

/** Where each handle sits on the rectangle. */
export function handlePoint(rect: CropRect, handle: CropHandle): ImagePoint {
  const x0 = rect.x;
  const y0 = rect.y;
  const x1 = rect.x + rect.width;
  const y1 = rect.y + rect.height;
  const xm = x0 + rect.width / 2;
  const ym = y0 + rect.height / 2;
  const at = (x: number, y: number): ImagePoint => ({ x: imagePx(x), y: imagePx(y) });
  switch (handle) {
    case 'nw':
      return at(x0, y0);
    case 'n':
      return at(xm, y0);
    case 'ne':
      return at(x1, y0);
    case 'e':
      return at(x1, ym);
    case 'se':
      return at(x1, y1);
    case 's':
      return at(xm, y1);
    case 'sw':
      return at(x0, y1);
    case 'w':
      return at(x0, ym);
  }
}

/** What a press at `p` grabs: a handle within `tolerance` image px, the inside (to move it), or nothing. */
export function hitCrop(
  rect: CropRect,
  p: ImagePoint,
  tolerance: number,
  aspect: CropAspect,
): CropHandle | 'inside' | null {
  let best: { handle: CropHandle; distance: number } | null = null;
  for (const handle of handlesFor(aspect)) {
    const h = handlePoint(rect, handle);
    const distance = Math.max(Math.abs(h.x - p.x), Math.abs(h.y - p.y));
    if (distance <= tolerance && (best === null || distance < best.distance)) best = { handle, distance };
  }
  if (best) return best.handle;
  const inside = p.x > rect.x && p.x < rect.x + rect.width && p.y > rect.y && p.y < rect.y + rect.height;
  return inside ? 'inside' : null;
}

/** The rectangle after dragging one of its handles to `p`; the opposite corner or edge stays put. */
export function resizeCrop(
  rect: CropRect,
  handle: CropHandle,
  p: ImagePoint,
  aspect: CropAspect,
  size: PhotoSize,
): CropRect {
  const x0 = rect.x;
  const y0 = rect.y;
  const x1 = rect.x + rect.width;
  const y1 = rect.y + rect.height;
  const opposite: Record<'nw' | 'ne' | 'se' | 'sw', ImagePoint> = {
    nw: { x: imagePx(x1), y: imagePx(y1) },
    ne: { x: imagePx(x0), y: imagePx(y1) },
    se: { x: imagePx(x0), y: imagePx(y0) },
    sw: { x: imagePx(x1), y: imagePx(y0) },
  };
  switch (handle) {
    case 'nw':
    case 'ne':
    case 'se':
    case 'sw':
      return rectFromCorners(opposite[handle], p, aspect, size);
    case 'n':
      return fromEdges(x0, clamp(p.y, 0, size.height), x1, y1);
    case 's':
      return fromEdges(x0, y0, x1, clamp(p.y, 0, size.height));
    case 'w':
      return fromEdges(clamp(p.x, 0, size.width), y0, x1, y1);
    case 'e':
      return fromEdges(x0, y0, clamp(p.x, 0, size.width), y1);
  }
}

/** The rectangle moved by (dx, dy), stopped at the photo's edges. */
export function moveCrop(rect: CropRect, dx: number, dy: number, size: PhotoSize): CropRect {
  return {
    ...rect,
    x: imagePx(clamp(rect.x + dx, 0, size.width - rect.width)),
    y: imagePx(clamp(rect.y + dy, 0, size.height - rect.height)),
  };
}

/**
 * The rectangle in whole pixels, inside the photo and at least one pixel a side; a square stays square. Null
 * when it is too small to mean anything (a click rather than a drag).
 */
export function roundCrop(rect: CropRect, aspect: CropAspect, size: PhotoSize): CropRect | null {
  const x0 = clamp(Math.round(rect.x), 0, size.width - 1);
  const y0 = clamp(Math.round(rect.y), 0, size.height - 1);
  let width = clamp(Math.round(rect.x + rect.width), x0 + 1, size.width) - x0;
  let height = clamp(Math.round(rect.y + rect.height), y0 + 1, size.height) - y0;
  if (aspect === 'square') width = height = Math.min(width, height);
  if (rect.width < 2 || rect.height < 2) return null;
  return { x: imagePx(x0), y: imagePx(y0), width: imagePx(width), height: imagePx(height) };
}

/** Whether a rectangle of the working photo is all of it, which as a crop would change nothing. */
export function coversAll(rect: CropRect, size: PhotoSize): boolean {
  return rect.x === 0 && rect.y === 0 && rect.width === size.width && rect.height === size.height;
}

/** A crop of the working photo as a crop of the opened photo, given the crop already applied. */
export function composeCrop(applied: CropRect | null, inner: CropRect): CropRect {
  if (!applied) return inner;
  return { ...inner, x: imagePx(applied.x + inner.x), y: imagePx(applied.y + inner.y) };
}

/** Mask steps moved by (dx, dy) image px, for when the photo's origin moves under them. */
export function translateMask(ops: readonly MaskOp[], dx: number, dy: number): readonly MaskOp[] {
  if (dx === 0 && dy === 0) return ops;
  return ops.map((op): MaskOp => {
    switch (op.kind) {
      case 'stroke':
        return {
          ...op,
          points: op.points.map((p) => ({ x: imagePx(p.x + dx), y: imagePx(p.y + dy) })),
        };
      case 'rect':
        return { ...op, x: op.x + dx, y: op.y + dy };
      case 'invert':
        return op;
    }
  });
}

export const formatRect = (r: CropRect | null) => (r ? `${r.x},${r.y},${r.width},${r.height}` : 'none');
