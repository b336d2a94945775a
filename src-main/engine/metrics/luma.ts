import type { RgbImage } from '../image/types';
import { assertImage } from '../image/validate';
import { StudioError } from '../errors';

/**
 * ITU-R BT.601 luma of 8-bit RGB in studio range, Y in [16, 235], kept as a float: the Y that restoration papers
 * score on, as MATLAB's rgb2ycbcr, scikit-image's rgb2ycbcr and BasicSR's `rgb2ycbcr(y_only=True)` compute it
 * (Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255). It is not rounded to integers, which BasicSR's PSNR and
 * SSIM do not do either.
 */
export function lumaBt601(image: RgbImage): Float64Array {
  assertImage(image);
  const { data } = image;
  const out = new Float64Array(image.width * image.height);
  for (let p = 0; p < out.length; p++) {
    out[p] =
      16 +
      (65.481 * (data[p * 3] ?? 0) + 128.553 * (data[p * 3 + 1] ?? 0) + 24.966 * (data[p * 3 + 2] ?? 0)) /
        255;
  }
  return out;
}

/** One channel (0 = R, 1 = G, 2 = B) as floats. */
export function channel(image: RgbImage, c: 0 | 1 | 2): Float64Array {
  assertImage(image);
  const out = new Float64Array(image.width * image.height);
  for (let p = 0; p < out.length; p++) out[p] = image.data[p * 3 + c] ?? 0;
  return out;
}

/** Metrics compare like with like: both images must have the same size. */
export function assertSameSize(a: RgbImage, b: RgbImage): void {
  assertImage(a, 'first image');
  assertImage(b, 'second image');
  if (a.width !== b.width || a.height !== b.height) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `Images of different sizes cannot be compared: ${a.width}x${a.height} vs ${b.width}x${b.height}.`,
    );
  }
}
