import { maskFromRects, maskFromStrokes } from '../corrupt/mask';
import { tokenCellsFromMask } from '../corrupt/token-cells';
import { StudioError } from '../errors';
import { resizeImage } from '../image/resample';
import type { Mask, RgbImage } from '../image/types';
import { cropRegion, VIEW_SIZE } from '../image/view';
import type { DamageMask } from '../../../src-shared/contract/restore';
import { maskBounds } from '../metrics/region';
import { damageSquare } from '../../../src-shared/tasks/window';

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

/** The window of the photo restored for a local repair (its geometry: `damageSquare`), cut and scaled to 128 px. */
export function damageWindow(image: RgbImage, mask: Mask): DamageWindow {
  const bounds = maskBounds(mask);
  if (!bounds)
    throw new StudioError('INVALID_ARGUMENT', 'The mask marks no pixels: paint over the damage first.');
  const square = damageSquare(
    { x0: bounds.x, y0: bounds.y, x1: bounds.x + bounds.width - 1, y1: bounds.y + bounds.height - 1 },
    image.width,
    image.height,
  );
  if (!square) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The photo is ${image.width}x${image.height}; local repair needs at least ${VIEW_SIZE} px on each side.`,
    );
  }
  const { x, y, side } = square;
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
