import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { isWholeImageTask } from '../../../src-shared/tasks/registry';
import { StudioError } from '../errors';
import type { ChosenLm } from '../estimate/estimate';
import type { PlanTokens } from '../estimate/plan-tokens';
import type { JobContext } from '../jobs';
import type { LanguageModelBackend } from '../llm/backend';
import type { BankEntry } from '../protocol/blind';
import { completeRun } from '../store/runs';
import type { V2LTokenizer } from '../tokenizer/tokenizer';
import type { PreparedRestore } from './prepare';
import type { RestoreJobDeps, RunDetails } from './restore-job';
import { predictedCells, runOutputs, type PredictedCells } from './run-outputs';
import { restoreTiles, type WholePhotoCorruption } from './restore-tiles';
import { TileSheet } from './tile-sheet';
import { tileAt, tileCount, tileLayout, workingSize } from './tiles';
import { scoreRecord } from './image-scores';

/** The counted work of one tile, for all of them: each tile is the same 16x16 plan. */
export function timesTiles(counts: PlanTokens, tiles: number): PlanTokens {
  return {
    ...counts,
    prompts: counts.prompts * tiles,
    promptTokens: counts.promptTokens * tiles,
    evaluatedTokens: counts.evaluatedTokens * tiles,
  };
}

/** The counted work of a request: one view's, or at full resolution every tile's. */
export function plannedTokens(
  prepared: PreparedRestore,
  request: RestoreRequest,
  counts: PlanTokens,
): PlanTokens {
  return request.resolution === 'full'
    ? timesTiles(counts, tileCount(prepared.canvas.width, prepared.canvas.height))
    : counts;
}

/**
 * The corruption each tile gets: the request's own (deblur's kernel and sigma, the shift's offset at 128 px, the
 * quarter turns), which prepareRestore made for the 128 px view; every one of them has a per-tile form. The
 * authors' crop shift has none, but a studio request never asks for it (the CLI's evaluation does).
 */
function tileCorruptionOf(prepared: PreparedRestore, request: RestoreRequest): WholePhotoCorruption {
  const { corruption } = prepared;
  if (!isWholeImageTask(corruption.task) || prepared.window !== null) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `Full resolution applies to deblur of the whole photo, shift and rotate, not ${request.task}` +
        `${prepared.window ? ' with a marked region' : ''}.`,
    );
  }
  return corruption as WholePhotoCorruption;
}

export interface FullResolutionRun {
  readonly deps: RestoreJobDeps;
  readonly runId: number;
  readonly request: RestoreRequest;
  readonly prepared: PreparedRestore;
  readonly tokenizer: V2LTokenizer;
  readonly lm: LanguageModelBackend;
  readonly bank: readonly BankEntry[] | undefined;
  readonly chosen: ChosenLm;
  readonly estimated: number | null;
  readonly ctx: JobContext;
  /** The words of the tile being restored, as they are predicted (the Run panel's live grid follows them). */
  readonly onPredicted: (cells: PredictedCells) => void;
}

/**
 * A whole-photo restoration at the photo's own size, as the studio runs it: the (cropped) photo restored tile by
 * tile (restore-tiles.ts), with progress per tile; the run keeps the result at the photo's size (`photo`, what
 * export's photo source writes), the working-size original, corrupted and result images and each tile's own
 * corrupted input and decode (so the inspector can show any tile's 128 px views), and each tile's words.
 */
export async function restoreFullResolution(run: FullResolutionRun): Promise<void> {
  const { deps, runId, request, prepared, ctx } = run;
  const corruption = tileCorruptionOf(prepared, request);
  const photo = prepared.canvas;
  const work = workingSize(photo.width, photo.height);
  const origins = tileLayout(work.width, work.height);
  const corruptedSheet = new TileSheet(origins);
  const decodedSheet = new TileSheet(origins);
  const started = performance.now();
  const result = await restoreTiles(
    run.tokenizer,
    run.lm,
    {
      photo,
      corruption,
      protocol: request.protocol,
      seed: request.seed ?? 0,
      ...(run.bank ? { bank: run.bank } : {}),
    },
    {
      signal: ctx.signal,
      onPredicted: (_, start, ids, probabilities) =>
        run.onPredicted(predictedCells(start, ids, probabilities)),
      // One step per word over all tiles, so the job's ETA runs over the whole photo, not the current tile.
      onWords: (index, of, words) =>
        ctx.progress(
          index * words.of + words.done,
          of * words.of,
          `Restoring tile ${index + 1} of ${of}`,
          words.tokensPerSecond,
        ),
      onTileRestored: (index, _origin, restored) => {
        corruptedSheet.put(index, restored.corrupted);
        decodedSheet.put(index, restored.decoded);
      },
    },
  );

  const { outputs, save, saveDetails } = runOutputs(deps.dataDir, runId);
  const first = origins[0] ?? { x: 0, y: 0 };
  const firstTile = result.tiles[0];
  // The 128 px views of the first tile under the usual names, so whatever reads a run's views reads these.
  await save('original', tileAt(result.working.original, first));
  await save('corrupted', tileAt(corruptedSheet.image, { x: 0, y: 0 }));
  await save('decoded', tileAt(decodedSheet.image, { x: 0, y: 0 }));
  await save('result', tileAt(result.working.result, first));
  await save('photo', result.result);
  await save('working-original', result.working.original);
  await save('working-corrupted', result.working.corrupted);
  await save('working-result', result.working.result);
  await save('tiles-corrupted', corruptedSheet.image);
  await save('tiles-decoded', decodedSheet.image);
  const details: RunDetails = {
    cleanIds: firstTile?.cleanIds ?? [],
    corruptedIds: firstTile?.corruptedIds ?? [],
    resultIds: firstTile?.resultIds ?? [],
    predictedCells: Array.from({ length: 256 }, (_, i) => i),
    confidence: firstTile?.confidence ?? [],
    window: null,
    tiles: result.tiles.map((t) => ({
      x: t.origin.x,
      y: t.origin.y,
      cleanIds: t.cleanIds,
      corruptedIds: t.corruptedIds,
      resultIds: t.resultIds,
      confidence: t.confidence,
    })),
    workingSize: result.workingSize,
  };
  saveDetails(details);

  const m = result.metrics;
  // A photo of one tile has no join: its seam measures are NaN, which a JSON record cannot hold.
  const finite = (key: string, value: number) => (Number.isFinite(value) ? { [key]: value } : {});
  completeRun(deps.db, runId, {
    tokensBefore: result.tiles.flatMap((t) => t.corruptedIds),
    tokensAfter: result.tiles.flatMap((t) => t.resultIds),
    metrics: {
      ...scoreRecord(m),
      ...finite('seam_ratio', m.seamRatio),
      ...finite('seam_control', m.seamControl),
      prompt_tokens: result.promptTokens,
      tiles: result.tiles.length,
    },
    timings: {
      llm: result.llmSeconds,
      // With the timings, as a view run keeps it (restore-job.ts): it depends on what the cache held before.
      evaluated_tokens: result.evaluatedTokens,
      total: (performance.now() - started) / 1000,
      ...(run.estimated !== null ? { llm_estimated: run.estimated } : {}),
    },
    outputs,
  });
  if (result.evaluatedTokens > 0) {
    deps.speeds.recordRun(run.chosen.key, result.llmSeconds / result.evaluatedTokens, run.chosen.parameters);
  }
}
