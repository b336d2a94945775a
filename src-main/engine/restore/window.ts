import { maskFromRects, maskFromStrokes } from '../corrupt/mask';
import { tokenCellsFromMask } from '../corrupt/token-cells';
import { StudioError } from '../errors';
import { resizeImage } from '../image/resample';
import type { Mask, RgbImage } from '../image/types';
import { cropRegion, VIEW_SIZE } from '../image/view';
import type { DamageMask } from '../../../src-shared/contract/restore';
import { maskBounds } from '../metrics/region';

/**
 * The user's damage as one pixel mask. Rectangles count as drawn first; brush and eraser strokes then apply in
 * order, so an eraser clears both earlier strokes and rectangles.
 */
export function damageMask(width: number, height: number, damage: DamageMask): Mask {
  const rects = maskFromRects(width, height, damage.rects);
  const strokes = maskFromStrokes(width, height, damage.strokes);
  const erasers = maskFromStrokes(
    width,
    height,
    damage.strokes.filter((s) => s.erase === true).map((s) => ({ points: s.points, radius: s.radius })),
  );
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    data[i] = strokes.data[i] === 1 || (rects.data[i] === 1 && erasers.data[i] === 0) ? 1 : 0;
  }
  return { width, height, data };
}

export interface DamageWindow {
  /** Square region of the photo, in photo pixels; its side is a multiple of 8. */
  readonly x: number;
  readonly y: number;
  readonly side: number;
  /** The region at the tokenizer's 128 px. */
  readonly view: RgbImage;
  /** Cells of the 16x16 grid that hold damage. */
  readonly cells: boolean[];
  /** The damage inside the window, at photo scale. */
  readonly mask: Mask;
}

/**
 * The square window of the photo restored for a local repair: the damage with as much context again around it,
 * at least 128 px and a multiple of 8 px (so at 128 px one token is exactly 8x8 photo pixels), kept inside the
 * photo. Damage wider than 64 px makes the window larger than 128 px; it is then restored downscaled.
 */
export function damageWindow(image: RgbImage, mask: Mask): DamageWindow {
  const bounds = maskBounds(mask);
  if (!bounds)
    throw new StudioError('INVALID_ARGUMENT', 'The mask marks no pixels: paint over the damage first.');
  const limit = Math.min(image.width, image.height);
  if (limit < VIEW_SIZE) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The photo is ${image.width}x${image.height}; local repair needs at least ${VIEW_SIZE} px on each side.`,
    );
  }
  const extent = Math.max(bounds.width, bounds.height);
  let side = Math.max(VIEW_SIZE, Math.ceil((extent * 2) / 8) * 8);
  side = Math.min(side, limit - (limit % 8));
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  const x = clamp(Math.round(bounds.x + bounds.width / 2 - side / 2), image.width - side);
  const y = clamp(Math.round(bounds.y + bounds.height / 2 - side / 2), image.height - side);
  const region = cropRegion(image, x, y, side, side);
  const windowMask: Mask = { width: side, height: side, data: new Uint8Array(side * side) };
  for (let r = 0; r < side; r++) {
    windowMask.data.set(
      mask.data.subarray((y + r) * mask.width + x, (y + r) * mask.width + x + side),
      r * side,
    );
  }
  return {
    x,
    y,
    side,
    view: side === VIEW_SIZE ? region : resizeImage(region, VIEW_SIZE, VIEW_SIZE),
    cells: tokenCellsFromMask(windowMask),
    mask: windowMask,
  };
}
