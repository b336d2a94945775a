/**
 * The tokenizer's time per 128 px image, one image per call as a restoration of a single view has it: encode
 * (pixels to the 16x16 grid of words) and decode (words back to pixels), after one untimed call of each.
 */
import type { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import type { BenchImage } from './studio';

export async function measureTokenizer(
  tokenizer: V2LTokenizer,
  images: readonly BenchImage[],
): Promise<{ encode: number; decode: number }> {
  const first = images[0];
  if (!first) throw new Error('no images');
  const [warm] = await tokenizer.encode([first.view]);
  if (!warm) throw new Error('the tokenizer returned no grid');
  await tokenizer.decode([warm], warm.globalIds ? [warm.globalIds] : undefined);
  let encode = 0;
  let decode = 0;
  for (const image of images) {
    let t = performance.now();
    const [grid] = await tokenizer.encode([image.view]);
    encode += (performance.now() - t) / 1000;
    if (!grid) throw new Error('the tokenizer returned no grid');
    t = performance.now();
    await tokenizer.decode([grid], grid.globalIds ? [grid.globalIds] : undefined);
    decode += (performance.now() - t) / 1000;
  }
  return { encode: encode / images.length, decode: decode / images.length };
}
