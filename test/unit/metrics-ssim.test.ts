import { describe, expect, it } from 'vitest';

import { createImage } from '../../src-main/engine/image/pixels';
import type { RgbImage } from '../../src-main/engine/image/types';
import { gaussianKernel, lumaBt601, ssim, ssimPlane } from '../../src-main/engine/metrics';
import { noiseImage } from '../helpers/images';

/** A direct (non-separable) SSIM over every valid 11x11 window, written independently of the module's. */
function naiveSsim(a: Float64Array, b: Float64Array, width: number, height: number): number {
  const g = gaussianKernel(11, 1.5);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let count = 0;
  for (let y0 = 0; y0 + 11 <= height; y0++) {
    for (let x0 = 0; x0 + 11 <= width; x0++) {
      let ma = 0;
      let mb = 0;
      for (let j = 0; j < 11; j++) {
        for (let i = 0; i < 11; i++) {
          const w = (g[i] ?? 0) * (g[j] ?? 0);
          ma += w * (a[(y0 + j) * width + x0 + i] ?? 0);
          mb += w * (b[(y0 + j) * width + x0 + i] ?? 0);
        }
      }
      let va = 0;
      let vb = 0;
      let cov = 0;
      for (let j = 0; j < 11; j++) {
        for (let i = 0; i < 11; i++) {
          const w = (g[i] ?? 0) * (g[j] ?? 0);
          const da = (a[(y0 + j) * width + x0 + i] ?? 0) - ma;
          const db = (b[(y0 + j) * width + x0 + i] ?? 0) - mb;
          va += w * da * da;
          vb += w * db * db;
          cov += w * da * db;
        }
      }
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      count++;
    }
  }
  return total / count;
}

function blend(a: RgbImage, b: RgbImage, t: number): RgbImage {
  return { ...a, data: a.data.map((v, i) => Math.round((1 - t) * v + t * (b.data[i] ?? 0))) };
}

describe('SSIM (Wang et al. 2004: Gaussian 11x11, sigma 1.5, K1 0.01, K2 0.03, luma)', () => {
  it('uses a normalised, symmetric Gaussian window', () => {
    const g = gaussianKernel();
    expect(g.length).toBe(11);
    expect(g.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(g[0]).toBeCloseTo(g[10] ?? 0, 15);
    expect((g[5] ?? 0) / (g[4] ?? 0)).toBeCloseTo(Math.exp(1 / (2 * 1.5 * 1.5)), 12);
  });

  it('is 1 for identical images, including flat ones', () => {
    const noise = noiseImage(24, 20, 7);
    expect(ssim(noise, noise)).toBeCloseTo(1, 12);
    expect(ssim(createImage(16, 16, [9, 9, 9]), createImage(16, 16, [9, 9, 9]))).toBe(1);
  });

  it('for flat images reduces to the luminance term, computed by hand', () => {
    // Black -> Y 16, white -> Y 235: (2*16*235 + C1) / (16^2 + 235^2 + C1) with C1 = 2.55^2; the contrast term is 1.
    const c1 = 2.55 ** 2;
    const expected = (2 * 16 * 235 + c1) / (16 * 16 + 235 * 235 + c1);
    expect(expected).toBeCloseTo(0.135643, 5);
    expect(ssim(createImage(16, 16, [0, 0, 0]), createImage(16, 16, [255, 255, 255]))).toBeCloseTo(
      expected,
      12,
    );
  });

  it('equals a direct 2-D computation over every valid window', () => {
    const a = noiseImage(23, 17, 1);
    const b = blend(a, noiseImage(23, 17, 2), 0.3);
    const expected = naiveSsim(lumaBt601(a), lumaBt601(b), 23, 17);
    expect(ssim(a, b)).toBeCloseTo(expected, 12);
  });

  it('is symmetric, below 1 for noise, and falls as noise grows', () => {
    const a = noiseImage(32, 32, 4);
    const n = noiseImage(32, 32, 5);
    const light = blend(a, n, 0.1);
    const heavy = blend(a, n, 0.5);
    expect(ssim(a, light)).toBeCloseTo(ssim(light, a), 14);
    expect(ssim(a, light)).toBeLessThan(1);
    expect(ssim(a, heavy)).toBeLessThan(ssim(a, light));
  });

  it('can average R, G and B instead of using luma', () => {
    const a = noiseImage(16, 16, 8);
    const b = blend(a, noiseImage(16, 16, 9), 0.2);
    expect(ssim(a, a, 'rgb')).toBeCloseTo(1, 12);
    const planes = [0, 1, 2].map((c) => {
      const pa = Float64Array.from({ length: 256 }, (_, p) => a.data[p * 3 + c] ?? 0);
      const pb = Float64Array.from({ length: 256 }, (_, p) => b.data[p * 3 + c] ?? 0);
      return ssimPlane(pa, pb, 16, 16);
    });
    expect(ssim(a, b, 'rgb')).toBeCloseTo(((planes[0] ?? 0) + (planes[1] ?? 0) + (planes[2] ?? 0)) / 3, 14);
  });

  it('needs at least one full window', () => {
    expect(() => ssim(createImage(10, 40), createImage(10, 40))).toThrow(/at least 11x11/);
  });
});
