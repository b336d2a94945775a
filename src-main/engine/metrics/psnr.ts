import type { RgbImage } from '../image/types';
import { assertSameSize, lumaBt601 } from './luma';

/** Peak value of 8-bit samples; Y in [16, 235] is scored against the same peak, as BasicSR and the paper do. */
export const PEAK_8BIT = 255;

/** PSNR in dB from a mean squared error: Infinity for identical inputs. */
export function psnrFromMse(mse: number, peak = PEAK_8BIT): number {
  return mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse);
}

/** Mean squared error over every R, G and B sample of two same-sized images. */
export function mseRgb(a: RgbImage, b: RgbImage): number {
  assertSameSize(a, b);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = (a.data[i] ?? 0) - (b.data[i] ?? 0);
    sum += d * d;
  }
  return sum / a.data.length;
}

/**
 * PSNR over all three RGB channels together (one MSE over every sample), peak 255. A constant offset of 1 on
 * every sample gives 20 log10(255) = 48.13 dB; identical images give Infinity.
 */
export function psnrRgb(a: RgbImage, b: RgbImage): number {
  return psnrFromMse(mseRgb(a, b));
}

/**
 * PSNR on the BT.601 luma channel (`lumaBt601`, unrounded Y in [16, 235]), peak 255: the restoration metric of
 * the V2L paper and of BasicSR's `calculate_psnr(test_y_channel=True)` with no border crop.
 */
export function psnrY(a: RgbImage, b: RgbImage): number {
  assertSameSize(a, b);
  const ya = lumaBt601(a);
  const yb = lumaBt601(b);
  let sum = 0;
  for (let i = 0; i < ya.length; i++) {
    const d = (ya[i] ?? 0) - (yb[i] ?? 0);
    sum += d * d;
  }
  return psnrFromMse(sum / ya.length);
}
