import { TASKS } from '../../src-shared/tasks/registry';
import { maskFromTokenCells } from '../engine/corrupt/token-cells';
import { StudioError } from '../engine/errors';
import { loadImageFile } from '../engine/image/decode';
import type { RgbImage } from '../engine/image/types';
import { view128 } from '../engine/image/view';
import type { FrozenLm } from '../engine/llm/frozen-lm';
import { psnrRgb, psnrY, psnrYInside, ssim, ssimRgbInside } from '../engine/metrics';
import { taskCells, type ProtocolName, type Task } from '../engine/protocol/types';
import { bankFor } from '../engine/restore/bank';
import {
  classicalRestoration,
  corruptView,
  evalCorruption,
  type Corruption,
  type ShiftVariant,
} from '../engine/restore/corruption';
import { restoreView } from '../engine/restore/restore-view';
import type { V2LTokenizer } from '../engine/tokenizer/tokenizer';
import type { LearnedScores } from './learned-scores';
import { fileProgress } from './progress';

export const SHIFT_VARIANTS: readonly ShiftVariant[] = ['crop', 'cells', 'auto'];

export function parseShiftVariant(value: string | undefined): ShiftVariant {
  if (value === undefined) return 'auto';
  if (!SHIFT_VARIANTS.includes(value as ShiftVariant)) {
    throw new StudioError('INVALID_ARGUMENT', `--shift must be crop, cells or auto, not "${value}".`);
  }
  return value as ShiftVariant;
}

export interface RestoreSetOptions {
  readonly task: Task;
  readonly protocol: ProtocolName;
  /** Score the classical restoration instead of the language model (then `lm` may be null). */
  readonly baseline: boolean;
  readonly naive: boolean;
  readonly shift: ShiftVariant;
  /** The bundled sample photos: the blind protocol's bank for deblur, shift and rotation. */
  readonly samplePaths: readonly string[];
  /** LPIPS and FID, on the whole decoded grid as the authors score them (the result, for the baseline). */
  readonly learned?: LearnedScores;
}

/** One image's images to score: the original view, the corrupted input, the result and the decoded grid. */
export interface ScoredImages {
  readonly original: RgbImage;
  readonly corrupted: RgbImage;
  readonly result: RgbImage;
  /** The whole decoded grid (absent for the classical baseline, which decodes nothing). */
  readonly decoded?: RgbImage;
}

/** Means of per-image scores, by key, in the order first added. */
export class Means {
  readonly #sums = new Map<string, number>();
  #images = 0;

  add(key: string, value: number): void {
    this.#sums.set(key, (this.#sums.get(key) ?? 0) + value);
  }

  /** Counts one image; call once per image, after its scores. */
  next(): void {
    this.#images++;
  }

  get images(): number {
    return this.#images;
  }

  mean(key: string): number | undefined {
    const sum = this.#sums.get(key);
    return sum === undefined || this.#images === 0 ? undefined : sum / this.#images;
  }

  keys(): string[] {
    return [...this.#sums.keys()];
  }
}

/**
 * The authors' image scores of one result, beside the studio's: PSNR on luma and SSIM on RGB (their
 * eval_denoising_generation.py: pyiqa's psnr with test_y_channel, piq's ssim), on the result (`psnr_y`,
 * `ssim_rgb`: the image `psnr` and `ssim` score) and on the whole decoded grid (`*_full_decode`: what their
 * script scores, with no paste); in/outpainting also on the restored cells alone (`*_region`).
 */
export function paperScores(images: ScoredImages, task: Task, means: Means): void {
  const { original, result, decoded } = images;
  means.add('psnr_y', psnrY(original, result));
  means.add('ssim_rgb', ssim(original, result, 'rgb'));
  if (TASKS[task].paperCells !== 'all') {
    const region = maskFromTokenCells(taskCells(task), original.width, original.height);
    means.add('psnr_region', psnrYInside(original, result, region));
    means.add('ssim_region', ssimRgbInside(original, result, region));
  }
  if (decoded) {
    means.add('psnr_y_full_decode', psnrY(original, decoded));
    means.add('ssim_rgb_full_decode', ssim(original, decoded, 'rgb'));
  }
}

/** What one image's restoration gives: its images, token accuracy and prompt tokens. */
async function restoreOne(
  tokenizer: V2LTokenizer,
  lm: FrozenLm | null,
  options: RestoreSetOptions,
  original: RgbImage,
  corruption: Corruption,
  seed: number,
): Promise<ScoredImages & { tokenAccuracy: number; promptTokens: number }> {
  if (!lm || options.baseline) {
    // The classical baseline, scored like a restoration: its result's words are compared with the clean words.
    const { image: corrupted, cells } = corruptView(original, corruption);
    const result = classicalRestoration(corrupted, corruption);
    const [clean, restored] = await tokenizer.encode([original, result], { global: false });
    const predicted = cells.flatMap((on, i) => (on ? [i] : []));
    const correct = predicted.filter((c) => clean?.ids[c] === restored?.ids[c]).length;
    return {
      original,
      corrupted,
      result,
      tokenAccuracy: predicted.length === 0 ? 1 : correct / predicted.length,
      promptTokens: 0,
    };
  }
  const bank = await bankFor(tokenizer, options.samplePaths, options.protocol, corruption);
  const r = await restoreView(
    tokenizer,
    lm,
    { original, corruption, protocol: options.protocol, seed, ...(bank ? { bank } : {}) },
    { naive: options.naive },
  );
  return {
    original,
    corrupted: r.corrupted,
    result: r.result,
    decoded: r.decoded,
    tokenAccuracy: r.metrics.tokenAccuracy,
    promptTokens: r.promptTokens,
  };
}

export interface RestoreSetResult {
  readonly means: Means;
  /** How the images were shifted ("crop 24", "cells 50", "crop 3, cells 2"); empty for the other tasks. */
  readonly shiftVariant: string;
}

/**
 * Restores every file at the paper's view after the task's corruption and accumulates the studio's and the
 * authors' scores.
 */
export async function restoreSet(
  tokenizer: V2LTokenizer,
  lm: FrozenLm | null,
  files: readonly string[],
  options: RestoreSetOptions,
): Promise<RestoreSetResult> {
  const means = new Means();
  const shifts = { crop: 0, cells: 0 };
  const progress = fileProgress(files.length);
  for (const [index, file] of files.entries()) {
    const source = (await loadImageFile(file)).image;
    const original = view128(source);
    const corruption = evalCorruption(options.task, index, source, options.shift);
    if (corruption.task === 'shift') shifts[corruption.cropped ? 'crop' : 'cells']++;
    const started = performance.now();
    const r = await restoreOne(tokenizer, lm, options, original, corruption, index);
    const seconds = (performance.now() - started) / 1000;
    const psnr = psnrRgb(original, r.result);
    const psnrCorrupted = psnrRgb(original, r.corrupted);
    means.add('token_accuracy', r.tokenAccuracy);
    means.add('psnr', psnr);
    means.add('ssim', ssim(original, r.result));
    means.add('psnr_corrupted', psnrCorrupted);
    means.add('ssim_corrupted', ssim(original, r.corrupted));
    means.add('seconds_per_image', seconds);
    means.add('prompt_tokens_per_image', r.promptTokens);
    paperScores(r, options.task, means);
    await options.learned?.add(original, r.decoded ?? r.result);
    means.next();
    progress(
      index + 1,
      file,
      `accuracy ${r.tokenAccuracy.toFixed(3)}, psnr ${psnr.toFixed(2)} ` +
        `(corrupted ${psnrCorrupted.toFixed(2)}), ${seconds.toFixed(2)} s`,
    );
  }
  const shiftVariant = Object.entries(shifts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return { means, shiftVariant };
}

/** Rounds a mean for printing: accuracies and SSIMs to 4 places, the rest to 3; token counts to whole numbers. */
export function roundedMean(means: Means, key: string): number | undefined {
  const value = means.mean(key);
  if (value === undefined) return undefined;
  if (key === 'prompt_tokens_per_image') return Math.round(value);
  const digits = key === 'token_accuracy' || key.startsWith('ssim') ? 4 : 3;
  return Number(value.toFixed(digits));
}
