/**
 * OpenCV's BORDER_REFLECT_101 (its default, "gfedcb|abcdefgh|gfedcba"): mirror about the edge pixel without
 * repeating it. Indices more than one image-width outside keep bouncing, as OpenCV's borderInterpolate does,
 * so a 31-tap kernel still works on a 3-pixel image.
 */
export function reflect101(index: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  let i = index % period;
  if (i < 0) i += period;
  return i < length ? i : period - i;
}

/** Clamp to the nearest edge pixel (OpenCV's BORDER_REPLICATE, "aaaa|abcdefgh|hhhh"). */
export function replicate(index: number, length: number): number {
  return index < 0 ? 0 : index >= length ? length - 1 : index;
}
