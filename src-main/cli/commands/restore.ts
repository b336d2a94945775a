import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  isWholeImageTask,
  readsField,
  TASK_IDS,
  type Task,
  type WholeImageTask,
} from '../../../src-shared/tasks/registry';
import { tokenCellsFromMask } from '../../engine/corrupt/token-cells';
import { StudioError, toErrorPayload } from '../../engine/errors';
import { loadImageFile } from '../../engine/image/decode';
import { writeImageFile } from '../../engine/image/encode';
import { resizeImage } from '../../engine/image/resample';
import type { Mask, RgbImage } from '../../engine/image/types';
import { view128 } from '../../engine/image/view';
import type { ProtocolName } from '../../engine/protocol/types';
import { bankFor } from '../../engine/restore/bank';
import {
  cellsCorruption,
  corruptView,
  evalCorruption,
  type Corruption,
} from '../../engine/restore/corruption';
import type { ModelSet } from '../../engine/restore/models';
import { pasteWindow } from '../../engine/restore/paste-back';
import { restoreTiles } from '../../engine/restore/restore-tiles';
import { restoreView, type RestoreViewResult } from '../../engine/restore/restore-view';
import { tileLayout, workingSize } from '../../engine/restore/tiles';
import { damageWindow } from '../../engine/restore/window';
import { taskCells } from '../../engine/protocol/types';
import { CliEstimator } from '../cli-estimator';
import { printResult, type Command } from '../command';
import { listImageFiles } from '../image-files';
import { formatDuration } from '../../../src-shared/format';
import { tileCorruption } from '../restore-full';
import { studioModels } from '../studio-models';
import { bundledSamplePaths, parseProtocol, parseTask } from '../eval-options';

/**
 * A mask image (white or any bright pixel = damage) as a pixel mask, brought to the photo's frame by `fit`:
 * scaled to the photo's size, or cut to its 128 px view as the photo is.
 */
async function maskFromFile(file: string, fit: (image: RgbImage) => RgbImage): Promise<Mask> {
  const image = fit((await loadImageFile(file)).image);
  const data = new Uint8Array(image.width * image.height);
  for (let i = 0; i < data.length; i++) {
    const luma =
      0.299 * (image.data[i * 3] ?? 0) +
      0.587 * (image.data[i * 3 + 1] ?? 0) +
      0.114 * (image.data[i * 3 + 2] ?? 0);
    data[i] = luma > 127 ? 1 : 0;
  }
  if (!data.includes(1)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The mask ${path.basename(file)} marks nothing: paint the damage white.`,
    );
  }
  return { width: image.width, height: image.height, data };
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

/**
 * Where each photo of a folder goes: its path under --out with a .png extension (lossless, whatever came in).
 * Refused before any model loads: --out missing, two photos that would write one file, or outputs that exist.
 */
function batchOutputs(inDir: string, files: readonly string[], outDir: string, overwrite: boolean): string[] {
  if (!fs.existsSync(outDir) || !fs.statSync(outDir).isDirectory()) {
    throw new StudioError('INVALID_ARGUMENT', `--out: the folder ${outDir} does not exist; create it first.`);
  }
  const outputs = files.map((file) => {
    const relative = path.relative(inDir, file);
    return path.join(outDir, relative.slice(0, relative.length - path.extname(relative).length) + '.png');
  });
  const seen = new Map<string, string>();
  for (const [i, out] of outputs.entries()) {
    const other = seen.get(out);
    if (other !== undefined) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `${path.basename(other)} and ${path.basename(files[i] ?? '')} would both be written to ${out}: rename one.`,
      );
    }
    seen.set(out, files[i] ?? '');
  }
  const existing = overwrite ? [] : outputs.filter((out) => fs.existsSync(out));
  if (existing.length > 0) {
    throw new StudioError(
      'OUTPUT_EXISTS',
      `${existing.length} result${existing.length === 1 ? '' : 's'} already in ${outDir} (${existing
        .slice(0, 3)
        .map((f) => path.relative(outDir, f))
        .join(', ')}${existing.length > 3 ? ', …' : ''}): add --overwrite to replace them.`,
    );
  }
  return outputs;
}

interface RestoreOptions {
  readonly task: Task;
  readonly protocol: ProtocolName;
  readonly seed: number;
  /** A mask image (white = damage) for inpaint / outpaint. */
  readonly mask: string | undefined;
  /** The paper's 128 px view instead of the photo's own resolution. */
  readonly view: boolean;
}

type Row = Record<string, unknown>;

/** What every photo's restoration shares: the models, the cost estimator, and where progress lines go. */
interface RestoreContext {
  readonly models: ModelSet;
  readonly estimator: CliEstimator;
  readonly say: (line: string) => void;
}

/** The estimate of the LM's time, said before the work and kept in the photo's row beside what it took. */
async function announce(
  ctx: RestoreContext,
  task: Task,
  protocol: ProtocolName,
  cells: readonly boolean[],
  tiles = 1,
): Promise<number | null> {
  const estimate = await ctx.estimator.estimate(task, protocol, cells, tiles);
  ctx.say(`Estimated: ${estimate.text}`);
  return estimate.seconds === null ? null : Number(estimate.seconds.toFixed(3));
}

const finite = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);

/** deblur, shift or rotate over the whole photo at its own resolution (restore-tiles.ts). */
async function restoreWhole(
  ctx: RestoreContext,
  photo: RgbImage,
  task: WholeImageTask,
  { protocol, seed }: RestoreOptions,
): Promise<{ image: RgbImage; row: Row }> {
  const corruption = tileCorruption(task, seed);
  const { models } = ctx;
  const tokenizer = await models.tokenizer();
  const lm = await models.lm();
  const work = workingSize(photo.width, photo.height);
  const tiles = tileLayout(work.width, work.height).length;
  const estimated = await announce(ctx, task, protocol, taskCells(task), tiles);
  const bank = await bankFor(tokenizer, bundledSamplePaths(), protocol, corruption);
  const result = await restoreTiles(
    tokenizer,
    lm,
    { photo, corruption, protocol, seed, ...(bank ? { bank } : {}) },
    {
      onTile: (p) => {
        const left =
          p.etaSeconds !== null && p.done < p.of ? `, about ${formatDuration(p.etaSeconds)} left` : '';
        ctx.say(`[${p.done}/${p.of}] tiles restored${left}`);
      },
    },
  );
  const m = result.metrics;
  return {
    image: result.result,
    row: {
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
      estimated_llm_seconds: estimated,
    },
  };
}

/** The metric columns of a restored view, as `eval restore` names them. */
function viewRow(result: RestoreViewResult): Row {
  const { cleanWords, classical } = result.metrics;
  return {
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
  };
}

/** One 128 px view restored: the paper's view of the photo, or the window around marked damage. */
async function restoreOneView(
  ctx: RestoreContext,
  original: RgbImage,
  corruption: Corruption,
  { task, protocol, seed }: RestoreOptions,
): Promise<{ result: RestoreViewResult; timing: Row }> {
  const tokenizer = await ctx.models.tokenizer();
  const lm = await ctx.models.lm();
  const bank = await bankFor(tokenizer, bundledSamplePaths(), protocol, corruption);
  const estimated = await announce(ctx, task, protocol, corruptView(original, corruption).cells);
  const result = await restoreView(tokenizer, lm, {
    original,
    corruption,
    protocol,
    seed,
    ...(bank ? { bank } : {}),
    comparisons: true,
  });
  await ctx.estimator.recordRun(task, result.timings.llm, result.evaluatedTokens);
  const timing = {
    prompt_tokens: result.promptTokens,
    seconds: Number((result.timings.encode + result.timings.llm + result.timings.decode).toFixed(3)),
    llm_seconds: Number(result.timings.llm.toFixed(3)),
    estimated_llm_seconds: estimated,
  };
  return { result, timing };
}

/** One photo restored as the options say: its result image and the row of figures printed for it. */
async function restorePhoto(
  ctx: RestoreContext,
  photo: RgbImage,
  options: RestoreOptions,
): Promise<{ image: RgbImage; row: Row }> {
  const { task } = options;
  if (!options.view && isWholeImageTask(task)) return restoreWhole(ctx, photo, task, options);
  if (options.mask && !options.view) {
    // As the studio restores marked damage: the window around it, pasted back into the photo at its size.
    const toPhoto = (m: RgbImage) =>
      m.width === photo.width && m.height === photo.height ? m : resizeImage(m, photo.width, photo.height);
    const window = damageWindow(photo, await maskFromFile(options.mask, toPhoto));
    const { result, timing } = await restoreOneView(
      ctx,
      window.view,
      cellsCorruption(task, window.cells),
      options,
    );
    const image = pasteWindow(photo, window, result.result, result.decoded);
    return {
      image,
      row: {
        resolution: 'full',
        ...viewRow(result),
        output_width: image.width,
        output_height: image.height,
        tiles: 1,
        window: `${window.side}x${window.side} at ${window.x},${window.y}`,
        ...timing,
      },
    };
  }
  const original = view128(photo);
  const corruption = options.mask
    ? cellsCorruption(task, tokenCellsFromMask(await maskFromFile(options.mask, view128)))
    : evalCorruption(task, options.seed);
  const { result, timing } = await restoreOneView(ctx, original, corruption, options);
  return {
    image: result.result,
    row: {
      resolution: 'view',
      ...viewRow(result),
      output_width: result.result.width,
      output_height: result.result.height,
      tiles: 1,
      ...timing,
    },
  };
}

export const restore: Command = {
  name: 'restore',
  usage:
    'restore IMAGE|DIR --task T --protocol P [--mask M] [--view] [--out O] [--seed N] [--data-dir D] [--overwrite] [--json]',
  summary: 'corrupt (or mask) a photo, or every photo of a folder, and restore it with the frozen LM',
  help: `T: inpaint, outpaint, deblur, shift or rotate. P: reference (uses the clean image for its examples) or blind.

deblur, shift and rotate work at the photo's own resolution: the photo is covered by 128 px tiles that overlap by
at least 32 px, each tile (its own 16x16 grid of words) is corrupted as eval restore corrupts a view (--seed picks
the blur kernel; shift moves each tile by one token cell, 8,8 px; rotate turns it a quarter) and restored, and the
tiles are blended with feathered edges. A photo whose short side is below 128 px is scaled up for the work and the
result scaled back. --view restores the paper's 128x128 view instead (short side 128, centre crop), as eval restore
does. inpaint and outpaint restore the paper's cells of the view (centre 8x8, bottom half), or, with --mask (an
image, white = damage, scaled to the photo), the damage as the studio does: the window around it restored and
pasted back into the photo at its own size, colour-matched and faded along the mask (with --view: the token
cells the mask touches on the view).

IMAGE may be a folder: every image in it (and its subfolders) goes through the same task and protocol, and each
result is written under --out FOLDER at the same relative path as a .png. One row per photo; a photo that fails
is reported in its row and the others go on (exit status 1 at the end).

The models are the studio's: the language model (or llama-server), tokenizer pack and threads chosen in Settings,
read from the data folder (--data-dir, else V2L_DATA_DIR, else the studio's own), the bundled ones where the
studio never ran. --out writes the result (--overwrite to replace files). The options, --out and every output
path are checked before any model loads.

  resolution                           full (the photo's own size) or view (128x128)
  output_width, output_height          the result's size
  tiles                                tiles restored (1 for a view or a damage window)
  window                               a damage window's side and place in the photo
  seam_ratio, seam_control             full resolution with more than one tile: the result's step energy where
                                       tiles meet against the photo's own there, over the whole photo's ratio
                                       (about 1: no seam shows), and the same measure inside the tiles

  token_accuracy, psnr, ssim           the result against the original view
  psnr_corrupted, ssim_corrupted       the corrupted input against it
  psnr_clean_words, ssim_clean_words   the original's own words decoded and placed alike: what a perfect LM reaches
  psnr_classical, ssim_classical       Telea (in/outpainting) or Wiener with the known kernel (deblur)
  prompt_tokens, seconds               work done, encode + LLM + decode
  llm_seconds                          the language model's part of seconds (views and damage windows)
  estimated_llm_seconds                the studio's estimate of the language model's time, made before the work
                                       (also said on stderr): the speed the studio measured for this model and
                                       threads, else a calibration on the first prompts; null if none could be made`,
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
    const input = positionals[0];
    if (!input)
      throw new StudioError('INVALID_ARGUMENT', 'restore needs an IMAGE path or a folder of images.');
    const task = parseTask(values.task);
    const protocol = parseProtocol(values.protocol);
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new StudioError('INVALID_ARGUMENT', `--seed takes a whole number.`);
    if (values.mask && !readsField(task, 'mask')) {
      const maskTasks = TASK_IDS.filter((t) => readsField(t, 'mask'));
      throw new StudioError('INVALID_ARGUMENT', `--mask applies to ${maskTasks.join(' and ')} only.`);
    }
    const options: RestoreOptions = { task, protocol, seed, mask: values.mask, view: values.view === true };
    const overwrite = values.overwrite === true;
    const json = values.json === true;
    const batch = fs.existsSync(input) && fs.statSync(input).isDirectory();
    // Everything a run could trip on is checked before the models load (seconds) and the restores (minutes).
    let files = [input];
    let outputs: (string | undefined)[] = [values.out];
    if (batch) {
      if (!values.out)
        throw new StudioError('INVALID_ARGUMENT', 'A folder of photos needs --out FOLDER for the results.');
      files = await listImageFiles(input);
      if (files.length === 0) throw new StudioError('NOT_FOUND', `No images in ${path.resolve(input)}.`);
      outputs = batchOutputs(path.resolve(input), files, path.resolve(values.out), overwrite);
    } else if (values.out) {
      checkOutput(values.out, overwrite);
    }

    const studio = studioModels(
      values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir']),
    );
    await using models = studio.models;
    const lmName = (await models.lm()).name;
    const say = (line: string) => (json ? undefined : process.stderr.write(`${line}\n`));
    say(`Language model: ${lmName} (${studio.source})`);
    const ctx: RestoreContext = {
      models,
      estimator: new CliEstimator(models, studio.settings, studio.dataDir, bundledSamplePaths().length),
      say,
    };
    let failed = 0;
    for (const [i, file] of files.entries()) {
      const out = outputs[i];
      if (batch) process.stderr.write(`[${i + 1}/${files.length}] ${path.relative(input, file)}\n`);
      const head = {
        ...(batch ? { image: path.relative(input, file) } : {}),
        task,
        protocol,
        uses_clean_reference: protocol === 'reference',
      };
      try {
        const photo = (await loadImageFile(file)).image;
        const { image, row } = await restorePhoto(ctx, photo, options);
        if (out) {
          if (batch) fs.mkdirSync(path.dirname(out), { recursive: true });
          await writeImageFile(out, image, {}, { overwrite });
        }
        printResult({ ...head, ...row, ...(out ? { out: path.resolve(out) } : {}) }, json);
      } catch (error) {
        // One bad photo of a folder does not stop the rest; it is reported in its row and in the exit status.
        if (!batch) throw error;
        failed++;
        const payload = toErrorPayload(error);
        printResult({ ...head, error: `${payload.code}: ${payload.message}` }, json);
      }
    }
    if (failed > 0) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `${failed} of ${files.length} photos could not be restored (see their rows).`,
      );
    }
  },
};
