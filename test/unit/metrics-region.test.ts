import { describe, expect, it } from 'vitest';

import { maskFromTokenCells, paperInpaintCells, paperOutpaintCells } from '../../src-main/engine/corrupt';
import { createImage } from '../../src-main/engine/image/pixels';
import type { RgbImage } from '../../src-main/engine/image/types';
import { cropRegion } from '../../src-main/engine/image/view';
import { maskBounds, psnrY, psnrYInside, ssim, ssimRgbInside } from '../../src-main/engine/metrics';
import { noiseImage } from '../helpers/images';

const inpaint = maskFromTokenCells(paperInpaintCells(), 128, 128);
const outpaint = maskFromTokenCells(paperOutpaintCells(), 128, 128);

/** `image` with every sample of the marked pixels moved by `by`. */
function offsetInside(image: RgbImage, region: typeof inpaint, by: number): RgbImage {
  return {
    ...image,
    data: image.data.map((v, i) => (region.data[Math.floor(i / 3)] === 1 ? v + by : v)),
  };
}

describe('scores of the restored region only', () => {
  it("bounds the paper's regions: the centre 64x64 block and the bottom 128x64 half", () => {
    expect(maskBounds(inpaint)).toEqual({ x: 32, y: 32, width: 64, height: 64 });
    expect(maskBounds(outpaint)).toEqual({ x: 0, y: 64, width: 128, height: 64 });
    expect(maskBounds({ width: 4, height: 4, data: new Uint8Array(16) })).toBeNull();
  });

  it('PSNR-Y inside sees only the region: an offset of 1 there gives 49.45 dB whatever the rest', () => {
    const a = createImage(128, 128, [100, 120, 140]);
    const b = offsetInside(a, inpaint, 1);
    expect(psnrYInside(a, b, inpaint)).toBeCloseTo(49.4527, 4);
    // Whole-image PSNR counts the intact three quarters as perfect: 10 log10(4) = 6.02 dB higher.
    expect(psnrY(a, b) - psnrYInside(a, b, inpaint)).toBeCloseTo(10 * Math.log10(4), 10);
    const c = offsetInside(a, outpaint, -1);
    expect(psnrYInside(a, c, outpaint)).toBeCloseTo(49.4527, 4);
    expect(psnrY(a, c) - psnrYInside(a, c, outpaint)).toBeCloseTo(10 * Math.log10(2), 10);
  });

  it('SSIM inside is the RGB SSIM of the region cropped out of both images', () => {
    const a = noiseImage(128, 128, 3);
    const b = offsetInside(noiseImage(128, 128, 3), inpaint, 9);
    const crop = (image: RgbImage) => cropRegion(image, 32, 32, 64, 64);
    expect(ssimRgbInside(a, b, inpaint)).toBeCloseTo(ssim(crop(a), crop(b), 'rgb'), 14);
    expect(ssimRgbInside(a, b, inpaint)).toBeLessThan(1);
    expect(ssimRgbInside(a, a, outpaint)).toBeCloseTo(1, 12);
  });

  it('refuses an empty region and a region of another size', () => {
    const a = createImage(128, 128);
    expect(() => psnrYInside(a, a, { width: 128, height: 128, data: new Uint8Array(128 * 128) })).toThrow(
      /marks no pixels/,
    );
    expect(() => ssimRgbInside(a, a, maskFromTokenCells(paperInpaintCells(), 64, 64))).toThrow(/64x64/);
  });
});
