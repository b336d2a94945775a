import { parseArgs } from 'node:util';
import { backProject } from '../../engine/baseline/back-project';
import { loadImageFile } from '../../engine/image/decode';
import type { RgbImage } from '../../engine/image/types';
import { view128 } from '../../engine/image/view';
import { FrozenLm } from '../../engine/llm/frozen-lm';
import { defaultLmPath } from '../../engine/llm/models';
import { psnrRgb, psnrY } from '../../engine/metrics';
import { restoreView } from '../../engine/restore/restore-view';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { globalBranchOf } from '../../engine/understand/global-branch';
import { fileProgress } from '../progress';
import { printResult } from '../command';
import { classicalRestoration, evalCorruption } from '../../engine/restore/corruption';
import { evalFiles } from '../eval-options';

export const EVAL_DEBLUR_BOUND_HELP = `eval deblur-bound --data DIR [--limit N] [--json]

Where the deblur result's PSNR is bounded: the same blurs and reference protocol as eval restore --task deblur,
with each image's words decoded three ways, and each decode also given one back-projection step against the
blurred photo (estimate + blurred - blur(estimate), the known kernel).

  token_accuracy                  the LM's predicted words vs the clean words
  psnr_blurred                    the blurred input (eval restore's psnr_corrupted)
  psnr_decoded                    the LM's corrected words, decoded (eval restore's psnr)
  psnr_decoded_clean_words        the clean image's own words, decoded: what a perfect LM would reach
  psnr_decoded_blurred_words      the blurred image's words, decoded unchanged: no LM at all
  psnr_backprojected              the LM's decode, back-projected
  psnr_backprojected_clean_words  the clean words' decode, back-projected
  psnr_backprojected_blurred_words  the blurred words' decode, back-projected
  psnr_sharpened_blurred          the blurred photo itself back-projected (unsharp masking): no model at all
  psnr_wiener                     Wiener deconvolution with the known kernel (eval restore --baseline)
  psnr_y_blurred, psnr_y_decoded_clean_words   the same two on BT.601 luma, the paper's PSNR
All PSNRs are means over images, RGB unless named _y, against the sharp 128x128 view.`;

/** Whether any decode of V2L words, with or without the photo's help, can beat the blurred photo on PSNR. */
export async function evalDeblurBound(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { data: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const files = await evalFiles(values.data, values.limit);
  await using tokenizer = await V2LTokenizer.load(await defaultPackDir());
  await using lm = await FrozenLm.load(defaultLmPath());
  const sums = new Map<string, number>();
  const add = (key: string, value: number) => sums.set(key, (sums.get(key) ?? 0) + value);
  const branch = globalBranchOf(tokenizer);
  const progress = fileProgress(files.length);
  for (const [index, file] of files.entries()) {
    const original = view128((await loadImageFile(file)).image);
    const corruption = evalCorruption('deblur', index);
    if (corruption.task !== 'deblur') throw new Error('evalCorruption gave no blur');
    const r = await restoreView(tokenizer, lm, {
      original,
      corruption,
      protocol: 'reference',
      seed: index,
    });
    const global = r.global.map((g) => g.id);
    const [clean, blurredWords] = await tokenizer.decode(
      [r.cleanIds, r.corruptedIds],
      branch ? [global, global] : undefined,
    );
    if (!clean || !blurredWords) throw new Error('the tokenizer returned no image');
    const project = (estimate: RgbImage) =>
      backProject(estimate, r.corrupted, corruption.kernelSize, corruption.sigma);
    const psnr = (image: RgbImage) => psnrRgb(original, image);
    add('token_accuracy', r.metrics.tokenAccuracy);
    add('psnr_blurred', psnr(r.corrupted));
    add('psnr_decoded', psnr(r.decoded));
    add('psnr_decoded_clean_words', psnr(clean));
    add('psnr_decoded_blurred_words', psnr(blurredWords));
    add('psnr_backprojected', psnr(project(r.decoded)));
    add('psnr_backprojected_clean_words', psnr(project(clean)));
    add('psnr_backprojected_blurred_words', psnr(project(blurredWords)));
    add('psnr_sharpened_blurred', psnr(project(r.corrupted)));
    add('psnr_wiener', psnr(classicalRestoration(r.corrupted, corruption)));
    add('psnr_y_blurred', psnrY(original, r.corrupted));
    add('psnr_y_decoded_clean_words', psnrY(original, clean));
    progress(
      index + 1,
      file,
      `blurred ${psnr(r.corrupted).toFixed(2)}, decoded ${psnr(r.decoded).toFixed(2)}, ` +
        `clean words ${psnr(clean).toFixed(2)}`,
    );
  }
  const n = files.length;
  const result: Record<string, number> = { images: n };
  for (const [key, sum] of sums) result[key] = Number((sum / n).toFixed(key === 'token_accuracy' ? 4 : 3));
  printResult(result, values.json === true);
}
