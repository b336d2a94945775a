import { isLocalRepair, TASKS } from '../../../src-shared/tasks/registry';
import type { RgbImage } from '../image/types';
import type { LanguageModelBackend } from '../llm/backend';
import { psnrRgb, psnrY, ssim } from '../metrics';
import { blindPlan, type BankEntry } from '../protocol/blind';
import { referencePlan } from '../protocol/reference';
import { runPlan, type RunOptions } from '../protocol/run-plan';
import { PAPER_PARAMS, type ProtocolName, type ProtocolParams } from '../protocol/types';
import type { V2LTokenizer } from '../tokenizer/tokenizer';
import { globalBranchOf } from '../understand/global-branch';
import { classicalRestoration, corruptView, type Corruption } from './corruption';
import type { ImageScores } from './image-scores';

export interface RestoreViewRequest {
  /** The 128x128 view: the clean image for benchmarks and the reference protocol. */
  readonly original: RgbImage;
  readonly corruption: Corruption;
  readonly protocol: ProtocolName;
  readonly seed: number;
  readonly params?: ProtocolParams;
  /** Bank for blind deblur/shift/rotation, degraded the same way. */
  readonly bank?: readonly BankEntry[];
  /**
   * Also measure what a result is set beside (one more decode, and a classical restoration):
   * - the original's own words, decoded and placed like the result: the most any language model can reach with
   *   this tokenizer, so a user can tell the LM's shortfall from the tokenizer's;
   * - the task's classical restoration (Telea inpainting for in/outpainting, Wiener deconvolution with the known
   *   kernel for deblur), so the studio shows where the LM wins and where it loses. Shift and rotation have none:
   *   their classical undoing is the exact inverse, which says nothing.
   */
  readonly comparisons?: boolean;
}

export interface RestoreViewResult {
  readonly corrupted: RgbImage;
  /** Decoded from the corrected words. */
  readonly decoded: RgbImage;
  /**
   * What the user gets: for in/outpainting the decoded cells pasted into the intact pixels (the intact part of
   * a photo is never replaced by its reconstruction); otherwise the decoded image.
   */
  readonly result: RgbImage;
  /** The task's classical restoration, placed like the result (with comparisons, in/outpainting and deblur). */
  readonly classical?: RgbImage;
  readonly cleanIds: number[];
  readonly corruptedIds: number[];
  readonly resultIds: number[];
  /** Local cells (0..255) that were predicted. */
  readonly predictedCells: number[];
  /** The LM's probability for each predicted cell, same order as predictedCells. */
  readonly confidence: number[];
  readonly metrics: ImageScores & {
    /** The original's words decoded and placed like the result (with comparisons). */
    readonly cleanWords?: { readonly psnr: number; readonly ssim: number };
    /** The classical restoration (with comparisons, in/outpainting and deblur). */
    readonly classical?: { readonly psnr: number; readonly ssim: number };
  };
  /**
   * The global words: carried ahead of the local words in the token sequence, as the authors' code does, and
   * attended to by the decoder; no prompt of the paper's tasks contains them. Empty without a global branch.
   */
  readonly global: readonly { readonly id: number; readonly text: string }[];
  readonly promptTokens: number;
  /** Tokens the LM evaluated (prompt tokens not served from its cache, plus fed-back words): what its time buys. */
  readonly evaluatedTokens: number;
  readonly timings: { readonly encode: number; readonly llm: number; readonly decode: number };
}

/**
 * One restoration of a 128x128 view: corrupt -> encode -> protocol -> frozen LM -> decode -> metrics against
 * the original. The reference protocol reads the original's words for its examples; the blind one never does.
 */
export async function restoreView(
  tokenizer: V2LTokenizer,
  lm: LanguageModelBackend,
  request: RestoreViewRequest,
  options: RunOptions = {},
): Promise<RestoreViewResult> {
  const params = request.params ?? PAPER_PARAMS;
  const { image: corrupted, cells, input } = corruptView(request.original, request.corruption);
  const task = request.corruption.task;

  let t = performance.now();
  const [cleanGrid, corruptedGrid] = await tokenizer.encode([request.original, input ?? corrupted]);
  const cleanIds = Array.from(cleanGrid?.ids ?? []);
  const corruptedIds = Array.from(corruptedGrid?.ids ?? []);
  // The authors take every sequence's global words from the clean image; a blind restoration has only the damaged one.
  const branch = globalBranchOf(tokenizer);
  const global = Array.from((request.protocol === 'reference' ? cleanGrid : corruptedGrid)?.globalIds ?? []);
  const encode = (performance.now() - t) / 1000;

  const plan =
    request.protocol === 'reference'
      ? referencePlan(task, { clean: cleanIds, corrupted: corruptedIds, cells, global }, params, request.seed)
      : blindPlan(
          task,
          { corrupted: corruptedIds, cells, global, ...(request.bank ? { bank: request.bank } : {}) },
          params,
        );
  t = performance.now();
  const { onPredicted } = options;
  const run = await runPlan(plan, lm, {
    ...options,
    // Callers number cells 0..255: the plan counts the global words ahead of them, and a two-word prediction
    // may reach past the cells this task restores (they are not part of the result, so they are not shown).
    ...(onPredicted
      ? {
          onPredicted: (start: number, ids: readonly number[], probabilities: readonly number[]) => {
            const first = start - plan.globalCount;
            const keep = ids.flatMap((_, i) => (cells[first + i] === true ? [i] : []));
            if (keep.length === 0) return;
            // Consecutive by construction: predictions start on a restored cell and run into at most one more.
            onPredicted(
              first + (keep[0] ?? 0),
              keep.map((i) => ids[i] ?? 0),
              keep.map((i) => probabilities[i] ?? 0),
            );
          },
        }
      : {}),
  });
  const llm = (performance.now() - t) / 1000;

  const resultIds = run.sequence.slice(plan.globalCount);
  t = performance.now();
  // A global-branch decoder attends to the same global words the prompts began with.
  const grids = request.comparisons ? [resultIds, cleanIds] : [resultIds];
  const [decoded, cleanDecoded] = await tokenizer.decode(grids, branch ? grids.map(() => global) : undefined);
  if (!decoded) throw new Error('the tokenizer returned no image');
  const decode = (performance.now() - t) / 1000;

  const predictedCells = cells.flatMap((on, i) => (on ? [i] : []));
  // A local repair keeps the pixels it was not asked to restore: only the predicted cells are replaced.
  const local = isLocalRepair(task, 'region' in request.corruption);
  const place = (image: RgbImage) => (local ? pasteCells(corrupted, image, cells) : image);
  const result = place(decoded);
  const cleanWords = cleanDecoded ? place(cleanDecoded) : undefined;
  const classical =
    request.comparisons && TASKS[task].classical !== null
      ? place(classicalRestoration(corrupted, request.corruption))
      : undefined;
  const scored = (image: RgbImage) => ({
    psnr: psnrRgb(request.original, image),
    ssim: ssim(request.original, image),
  });
  const correct = predictedCells.filter((c) => resultIds[c] === cleanIds[c]).length;
  return {
    corrupted,
    decoded,
    result,
    ...(classical ? { classical } : {}),
    cleanIds,
    corruptedIds,
    resultIds,
    predictedCells,
    confidence: predictedCells.map((c) => run.confidence.get(plan.globalCount + c) ?? 0),
    global: branch ? global.map((id) => ({ id, text: branch.text(id) })) : [],
    metrics: {
      tokenAccuracy: predictedCells.length === 0 ? 1 : correct / predictedCells.length,
      psnr: psnrRgb(request.original, result),
      psnrY: psnrY(request.original, result),
      ssim: ssim(request.original, result),
      psnrCorrupted: psnrRgb(request.original, corrupted),
      ssimCorrupted: ssim(request.original, corrupted),
      ...(cleanWords ? { cleanWords: scored(cleanWords) } : {}),
      ...(classical ? { classical: scored(classical) } : {}),
    },
    promptTokens: run.promptTokens,
    evaluatedTokens: run.evaluatedTokens,
    timings: { encode, llm, decode },
  };
}

/** Copies the 8x8 pixel cells flagged in `cells` from `source` into a copy of `target` (both 128x128). */
export function pasteCells(target: RgbImage, source: RgbImage, cells: readonly boolean[]): RgbImage {
  const data = target.data.slice();
  const cell = target.width / 16;
  for (let y = 0; y < target.height; y++) {
    for (let x = 0; x < target.width; x++) {
      if (cells[Math.floor(y / cell) * 16 + Math.floor(x / cell)] !== true) continue;
      const i = (y * target.width + x) * 3;
      data[i] = source.data[i] ?? 0;
      data[i + 1] = source.data[i + 1] ?? 0;
      data[i + 2] = source.data[i + 2] ?? 0;
    }
  }
  return { width: target.width, height: target.height, data };
}
