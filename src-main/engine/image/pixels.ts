import type { Rgb, RgbImage } from './types';
import { assertInteger } from './validate';

/** A blank image of the given size, every pixel set to `fill` (black by default). */
export function createImage(width: number, height: number, fill: Rgb = [0, 0, 0]): RgbImage {
  assertInteger(width, 'width', 1);
  assertInteger(height, 'height', 1);
  const data = new Uint8Array(width * height * 3);
  const [r, g, b] = fill;
  if (r !== 0 || g !== 0 || b !== 0) {
    for (let i = 0; i < data.length; i += 3) {
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
    }
  }
  return { width, height, data };
}

/** A copy that shares no memory with the original, so callers may mutate it. */
export function cloneImage(image: RgbImage): RgbImage {
  return { width: image.width, height: image.height, data: image.data.slice() };
}
