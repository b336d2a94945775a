import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { classicalRestoration } from '../../src-main/engine/restore/corruption';
import { richardsonLucy, wiener, wienerInside } from '../../src-main/engine/baseline/deconvolve';
import { gaussianBlur, gaussianBlurInside, gaussianKernel1d } from '../../src-main/engine/corrupt/blur';
import { loadImageFile } from '../../src-main/engine/image/decode';
import type { RgbImage } from '../../src-main/engine/image/types';
import { view128 } from '../../src-main/engine/image/view';
import { psnrRgb } from '../../src-main/engine/metrics/psnr';
import { corruptView } from '../../src-main/engine/restore/corruption';
import { brushedViewRegion, codedImage, imageFrom, psnrWhere } from '../helpers/images';

/** Edges, texture and flat areas: a checkerboard in red, a sine pattern in green, quadrants in blue. */
const sharp = imageFrom(64, 64, (x, y) => [
  (Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 1 ? 200 : 50,
  Math.round(128 + 90 * Math.sin(x / 2.5) * Math.cos(y / 4)),
  x < 32 !== y < 32 ? 230 : 20,
]);

describe('deconvolution of the Gaussian blur', () => {
  it.each([5, 7, 11])('raises PSNR against the sharp pattern, kernel %i', (k) => {
    const blurred = gaussianBlur(sharp, k);
    const kernel = gaussianKernel1d(k);
    const before = psnrRgb(blurred, sharp);
    // Measured: k = 5: 21.7 -> 26.7 (Wiener) / 24.8 (RL); k = 7: 19.9 -> 25.6 / 22.6; k = 11: 18.0 -> 22.9 / 20.5.
    expect(psnrRgb(wiener(blurred, kernel), sharp)).toBeGreaterThan(before + 4);
    expect(psnrRgb(richardsonLucy(blurred, kernel), sharp)).toBeGreaterThan(before + 2);
  });

  it('is the identity for a one-tap kernel and for zero iterations', () => {
    const image = codedImage(20, 13);
    expect(wiener(image, Float64Array.from([1]), 0).data).toEqual(image.data);
    expect(wiener(image, Float64Array.from([1])).data).toEqual(image.data);
    expect(richardsonLucy(image, gaussianKernel1d(7), 0).data).toEqual(image.data);
  });

  it('inverts a well-conditioned blur up to the 8-bit rounding, borders included, without regularisation', () => {
    // Sigma 0.5 on 3 taps keeps the response above 0.57 at every frequency, so lambda = 0 only scales the
    // rounding error (at most 0.5) by a few. A border mismatch with the blur's reflect-101 would show as tens.
    const blurred = gaussianBlur(sharp, 3, 0.5);
    const restored = wiener(blurred, gaussianKernel1d(3, 0.5), 0);
    expect(psnrRgb(blurred, sharp)).toBeLessThan(35);
    expect(psnrRgb(restored, sharp)).toBeGreaterThan(45);
  });

  it('keeps the size, is deterministic, and refuses bad kernels', () => {
    const blurred = gaussianBlur(sharp, 7);
    const kernel = gaussianKernel1d(7);
    const a = wiener(blurred, kernel);
    expect([a.width, a.height]).toEqual([64, 64]);
    expect(wiener(blurred, kernel).data).toEqual(a.data);
    expect(() => wiener(blurred, Float64Array.from([0.5, 0.5]))).toThrow(/odd number/);
    expect(() => wiener(blurred, Float64Array.from([0.2, 0.2, 0.2]))).toThrow(/normalised/);
    expect(() => wiener(blurred, Float64Array.from([0.2, 0.5, 0.3]))).toThrow(/symmetric/);
    expect(() => wiener(blurred, kernel, -1)).toThrow(/negative/);
    expect(() => richardsonLucy(blurred, kernel, 1.5)).toThrow(/iterations/);
  });
});

describe('deconvolution of real photos at the paper blur sizes', () => {
  let views: RgbImage[] = [];
  beforeAll(async () => {
    views = await Promise.all(
      ['chelsea.png', 'coffee.png', 'astronaut.png'].map(async (file) =>
        view128((await loadImageFile(path.join('resources', 'samples', file))).image),
      ),
    );
  });
  // A brushed region across the view, as the studio's region deblur gets it, and the token cells it touches.
  const { region, cells } = brushedViewRegion();

  it.each([5, 7, 9, 11])('the whole-view Wiener filter beats the blurred view, kernel %i', (k) => {
    for (const view of views) {
      const blurred = gaussianBlur(view, k);
      const restored = classicalRestoration(blurred, { task: 'deblur', kernelSize: k });
      expect(psnrRgb(restored, view)).toBeGreaterThan(psnrRgb(blurred, view) + 2);
    }
  });

  it.each([5, 7, 9, 11])(
    'a blurred region is deconvolved without rings: better than its blur, the rest untouched, kernel %i',
    (k) => {
      for (const view of views) {
        const corruption = { task: 'deblur' as const, kernelSize: k, region };
        const blurred = corruptView(view, corruption).image;
        const restored = classicalRestoration(blurred, corruption);
        // Filtering the whole view as if all of it were blurred rings at the region's edge and sharpens the sharp
        // pixels again: on chelsea it scored 17.1 (k = 5) down to 12.9 dB (k = 11) over the region's cells, where
        // the blur itself scores 32.2 down to 27.4 dB.
        expect(psnrWhere(restored, view, cells)).toBeGreaterThan(psnrWhere(blurred, view, cells) + 1.5);
        let changedOutside = 0;
        for (let p = 0; p < region.data.length; p++) {
          if (region.data[p] !== 0) continue;
          for (let c = 0; c < 3; c++) if (restored.data[p * 3 + c] !== view.data[p * 3 + c]) changedOutside++;
        }
        expect(changedOutside).toBe(0);
      }
    },
  );

  it('stops its rounds before they drift, and refuses a region of another size', () => {
    const view = views[0] ?? codedImage(128, 128);
    const blurred = gaussianBlurInside(view, region, 7);
    const few = wienerInside(blurred, region, gaussianKernel1d(7), 1e-4, 8);
    const many = wienerInside(blurred, region, gaussianKernel1d(7), 1e-4, 64);
    expect(psnrWhere(many, view, region)).toBeGreaterThan(psnrWhere(few, view, region) - 0.5);
    expect(() => wienerInside(codedImage(20, 13), region, gaussianKernel1d(7))).toThrow();
  });
});
