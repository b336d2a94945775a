/**
 * The studio's coordinate spaces as branded types, so a stage position can never be passed where an image
 * position is expected. Image px: pixels of the full-resolution photo the engine holds. Stage px: CSS pixels on
 * the Konva stage, after zoom and pan. Token cells: the 16x16 grid of words over a 128 px view, 0..255.
 */
declare const unit: unique symbol;
type Branded<T, U extends string> = T & { readonly [unit]: U };

export type ImagePx = Branded<number, 'image px'>;
export type StagePx = Branded<number, 'stage px'>;
export type Cell = Branded<number, 'token cell'>;

export interface ImagePoint {
  readonly x: ImagePx;
  readonly y: ImagePx;
}
export interface StagePoint {
  readonly x: StagePx;
  readonly y: StagePx;
}

export const imagePx = (value: number) => value as ImagePx;
export const stagePx = (value: number) => value as StagePx;

export const GRID_SIDE = 16;
export const VIEW_SIDE = 128;
export const CELL_PX = VIEW_SIDE / GRID_SIDE;

export function cell(index: number): Cell {
  if (!Number.isInteger(index) || index < 0 || index >= GRID_SIDE * GRID_SIDE) {
    throw new RangeError(`A token cell is an integer in 0..255, got ${index}`);
  }
  return index as Cell;
}

export const cellRow = (c: Cell) => Math.floor(c / GRID_SIDE);
export const cellCol = (c: Cell) => c % GRID_SIDE;

/** How the photo sits on the stage: stage = image * scale + offset. */
export interface Viewport {
  /** Stage px per image px. */
  readonly scale: number;
  readonly x: StagePx;
  readonly y: StagePx;
}

export function imageToStage(p: ImagePoint, v: Viewport): StagePoint {
  return { x: stagePx(p.x * v.scale + v.x), y: stagePx(p.y * v.scale + v.y) };
}

export function stageToImage(p: StagePoint, v: Viewport): ImagePoint {
  return { x: imagePx((p.x - v.x) / v.scale), y: imagePx((p.y - v.y) / v.scale) };
}

/**
 * The viewport that shows the whole of a `width` x `height` image inside the stage, as large as fits: a small photo
 * is enlarged too, since marking damage on a thumbnail-sized image is hard (100 % is one key away).
 */
/** The most Fit enlarges: beyond this a few pixels fill the stage and say nothing more. */
export const MAX_FIT_SCALE = 16;

export function fitViewport(
  width: ImagePx,
  height: ImagePx,
  stageWidth: StagePx,
  stageHeight: StagePx,
  margin = 24,
): Viewport {
  const scale = Math.max(
    0.01,
    Math.min((stageWidth - margin * 2) / width, (stageHeight - margin * 2) / height, MAX_FIT_SCALE),
  );
  return {
    scale,
    x: stagePx((stageWidth - width * scale) / 2),
    y: stagePx((stageHeight - height * scale) / 2),
  };
}

/** Zooms by `factor` keeping the image point under `anchor` where it is. */
export function zoomAt(v: Viewport, anchor: StagePoint, factor: number): Viewport {
  const scale = Math.min(32, Math.max(0.02, v.scale * factor));
  const k = scale / v.scale;
  return { scale, x: stagePx(anchor.x - (anchor.x - v.x) * k), y: stagePx(anchor.y - (anchor.y - v.y) * k) };
}

export function panBy(v: Viewport, dx: number, dy: number): Viewport {
  return { ...v, x: stagePx(v.x + dx), y: stagePx(v.y + dy) };
}

/** A square region of the photo that the engine restores at 128 px: 16x16 cells of side/16 image px each. */
export interface ViewRegion {
  readonly x: ImagePx;
  readonly y: ImagePx;
  readonly side: ImagePx;
}

/** The cell of a region under an image point, or null outside it. */
export function cellAt(p: ImagePoint, region: ViewRegion): Cell | null {
  const col = Math.floor(((p.x - region.x) / region.side) * GRID_SIDE);
  const row = Math.floor(((p.y - region.y) / region.side) * GRID_SIDE);
  if (col < 0 || row < 0 || col >= GRID_SIDE || row >= GRID_SIDE) return null;
  return cell(row * GRID_SIDE + col);
}

/** The cell under a point given as fractions (0..1) of a displayed 128 px view. */
export function cellAtFraction(fx: number, fy: number): Cell | null {
  const col = Math.floor(fx * GRID_SIDE);
  const row = Math.floor(fy * GRID_SIDE);
  if (col < 0 || row < 0 || col >= GRID_SIDE || row >= GRID_SIDE) return null;
  return cell(row * GRID_SIDE + col);
}
