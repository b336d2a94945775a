import { imagePx, VIEW_SIDE, type ViewRegion } from './spaces';

/**
 * The engine's view of a whole photo (`view128`): the short side scaled to 128 px and the centre square kept,
 * expressed here as the centre square of the photo in image px.
 */
export function centreRegion(width: number, height: number): ViewRegion {
  const side = Math.min(width, height);
  return { x: imagePx((width - side) / 2), y: imagePx((height - side) / 2), side: imagePx(side) };
}

/**
 * Where the engine will restore marked damage: a square around its bounding box with as much context again,
 * at least 128 px and a multiple of 8, kept inside the photo. This mirrors the engine's damage window so the
 * editor can show the cells the LM will predict before the run; the engine's own window is authoritative.
 */
export function damageRegion(
  bounds: { x0: number; y0: number; x1: number; y1: number } | null,
  width: number,
  height: number,
): ViewRegion | null {
  if (!bounds) return null;
  const limit = Math.min(width, height);
  if (limit < VIEW_SIDE) return null;
  const extent = Math.max(bounds.x1 - bounds.x0 + 1, bounds.y1 - bounds.y0 + 1);
  let side = Math.max(VIEW_SIDE, Math.ceil((extent * 2) / 8) * 8);
  side = Math.min(side, limit - (limit % 8));
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  const x = clamp(Math.round((bounds.x0 + bounds.x1 + 1) / 2 - side / 2), width - side);
  const y = clamp(Math.round((bounds.y0 + bounds.y1 + 1) / 2 - side / 2), height - side);
  return { x: imagePx(x), y: imagePx(y), side: imagePx(side) };
}
