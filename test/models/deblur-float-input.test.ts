import { describe, expect, it } from 'vitest';

import { gaussianBlur, gaussianBlurValues } from '../../src-main/engine/corrupt/blur';
import { rgbToChw, valuesToChw } from '../../src-main/engine/image/view';
import { corruptView } from '../../src-main/engine/restore/corruption';
import { defaultPackDir } from '../../src-main/engine/tokenizer/packs';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { noiseImage } from '../helpers/images';

/*
 * The authors blur their float image and encode it unrounded; the paper's deblur input is therefore the blur's
 * float values, and only what is shown and scored is rounded to 8 bits.
 */
describe('the deblur input is the unrounded blur', () => {
  const view = noiseImage(128, 128, 21);

  it('rounds the same float values it encodes', () => {
    const values = gaussianBlurValues(view, 9);
    expect(gaussianBlur(view, 9).data).toEqual(Uint8Array.from(values, (v) => Math.round(v)));
    const corrupted = corruptView(view, { task: 'deblur', kernelSize: 9 });
    expect(corrupted.image.data).toEqual(gaussianBlur(view, 9).data);
    const input = corrupted.input;
    expect(input?.data).toEqual(valuesToChw(values, 128, 128).data);
    // Unrounded: some values sit between 8-bit levels, so the input differs from the rounded image's tensor.
    const rounded = rgbToChw(corrupted.image);
    const differing = (input?.data ?? rounded).filter(
      (v, i) => Math.abs(v - (rounded[i] ?? 0)) > 1e-7,
    ).length;
    expect(differing).toBeGreaterThan(1000);
    // Other corruptions and a brushed blur region are encoded from the image itself.
    expect(corruptView(view, { task: 'rotate', quarterTurns: 1 }).input).toBeUndefined();
  });

  it('is read by the tokenizer as a planar tensor, an 8-bit image giving the same words as its tensor', async () => {
    await using tokenizer = await V2LTokenizer.load(await defaultPackDir(), { threads: 1 });
    const tensor = { channels: 3, width: 128, height: 128, data: rgbToChw(view) };
    const [fromImage, fromTensor] = await tokenizer.encode([view, tensor]);
    expect(Array.from(fromTensor?.ids ?? [])).toEqual(Array.from(fromImage?.ids ?? []));
    await expect(tokenizer.encode([{ ...tensor, width: 64 }])).rejects.toThrow(
      /not a 3-channel image|64x128/,
    );
  });
});
