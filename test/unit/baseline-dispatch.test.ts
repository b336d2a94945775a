import { describe, expect, it } from 'vitest';

import { inpaintTelea, wiener } from '../../src-main/engine/baseline';
import { gaussianKernel1d } from '../../src-main/engine/corrupt/blur';
import {
  maskFromTokenCells,
  paperInpaintCells,
  paperOutpaintCells,
} from '../../src-main/engine/corrupt/token-cells';
import { psnrRgb } from '../../src-main/engine/metrics/psnr';
import { classicalRestoration, corruptView, type Corruption } from '../../src-main/engine/restore/corruption';
import { codedImage, imageFrom } from '../helpers/images';

/** Vertical structures over smooth gradients, which both inpainting and outpainting can carry on. */
const view = imageFrom(128, 128, (x, y) => [
  Math.round(100 + 80 * Math.sin(x / 9) + y / 4),
  x + y,
  x < 70 ? 180 : 60,
]);

describe('classicalRestoration', () => {
  it('shifts back with edge fill: every pixel that stayed on the canvas is restored exactly', () => {
    const image = codedImage(128, 128);
    for (const [dx, dy] of [
      [5, -3],
      [-17, 0],
      [0, 9],
    ] as const) {
      const corruption: Corruption = { task: 'shift', dx, dy };
      const restored = classicalRestoration(corruptView(image, corruption).image, corruption);
      let survivors = 0;
      let wrong = 0;
      for (let y = 0; y < 128; y++) {
        for (let x = 0; x < 128; x++) {
          // Pixel (x, y) survives when its shifted position (x + dx, y + dy) is on the canvas.
          if (x + dx < 0 || x + dx >= 128 || y + dy < 0 || y + dy >= 128) continue;
          survivors++;
          const i = (y * 128 + x) * 3;
          for (let c = 0; c < 3; c++) if (restored.data[i + c] !== image.data[i + c]) wrong++;
        }
      }
      expect(survivors).toBe((128 - Math.abs(dx)) * (128 - Math.abs(dy)));
      expect(wrong).toBe(0);
    }
  });

  it('returns the rotated image unchanged (the no-op baseline), as a copy', () => {
    const corruption: Corruption = { task: 'rotate', quarterTurns: 1 };
    const corrupted = corruptView(view, corruption).image;
    const out = classicalRestoration(corrupted, corruption);
    expect(out.data).toEqual(corrupted.data);
    expect(out.data).not.toBe(corrupted.data);
  });

  it('inpaints the removed token cells with Telea and improves on the grey fill', () => {
    for (const [task, cells] of [
      ['inpaint', paperInpaintCells()],
      ['outpaint', paperOutpaintCells()],
    ] as const) {
      const corruption: Corruption = { task };
      const corrupted = corruptView(view, corruption).image;
      const out = classicalRestoration(corrupted, corruption);
      expect(out.data).toEqual(inpaintTelea(corrupted, maskFromTokenCells(cells, 128, 128)).data);
      expect(psnrRgb(out, view)).toBeGreaterThan(psnrRgb(corrupted, view));
    }
  });

  it('honours custom cells', () => {
    const cells = new Array<boolean>(256).fill(false);
    cells[17] = true;
    const corruption: Corruption = { task: 'inpaint', cells };
    const corrupted = corruptView(view, corruption).image;
    const out = classicalRestoration(corrupted, corruption);
    expect(out.data).toEqual(inpaintTelea(corrupted, maskFromTokenCells(cells, 128, 128)).data);
  });

  it('deconvolves with the known kernel and sharpens', () => {
    const corruption: Corruption = { task: 'deblur', kernelSize: 9 };
    const corrupted = corruptView(view, corruption).image;
    const out = classicalRestoration(corrupted, corruption);
    expect(out.data).toEqual(wiener(corrupted, gaussianKernel1d(9)).data);
    expect(psnrRgb(out, view)).toBeGreaterThan(psnrRgb(corrupted, view) + 1);
  });
});
