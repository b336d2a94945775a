import { describe, expect, it } from 'vitest';

import { StudioError } from '../../src-main/engine/errors';
import { createImage } from '../../src-main/engine/image/pixels';
import type { RgbImage } from '../../src-main/engine/image/types';
import { lumaBt601, mseRgb, psnrFromMse, psnrRgb, psnrY } from '../../src-main/engine/metrics';
import { noiseImage } from '../helpers/images';

function offset(image: RgbImage, by: number): RgbImage {
  return { ...image, data: image.data.map((v) => Math.min(255, Math.max(0, v + by))) };
}

describe('luma (BT.601, studio range)', () => {
  it('maps black to 16 and white to 235, unrounded in between', () => {
    expect(lumaBt601(createImage(1, 1, [0, 0, 0]))[0]).toBeCloseTo(16, 12);
    expect(lumaBt601(createImage(1, 1, [255, 255, 255]))[0]).toBeCloseTo(235, 12);
    // 16 + (65.481 * 255) / 255 = 81.481 for pure red.
    expect(lumaBt601(createImage(1, 1, [255, 0, 0]))[0]).toBeCloseTo(81.481, 12);
    expect(lumaBt601(createImage(1, 1, [0, 255, 0]))[0]).toBeCloseTo(144.553, 12);
    expect(lumaBt601(createImage(1, 1, [0, 0, 255]))[0]).toBeCloseTo(40.966, 12);
  });
});

describe('PSNR', () => {
  const base = createImage(8, 8, [100, 150, 200]);

  it('is 20 log10(255) = 48.13 dB for a constant offset of 1', () => {
    expect(mseRgb(base, offset(base, 1))).toBe(1);
    expect(psnrRgb(base, offset(base, 1))).toBeCloseTo(48.1308, 4);
    expect(psnrRgb(base, offset(base, -2))).toBeCloseTo(48.1308 - 20 * Math.log10(2), 4);
  });

  it('on Y: an offset of 1 on every channel moves Y by 219/255', () => {
    const dy = 219 / 255;
    expect(psnrY(base, offset(base, 1))).toBeCloseTo(10 * Math.log10((255 * 255) / (dy * dy)), 10);
    expect(psnrY(base, offset(base, 1))).toBeCloseTo(49.4527, 4);
  });

  it('is Infinity for identical images and symmetric otherwise', () => {
    const a = noiseImage(16, 16, 1);
    const b = noiseImage(16, 16, 2);
    expect(psnrRgb(a, a)).toBe(Infinity);
    expect(psnrY(a, a)).toBe(Infinity);
    expect(psnrRgb(a, b)).toBe(psnrRgb(b, a));
    expect(psnrY(a, b)).toBe(psnrY(b, a));
  });

  it('matches a hand computation on a two-pixel image', () => {
    const a: RgbImage = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 10, 20, 30]) };
    const b: RgbImage = { width: 2, height: 1, data: Uint8Array.from([3, 0, 4, 10, 20, 30]) };
    // Squared errors 9 + 16 over 6 samples.
    expect(psnrRgb(a, b)).toBeCloseTo(10 * Math.log10((255 * 255 * 6) / 25), 12);
    expect(psnrFromMse(0)).toBe(Infinity);
    expect(psnrFromMse(255 * 255)).toBe(0);
  });

  it('refuses images of different sizes', () => {
    expect(() => psnrRgb(createImage(2, 2), createImage(2, 3))).toThrow(StudioError);
    expect(() => psnrY(createImage(2, 2), createImage(3, 2))).toThrow(/different sizes/);
  });
});
