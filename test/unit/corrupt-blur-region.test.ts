import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src-shared/contract/restore';
import { gaussianBlur, gaussianBlurInside, kernelSizeForSigma } from '../../src-main/engine/corrupt/blur';
import { maskArea, maskFromStrokes, shrinkMask } from '../../src-main/engine/corrupt/mask';
import { StudioError } from '../../src-main/engine/errors';
import { loadImageFile } from '../../src-main/engine/image/decode';
import type { Mask, RgbImage } from '../../src-main/engine/image/types';
import { cropRegion } from '../../src-main/engine/image/view';
import { corruptView, deblurCorruption, describeCorruption } from '../../src-main/engine/restore/corruption';
import { prepareRestore } from '../../src-main/engine/restore/restore-job';
import { countOnes, sameImage } from '../helpers/images';

const SAMPLES = path.resolve('resources', 'samples');

/** Per-pixel split of two same-sized images: the pixels that differ, and the largest change. */
function changedPixels(a: RgbImage, b: RgbImage): { changed: Uint8Array; count: number } {
  const changed = new Uint8Array(a.width * a.height);
  let count = 0;
  for (let p = 0; p < changed.length; p++) {
    const i = p * 3;
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) {
      changed[p] = 1;
      count += 1;
    }
  }
  return { changed, count };
}

function meanAbsDiffWhere(a: RgbImage, b: RgbImage, mask: Mask, inside: boolean): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if ((mask.data[p] !== 0) !== inside) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs((a.data[p * 3 + c] ?? 0) - (b.data[p * 3 + c] ?? 0));
    n += 3;
  }
  return n === 0 ? 0 : sum / n;
}

describe('gaussianBlurInside on a real photo', () => {
  let photo: RgbImage;
  beforeAll(async () => {
    photo = (await loadImageFile(path.join(SAMPLES, 'astronaut.png'))).image;
  });

  it('blurs the brushed pixels exactly as the whole-image blur does, and leaves every other pixel alone', () => {
    const region = maskFromStrokes(photo.width, photo.height, [
      {
        points: [
          { x: 180, y: 120 },
          { x: 260, y: 160 },
          { x: 300, y: 240 },
        ],
        radius: 24,
      },
    ]);
    const out = gaussianBlurInside(photo, region, 11);
    const whole = gaussianBlur(photo, 11);
    for (let p = 0; p < region.data.length; p++) {
      const expected = region.data[p] === 0 ? photo : whole;
      for (let c = 0; c < 3; c++) {
        if (out.data[p * 3 + c] !== expected.data[p * 3 + c]) {
          throw new Error(`pixel ${p % photo.width},${Math.floor(p / photo.width)} channel ${c} is wrong`);
        }
      }
    }
    // The astronaut's suit and flags have texture: a kernel-11 blur changes the region a lot on average.
    expect(meanAbsDiffWhere(out, photo, region, true)).toBeGreaterThan(2);
    expect(meanAbsDiffWhere(out, photo, region, false)).toBe(0);
    const { changed } = changedPixels(out, photo);
    for (let p = 0; p < changed.length; p++) if (changed[p] === 1) expect(region.data[p]).toBe(1);
  });

  it('refuses a region of another size', () => {
    const small: Mask = { width: 10, height: 10, data: new Uint8Array(100) };
    expect(() => gaussianBlurInside(photo, small, 5)).toThrow(/must match/);
  });
});

describe('kernelSizeForSigma', () => {
  it('sizes kernels as OpenCV does for 8-bit images, kept to 3..31', () => {
    expect([0.3, 0.5, 1, 1.5, 2, 3, 5, 8].map(kernelSizeForSigma)).toEqual([3, 5, 7, 11, 13, 19, 31, 31]);
    expect(() => kernelSizeForSigma(0)).toThrow(StudioError);
    expect(() => kernelSizeForSigma(Number.NaN)).toThrow(StudioError);
  });
});

describe('shrinkMask', () => {
  it('keeps a one-pixel line that a sampled copy would drop', () => {
    const line: Mask = { width: 256, height: 256, data: new Uint8Array(256 * 256) };
    for (let x = 0; x < 256; x++) line.data[101 * 256 + x] = 1;
    const small = shrinkMask(line, 128, 128);
    expect(maskArea(small)).toBe(128);
    for (let x = 0; x < 128; x++) expect(small.data[50 * 128 + x]).toBe(1);
  });
});

describe('region deblur, prepared from a request as the studio sends it', () => {
  let photo: RgbImage;
  beforeAll(async () => {
    photo = (await loadImageFile(path.join(SAMPLES, 'chelsea.png'))).image;
  });
  const base: RestoreRequest = { imageId: 1, task: 'deblur', protocol: 'reference', seed: 3 };

  it('blurs only the brushed part of the window it restores, and predicts only the cells it touches', () => {
    const request: RestoreRequest = {
      ...base,
      blurSigma: 1.5,
      blurRegion: {
        strokes: [
          {
            points: [
              { x: 120, y: 140 },
              { x: 170, y: 150 },
            ],
            radius: 12,
          },
        ],
        rects: [],
      },
    };
    const prepared = prepareRestore(photo, request);
    expect(prepared.window).not.toBeNull();
    const corruption = prepared.corruption;
    if (corruption.task !== 'deblur' || !corruption.region) throw new Error('expected a region deblur');
    expect(corruption.kernelSize).toBe(11);
    expect(corruption.sigma).toBe(1.5);
    expect(describeCorruption(corruption)).toMatch(/kernel 11, sigma 1.5 inside a region of \d+ cells/);

    const { image, cells } = corruptView(prepared.view, corruption);
    const { changed, count } = changedPixels(image, prepared.view);
    expect(count).toBeGreaterThan(200);
    for (let p = 0; p < changed.length; p++) {
      if (changed[p] === 1 && corruption.region.data[p] !== 1) throw new Error(`pixel ${p} outside changed`);
    }
    expect(meanAbsDiffWhere(image, prepared.view, corruption.region, true)).toBeGreaterThan(1);
    expect(meanAbsDiffWhere(image, prepared.view, corruption.region, false)).toBe(0);

    // The predicted cells are those the region touches, and the window's own damaged cells are the same.
    const predicted = countOnes(cells);
    expect(predicted).toBeGreaterThan(0);
    expect(predicted).toBeLessThan(256);
    expect(cells).toEqual(prepared.window?.cells);
    for (let p = 0; p < corruption.region.data.length; p++) {
      if (corruption.region.data[p] !== 1) continue;
      const cell = Math.floor(Math.floor(p / 128) / 8) * 16 + Math.floor((p % 128) / 8);
      expect(cells[cell]).toBe(true);
    }
  });

  it('still blurs the whole view without a region, with the kernel given or sized from sigma', () => {
    const whole = prepareRestore(photo, { ...base, blurKernel: 9 });
    expect(whole.window).toBeNull();
    expect(whole.corruption).toEqual({ task: 'deblur', kernelSize: 9 });
    expect(countOnes(corruptView(whole.view, whole.corruption).cells)).toBe(256);
    expect(deblurCorruption({ blurSigma: 2 })).toEqual({ task: 'deblur', kernelSize: 13, sigma: 2 });
  });

  it('refuses a region that misses the photo, saying what to do', () => {
    const outside = {
      ...base,
      blurRegion: { strokes: [{ points: [{ x: -500, y: -500 }], radius: 5 }], rects: [] },
    };
    expect(() => prepareRestore(photo, outside)).toThrow(/blur region marks no pixels of the photo/);
  });
});

describe('crop before restoring', () => {
  let photo: RgbImage;
  beforeAll(async () => {
    photo = (await loadImageFile(path.join(SAMPLES, 'astronaut.png'))).image;
  });

  it('restores from the cropped pixels, with masks in the crop’s own pixels', () => {
    const crop = { x: 100, y: 60, width: 300, height: 260 };
    const prepared = prepareRestore(photo, {
      imageId: 1,
      task: 'deblur',
      protocol: 'reference',
      crop,
      blurRegion: { strokes: [], rects: [{ x: 10, y: 10, width: 40, height: 30 }] },
    });
    expect(sameImage(prepared.canvas, cropRegion(photo, crop.x, crop.y, crop.width, crop.height))).toBe(true);
    // The window sits at the crop's top-left, where the rectangle is in crop pixels.
    expect(prepared.window).toMatchObject({ x: 0, y: 0, side: 128 });
    expect(sameImage(prepared.view, cropRegion(photo, crop.x, crop.y, 128, 128))).toBe(true);
  });

  it('refuses a crop that leaves the photo', () => {
    expect(() =>
      prepareRestore(photo, {
        imageId: 1,
        task: 'inpaint',
        protocol: 'reference',
        crop: { x: 400, y: 0, width: 200, height: 100 },
      }),
    ).toThrow(/goes past the 512x512 image/);
  });
});
