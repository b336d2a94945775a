import {
  isWholeImageTask,
  readsField,
  TASK_IDS,
  type WholeImageTask,
} from '../../../src-shared/tasks/registry';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { tokenCellsFromMask } from '../../engine/corrupt/token-cells';
import { StudioError } from '../../engine/errors';
import { loadImageFile } from '../../engine/image/decode';
import { writeImageFile } from '../../engine/image/encode';
import type { RgbImage } from '../../engine/image/types';
import { view128 } from '../../engine/image/view';
import { cellsCorruption, evalCorruption, type Corruption } from '../../engine/restore/corruption';
import { bankFor } from '../../engine/restore/bank';
import { restoreTiles } from '../../engine/restore/restore-tiles';
import { restoreView } from '../../engine/restore/restore-view';
import type { ProtocolName } from '../../engine/protocol/types';
import type { ModelSet } from '../../engine/restore/models';
import { printResult, type Command } from '../command';
import { studioModels } from '../studio-models';
import { formatDuration } from '../progress';
import { tileCorruption } from '../restore-full';
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

/** Refuses an --out that cannot be written, before minutes of work: a missing folder, or a file without --overwrite. */
function checkOutput(out: string, overwrite: boolean): void {
  const folder = path.dirname(path.resolve(out));
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new StudioError('INVALID_ARGUMENT', `--out: the folder ${folder} does not exist; create it first.`);
  }
  if (fs.existsSync(out) && !overwrite) {
    throw new StudioError('INVALID_ARGUMENT', `--out: ${out} exists; add --overwrite to replace it.`);
  }
}

/** deblur, shift or rotate over the whole photo at its own resolution (restore-tiles.ts). */
async function restoreFullResolution(
  models: ModelSet,
  photo: RgbImage,
  task: WholeImageTask,
  protocol: ProtocolName,
  seed: number,
  out: string | undefined,
  overwrite: boolean,
  json: boolean,
): Promise<void> {
  const corruption = tileCorruption(task, seed);
  const tokenizer = await models.tokenizer();
  const lm = await models.lm();
  const bank = await bankFor(tokenizer, bundledSamplePaths(), protocol, corruption);
  const result = await restoreTiles(
    tokenizer,
    lm,
    { photo, corruption, protocol, seed, ...(bank ? { bank } : {}) },
    {
      onTile: (p) => {
        const left =
          p.etaSeconds !== null && p.done < p.of ? `, about ${formatDuration(p.etaSeconds)} left` : '';
        process.stderr.write(`[${p.done}/${p.of}] tiles restored${left}\n`);
      },
    },
  );
  if (out) await writeImageFile(out, result.result, {}, { overwrite });
  const m = result.metrics;
  const finite = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);
  printResult(
    {
      task,
      protocol,
      uses_clean_reference: protocol === 'reference',
      resolution: 'full',
      predicted_cells: result.tiles.length * 256,
      token_accuracy: Number(m.tokenAccuracy.toFixed(4)),
      psnr: Number(m.psnr.toFixed(3)),
      ssim: Number(m.ssim.toFixed(4)),
      psnr_corrupted: Number(m.psnrCorrupted.toFixed(3)),
      ssim_corrupted: Number(m.ssimCorrupted.toFixed(4)),
      output_width: result.result.width,
      output_height: result.result.height,
      tiles: result.tiles.length,
      seam_ratio: finite(m.seamRatio, 3),
      seam_control: finite(m.seamControl, 3),
      prompt_tokens: result.promptTokens,
      seconds: Number(result.seconds.toFixed(3)),
      ...(out ? { out: path.resolve(out) } : {}),
    },
    json,
  );
}

export const restore: Command = {
  name: 'restore',
  usage:
    'restore IMAGE --task T --protocol P [--mask M] [--view] [--out O] [--seed N] [--data-dir D] [--json]',
  summary: 'corrupt (or mask) an image and restore it with the frozen LM',
  help: `T: inpaint, outpaint, deblur, shift or rotate. P: reference (uses the clean image for its examples) or blind.

deblur, shift and rotate work at the photo's own resolution: the photo is covered by 128 px tiles that overlap by
at least 32 px, each tile (its own 16x16 grid of words) is corrupted as eval restore corrupts a view (--seed picks
the blur kernel; shift moves each tile by one token cell, 8,8 px; rotate turns it a quarter) and restored, and the
tiles are blended with feathered edges. A photo whose short side is below 128 px is scaled up for the work and the
result scaled back. --view restores the paper's 128x128 view instead (short side 128, centre crop), as eval restore
does. inpaint and outpaint always work on the view: its centre 8x8 cells or bottom half, or, with --mask (white =
damage), the token cells the mask touches. The models are the studio's: the language model (or llama-server) and
threads chosen in Settings, read from the data folder (--data-dir, else V2L_DATA_DIR, else the studio's own),
the bundled ones where the studio never ran; --out writes the result (--overwrite to replace a file);
the options and --out are checked before any model loads.

  output_width, output_height          the result's size (the photo's own, or 128x128 for the view)
  tiles                                tiles restored (1 for the view)
  seam_ratio, seam_control             full resolution with more than one tile: the result's step energy where
                                       tiles meet against the photo's own there, over the whole photo's ratio
                                       (about 1: no seam shows), and the same measure inside the tiles

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
        view: { type: 'boolean' },
        out: { type: 'string' },
        seed: { type: 'string', default: '0' },
        'data-dir': { type: 'string' },
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
    const maskTasks = TASK_IDS.filter((t) => readsField(t, 'mask'));
    if (values.mask && !maskTasks.includes(task)) {
      throw new StudioError('INVALID_ARGUMENT', `--mask applies to ${maskTasks.join(' and ')} only.`);
    }
    if (values.out) checkOutput(values.out, values.overwrite === true);

    const photo = (await loadImageFile(file)).image;
    const studio = studioModels(
      values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir']),
    );
    await using models = studio.models;
    const lmName = (await models.lm()).name;
    if (values.json !== true) process.stderr.write(`Language model: ${lmName} (${studio.source})\n`);
    if (values.view !== true && isWholeImageTask(task)) {
      await restoreFullResolution(
        models,
        photo,
        task,
        protocol,
        seed,
        values.out,
        values.overwrite === true,
        values.json === true,
      );
      return;
    }
    const original = view128(photo);
    const corruption: Corruption =
      values.mask && readsField(task, 'mask')
        ? cellsCorruption(task, await cellsFromMaskFile(values.mask))
        : evalCorruption(task, seed);
    const tokenizer = await models.tokenizer();
    const lm = await models.lm();
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
        output_width: result.result.width,
        output_height: result.result.height,
        tiles: 1,
        prompt_tokens: result.promptTokens,
        seconds: Number((result.timings.encode + result.timings.llm + result.timings.decode).toFixed(3)),
        ...(values.out ? { out: path.resolve(values.out) } : {}),
      },
      values.json === true,
    );
  },
};
