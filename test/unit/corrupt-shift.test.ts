import { describe, expect, it } from 'vitest';

import { paperShiftView, shiftImage } from '../../src-main/engine/corrupt/shift';
import { cropRegion, view128 } from '../../src-main/engine/image/view';
import { codedImage, greyImage, imageFrom, redRows, sameImage } from '../helpers/images';

describe('shiftImage', () => {
  const image = greyImage([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('moves a 3x2 image right by one, filling the uncovered column', () => {
    expect(redRows(shiftImage(image, 1, 0, [0, 0, 0]))).toEqual([
      [0, 1, 2],
      [0, 4, 5],
    ]);
    expect(redRows(shiftImage(image, 1, 0, 'edge'))).toEqual([
      [1, 1, 2],
      [4, 4, 5],
    ]);
  });

  it('moves left and down', () => {
    expect(redRows(shiftImage(image, -1, 1, [9, 9, 9]))).toEqual([
      [9, 9, 9],
      [2, 3, 9],
    ]);
  });

  it('is the identity for (0, 0) and blanks everything when shifted off the canvas', () => {
    expect(shiftImage(image, 0, 0, [0, 0, 0]).data).toEqual(image.data);
    expect(redRows(shiftImage(image, 3, 0, [7, 7, 7]))).toEqual([
      [7, 7, 7],
      [7, 7, 7],
    ]);
  });

  it('refuses fractional offsets and bad colours', () => {
    expect(() => shiftImage(image, 0.5, 0, [0, 0, 0])).toThrow(/shift dx/);
    expect(() => shiftImage(image, 0, 0, [0, 0, 300])).toThrow(/0\.\.255/);
  });
});

describe('paperShiftView', () => {
  it('is the identity on a square source (bottom-right crop = centre crop)', () => {
    const square = codedImage(128, 128);
    const { image, cropOffset } = paperShiftView(square);
    expect(cropOffset).toEqual({ x: 0, y: 0 });
    expect(sameImage(image, view128(square))).toBe(true);
    expect(sameImage(image, square)).toBe(true);
  });

  it('takes the bottom-right 128x128 of a wide source and reports the offset from the centre crop', () => {
    const wide = imageFrom(256, 128, (x, y) => [x, y, 0]);
    const { image, cropOffset } = paperShiftView(wide);
    expect(cropOffset).toEqual({ x: 64, y: 0 });
    expect(sameImage(image, cropRegion(wide, 128, 0, 128, 128))).toBe(true);
  });

  it('moves vertically on a tall source', () => {
    const tall = imageFrom(128, 200, (x, y) => [x, y, 0]);
    const { image, cropOffset } = paperShiftView(tall);
    expect(cropOffset).toEqual({ x: 0, y: 36 });
    expect(sameImage(image, cropRegion(tall, 0, 72, 128, 128))).toBe(true);
  });
});
