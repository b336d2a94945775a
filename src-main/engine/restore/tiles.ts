import { createImage } from '../image/pixels';
import { resizeImage } from '../image/resample';
import type { RgbImage } from '../image/types';
import { cropRegion } from '../image/view';
import { OVERLAP, TILE, workingSize, type TileOrigin } from '../../../src-shared/tasks/tile-layout';

/**
 * A photo at its own resolution, covered by 128 px tiles (each its own 16x16 grid of words), restored tile by tile
 * and blended back. Neighbouring tiles overlap by OVERLAP pixels, and each tile's weight ramps from 0 to 1 across
 * the overlap (not at the photo's edges, where nothing overlaps), so no tile edge shows in the result. The layout
 * itself is shared with the studio (src-shared/tasks/tile-layout.ts).
 */
export {
  OVERLAP,
  TILE,
  tileCount,
  tileLayout,
  tileStarts,
  workingSize,
  type TileOrigin,
} from '../../../src-shared/tasks/tile-layout';

/** Weight of a tile's pixel at offset `d` from its start along one side (ramped only toward inner neighbours). */
function ramp(d: number, start: number, length: number, tile: number, overlap: number): number {
  const fromStart = start === 0 ? Infinity : d + 0.5;
  const fromEnd = start + tile === length ? Infinity : tile - d - 0.5;
  return Math.min(1, fromStart / overlap, fromEnd / overlap);
}

/** Accumulates weighted tiles into a photo-sized image. */
export class TileBlend {
  private readonly sum: Float64Array;
  private readonly weight: Float64Array;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly tile = TILE,
    private readonly overlap = OVERLAP,
  ) {
    this.sum = new Float64Array(width * height * 3);
    this.weight = new Float64Array(width * height);
  }

  add(origin: TileOrigin, image: RgbImage): void {
    if (image.width !== this.tile || image.height !== this.tile) {
      throw new Error(`a tile must be ${this.tile}x${this.tile}, got ${image.width}x${image.height}`);
    }
    for (let ty = 0; ty < this.tile; ty++) {
      const wy = ramp(ty, origin.y, this.height, this.tile, this.overlap);
      for (let tx = 0; tx < this.tile; tx++) {
        const w = wy * ramp(tx, origin.x, this.width, this.tile, this.overlap);
        const p = (origin.y + ty) * this.width + origin.x + tx;
        const s = (ty * this.tile + tx) * 3;
        this.weight[p] = (this.weight[p] ?? 0) + w;
        for (let c = 0; c < 3; c++)
          this.sum[p * 3 + c] = (this.sum[p * 3 + c] ?? 0) + w * (image.data[s + c] ?? 0);
      }
    }
  }

  image(): RgbImage {
    const out = createImage(this.width, this.height);
    for (let p = 0; p < this.width * this.height; p++) {
      const w = this.weight[p] ?? 0;
      if (w <= 0)
        throw new Error(`pixel ${p % this.width},${Math.floor(p / this.width)} is covered by no tile`);
      for (let c = 0; c < 3; c++) out.data[p * 3 + c] = Math.round((this.sum[p * 3 + c] ?? 0) / w);
    }
    return out;
  }
}

/** The tile of `image` (at the working size) at `origin`. */
export function tileAt(image: RgbImage, origin: TileOrigin): RgbImage {
  return cropRegion(image, origin.x, origin.y, TILE, TILE);
}

/** `image` at the working size for its dimensions (itself when it is large enough). */
export function toWorkingSize(image: RgbImage): RgbImage {
  const size = workingSize(image.width, image.height);
  return size.width === image.width && size.height === image.height
    ? image
    : resizeImage(image, size.width, size.height);
}

/**
 * Squared luma steps between neighbouring pixels across the given columns (x-1 -> x) and rows (y-1 -> y).
 */
function stepEnergy(image: RgbImage, columns: readonly number[], rows: readonly number[]): number {
  const luma = (x: number, y: number) => {
    const i = (y * image.width + x) * 3;
    return 0.299 * (image.data[i] ?? 0) + 0.587 * (image.data[i + 1] ?? 0) + 0.114 * (image.data[i + 2] ?? 0);
  };
  let energy = 0;
  for (const x of columns)
    for (let y = 0; y < image.height; y++) energy += (luma(x, y) - luma(x - 1, y)) ** 2;
  for (const y of rows) for (let x = 0; x < image.width; x++) energy += (luma(x, y) - luma(x, y - 1)) ** 2;
  return energy;
}

type Band = readonly [first: number, last: number];

/** The overlap bands where neighbouring tiles meet, as [first, last] columns (or rows), edges included. */
function joinBands(starts: readonly number[]): Band[] {
  const sorted = [...new Set(starts)].sort((a, b) => a - b);
  return sorted.slice(1).map((start, i) => [start, (sorted[i] ?? 0) + TILE]);
}

/**
 * The control for seamRatio: for each join, a band as wide, centred in the part of the tile before it that no
 * other tile overlaps (on photos whose tiles overlap by more than a third, it may still touch a tile's edge).
 */
function interiorBands(starts: readonly number[]): Band[] {
  const sorted = [...new Set(starts)].sort((a, b) => a - b);
  return joinBands(starts).map(([first, last], i) => {
    const from = i === 0 ? 0 : (sorted[i - 1] ?? 0) + TILE;
    const to = sorted[i + 1] ?? TILE;
    const start = Math.max(1, Math.round((from + to) / 2 - (last - first) / 2));
    return [start, start + (last - first)];
  });
}

/**
 * For each band: the result's step energy across each of its columns (rows) relative to the original's; a band
 * scores its worst column, divided by the same ratio over the whole photo; the measure is the mean over bands.
 */
function bandScore(result: RgbImage, original: RgbImage, xBands: Band[], yBands: Band[]): number {
  const all = (n: number) => Array.from({ length: n - 1 }, (_, i) => i + 1);
  const everywhere =
    stepEnergy(result, all(result.width), all(result.height)) /
    Math.max(stepEnergy(original, all(original.width), all(original.height)), 1e-9);
  const worst = (band: Band, line: (i: number) => [number[], number[]]) => {
    let max = 0;
    for (let i = band[0]; i <= band[1]; i++) {
      const [columns, rows] = line(i);
      max = Math.max(
        max,
        stepEnergy(result, columns, rows) / Math.max(stepEnergy(original, columns, rows), 1e-9),
      );
    }
    return max / Math.max(everywhere, 1e-9);
  };
  const scores = [
    ...xBands.map((b) => worst(b, (x) => [[x], []])),
    ...yBands.map((b) => worst(b, (y) => [[], [y]])),
  ];
  return scores.length === 0 ? Number.NaN : scores.reduce((a, b) => a + b, 0) / scores.length;
}

/**
 * Whether the places where tiles meet show: bandScore over the overlap bands. A restoration blurrier or sharper
 * than the photo everywhere scores about 1; a step in brightness or colour where tiles meet raises it. Read it
 * against seamControl, the same score over bands inside the tiles, which no join crosses. NaN with one tile.
 */
export function seamRatio(result: RgbImage, original: RgbImage, origins: readonly TileOrigin[]): number {
  return bandScore(result, original, joinBands(origins.map((o) => o.x)), joinBands(origins.map((o) => o.y)));
}

export function seamControl(result: RgbImage, original: RgbImage, origins: readonly TileOrigin[]): number {
  return bandScore(
    result,
    original,
    interiorBands(origins.map((o) => o.x)),
    interiorBands(origins.map((o) => o.y)),
  );
}
