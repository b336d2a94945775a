import { loadImageFile } from '../image/decode';
import type { RgbImage } from '../image/types';
import { view128 } from '../image/view';
import type { BankEntry } from '../protocol/blind';
import type { V2LTokenizer } from '../tokenizer/tokenizer';
import { corruptView, type Corruption } from './corruption';

/** Mirror image, to double the bank's photos without adding files. */
function flipHorizontal(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const from = (y * image.width + x) * 3;
      const to = (y * image.width + (image.width - 1 - x)) * 3;
      data[to] = image.data[from] ?? 0;
      data[to + 1] = image.data[from + 1] ?? 0;
      data[to + 2] = image.data[from + 2] ?? 0;
    }
  }
  return { width: image.width, height: image.height, data };
}

const cache = new Map<string, Promise<BankEntry[]>>();

/**
 * The blind protocol's bank for deblur/shift/rotation: the bundled sample photos (and their mirror images) at
 * the paper's view, clean and degraded the same way as the photo being restored, tokenised once per pack and
 * corruption and kept for the life of the process.
 */
export function degradationBank(
  tokenizer: V2LTokenizer,
  samplePaths: readonly string[],
  corruption: Corruption,
): Promise<BankEntry[]> {
  const key = `${tokenizer.info.dir}\n${JSON.stringify(corruption)}\n${samplePaths.join('\n')}`;
  let bank = cache.get(key);
  if (!bank) {
    bank = (async () => {
      const views: RgbImage[] = [];
      for (const file of samplePaths) {
        const view = view128((await loadImageFile(file)).image);
        views.push(view, flipHorizontal(view));
      }
      const grids = await tokenizer.encode([...views, ...views.map((v) => corruptView(v, corruption).image)]);
      return views.map((_, i) => ({
        clean: Array.from(grids[i]?.ids ?? []),
        degraded: Array.from(grids[views.length + i]?.ids ?? []),
      }));
    })();
    cache.set(key, bank);
    bank.catch(() => cache.delete(key));
  }
  return bank;
}
