import { describe, expect, it } from 'vitest';

import { extendCanvas } from '../../src-main/engine/corrupt/outpaint';
import { greyImage, maskRows, redRows } from '../helpers/images';

describe('extendCanvas', () => {
  const image = greyImage([
    [1, 2],
    [3, 4],
  ]);

  it('grows each side by its margin and marks exactly the new band', () => {
    const { image: out, mask } = extendCanvas(image, { top: 1, right: 2, bottom: 0, left: 1 }, [9, 9, 9]);
    expect([out.width, out.height]).toEqual([5, 3]);
    expect(redRows(out)).toEqual([
      [9, 9, 9, 9, 9],
      [9, 1, 2, 9, 9],
      [9, 3, 4, 9, 9],
    ]);
    expect(maskRows(mask)).toEqual(['11111', '10011', '10011']);
  });

  it("stretches the border pixels outwards with 'edge'", () => {
    const { image: out } = extendCanvas(image, { top: 0, right: 1, bottom: 1, left: 0 }, 'edge');
    expect(redRows(out)).toEqual([
      [1, 2, 2],
      [3, 4, 4],
      [3, 4, 4],
    ]);
  });

  it('the paper outpainting layout: a 128x64 top half extended by 64 below is 128x128 with the bottom half masked', () => {
    const top = greyImage(Array.from({ length: 64 }, () => Array.from({ length: 128 }, () => 50)));
    const { image: out, mask } = extendCanvas(top, { top: 0, right: 0, bottom: 64, left: 0 }, [0, 0, 0]);
    expect([out.width, out.height]).toEqual([128, 128]);
    expect(mask.data.subarray(0, 64 * 128).every((v) => v === 0)).toBe(true);
    expect(mask.data.subarray(64 * 128).every((v) => v === 1)).toBe(true);
  });

  it('is a copy with an empty mask for zero margins, and refuses negative ones', () => {
    const { image: out, mask } = extendCanvas(image, { top: 0, right: 0, bottom: 0, left: 0 }, [0, 0, 0]);
    expect(out.data).toEqual(image.data);
    expect(maskRows(mask)).toEqual(['00', '00']);
    expect(() => extendCanvas(image, { top: -1, right: 0, bottom: 0, left: 0 }, [0, 0, 0])).toThrow(
      /top margin/,
    );
  });
});
