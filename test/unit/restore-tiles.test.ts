import { describe, expect, it } from 'vitest';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { resizeImage } from '../../src-main/engine/image/resample';
import type { RgbImage } from '../../src-main/engine/image/types';
import {
  OVERLAP,
  seamControl,
  seamRatio,
  TILE,
  TileBlend,
  tileAt,
  tileLayout,
  tileStarts,
  workingSize,
} from '../../src-main/engine/restore/tiles';

// 768x512, the size of the CLI's full-resolution check: tiles overlap by 37 px there.
const photo = async (): Promise<RgbImage> =>
  resizeImage((await loadImageFile('resources/samples/chelsea.png')).image, 768, 512);

describe('tiles at the photo resolution', () => {
  it('cover every side with overlapping 128 px tiles, evenly spread', () => {
    for (const length of [128, 129, 200, 224, 512, 768, 1000, 4000]) {
      const starts = tileStarts(length);
      expect(starts[0]).toBe(0);
      expect((starts.at(-1) ?? 0) + TILE).toBe(length);
      for (let i = 1; i < starts.length; i++) {
        const overlap = (starts[i - 1] ?? 0) + TILE - (starts[i] ?? 0);
        expect(overlap).toBeGreaterThanOrEqual(OVERLAP);
        expect(overlap).toBeLessThan(TILE);
      }
    }
    expect(tileStarts(128)).toEqual([0]);
    expect(tileLayout(768, 512)).toHaveLength(8 * 5);
    expect(() => tileStarts(100)).toThrow(/shorter than one 128 px tile/);
  });

  it('scale a photo up only when its short side is below one tile', () => {
    expect(workingSize(768, 512)).toEqual({ width: 768, height: 512 });
    expect(workingSize(200, 64)).toEqual({ width: 400, height: 128 });
  });

  it("blend a photo's own tiles back into exactly the photo", async () => {
    const image = await photo();
    const blend = new TileBlend(image.width, image.height);
    for (const origin of tileLayout(image.width, image.height)) blend.add(origin, tileAt(image, origin));
    expect(Buffer.from(blend.image().data).equals(Buffer.from(image.data))).toBe(true);
  });

  it('hide a brightness step between tiles in the ramp, and the seam measure sees a hard one', async () => {
    const image = await photo();
    const origins = tileLayout(image.width, image.height);
    const brighten = (tile: RgbImage, by: number): RgbImage => ({
      ...tile,
      data: tile.data.map((v) => Math.min(255, v + by)),
    });
    // Every other tile 12 levels brighter: blended with feathered weights, and pasted hard.
    const feathered = new TileBlend(image.width, image.height);
    const hard = { ...image, data: image.data.slice() };
    origins.forEach((origin, i) => {
      const tile = brighten(tileAt(image, origin), i % 2 === 0 ? 0 : 12);
      feathered.add(origin, tile);
      for (let y = 0; y < TILE; y++) {
        const row = ((origin.y + y) * image.width + origin.x) * 3;
        hard.data.set(tile.data.subarray(y * TILE * 3, (y + 1) * TILE * 3), row);
      }
    });
    expect(seamRatio(image, image, origins)).toBeCloseTo(1, 6);
    const soft = seamRatio(feathered.image(), image, origins);
    const sharp = seamRatio(hard, image, origins);
    expect(soft).toBeLessThan(1.2);
    expect(sharp).toBeGreaterThan(soft * 1.5);
    // Inside the tiles nothing changed but the brightness: the control stays at 1 for both.
    expect(seamControl(hard, image, origins)).toBeLessThan(1.2);
    expect(seamControl(feathered.image(), image, origins)).toBeLessThan(1.2);
  });
});
