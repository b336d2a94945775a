import { describe, expect, it } from 'vitest';

import { resizeImage, roundHalfEven, shortSideSize } from '../../src-main/engine/image/resample';
import {
  centreCropOrigin,
  chwToRgb,
  cropRegion,
  resizeShortSide,
  rgbToChw,
  view128,
} from '../../src-main/engine/image/view';
import { StudioError } from '../../src-main/engine/errors';
import { codedImage, greyImage, imageFrom, pixelAt, redRows, sameImage } from '../helpers/images';

describe('short-side sizing (albumentations SmallestMaxSize arithmetic)', () => {
  it('scales the short side to the target and rounds the long side like Python', () => {
    expect(shortSideSize(300, 200, 128)).toEqual({ width: 192, height: 128 });
    expect(shortSideSize(200, 400, 128)).toEqual({ width: 128, height: 256 });
    expect(shortSideSize(128, 128, 128)).toEqual({ width: 128, height: 128 });
    // Exact halves go to the even neighbour: 3 * 1.5 = 4.5 -> 4, 5 * 1.5 = 7.5 -> 8.
    expect(shortSideSize(3, 2, 3)).toEqual({ width: 4, height: 3 });
    expect(shortSideSize(5, 2, 3)).toEqual({ width: 8, height: 3 });
    expect([0.5, 1.5, 2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 2, 3]);
  });

  it('centre crop origin rounds down like CenterCrop', () => {
    expect(centreCropOrigin(192, 128, 128)).toEqual({ x: 32, y: 0 });
    expect(centreCropOrigin(131, 128, 128)).toEqual({ x: 1, y: 0 });
  });
});

describe('resizeImage (antialiased Lanczos-3)', () => {
  it('keeps flat images flat when shrinking and enlarging', () => {
    const flat = imageFrom(37, 23, () => [12, 200, 99]);
    for (const [w, h] of [
      [5, 3],
      [80, 50],
      [37, 11],
    ] as const) {
      const out = resizeImage(flat, w, h);
      expect([out.width, out.height]).toEqual([w, h]);
      expect(out.data.every((v, i) => v === [12, 200, 99][i % 3])).toBe(true);
    }
  });

  it('averages fine detail away when shrinking (antialiasing) instead of aliasing it', () => {
    // One-pixel stripes 0/255 shrunk 8x come out mid-grey, not all black or all white; the clipped windows at the
    // borders are slightly lopsided, hence the tolerance.
    const stripes = imageFrom(64, 8, (x) => (x % 2 === 0 ? [0, 0, 0] : [255, 255, 255]));
    const out = resizeImage(stripes, 8, 1);
    for (const v of out.data) expect(Math.abs(v - 127.5)).toBeLessThan(8);
    for (const v of out.data.subarray(3 * 3, 5 * 3)) expect(Math.abs(v - 127.5)).toBeLessThan(1);
  });

  it('is an exact copy when the size does not change', () => {
    const image = codedImage(9, 4);
    expect(sameImage(resizeImage(image, 9, 4), image)).toBe(true);
  });

  it('keeps block colours away from the block edges (support is 3 output pixels)', () => {
    const blocks = imageFrom(128, 128, (x, y) => (x < 64 !== y < 64 ? [200, 0, 0] : [0, 0, 200]));
    const out = resizeShortSide(blocks, 16);
    expect(pixelAt(out, 0, 0)).toEqual([0, 0, 200]);
    expect(pixelAt(out, 3, 3)).toEqual([0, 0, 200]);
    expect(pixelAt(out, 12, 3)).toEqual([200, 0, 0]);
    expect(pixelAt(out, 15, 15)).toEqual([0, 0, 200]);
  });
});

describe('cropRegion', () => {
  it('copies the rectangle', () => {
    const image = greyImage([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(redRows(cropRegion(image, 1, 1, 2, 2))).toEqual([
      [5, 6],
      [8, 9],
    ]);
  });

  it('refuses a rectangle that leaves the image', () => {
    expect(() => cropRegion(codedImage(3, 3), 2, 0, 2, 1)).toThrow(StudioError);
    expect(() => cropRegion(codedImage(3, 3), 2, 0, 2, 1)).toThrow(/goes past the 3x3 image/);
  });
});

describe('view128', () => {
  it('makes a 128x128 view of a wide image from its centre', () => {
    // 400x200: short side 200 -> 128, width 256, crop x 64..191 = source x 100..299 (green).
    const wide = imageFrom(400, 200, (x) => (x < 100 ? [255, 0, 0] : x < 300 ? [0, 255, 0] : [0, 0, 255]));
    const view = view128(wide);
    expect([view.width, view.height]).toEqual([128, 128]);
    for (const x of [8, 64, 119]) {
      for (const y of [0, 64, 127]) expect(pixelAt(view, x, y)).toEqual([0, 255, 0]);
    }
    // The edges of the crop sit on the colour boundaries, so they pick up a little of the neighbours.
    expect(pixelAt(view, 0, 64)[0]).toBeGreaterThan(0);
    expect(pixelAt(view, 127, 64)[2]).toBeGreaterThan(0);
  });

  it('makes a 128x128 view of a tall image from its centre', () => {
    const tall = imageFrom(100, 300, (_x, y) =>
      y < 100 ? [255, 0, 0] : y < 200 ? [0, 255, 0] : [0, 0, 255],
    );
    const view = view128(tall);
    expect([view.width, view.height]).toEqual([128, 128]);
    expect(pixelAt(view, 64, 64)).toEqual([0, 255, 0]);
  });

  it('is the identity on a 128x128 image', () => {
    const image = codedImage(128, 128);
    expect(sameImage(view128(image), image)).toBe(true);
  });
});

describe('rgbToChw / chwToRgb', () => {
  it('lays channels out as planes and scales to [-1, 1] with x / 127.5 - 1', () => {
    const image = imageFrom(2, 1, (x) => (x === 0 ? [0, 255, 51] : [127, 128, 255]));
    const chw = rgbToChw(image);
    const expected = [0, 127, 255, 128, 51, 255].map((v) => v / 127.5 - 1);
    expect(chw).toHaveLength(6);
    Array.from(chw).forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 6));
    expect(chw[0]).toBe(-1);
    expect(chw[2]).toBe(1);
  });

  it('round-trips every 8-bit value exactly', () => {
    const image = imageFrom(256, 2, (x, y) => [x, 255 - x, (x * 7 + y) % 256]);
    const back = chwToRgb(rgbToChw(image), 256, 2);
    expect(sameImage(back, image)).toBe(true);
  });

  it('clamps out-of-range model output and maps NaN to 0', () => {
    const data = Float32Array.from([1.5, -2, Number.NaN]);
    expect(Array.from(chwToRgb(data, 1, 1).data)).toEqual([255, 0, 0]);
  });

  it('refuses a tensor of the wrong length', () => {
    expect(() => chwToRgb(new Float32Array(10), 2, 2)).toThrow(/3x2x2 = 12/);
  });
});
