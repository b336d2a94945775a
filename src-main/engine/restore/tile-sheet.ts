import { createImage } from '../image/pixels';
import type { RgbImage } from '../image/types';
import { cropRegion } from '../image/view';
import { TILE, type TileOrigin } from './tiles';

/**
 * A full-resolution run's own 128 px tiles side by side, unblended: tile k of a layout with n columns sits at
 * column k mod n, row k div n. The corrupted input and the decode of a tile cannot be cut from the blended photo
 * (neighbours overlap it, and a rotated tile is not where the photo's pixels are), so the run keeps them here,
 * one sheet per kind, about the photo's size.
 */
export class TileSheet {
  readonly image: RgbImage;
  private readonly columns: number;

  constructor(origins: readonly TileOrigin[]) {
    this.columns = sheetColumns(origins);
    const rows = Math.ceil(origins.length / this.columns);
    this.image = createImage(this.columns * TILE, rows * TILE);
  }

  put(index: number, tile: RgbImage): void {
    if (tile.width !== TILE || tile.height !== TILE) {
      throw new Error(`a tile must be ${TILE}x${TILE}, got ${tile.width}x${tile.height}`);
    }
    const { x, y } = sheetPlace(index, this.columns);
    const rowBytes = TILE * 3;
    for (let row = 0; row < TILE; row++) {
      const to = ((y + row) * this.image.width + x) * 3;
      this.image.data.set(tile.data.subarray(row * rowBytes, (row + 1) * rowBytes), to);
    }
  }
}

/** The columns of a sheet: the tiles of one row of the layout (tileLayout orders them row by row). */
export function sheetColumns(origins: readonly TileOrigin[]): number {
  return Math.max(1, new Set(origins.map((o) => o.x)).size);
}

function sheetPlace(index: number, columns: number): { x: number; y: number } {
  return { x: (index % columns) * TILE, y: Math.floor(index / columns) * TILE };
}

/** Tile `index` of a sheet of `columns` columns. */
export function sheetTile(sheet: RgbImage, index: number, columns: number): RgbImage {
  const { x, y } = sheetPlace(index, columns);
  return cropRegion(sheet, x, y, TILE, TILE);
}
