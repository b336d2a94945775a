import path from 'node:path';
import { parseArgs } from 'node:util';
import { tokenCellsFromMask } from '../../engine/corrupt/token-cells';
import { StudioError } from '../../engine/errors';
import { loadImageFile } from '../../engine/image/decode';
import { writeImageFile } from '../../engine/image/encode';
import { view128 } from '../../engine/image/view';
import { FrozenLm } from '../../engine/llm/frozen-lm';
import { defaultLmPath } from '../../engine/llm/models';
import type { Corruption } from '../../engine/restore/corruption';
import { bankFor } from '../../engine/restore/bank';
import { restoreView } from '../../engine/restore/restore-view';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { printResult, type Command } from '../command';
import { evalCorruption } from '../restore-set';
import { bundledSamplePaths, parseProtocol, parseTask } from './eval-restore';

/** Cells to restore from a mask image: white (or any bright) pixels mark damage. */
async function cellsFromMaskFile(file: string): Promise<boolean[]> {
  const mask = view128((await loadImageFile(file)).image);
  const data = new Uint8Array(mask.width * mask.height);
  for (let i = 0; i < data.length; i++) {
    const luma =
      0.299 * (mask.data[i * 3] ?? 0) +
      0.587 * (mask.data[i * 3 + 1] ?? 0) +
      0.114 * (mask.data[i * 3 + 2] ?? 0);
    data[i] = luma > 127 ? 1 : 0;
  }
  const cells = tokenCellsFromMask({ width: mask.width, height: mask.height, data });
  if (!cells.includes(true)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The mask ${path.basename(file)} marks nothing: paint the damage white.`,
    );
  }
  return cells;
}

export const restore: Command = {
  name: 'restore',
  usage: 'restore IMAGE --task T --protocol P [--mask M] [--out O] [--seed N] [--json]',
  summary: 'corrupt (or mask) an image at the 128x128 view and restore it with the frozen LM',
  help: `The image is taken at the paper's view (short side 128, centre crop) and corrupted as eval restore does
(--seed picks the blur kernel), or, with --mask (white = damage, inpaint/outpaint), the token cells the mask
touches are removed. Default models; --out writes the result (--overwrite to replace a file).

  token_accuracy, psnr, ssim           the result against the original view
  psnr_corrupted, ssim_corrupted       the corrupted input against it
  psnr_clean_words, ssim_clean_words   the original's own words decoded and placed alike: what a perfect LM reaches
  psnr_classical, ssim_classical       Telea (in/outpainting) or Wiener with the known kernel (deblur)
  prompt_tokens, seconds               work done, encode + LLM + decode`,
  run: async (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        task: { type: 'string' },
        protocol: { type: 'string' },
        mask: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string', default: '0' },
        overwrite: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const file = positionals[0];
    if (!file) throw new StudioError('INVALID_ARGUMENT', 'restore needs an IMAGE path.');
    const task = parseTask(values.task);
    const protocol = parseProtocol(values.protocol);
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new StudioError('INVALID_ARGUMENT', `--seed takes a whole number.`);
    if (values.mask && task !== 'inpaint' && task !== 'outpaint') {
      throw new StudioError('INVALID_ARGUMENT', '--mask applies to inpaint and outpaint only.');
    }

    const original = view128((await loadImageFile(file)).image);
    const corruption: Corruption =
      values.mask && (task === 'inpaint' || task === 'outpaint')
        ? { task, cells: await cellsFromMaskFile(values.mask) }
        : evalCorruption(task, seed);
    await using tokenizer = await V2LTokenizer.load(await defaultPackDir());
    await using lm = await FrozenLm.load(defaultLmPath());
    const bank = await bankFor(tokenizer, bundledSamplePaths(), protocol, corruption);
    const result = await restoreView(tokenizer, lm, {
      original,
      corruption,
      protocol,
      seed,
      ...(bank ? { bank } : {}),
      comparisons: true,
    });
    const { cleanWords, classical } = result.metrics;
    if (values.out) {
      await writeImageFile(values.out, result.result, {}, { overwrite: values.overwrite === true });
    }
    printResult(
      {
        task,
        protocol,
        uses_clean_reference: protocol === 'reference',
        predicted_cells: result.predictedCells.length,
        token_accuracy: Number(result.metrics.tokenAccuracy.toFixed(4)),
        psnr: Number(result.metrics.psnr.toFixed(3)),
        ssim: Number(result.metrics.ssim.toFixed(4)),
        psnr_corrupted: Number(result.metrics.psnrCorrupted.toFixed(3)),
        ssim_corrupted: Number(result.metrics.ssimCorrupted.toFixed(4)),
        ...(cleanWords
          ? {
              psnr_clean_words: Number(cleanWords.psnr.toFixed(3)),
              ssim_clean_words: Number(cleanWords.ssim.toFixed(4)),
            }
          : {}),
        ...(classical
          ? {
              psnr_classical: Number(classical.psnr.toFixed(3)),
              ssim_classical: Number(classical.ssim.toFixed(4)),
            }
          : {}),
        prompt_tokens: result.promptTokens,
        seconds: Number((result.timings.encode + result.timings.llm + result.timings.decode).toFixed(3)),
        ...(values.out ? { out: path.resolve(values.out) } : {}),
      },
      values.json === true,
    );
  },
};
