import { parseArgs } from 'node:util';
import { StudioError } from '../../engine/errors';
import { FrozenLm } from '../../engine/llm/frozen-lm';
import { defaultLmPath } from '../../engine/llm/models';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { printResult } from '../command';
import { bundledSamplePaths, EVAL_SET_OPTIONS, evalFiles, parseProtocol, parseTask } from '../eval-options';
import { LearnedScores } from '../learned-scores';
import { restoreSetFullResolution } from '../restore-full';
import { isWholeImageTask } from '../../../src-shared/tasks/registry';
import { CELL_SHIFT } from '../../engine/restore/corruption';
import { parseShiftVariant, restoreSet, roundedMean } from '../restore-set';

// Scripts in scripts/ import these two from here; they live in ../eval-options with the options they serve.
export { bundledSamplePaths, evalFiles } from '../eval-options';

export const EVAL_RESTORE_HELP = `eval restore --task T --protocol P [--data DIR] [--limit N] [--shift crop|cells|auto]
  [--fid-model PATH] [--naive] [--baseline] [--full-resolution] [--json]

Restores every image of DIR (recursively, sorted by path; default: the ImageNet dev set in ../shared/data/eval) at the paper's 128x128 view after the task's
corruption (inpaint: centre 8x8 cells; outpaint: bottom half; deblur: Gaussian blur, kernel 5..11 drawn per
image as albumentations draws it; shift: see --shift; rotate: 90 degrees), with the default model pack and
language model.

  token_accuracy          predicted cells whose word equals the clean image's word
  psnr, ssim              result vs the original view (in/outpainting: restored cells pasted into the intact
                          pixels); psnr on RGB, ssim on the Y channel
  psnr_corrupted, ...     the corrupted input vs the original view
  seconds_per_image       encode + LLM + decode, models already loaded
  prompt_tokens_per_image tokens in all prompts of one image
The authors' scores (eval_denoising_generation.py: PSNR on luma, SSIM on RGB):
  psnr_y, ssim_rgb        the same result image as psnr and ssim, scored their way
  psnr_y_full_decode, ssim_rgb_full_decode
                          the whole decoded grid, nothing pasted: what their script scores, so the figure to set
                          beside theirs (absent with --baseline, which decodes nothing)
  psnr_region, ssim_region   in/outpainting only: the restored cells alone (PSNR on luma over their pixels, SSIM
                          on RGB over their rectangle); a paste scores the intact pixels as perfect, which lifts
                          psnr by about 6 dB for inpainting
  shift_variant           shift only: how many images were shifted each way
  lpips                   LPIPS of the whole decoded grid, with the pack's LPIPS network (the authors' trained
                          VGG16 heads; only packs converted from a checkpoint that holds it)
  fid                     FID between the original views and the whole decoded grids, with the InceptionV3
                          ONNX given by --fid-model (training/metrics/README.md)
  missing                 which of lpips and fid could not be computed, and why
--shift crop is the authors' shift: the bottom-right 128x128 crop after the short-side resize, which moves a
non-square photo's content (kodak24, bsd100) and leaves a square one (the ImageNet dev set) unchanged. --shift
cells moves the view by one token cell (${CELL_SHIFT.dx}, ${CELL_SHIFT.dy}) px, the edge repeated: a variant for square sets,
not the paper's. auto (the default) crops photos that are not square and moves square ones by a cell.
--naive runs the authors' loop (one fresh prompt at a time, no batching, no prefix reuse) on the same model.
--baseline evaluates the classical restoration instead of the language model (Telea inpainting for in/outpainting,
Wiener deconvolution with the known kernel for deblur, the inverse shift for shift, the rotated image as is for
rotate); token_accuracy then compares the words of the baseline's result with the clean words; protocol reads
"baseline".
--full-resolution (deblur, shift, rotate) restores each photo at its own size instead of the 128x128 view: 128 px
tiles overlapping by at least 32 px, each corrupted as a view is (shift: each tile moved by one cell) and restored,
blended with feathered edges, and scored against the photo. It adds input_width/height and output_width/height
(means; same_size_images counts the photos whose result kept their size), tiles_per_image, and seam_ratio with
seam_control: the result's step energy across the tile joins against the photo's own there, over the same ratio
for the whole photo (about 1 when no seam shows), and the same measure on bands inside the tiles.`;

export async function evalRestore(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...EVAL_SET_OPTIONS,
      shift: { type: 'string' },
      'fid-model': { type: 'string' },
      naive: { type: 'boolean' },
      baseline: { type: 'boolean' },
      'full-resolution': { type: 'boolean' },
    },
  });
  const task = parseTask(values.task);
  const baseline = values.baseline === true;
  // The baseline has no prompts, so it needs no protocol.
  const protocol = baseline && values.protocol === undefined ? 'reference' : parseProtocol(values.protocol);
  const shift = parseShiftVariant(values.shift);
  const fullResolution = values['full-resolution'] === true;
  if (fullResolution && (baseline || values.naive === true || values.shift !== undefined)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      '--full-resolution runs the language model tile by tile: leave out --baseline, --naive and --shift.',
    );
  }
  if (fullResolution && !isWholeImageTask(task)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `--full-resolution applies to deblur, shift and rotate, not ${task}.`,
    );
  }
  const files = await evalFiles(values.data, values.limit);
  const packDir = await defaultPackDir();
  if (fullResolution) {
    await using tiledTokenizer = await V2LTokenizer.load(packDir);
    await using tiledLm = await FrozenLm.load(defaultLmPath());
    const result = await restoreSetFullResolution(tiledTokenizer, tiledLm, files, {
      task,
      protocol,
      samplePaths: bundledSamplePaths(),
    });
    printResult(result, values.json === true);
    return;
  }
  await using tokenizer = await V2LTokenizer.load(packDir);
  await using lm = baseline ? null : await FrozenLm.load(defaultLmPath());
  await using learned = await LearnedScores.load(packDir, values['fid-model']);
  const { means, shiftVariant } = await restoreSet(tokenizer, lm, files, {
    task,
    protocol,
    baseline,
    naive: values.naive === true,
    shift,
    samplePaths: bundledSamplePaths(),
    learned,
  });
  const result: Record<string, unknown> = {
    task,
    protocol: baseline ? 'baseline' : protocol,
    images: means.images,
  };
  for (const key of means.keys()) result[key] = roundedMean(means, key);
  if (shiftVariant) result['shift_variant'] = shiftVariant;
  printResult({ ...result, ...learned.results() }, values.json === true);
}
