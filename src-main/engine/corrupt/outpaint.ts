import type { Mask, RgbImage } from '../image/types';
import { assertImage, assertInteger } from '../image/validate';
import { replicate } from './border';
import { assertFill, type Fill } from './fill';

export interface Margins {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/**
 * Grows the canvas by the given number of pixels on each side for outpainting. Returns the larger image, the new
 * band filled with `fill` (a colour, or 'edge' to stretch the border pixels outwards), and a mask that marks
 * exactly the new band: the pixels the model has to invent.
 */
export function extendCanvas(image: RgbImage, margins: Margins, fill: Fill): { image: RgbImage; mask: Mask } {
  assertImage(image);
  assertFill(fill);
  const { top, right, bottom, left } = margins;
  assertInteger(top, 'top margin', 0);
  assertInteger(right, 'right margin', 0);
  assertInteger(bottom, 'bottom margin', 0);
  assertInteger(left, 'left margin', 0);
  const { width: w, height: h, data } = image;
  const width = w + left + right;
  const height = h + top + bottom;
  const out = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = y - top;
    for (let x = 0; x < width; x++) {
      const sx = x - left;
      const d = y * width + x;
      const inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
      if (!inside) mask[d] = 1;
      if (!inside && fill !== 'edge') {
        out[d * 3] = fill[0];
        out[d * 3 + 1] = fill[1];
        out[d * 3 + 2] = fill[2];
        continue;
      }
      const s = (replicate(sy, h) * w + replicate(sx, w)) * 3;
      out[d * 3] = data[s] ?? 0;
      out[d * 3 + 1] = data[s + 1] ?? 0;
      out[d * 3 + 2] = data[s + 2] ?? 0;
    }
  }
  return { image: { width, height, data: out }, mask: { width, height, data: mask } };
}
