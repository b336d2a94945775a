import { StudioError } from '../errors';
import { cropRegion } from '../image/view';
import type { Mask, RgbImage } from '../image/types';
import { assertMask } from '../image/validate';
import { assertSameSize, lumaBt601 } from './luma';
import { psnrFromMse } from './psnr';
import { ssim } from './ssim';

/*
 * Scores of the restored part only. A paste of restored cells into the intact pixels scores the intact pixels
 * as perfect, which lifts a whole-image PSNR by several dB (about 6 dB for the paper's inpainting, where a
 * quarter of the view is restored); these say how good the restored pixels themselves are.
 */

/** The smallest rectangle holding every marked pixel of `mask`, or null when nothing is marked. */
export function maskBounds(mask: Mask): { x: number; y: number; width: number; height: number } | null {
  assertMask(mask);
  let x0 = mask.width;
  let y0 = mask.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] === 0) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function checkRegion(a: RgbImage, region: Mask): NonNullable<ReturnType<typeof maskBounds>> {
  if (region.width !== a.width || region.height !== a.height) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The region is ${region.width}x${region.height}; the images are ${a.width}x${a.height}.`,
    );
  }
  const box = maskBounds(region);
  if (!box)
    throw new StudioError('INVALID_ARGUMENT', 'The region marks no pixels: there is nothing to score.');
  return box;
}

/** PSNR on BT.601 luma (as `psnrY`) over the marked pixels of `region` only. */
export function psnrYInside(a: RgbImage, b: RgbImage, region: Mask): number {
  assertSameSize(a, b);
  checkRegion(a, region);
  const ya = lumaBt601(a);
  const yb = lumaBt601(b);
  let sum = 0;
  let count = 0;
  for (let p = 0; p < ya.length; p++) {
    if (region.data[p] === 0) continue;
    const d = (ya[p] ?? 0) - (yb[p] ?? 0);
    sum += d * d;
    count++;
  }
  return psnrFromMse(sum / count);
}

/**
 * SSIM on R, G and B (as `ssim(a, b, 'rgb')`) over the bounding rectangle of `region`. SSIM needs whole
 * windows, so it is scored on a rectangle; for the paper's tasks (a block of cells, the bottom half) the
 * rectangle is the region itself.
 */
export function ssimRgbInside(a: RgbImage, b: RgbImage, region: Mask): number {
  assertSameSize(a, b);
  const box = checkRegion(a, region);
  const crop = (image: RgbImage) => cropRegion(image, box.x, box.y, box.width, box.height);
  return ssim(crop(a), crop(b), 'rgb');
}
