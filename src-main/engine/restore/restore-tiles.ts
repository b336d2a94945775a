import type { WholeImageTask } from '../../../src-shared/tasks/registry';
import { throwIfCancelled } from '../jobs';
import { resizeImage } from '../image/resample';
import type { RgbImage } from '../image/types';
import type { LanguageModelBackend } from '../llm/backend';
import { psnrRgb, psnrY, ssim } from '../metrics';
import type { BankEntry } from '../protocol/blind';
import type { ProtocolName } from '../protocol/types';
import type { V2LTokenizer } from '../tokenizer/tokenizer';
import type { Corruption } from './corruption';
import { restoreView } from './restore-view';
import {
  seamControl,
  seamRatio,
  TileBlend,
  tileAt,
  tileLayout,
  toWorkingSize,
  type TileOrigin,
} from './tiles';

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
}

export interface TiledRestoreResult {
  /** At the photo's own size. */
  readonly result: RgbImage;
  readonly corrupted: RgbImage;
  /** Tile origins are at the working size (the photo's, or scaled up so its short side is 128 px). */
  readonly workingSize: { readonly width: number; readonly height: number };
  readonly tiles: readonly TileWords[];
  readonly metrics: {
    readonly tokenAccuracy: number;
    readonly psnr: number;
    readonly psnrY: number;
    readonly ssim: number;
    readonly psnrCorrupted: number;
    readonly ssimCorrupted: number;
    /** Step energy where tiles meet against the photo's own there (tiles.ts seamRatio); NaN for one tile. */
    readonly seamRatio: number;
    /** The same measure inside the tiles, away from the joins: what seamRatio is read against. */
    readonly seamControl: number;
  };
  readonly promptTokens: number;
  readonly seconds: number;
}

/**
 * A whole-photo restoration at the photo's own resolution: 128 px tiles with overlap, each its own 16x16 grid
 * corrupted and restored like the paper's view, blended with feathered weights, then scored against the photo.
 */
export async function restoreTiles(
  tokenizer: V2LTokenizer,
  lm: LanguageModelBackend,
  request: TiledRestoreRequest,
  options: { readonly signal?: AbortSignal; readonly onTile?: (progress: TileProgress) => void } = {},
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
      options.signal ? { signal: options.signal } : {},
    );
    result.add(origin, restored.result);
    corrupted.add(origin, restored.corrupted);
    tiles.push({
      origin,
      cleanIds: restored.cleanIds,
      corruptedIds: restored.corruptedIds,
      resultIds: restored.resultIds,
    });
    correct += restored.predictedCells.filter((c) => restored.resultIds[c] === restored.cleanIds[c]).length;
    predicted += restored.predictedCells.length;
    promptTokens += restored.promptTokens;
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
  const damaged = atPhotoSize(corrupted.image());
  return {
    result: out,
    corrupted: damaged,
    workingSize: { width: work.width, height: work.height },
    tiles,
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
    seconds: (performance.now() - started) / 1000,
  };
}
