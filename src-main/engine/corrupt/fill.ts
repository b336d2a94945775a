import type { Rgb } from '../image/types';
import { assertRgb } from '../image/validate';

/** What goes into pixels an operator uncovers: a solid colour, or the nearest edge pixel repeated. */
export type Fill = Rgb | 'edge';

export function assertFill(fill: Fill): void {
  if (fill !== 'edge') assertRgb(fill);
}
