import { describe, expect, it } from 'vitest';

import {
  applyMask,
  invertMask,
  maskArea,
  maskFromRects,
  maskFromStrokes,
} from '../../src-main/engine/corrupt/mask';
import { StudioError } from '../../src-main/engine/errors';
import { greyImage, maskRows, pixelAt, redRows } from '../helpers/images';

describe('maskFromRects', () => {
  it('covers exactly the pixels a whole-number rectangle spans', () => {
    expect(maskRows(maskFromRects(5, 4, [{ x: 1, y: 1, width: 3, height: 2 }]))).toEqual([
      '00000',
      '01110',
      '01110',
      '00000',
    ]);
  });

  it('clips to the canvas, unions several rectangles and takes pixel centres for fractions', () => {
    const mask = maskFromRects(4, 3, [
      { x: -2, y: -2, width: 3, height: 3 },
      { x: 2.6, y: 1.4, width: 10, height: 0.2 }, // centre row 1.5 is inside [1.4, 1.6); columns 3 (3.5 >= 2.6)
    ]);
    expect(maskRows(mask)).toEqual(['1000', '0001', '0000']);
  });

  it('refuses negative sizes and non-finite numbers', () => {
    expect(() => maskFromRects(4, 4, [{ x: 0, y: 0, width: -1, height: 2 }])).toThrow(/negative/);
    expect(() => maskFromRects(4, 4, [{ x: NaN, y: 0, width: 1, height: 2 }])).toThrow(StudioError);
  });
});

describe('maskFromStrokes', () => {
  it('paints a disc of pixels whose centres are within the radius of a single point', () => {
    // Centres at integer offsets (dx, dy) from (10.5, 10.5) with dx^2 + dy^2 <= 4: 1 + 4 + 4 + 4 = 13.
    const mask = maskFromStrokes(21, 21, [{ points: [{ x: 10.5, y: 10.5 }], radius: 2 }]);
    expect(maskArea(mask)).toBe(13);
    expect(maskRows(maskFromStrokes(5, 5, [{ points: [{ x: 2.5, y: 2.5 }], radius: 1 }]))).toEqual([
      '00000',
      '00100',
      '01110',
      '00100',
      '00000',
    ]);
  });

  it('paints a capsule along a segment: 3 rows x 11 columns plus one cap pixel at each end', () => {
    const stroke = {
      points: [
        { x: 5.5, y: 10.5 },
        { x: 15.5, y: 10.5 },
      ],
      radius: 1,
    };
    expect(maskArea(maskFromStrokes(21, 21, [stroke]))).toBe(35);
  });

  it('follows a polyline and lets an eraser stroke clear', () => {
    const mask = maskFromStrokes(5, 5, [
      {
        points: [
          { x: 0.5, y: 0.5 },
          { x: 4.5, y: 0.5 },
          { x: 4.5, y: 4.5 },
        ],
        radius: 0,
      },
      { points: [{ x: 4.5, y: 0.5 }], radius: 0, erase: true },
    ]);
    expect(maskRows(mask)).toEqual(['11110', '00001', '00001', '00001', '00001']);
  });

  it('ignores empty strokes and clips brushes at the canvas edge', () => {
    expect(maskArea(maskFromStrokes(4, 4, [{ points: [], radius: 3 }]))).toBe(0);
    expect(maskArea(maskFromStrokes(4, 4, [{ points: [{ x: 0, y: 0 }], radius: 1 }]))).toBe(1);
  });

  it('refuses a negative radius', () => {
    expect(() => maskFromStrokes(4, 4, [{ points: [{ x: 1, y: 1 }], radius: -1 }])).toThrow(/radius/);
  });
});

describe('invertMask and applyMask', () => {
  it('inverts every value', () => {
    const mask = maskFromRects(3, 1, [{ x: 0, y: 0, width: 1, height: 1 }]);
    expect(maskRows(invertMask(mask))).toEqual(['011']);
  });

  it('fills masked pixels with the colour and leaves the rest', () => {
    const image = greyImage([
      [1, 2],
      [3, 4],
    ]);
    const mask = maskFromRects(2, 2, [{ x: 1, y: 0, width: 1, height: 2 }]);
    const out = applyMask(image, mask, [255, 0, 0]);
    expect(redRows(out)).toEqual([
      [1, 255],
      [3, 255],
    ]);
    expect(pixelAt(out, 1, 1)).toEqual([255, 0, 0]);
    expect(pixelAt(out, 0, 1)).toEqual([3, 3, 3]);
    expect(redRows(image)[0]).toEqual([1, 2]); // the input is not modified
  });

  it('refuses a mask of another size', () => {
    const image = greyImage([[1, 2]]);
    expect(() => applyMask(image, maskFromRects(3, 1, []), [0, 0, 0])).toThrow(/must match/);
  });
});
