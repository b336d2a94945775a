import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { view128 } from '../../src-main/engine/image/view';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import { defaultLmPath } from '../../src-main/engine/llm/models';
import type { Corruption } from '../../src-main/engine/restore/corruption';
import { restoreView } from '../../src-main/engine/restore/restore-view';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { ensureGlobalPack } from '../helpers/global-pack';

/**
 * The words a restoration reports while it runs (the studio's live grid) are numbered by cell, 0..255, and are the
 * words the result ends with, with a pack whose sequences carry 21 global words ahead of the cells.
 */
describe('live words of a restoration (global-branch pack)', () => {
  let tokenizer: V2LTokenizer | undefined;
  let lm: FrozenLm | undefined;
  beforeAll(async () => {
    tokenizer = await V2LTokenizer.load(await ensureGlobalPack());
    lm = await FrozenLm.load(defaultLmPath());
  }, 600_000);
  afterAll(async () => {
    await Promise.allSettled([tokenizer?.dispose(), lm?.dispose()]);
  });

  it.each<[string, Corruption]>([
    ['inpaint', { task: 'inpaint' }],
    ['deblur of a region', { task: 'deblur', kernelSize: 9, region: regionMask() }],
  ])(
    '%s: each reported word is a restored cell holding that word in the result',
    async (_, corruption) => {
      if (!tokenizer || !lm) throw new Error('models did not load');
      const original = view128((await loadImageFile('resources/samples/coffee.png')).image);
      const live = new Map<number, number>();
      const result = await restoreView(
        tokenizer,
        lm,
        { original, corruption, protocol: 'reference', seed: 1 },
        {
          onPredicted: (start, ids) => ids.forEach((id, i) => live.set(start + i, id)),
        },
      );
      expect(result.global.length).toBeGreaterThan(0);
      expect([...live.keys()].sort((a, b) => a - b)).toEqual(result.predictedCells);
      for (const [cell, id] of live) expect(id).toBe(result.resultIds[cell]);
    },
    300_000,
  );
});

/** The left half of rows 40..71 of the 128 px view: a region whose cells a two-word prediction can run past. */
function regionMask() {
  const data = new Uint8Array(128 * 128);
  for (let y = 40; y < 72; y++) for (let x = 0; x < 60; x++) data[y * 128 + x] = 1;
  return { width: 128, height: 128, data };
}
