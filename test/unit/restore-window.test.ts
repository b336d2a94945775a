import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src-main/engine/image/types';
import { pasteWindow } from '../../src-main/engine/restore/paste-back';
import { damageMask, damageWindow } from '../../src-main/engine/restore/window';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x % 256;
      data[i + 1] = y % 256;
      data[i + 2] = (x + y) % 256;
    }
  }
  return { width, height, data };
}

const pixel = (image: RgbImage, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));

describe('damage mask', () => {
  it('paints rectangles and strokes, and erasers clear both', () => {
    const mask = damageMask(20, 10, {
      rects: [{ x: 0, y: 0, width: 4, height: 4 }],
      strokes: [
        { points: [{ x: 10, y: 5 }], radius: 2 },
        { points: [{ x: 1, y: 1 }], radius: 1, erase: true },
      ],
    });
    expect(mask.data[0 * 20 + 3]).toBe(1);
    expect(mask.data[1 * 20 + 1]).toBe(0);
    expect(mask.data[5 * 20 + 10]).toBe(1);
    expect(mask.data[9 * 20 + 19]).toBe(0);
  });
});

describe('damage window', () => {
  const photo = gradient(640, 480);

  it('is 128 px around small damage, centred on it, with the damaged cells flagged', () => {
    const mask = damageMask(640, 480, { rects: [{ x: 300, y: 200, width: 16, height: 16 }], strokes: [] });
    const window = damageWindow(photo, mask);
    expect(window.side).toBe(128);
    expect(window).toMatchObject({ x: 244, y: 144 });
    expect(window.view.width).toBe(128);
    // The damage sits at window pixels 56..71: cells 7 and 8 on both axes.
    expect(window.cells.flatMap((on, i) => (on ? [i] : []))).toEqual([
      7 * 16 + 7,
      7 * 16 + 8,
      8 * 16 + 7,
      8 * 16 + 8,
    ]);
  });

  it('grows for large damage in steps of 8 px, stays inside the photo, and is downscaled to 128', () => {
    const mask = damageMask(640, 480, { rects: [{ x: 560, y: 400, width: 75, height: 70 }], strokes: [] });
    const window = damageWindow(photo, mask);
    expect(window.side % 8).toBe(0);
    expect(window.side).toBe(152);
    expect(window.x + window.side).toBeLessThanOrEqual(640);
    expect(window.y + window.side).toBeLessThanOrEqual(480);
    expect([window.view.width, window.view.height]).toEqual([128, 128]);
  });

  it('refuses an empty mask', () => {
    expect(() => damageWindow(photo, damageMask(640, 480, { rects: [], strokes: [] }))).toThrow(
      /marks no pixels/,
    );
  });
});

describe('pasting a restored window back', () => {
  it('changes the damaged cells, blends a thin edge, and leaves the rest of the photo exactly as it was', () => {
    const photo = gradient(640, 480);
    const mask = damageMask(640, 480, { rects: [{ x: 300, y: 200, width: 16, height: 16 }], strokes: [] });
    const window = damageWindow(photo, mask);
    const white: RgbImage = { width: 128, height: 128, data: new Uint8Array(128 * 128 * 3).fill(255) };
    const pasted = pasteWindow(photo, window, white);
    expect(pixel(pasted, 308, 208)).toEqual([255, 255, 255]);
    expect(pixel(pasted, 10, 10)).toEqual(pixel(photo, 10, 10));
    // Two cells away from the damage nothing changes, inside the window too.
    expect(pixel(pasted, 244 + 40, 144 + 40)).toEqual(pixel(photo, 244 + 40, 144 + 40));
    let changed = 0;
    for (let i = 0; i < photo.data.length; i++) if (pasted.data[i] !== photo.data[i]) changed++;
    // The 16x16 damaged block, plus a soft edge narrower than one 8 px cell around it.
    expect(changed / 3).toBeGreaterThanOrEqual(16 * 16);
    expect(changed / 3).toBeLessThan(32 * 32);
  });
});
