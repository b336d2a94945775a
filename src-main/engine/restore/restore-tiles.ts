import type { WholeImageTask } from '../../../src-shared/tasks/registry';
import { throwIfCancelled } from '../jobs';
import { resizeImage } from '../image/resample';
import type { RgbImage } from '../image/types';
import type { LanguageModelBackend } from '../llm/backend';
import { psnrRgb, psnrY, ssim } from '../metrics';
import type { BankEntry } from '../protocol/blind';
import type { ProtocolName } from '../protocol/types';
import type { PlanProgress } from '../protocol/run-plan';
import type { V2LTokenizer } from '../tokenizer/tokenizer';
import type { Corruption } from './corruption';
import { restoreView, type RestoreViewResult } from './restore-view';
import {
  seamControl,
  seamRatio,
  TileBlend,
  tileAt,
  tileLayout,
  toWorkingSize,
  type TileOrigin,
} from './tiles';
import type { ImageScores } from './image-scores';

/** Whole-photo tasks: each tile gets the task's corruption and is restored as the paper's view is. */
export type WholePhotoCorruption = Extract<Corruption, { task: WholeImageTask }>;

export interface TiledRestoreRequest {
  readonly photo: RgbImage;
  readonly corruption: WholePhotoCorruption;
  readonly protocol: ProtocolName;
  readonly seed: number;
  readonly bank?: readonly BankEntry[];
}

export interface TileProgress {
  readonly done: number;
  readonly of: number;
  /** Seconds left at the pace of the tiles so far; null before the first tile ends. */
  readonly etaSeconds: number | null;
}

export interface TileWords {
  readonly origin: TileOrigin;
  readonly cleanIds: number[];
  readonly corruptedIds: number[];
  readonly resultIds: number[];
  /** The LM's probability for each predicted cell (every cell of the tile, in order). */
  readonly confidence: number[];
}

export interface TiledRestoreResult {
  /** At the photo's own size. */
  readonly result: RgbImage;
  readonly corrupted: RgbImage;
  /** Tile origins are at the working size (the photo's, or scaled up so its short side is 128 px). */
  readonly workingSize: { readonly width: number; readonly height: number };
  readonly tiles: readonly TileWords[];
  /**
   * The photo at the working size, and the blended result and corrupted tiles at that size (before the result is
   * scaled back to the photo's), so a tile's 128 px views can be cut from them.
   */
  readonly working: { readonly original: RgbImage; readonly corrupted: RgbImage; readonly result: RgbImage };
  readonly metrics: ImageScores & {
    /** Step energy where tiles meet against the photo's own there (tiles.ts seamRatio); NaN for one tile. */
    readonly seamRatio: number;
    /** The same measure inside the tiles, away from the joins: what seamRatio is read against. */
    readonly seamControl: number;
  };
  readonly promptTokens: number;
  /** Tokens the LM evaluated and the seconds it took, over all tiles: the run's measured speed. */
  readonly evaluatedTokens: number;
  readonly llmSeconds: number;
  readonly seconds: number;
}

export interface TiledRestoreOptions {
  readonly signal?: AbortSignal;
  /** After each tile. */
  readonly onTile?: (progress: TileProgress) => void;
  /** The words predicted so far within tile `index` (0-based) of `of`. */
  readonly onWords?: (index: number, of: number, words: PlanProgress) => void;
  /**
   * Each prediction of tile `index` as soon as it is made: its first cell (0..255), the words and their
   * probabilities (restoreView's onPredicted), so a live grid can follow the tile being restored.
   */
  readonly onPredicted?: (
    index: number,
    start: number,
    ids: readonly number[],
    probabilities: readonly number[],
  ) => void;
  /** Each tile's own restoration, as it ends (its corrupted input and decode are not kept otherwise). */
  readonly onTileRestored?: (index: number, origin: TileOrigin, restored: RestoreViewResult) => void;
}

/**
 * A whole-photo restoration at the photo's own resolution: 128 px tiles with overlap, each its own 16x16 grid
 * corrupted and restored like the paper's view, blended with feathered weights, then scored against the photo.
 */
export async function restoreTiles(
  tokenizer: V2LTokenizer,
  lm: LanguageModelBackend,
  request: TiledRestoreRequest,
  options: TiledRestoreOptions = {},
): Promise<TiledRestoreResult> {
  const started = performance.now();
  const work = toWorkingSize(request.photo);
  const origins = tileLayout(work.width, work.height);
  const result = new TileBlend(work.width, work.height);
  const corrupted = new TileBlend(work.width, work.height);
  const tiles: TileWords[] = [];
  let correct = 0;
  let predicted = 0;
  let promptTokens = 0;
  let evaluatedTokens = 0;
  let llmSeconds = 0;
  for (const [index, origin] of origins.entries()) {
    if (options.signal) throwIfCancelled(options.signal);
    const restored = await restoreView(
      tokenizer,
      lm,
      {
        original: tileAt(work, origin),
        corruption: request.corruption,
        protocol: request.protocol,
        seed: request.seed,
        ...(request.bank ? { bank: request.bank } : {}),
      },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onWords
          ? { onProgress: (p: PlanProgress) => options.onWords?.(index, origins.length, p) }
          : {}),
        ...(options.onPredicted
          ? {
              onPredicted: (start: number, ids: readonly number[], probabilities: readonly number[]) =>
                options.onPredicted?.(index, start, ids, probabilities),
            }
          : {}),
      },
    );
    options.onTileRestored?.(index, origin, restored);
    result.add(origin, restored.result);
    corrupted.add(origin, restored.corrupted);
    tiles.push({
      origin,
      cleanIds: restored.cleanIds,
      corruptedIds: restored.corruptedIds,
      resultIds: restored.resultIds,
      confidence: restored.confidence,
    });
    correct += restored.predictedCells.filter((c) => restored.resultIds[c] === restored.cleanIds[c]).length;
    predicted += restored.predictedCells.length;
    promptTokens += restored.promptTokens;
    evaluatedTokens += restored.evaluatedTokens;
    llmSeconds += restored.timings.llm;
    const elapsed = (performance.now() - started) / 1000;
    const done = index + 1;
    options.onTile?.({ done, of: origins.length, etaSeconds: (elapsed / done) * (origins.length - done) });
  }
  const atPhotoSize = (image: RgbImage) =>
    image.width === request.photo.width && image.height === request.photo.height
      ? image
      : resizeImage(image, request.photo.width, request.photo.height);
  const blended = result.image();
  const photo = request.photo;
  const out = atPhotoSize(blended);
  const damagedWork = corrupted.image();
  const damaged = atPhotoSize(damagedWork);
  return {
    result: out,
    corrupted: damaged,
    workingSize: { width: work.width, height: work.height },
    tiles,
    working: { original: work, corrupted: damagedWork, result: blended },
    metrics: {
      tokenAccuracy: predicted === 0 ? 1 : correct / predicted,
      psnr: psnrRgb(photo, out),
      psnrY: psnrY(photo, out),
      ssim: ssim(photo, out),
      psnrCorrupted: psnrRgb(photo, damaged),
      ssimCorrupted: ssim(photo, damaged),
      seamRatio: seamRatio(blended, work, origins),
      seamControl: seamControl(blended, work, origins),
    },
    promptTokens,
    evaluatedTokens,
    llmSeconds,
    seconds: (performance.now() - started) / 1000,
  };
}
