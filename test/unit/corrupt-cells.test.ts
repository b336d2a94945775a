import { describe, expect, it } from 'vitest';

import { maskFromRects } from '../../src-main/engine/corrupt/mask';
import {
  maskFromTokenCells,
  paperInpaintCells,
  paperOutpaintCells,
  tokenCellsFromMask,
} from '../../src-main/engine/corrupt/token-cells';
import { countOnes } from '../helpers/images';

function indices(cells: readonly boolean[]): number[] {
  return cells.flatMap((on, i) => (on ? [i] : []));
}

describe('tokenCellsFromMask', () => {
  it('flags the 8x8 cell of each masked pixel on a 128x128 mask', () => {
    const pixel = (x: number, y: number) => ({ x, y, width: 1, height: 1 });
    expect(indices(tokenCellsFromMask(maskFromRects(128, 128, [pixel(0, 0)])))).toEqual([0]);
    expect(indices(tokenCellsFromMask(maskFromRects(128, 128, [pixel(8, 0)])))).toEqual([1]);
    expect(indices(tokenCellsFromMask(maskFromRects(128, 128, [pixel(7, 8)])))).toEqual([16]);
    expect(indices(tokenCellsFromMask(maskFromRects(128, 128, [pixel(127, 127)])))).toEqual([255]);
  });

  it('flags every cell a rectangle touches, even by one pixel', () => {
    // x 60..67 spans columns 7 and 8; y 0..8 spans rows 0 and 1.
    const cells = tokenCellsFromMask(maskFromRects(128, 128, [{ x: 60, y: 0, width: 8, height: 9 }]));
    expect(indices(cells)).toEqual([7, 8, 23, 24]);
  });

  it('works for other grids and sizes', () => {
    const cells = tokenCellsFromMask(maskFromRects(4, 4, [{ x: 3, y: 3, width: 1, height: 1 }]), 2);
    expect(cells).toEqual([false, false, false, true]);
    expect(() => tokenCellsFromMask(maskFromRects(8, 8, []))).toThrow(/smaller than/);
  });
});

describe('paper cell sets', () => {
  it('inpainting: the centre 8x8 block of tokens, rows and columns 4..11', () => {
    const cells = paperInpaintCells();
    expect(cells).toHaveLength(256);
    expect(countOnes(cells)).toBe(64);
    expect(indices(cells)[0]).toBe(4 * 16 + 4);
    expect(indices(cells).at(-1)).toBe(11 * 16 + 11);
  });

  it('outpainting: the bottom half, rows 8..15', () => {
    const cells = paperOutpaintCells();
    expect(countOnes(cells)).toBe(128);
    expect(indices(cells)[0]).toBe(128);
    expect(cells.slice(128).every(Boolean)).toBe(true);
  });

  it('maps back to pixels: the inpainting block is the 64x64 square at (32, 32)', () => {
    const mask = maskFromTokenCells(paperInpaintCells(), 128, 128);
    expect(countOnes(mask.data)).toBe(64 * 64);
    expect(mask.data[32 * 128 + 32]).toBe(1);
    expect(mask.data[31 * 128 + 32]).toBe(0);
    expect(mask.data[95 * 128 + 95]).toBe(1);
    expect(mask.data[96 * 128 + 95]).toBe(0);
    expect(tokenCellsFromMask(mask)).toEqual(paperInpaintCells());
  });
});
