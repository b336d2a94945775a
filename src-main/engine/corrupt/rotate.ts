import type { RgbImage } from '../image/types';
import { assertFinite, assertImage, assertInteger, assertRgb } from '../image/validate';
import type { Rgb } from '../image/types';

/**
 * np.rot90(img, k) on an H x W x C array, the paper's rotation corruption: k = 1 turns the picture a quarter
 * turn counter-clockwise (the top row becomes the left column); negative k turns clockwise. The output is
 * W x H for odd k.
 */
export function rot90(image: RgbImage, k = 1): RgbImage {
  assertImage(image);
  assertInteger(k, 'rot90 k');
  const turns = ((k % 4) + 4) % 4;
  const { width: w, height: h, data } = image;
  if (turns === 0) return { width: w, height: h, data: data.slice() };
  const outW = turns === 2 ? w : h;
  const outH = turns === 2 ? h : w;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      // Source pixel (sx, sy) for output (x, y); from numpy's definition rot90(m)[i, j] = m[j, W-1-i].
      let sx: number;
      let sy: number;
      if (turns === 1) {
        sx = w - 1 - y;
        sy = x;
      } else if (turns === 2) {
        sx = w - 1 - x;
        sy = h - 1 - y;
      } else {
        sx = y;
        sy = h - 1 - x;
      }
      const s = (sy * w + sx) * 3;
      const d = (y * outW + x) * 3;
      out[d] = data[s] ?? 0;
      out[d + 1] = data[s + 1] ?? 0;
      out[d + 2] = data[s + 2] ?? 0;
    }
  }
  return { width: outW, height: outH, data: out };
}

/**
 * Rotates by any angle about the image centre on a canvas of the same size, bilinear, corners filled with
 * `fill`. Positive degrees turn counter-clockwise on screen, the same sense as `rot90` with k = 1, so
 * rotate(img, 90) equals rot90(img, 1) on a square image. The centre is ((W-1)/2, (H-1)/2) in pixel indices,
 * which makes quarter turns of square images land exactly on the pixel grid.
 */
export function rotate(image: RgbImage, degrees: number, fill: Rgb = [0, 0, 0]): RgbImage {
  assertImage(image);
  assertFinite(degrees, 'rotation angle');
  assertRgb(fill);
  const { width, height, data } = image;
  const radians = (degrees * Math.PI) / 180;
  // Snap the trigonometry for multiples of 90 degrees, where cos/sin would otherwise be off by ~1e-16.
  const snap = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-12 ? Math.round(v) : v);
  const cos = snap(Math.cos(radians));
  const sin = snap(Math.sin(radians));
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const out = new Uint8Array(data.length);

  const sample = (x: number, y: number, c: number): number =>
    x >= 0 && x < width && y >= 0 && y < height ? (data[(y * width + x) * 3 + c] ?? 0) : (fill[c] ?? 0);

  for (let y = 0; y < height; y++) {
    const oy = y - cy;
    for (let x = 0; x < width; x++) {
      const ox = x - cx;
      // Inverse mapping: with y pointing down, a counter-clockwise turn by theta takes the source offset
      // (sx, sy) to (sx cos + sy sin, -sx sin + sy cos); solving for the source gives the lines below.
      const sx = ox * cos - oy * sin + cx;
      const sy = ox * sin + oy * cos + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const d = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = sample(x0, y0, c) * (1 - fx) + sample(x0 + 1, y0, c) * fx;
        const bottom = sample(x0, y0 + 1, c) * (1 - fx) + sample(x0 + 1, y0 + 1, c) * fx;
        out[d + c] = Math.min(255, Math.max(0, Math.round(top * (1 - fy) + bottom * fy)));
      }
    }
  }
  return { width, height, data: out };
}
