import type { Mask } from '../image/types';
import { assertInteger, assertMask } from '../image/validate';
import { StudioError } from '../errors';

/*
 * The tokenizer sees a 128x128 view as a 16x16 grid of 8x8-pixel cells, one token each, in raster order.
 * Masks are drawn in pixels but the model predicts whole tokens, so a cell is to be predicted as soon as any of
 * its pixels is masked.
 */

export const TOKEN_GRID = 16;

/**
 * Row-major grid x grid flags: true where the cell holds at least one masked pixel. Cells split the mask evenly
 * (pixel x belongs to column floor(x * grid / width)), so any mask size works; on 128x128 cells are 8x8.
 */
export function tokenCellsFromMask(mask: Mask, grid = TOKEN_GRID): boolean[] {
  assertMask(mask);
  assertInteger(grid, 'token grid', 1);
  if (mask.width < grid || mask.height < grid) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The mask is ${mask.width}x${mask.height}, smaller than the ${grid}x${grid} token grid.`,
    );
  }
  const cells: boolean[] = new Array<boolean>(grid * grid).fill(false);
  for (let y = 0; y < mask.height; y++) {
    const row = Math.floor((y * grid) / mask.height) * grid;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] !== 0) cells[row + Math.floor((x * grid) / mask.width)] = true;
    }
  }
  return cells;
}

/** The pixel mask covered by the flagged cells: the inverse view of `tokenCellsFromMask`, for display. */
export function maskFromTokenCells(
  cells: readonly boolean[],
  width: number,
  height: number,
  grid = TOKEN_GRID,
): Mask {
  assertInteger(grid, 'token grid', 1);
  assertInteger(width, 'mask width', grid);
  assertInteger(height, 'mask height', grid);
  if (cells.length !== grid * grid) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `Got ${cells.length} token cells, expected ${grid}x${grid} = ${grid * grid}.`,
    );
  }
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * grid) / height) * grid;
    for (let x = 0; x < width; x++) {
      if (cells[row + Math.floor((x * grid) / width)] === true) data[y * width + x] = 1;
    }
  }
  return { width, height, data };
}

function cellsWhere(predicate: (row: number, col: number) => boolean): boolean[] {
  const cells: boolean[] = [];
  for (let row = 0; row < TOKEN_GRID; row++)
    for (let col = 0; col < TOKEN_GRID; col++) cells.push(predicate(row, col));
  return cells;
}

/** The paper's inpainting target: the centre 8x8 block of tokens, rows and columns 4..11 (64 of 256). */
export function paperInpaintCells(): boolean[] {
  return cellsWhere((row, col) => row >= 4 && row <= 11 && col >= 4 && col <= 11);
}

/** The paper's outpainting target: the bottom half of the token grid, rows 8..15 (128 of 256). */
export function paperOutpaintCells(): boolean[] {
  return cellsWhere((row) => row >= 8);
}
