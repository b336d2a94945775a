import { resizeImage } from '../image/resample';
import type { RgbImage } from '../image/types';
import { VIEW_SIZE } from '../image/view';
import type { DamageWindow } from './window';

/**
 * Pastes the restored 128 px view back into the photo over the damaged cells, with a soft edge (a ramp of about
 * one cell) so no seam shows; pixels away from the damage stay exactly as they were.
 */
export function pasteWindow(photo: RgbImage, window: DamageWindow, restored: RgbImage): RgbImage {
  const scaled = window.side === VIEW_SIZE ? restored : resizeImage(restored, window.side, window.side);
  const cell = window.side / 16;
  const feather = Math.max(1, cell / 2);
  // Distance (in photo pixels) from each window pixel to the nearest damaged cell, capped at `feather`.
  const alpha = new Float32Array(window.side * window.side);
  for (let py = 0; py < window.side; py++) {
    for (let px = 0; px < window.side; px++) {
      let best = feather;
      const cy = Math.floor(py / cell);
      const cx = Math.floor(px / cell);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const ny = cy + dy;
          const nx = cx + dx;
          if (ny < 0 || nx < 0 || ny >= 16 || nx >= 16 || window.cells[ny * 16 + nx] !== true) continue;
          const ex = Math.max(nx * cell - px, 0, px - ((nx + 1) * cell - 1));
          const ey = Math.max(ny * cell - py, 0, py - ((ny + 1) * cell - 1));
          best = Math.min(best, Math.hypot(ex, ey));
        }
      }
      alpha[py * window.side + px] = 1 - best / feather;
    }
  }
  const data = photo.data.slice();
  for (let py = 0; py < window.side; py++) {
    for (let px = 0; px < window.side; px++) {
      const a = alpha[py * window.side + px] ?? 0;
      if (a <= 0) continue;
      const d = ((window.y + py) * photo.width + window.x + px) * 3;
      const s = (py * window.side + px) * 3;
      for (let c = 0; c < 3; c++) {
        data[d + c] = Math.round((1 - a) * (data[d + c] ?? 0) + a * (scaled.data[s + c] ?? 0));
      }
    }
  }
  return { width: photo.width, height: photo.height, data };
}
