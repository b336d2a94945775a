/**
 * The geometry of what a run restores, defined once for the engine (which cuts the pixels) and the editor (which
 * shows the cells the LM will predict before the run).
 */

/** The side of the view the tokenizer reads: 16x16 words of 8x8 px. */
export const VIEW_SIDE = 128;

/** A square of the photo in whole image px. */
export interface Square {
  readonly x: number;
  readonly y: number;
  readonly side: number;
}

/** The centre square of a photo: what the paper's view (short side scaled to 128 px, centre kept) covers. */
export function centreSquare(width: number, height: number): Square {
  const side = Math.min(width, height);
  return { x: (width - side) / 2, y: (height - side) / 2, side };
}

/**
 * The square window restored around marked damage (its bounding box, inclusive pixel bounds): the damage with
 * as much context again around it, at least 128 px and a multiple of 8 px (so at 128 px one token is exactly
 * 8x8 photo pixels), centred on the damage and kept inside the photo. Damage wider than 64 px makes the window
 * larger than 128 px; it is then restored downscaled. Null when the photo's short side is below 128 px.
 */
export function damageSquare(
  bounds: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number },
  width: number,
  height: number,
): Square | null {
  const limit = Math.min(width, height);
  if (limit < VIEW_SIDE) return null;
  const extent = Math.max(bounds.x1 - bounds.x0 + 1, bounds.y1 - bounds.y0 + 1);
  const side = Math.min(Math.max(VIEW_SIDE, Math.ceil((extent * 2) / 8) * 8), limit - (limit % 8));
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  return {
    x: clamp(Math.round((bounds.x0 + bounds.x1 + 1) / 2 - side / 2), width - side),
    y: clamp(Math.round((bounds.y0 + bounds.y1 + 1) / 2 - side / 2), height - side),
    side,
  };
}
