import { describe, expect, it } from 'vitest';

import { backProject } from '../../src-main/engine/baseline/back-project';
import { gaussianBlur } from '../../src-main/engine/corrupt/blur';
import { StudioError } from '../../src-main/engine/errors';
import { psnrRgb } from '../../src-main/engine/metrics/psnr';
import { imageFrom } from '../helpers/images';

const flat = (width: number, height: number) => imageFrom(width, height, () => [128, 128, 128]);

/** Edges and texture: a checkerboard in red, a sine pattern in green, quadrants in blue. */
const sharp = imageFrom(64, 64, (x, y) => [
  (Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 1 ? 200 : 50,
  Math.round(128 + 90 * Math.sin(x / 2.5) * Math.cos(y / 4)),
  x < 32 !== y < 32 ? 230 : 20,
]);

describe('backProject', () => {
  it('leaves the true image as it is: its blur already matches the photo', () => {
    const blurred = gaussianBlur(sharp, 9);
    expect(backProject(sharp, blurred, 9).data).toEqual(sharp.data);
  });

  it.each([5, 7, 11])('sharpens the blurred photo itself (unsharp masking), kernel %i', (k) => {
    const blurred = gaussianBlur(sharp, k);
    expect(psnrRgb(backProject(blurred, blurred, k), sharp)).toBeGreaterThan(psnrRgb(blurred, sharp) + 0.5);
  });

  it("replaces an estimate's low-frequency error with the photo's", () => {
    // A flat brightness offset survives any blur, so one step removes it entirely (up to the clamp at 255).
    const blurred = gaussianBlur(sharp, 7);
    const offset = imageFrom(64, 64, (x, y) => {
      const i = (y * 64 + x) * 3;
      return [0, 1, 2].map((c) => Math.max(0, (sharp.data[i + c] ?? 0) - 20)) as [number, number, number];
    });
    expect(psnrRgb(offset, sharp)).toBeLessThan(25);
    expect(psnrRgb(backProject(offset, blurred, 7), sharp)).toBeGreaterThan(40);
  });

  it('refuses images of different sizes, naming both', () => {
    expect(() => backProject(flat(8, 8), flat(8, 9), 5)).toThrow(StudioError);
    expect(() => backProject(flat(8, 8), flat(8, 9), 5)).toThrow(/8x8.*8x9/);
  });
});
