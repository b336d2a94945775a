import { centreSquare, damageSquare } from '../../../src-shared/tasks/window';
import { imagePx, type ViewRegion } from './spaces';

/** The engine's view of a whole photo (`view128`) as the centre square of the photo in image px. */
export function centreRegion(width: number, height: number): ViewRegion {
  const { x, y, side } = centreSquare(width, height);
  return { x: imagePx(x), y: imagePx(y), side: imagePx(side) };
}

/** Where the engine will restore marked damage (the shared damage window), in image px; null when it cannot. */
export function damageRegion(
  bounds: { x0: number; y0: number; x1: number; y1: number } | null,
  width: number,
  height: number,
): ViewRegion | null {
  const square = bounds ? damageSquare(bounds, width, height) : null;
  return square ? { x: imagePx(square.x), y: imagePx(square.y), side: imagePx(square.side) } : null;
}
