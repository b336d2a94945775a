import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { resizeImage } from '../../src-main/engine/image/resample';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import { defaultLmPath } from '../../src-main/engine/llm/models';
import { restoreTiles } from '../../src-main/engine/restore/restore-tiles';
import { defaultPackDir } from '../../src-main/engine/tokenizer/packs';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';

/** Whole-photo restoration at the photo's own size, with the bundled tokenizer and language model. */
describe('restoring a photo tile by tile (bundled models)', () => {
  let tokenizer: V2LTokenizer;
  let lm: FrozenLm;
  beforeAll(async () => {
    tokenizer = await V2LTokenizer.load(await defaultPackDir());
    lm = await FrozenLm.load(defaultLmPath());
  });
  afterAll(async () => {
    await lm.dispose();
    await tokenizer.dispose();
  });

  it('returns the photo size, restores every tile and reports its progress', async () => {
    const photo = resizeImage((await loadImageFile('resources/samples/coffee.png')).image, 216, 160);
    const seen: number[] = [];
    const result = await restoreTiles(
      tokenizer,
      lm,
      { photo, corruption: { task: 'rotate', quarterTurns: 2 }, protocol: 'reference', seed: 0 },
      { onTile: (p) => seen.push(p.done) },
    );
    expect([result.result.width, result.result.height]).toEqual([216, 160]);
    expect([result.corrupted.width, result.corrupted.height]).toEqual([216, 160]);
    expect(result.tiles).toHaveLength(4);
    expect(seen).toEqual([1, 2, 3, 4]);
    // The reference protocol with the copying model gets most words right, so the result beats the turned photo.
    expect(result.metrics.tokenAccuracy).toBeGreaterThan(0.8);
    expect(result.metrics.psnr).toBeGreaterThan(result.metrics.psnrCorrupted + 3);
    expect(Number.isFinite(result.metrics.seamRatio)).toBe(true);
  });

  it('stops between tiles when cancelled', async () => {
    const photo = resizeImage((await loadImageFile('resources/samples/coffee.png')).image, 400, 128);
    const controller = new AbortController();
    const run = restoreTiles(
      tokenizer,
      lm,
      { photo, corruption: { task: 'shift', dx: 8, dy: 8 }, protocol: 'reference', seed: 0 },
      { signal: controller.signal, onTile: () => controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
  });
});
