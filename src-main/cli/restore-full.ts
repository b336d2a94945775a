import { isWholeImageTask, type WholeImageTask } from '../../src-shared/tasks/registry';
import path from 'node:path';
import { StudioError } from '../engine/errors';
import { loadImageFile } from '../engine/image/decode';
import type { LanguageModelBackend } from '../engine/llm/backend';
import { bankFor } from '../engine/restore/bank';
import { restoreTiles, type WholePhotoCorruption } from '../engine/restore/restore-tiles';
import type { ProtocolName, Task } from '../engine/protocol/types';
import type { V2LTokenizer } from '../engine/tokenizer/tokenizer';
import { fileProgress } from './progress';
import { CELL_SHIFT, evalCorruption } from '../engine/restore/corruption';
import { Means } from './restore-set';
import { scoreRecord } from '../engine/restore/image-scores';

/**
 * The corruption each tile of image `index` gets: the evaluation's blur kernel for the image, a quarter turn, or
 * the one-cell shift (the authors' crop shift moves a whole photo and has no per-tile form).
 */
export function tileCorruption(task: WholeImageTask, index: number): WholePhotoCorruption {
  // Without the photo, the evaluation's shift is the one-cell move.
  return evalCorruption(task, index) as WholePhotoCorruption;
}

/**
 * `eval restore --full-resolution`: every photo restored at its own size, tile by tile (restore-tiles.ts), and
 * scored against itself. Means over the set, plus the sizes, so a reader can check the result kept the photo's.
 */
export async function restoreSetFullResolution(
  tokenizer: V2LTokenizer,
  lm: LanguageModelBackend,
  files: readonly string[],
  options: { task: Task; protocol: ProtocolName; samplePaths: readonly string[] },
): Promise<Record<string, unknown>> {
  const { task, protocol } = options;
  if (!isWholeImageTask(task)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `--full-resolution applies to deblur, shift and rotate (whole-photo tasks), not ${task}: in/outpainting restore the damage window at the photo's resolution already.`,
    );
  }
  const means = new Means();
  let sameSize = 0;
  const seams: [ratio: number, control: number][] = [];
  const progress = fileProgress(files.length);
  for (const [index, file] of files.entries()) {
    const photo = (await loadImageFile(file)).image;
    const corruption = tileCorruption(task, index);
    const bank = await bankFor(tokenizer, options.samplePaths, protocol, corruption);
    const result = await restoreTiles(tokenizer, lm, {
      photo,
      corruption,
      protocol,
      seed: index,
      ...(bank ? { bank } : {}),
    });
    const m = result.metrics;
    if (result.result.width === photo.width && result.result.height === photo.height) sameSize += 1;
    const scores: Record<string, number> = {
      ...scoreRecord(m),
      input_width: photo.width,
      input_height: photo.height,
      output_width: result.result.width,
      output_height: result.result.height,
      tiles_per_image: result.tiles.length,
      seconds_per_image: result.seconds,
    };
    for (const [key, value] of Object.entries(scores)) means.add(key, value);
    means.next();
    // A photo of one tile has no join to measure: the seam means are over the others.
    if (Number.isFinite(m.seamRatio)) seams.push([m.seamRatio, m.seamControl]);
    progress(
      index + 1,
      file,
      `${photo.width}x${photo.height}, ${result.tiles.length} tiles, token acc ${m.tokenAccuracy.toFixed(3)}, ` +
        `PSNR ${m.psnr.toFixed(2)} dB (corrupted ${m.psnrCorrupted.toFixed(2)})`,
    );
  }
  const out: Record<string, unknown> = {
    task,
    protocol,
    resolution: 'full',
    images: files.length,
    same_size_images: sameSize,
  };
  for (const key of means.keys())
    out[key] = Number((means.mean(key) ?? 0).toFixed(key.startsWith('ssim') ? 4 : 3));
  if (seams.length > 0) {
    out['seam_ratio'] = Number((seams.reduce((a, [r]) => a + r, 0) / seams.length).toFixed(3));
    out['seam_control'] = Number((seams.reduce((a, [, c]) => a + c, 0) / seams.length).toFixed(3));
  }
  if (task === 'shift')
    out['shift_variant'] = `cells ${files.length} (each tile moved by ${CELL_SHIFT.dx},${CELL_SHIFT.dy} px)`;
  out['data'] = path.dirname(files[0] ?? '');
  return out;
}
