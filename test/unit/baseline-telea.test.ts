import { describe, expect, it } from 'vitest';

import { inpaintTelea } from '../../src-main/engine/baseline/telea';
import { applyMask, maskFromRects } from '../../src-main/engine/corrupt/mask';
import type { Mask, RgbImage } from '../../src-main/engine/image/types';
import { codedImage, imageFrom, maxAbsDiff } from '../helpers/images';

const GREY = [127, 127, 127] as const;

function holed(image: RgbImage, mask: Mask): RgbImage {
  return applyMask(image, mask, GREY);
}

/** Largest absolute difference over the masked pixels only. */
function maxMaskedDiff(a: RgbImage, b: RgbImage, mask: Mask): number {
  let max = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p] === 0) continue;
    for (let c = 0; c < 3; c++) {
      max = Math.max(max, Math.abs((a.data[p * 3 + c] ?? 0) - (b.data[p * 3 + c] ?? 0)));
    }
  }
  return max;
}

describe('inpaintTelea', () => {
  const constant = imageFrom(32, 32, () => [90, 140, 200]);
  const centre = maskFromRects(32, 32, [{ x: 12, y: 12, width: 8, height: 8 }]);
  const bottomHalf = maskFromRects(32, 32, [{ x: 0, y: 16, width: 32, height: 16 }]);
  // Slopes of 4 and 2 (red), -3 (green) and 7 (blue) levels per pixel, all within 0..255 on 32x32.
  const ramp = imageFrom(32, 32, (x, y) => [4 * x + 2 * y + 10, 200 - 3 * y, 7 * x]);

  it('fills a hole in a constant image with exactly that constant, inside and at the border', () => {
    for (const mask of [centre, bottomHalf]) {
      expect(inpaintTelea(holed(constant, mask), mask).data).toEqual(constant.data);
      expect(inpaintTelea(holed(constant, mask), mask, 3, true).data).toEqual(constant.data);
    }
  });

  it('continues a linear ramp: closely by default, exactly with the first-order term', () => {
    const input = holed(ramp, centre);
    const grey = maxMaskedDiff(input, ramp, centre);
    const plain = maxMaskedDiff(inpaintTelea(input, centre), ramp, centre);
    // A weighted mean of values around an 8x8 hole misses the ramp by at most about two pixels' slope.
    expect(plain).toBeLessThanOrEqual(12);
    expect(plain).toBeLessThan(grey / 4);
    expect(maxAbsDiff(inpaintTelea(input, centre, 5, true), ramp)).toBe(0);
    // Outpainting half the image: the extrapolation runs 16 pixels deep and is still exact.
    expect(maxAbsDiff(inpaintTelea(holed(ramp, bottomHalf), bottomHalf, 5, true), ramp)).toBe(0);
  });

  it('leaves every pixel outside the mask untouched and does not modify its input', () => {
    const image = codedImage(24, 20);
    const mask = maskFromRects(24, 20, [
      { x: 3, y: 2, width: 5, height: 4 },
      { x: 16, y: 10, width: 8, height: 10 },
    ]);
    const input = holed(image, mask);
    const before = input.data.slice();
    for (const firstOrder of [false, true]) {
      const out = inpaintTelea(input, mask, 4, firstOrder);
      expect(out.width).toBe(24);
      expect(out.height).toBe(20);
      for (let p = 0; p < mask.data.length; p++) {
        if (mask.data[p] !== 0) continue;
        expect(Array.from(out.data.subarray(p * 3, p * 3 + 3))).toEqual(
          Array.from(input.data.subarray(p * 3, p * 3 + 3)),
        );
      }
    }
    expect(input.data).toEqual(before);
  });

  it('is deterministic and fills with values between the surrounding ones', () => {
    const image = codedImage(32, 32);
    const input = holed(image, centre);
    const a = inpaintTelea(input, centre);
    expect(inpaintTelea(input, centre).data).toEqual(a.data);
    // Without the first-order term every fill is a convex mix of known values: no grey fill survives in red,
    // whose known values around the hole run from 70 to 230 (x * 10).
    for (let p = 0; p < centre.data.length; p++) {
      if (centre.data[p] === 0) continue;
      const red = a.data[p * 3] ?? -1;
      expect(red).toBeGreaterThanOrEqual(70);
      expect(red).toBeLessThanOrEqual(240);
    }
  });

  it('returns a copy when nothing is masked and refuses a mask with nothing known', () => {
    const empty: Mask = { width: 32, height: 32, data: new Uint8Array(32 * 32) };
    const out = inpaintTelea(constant, empty);
    expect(out.data).toEqual(constant.data);
    expect(out.data).not.toBe(constant.data);
    const full: Mask = { width: 32, height: 32, data: new Uint8Array(32 * 32).fill(1) };
    expect(() => inpaintTelea(constant, full)).toThrow(/whole image/);
    expect(() => inpaintTelea(constant, maskFromRects(16, 16, []))).toThrow(/must match/);
    expect(() => inpaintTelea(constant, centre, 0)).toThrow(/inpainting radius/);
  });
});
