import { describe, expect, it } from 'vitest';

import { rot90, rotate } from '../../src-main/engine/corrupt/rotate';
import { codedImage, greyImage, pixelAt, redRows } from '../helpers/images';

describe('rot90 (np.rot90 on H x W x C)', () => {
  // numpy: m = [[1, 2, 3], [4, 5, 6]] (H = 2, W = 3)
  const m = greyImage([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('k = 1 turns counter-clockwise: np.rot90(m) == [[3, 6], [2, 5], [1, 4]]', () => {
    const out = rot90(m, 1);
    expect([out.width, out.height]).toEqual([2, 3]);
    expect(redRows(out)).toEqual([
      [3, 6],
      [2, 5],
      [1, 4],
    ]);
  });

  it('k = 2 and k = -1 (= 3) match numpy', () => {
    expect(redRows(rot90(m, 2))).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
    const clockwise = [
      [4, 1],
      [5, 2],
      [6, 3],
    ];
    expect(redRows(rot90(m, -1))).toEqual(clockwise);
    expect(redRows(rot90(m, 3))).toEqual(clockwise);
  });

  it('moves whole pixels (all three channels together)', () => {
    const image = codedImage(3, 2);
    const out = rot90(image, 1);
    // Output (0, 0) comes from source (W-1, 0).
    expect(pixelAt(out, 0, 0)).toEqual(pixelAt(image, 2, 0));
    expect(pixelAt(out, 1, 2)).toEqual(pixelAt(image, 0, 1));
  });

  it('four quarter turns, or a turn and its inverse, give the original back', () => {
    const image = codedImage(5, 3);
    expect(rot90(rot90(rot90(rot90(image, 1), 1), 1), 1)).toEqual(image);
    expect(rot90(rot90(image, 1), -1)).toEqual(image);
    expect(rot90(image, 4)).toEqual(image);
  });
});

describe('rotate (any angle, same canvas)', () => {
  const square = codedImage(6, 6);

  it('equals rot90 for multiples of 90 degrees on a square image (positive = counter-clockwise)', () => {
    expect(rotate(square, 90)).toEqual(rot90(square, 1));
    expect(rotate(square, 180)).toEqual(rot90(square, 2));
    expect(rotate(square, -90)).toEqual(rot90(square, -1));
    expect(rotate(square, 0)).toEqual(square);
  });

  it('fills the corners uncovered by 45 degrees and keeps the centre', () => {
    const flat = greyImage(Array.from({ length: 9 }, () => Array.from({ length: 9 }, () => 200)));
    const out = rotate(flat, 45, [0, 0, 255]);
    expect([out.width, out.height]).toEqual([9, 9]);
    expect(pixelAt(out, 0, 0)).toEqual([0, 0, 255]);
    expect(pixelAt(out, 4, 4)).toEqual([200, 200, 200]);
  });

  it('keeps the canvas size of non-square images', () => {
    const out = rotate(codedImage(6, 4), 90);
    expect([out.width, out.height]).toEqual([6, 4]);
    expect(redRows(rotate(greyImage([[10, 20, 30]]), 180))).toEqual([[30, 20, 10]]);
  });

  it('interpolates bilinearly between source pixels and the fill', () => {
    // 2x2, centre (0.5, 0.5). At 45 degrees output (0, 0) samples source (0.5, 0.5 - sqrt(0.5)) = (0.5, -0.2071):
    // half-way between (0, 0) and (1, 0) horizontally, 0.7929 of the way from the fill row (-1) to row 0.
    const image = greyImage([
      [100, 200],
      [0, 0],
    ]);
    const expected = Math.round(150 * (1 - (Math.SQRT1_2 - 0.5)));
    expect(expected).toBe(119);
    expect(redRows(rotate(image, 45, [0, 0, 0]))[0]?.[0]).toBe(expected);
  });

  it('turns a cross of pixels a quarter turn on a 3x3 grid', () => {
    const image = greyImage([
      [0, 0, 0],
      [10, 20, 30],
      [0, 0, 0],
    ]);
    expect(redRows(rotate(image, 90))).toEqual([
      [0, 30, 0],
      [0, 20, 0],
      [0, 10, 0],
    ]);
  });
});
