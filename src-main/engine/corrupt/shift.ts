import type { RgbImage } from '../image/types';
import { assertImage, assertInteger } from '../image/validate';
import { centreCropOrigin, cropRegion, resizeShortSide, VIEW_SIZE } from '../image/view';
import { replicate } from './border';
import { assertFill, type Fill } from './fill';

/**
 * Moves the content by (`dx`, `dy`) whole pixels (positive: right and down) on a canvas of the same size. What
 * moves out is lost; the uncovered band is `fill`: a colour, or 'edge' to repeat the nearest source pixel.
 */
export function shiftImage(image: RgbImage, dx: number, dy: number, fill: Fill): RgbImage {
  assertImage(image);
  assertInteger(dx, 'shift dx');
  assertInteger(dy, 'shift dy');
  assertFill(fill);
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    for (let x = 0; x < width; x++) {
      const sx = x - dx;
      const d = (y * width + x) * 3;
      const inside = sx >= 0 && sx < width && sy >= 0 && sy < height;
      if (!inside && fill !== 'edge') {
        out[d] = fill[0];
        out[d + 1] = fill[1];
        out[d + 2] = fill[2];
        continue;
      }
      const s = (replicate(sy, height) * width + replicate(sx, width)) * 3;
      out[d] = data[s] ?? 0;
      out[d + 1] = data[s + 1] ?? 0;
      out[d + 2] = data[s + 2] ?? 0;
    }
  }
  return { width, height, data: out };
}

export interface PaperShiftView {
  /** The 128x128 bottom-right crop of the short-side-128 image. */
  readonly image: RgbImage;
  /**
   * Where that crop sits relative to the centre crop, in pixels of the resized image (x right, y down). The
   * content therefore appears moved by (-x, -y) compared with `view128`. Zero on both axes for a square source.
   */
  readonly cropOffset: { readonly x: number; readonly y: number };
}

/**
 * The paper's "shift" corruption: like `view128` (short side to 128) but taking the bottom-right 128x128 instead
 * of the centre crop. Only the long axis can move, so on a square source this is the identity of `view128`: the
 * published shift numbers on square images measure no shift at all.
 */
export function paperShiftView(source: RgbImage): PaperShiftView {
  const resized = resizeShortSide(source, VIEW_SIZE);
  const x = resized.width - VIEW_SIZE;
  const y = resized.height - VIEW_SIZE;
  const centre = centreCropOrigin(resized.width, resized.height, VIEW_SIZE);
  return {
    image: cropRegion(resized, x, y, VIEW_SIZE, VIEW_SIZE),
    cropOffset: { x: x - centre.x, y: y - centre.y },
  };
}
