/**
 * Where the tiles of a full-resolution restoration lie, defined once for the engine (which restores them) and the
 * studio (which says how many a photo needs before the run, and draws them when picking one). A photo at its own
 * resolution is covered by 128 px tiles (each its own 16x16 grid of words); neighbours overlap by OVERLAP pixels.
 */
import { VIEW_SIDE } from './window';

export const TILE = VIEW_SIDE;
export const OVERLAP = 32;

export interface TileOrigin {
  readonly x: number;
  readonly y: number;
}

/**
 * Starts of tiles along one side of `length` pixels (>= tile): as few as cover it with at least `overlap` pixels
 * shared between neighbours, spread evenly from 0 to length - tile.
 */
export function tileStarts(length: number, tile = TILE, overlap = OVERLAP): number[] {
  if (length < tile) throw new Error(`a side of ${length} px is shorter than one ${tile} px tile`);
  if (length === tile) return [0];
  const count = Math.ceil((length - overlap) / (tile - overlap));
  const n = Math.max(2, count);
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - tile)) / (n - 1)));
}

/** The tiles' top-left corners, row by row. */
export function tileLayout(width: number, height: number, tile = TILE, overlap = OVERLAP): TileOrigin[] {
  const ys = tileStarts(height, tile, overlap);
  const xs = tileStarts(width, tile, overlap);
  return ys.flatMap((y) => xs.map((x) => ({ x, y })));
}

/** The size the photo is restored at: its own, or scaled up so the short side fills one tile. */
export function workingSize(width: number, height: number): { width: number; height: number } {
  const short = Math.min(width, height);
  if (short >= TILE) return { width, height };
  const scale = TILE / short;
  return {
    width: Math.max(TILE, Math.round(width * scale)),
    height: Math.max(TILE, Math.round(height * scale)),
  };
}

/** The tiles a full-resolution restoration of a photo of this size works through. */
export function tileCount(width: number, height: number): number {
  const work = workingSize(width, height);
  return tileLayout(work.width, work.height).length;
}
