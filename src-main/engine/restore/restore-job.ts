import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { TASKS } from '../../../src-shared/tasks/registry';
import type { RgbImage } from '../image/types';
import type { JobContext } from '../jobs';
import type { Db } from '../store/store';
import { completeRun, endRun, startRun } from '../store/runs';
import { bankFor } from './bank';
import type { Settings } from '../../../src-shared/contract/api';
import { chosenLm, estimateFrom, planShapeOf } from '../estimate/estimate';
import type { LmSpeedStore } from '../estimate/lm-speed';
import { countPlanTokens } from '../estimate/plan-tokens';
import type { ModelSet } from './models';
import { restoreView } from './restore-view';
import { predictedCells, runOutputs, type PredictedCells } from './run-outputs';
import { pasteWindowOffThread, prepareRestoreOffThread } from '../workers/image-pool';
import type { PreparedRestore } from './prepare';
import { plannedTokens, restoreFullResolution } from './full-resolution-run';
import { scoreRecord } from './image-scores';

export { prepareRestore } from './prepare';

export interface RestoreJobDeps {
  readonly db: Db;
  readonly dataDir: string;
  readonly models: ModelSet;
  readonly samplePaths: readonly string[];
  /** Where each run's measured speed goes, for the next estimate. */
  readonly speeds: LmSpeedStore;
  readonly settings: () => Settings;
}

/** Details of a finished run that the store's columns do not hold, kept next to its images as run.json. */
export interface RunDetails {
  readonly cleanIds: number[];
  readonly corruptedIds: number[];
  readonly resultIds: number[];
  readonly predictedCells: number[];
  readonly confidence: number[];
  readonly window: { x: number; y: number; side: number } | null;
  /** The global words of the run (id in the pack's global vocabulary, and text); absent in older runs. */
  readonly global?: { id: number; text: string }[];
  /**
   * A run restored at full resolution: each tile's top-left at the working size and its words (the fields above
   * are then the first tile's), and that working size; absent for a run of one view.
   */
  readonly tiles?: {
    x: number;
    y: number;
    cleanIds: number[];
    corruptedIds: number[];
    resultIds: number[];
    confidence: number[];
  }[];
  readonly workingSize?: { width: number; height: number };
}

/**
 * A restoration as the studio runs it: prepare the view (a window around marked damage, or the paper's view of
 * the whole photo), restore it, write the images, and record the run; at full resolution, the whole photo tile
 * by tile instead (full-resolution-run.ts). The run row is created first and
 * completed in one transaction with its outputs, so a crash leaves either a finished run or one marked failed.
 */
export async function runRestoreJob(
  deps: RestoreJobDeps,
  imageId: number,
  photo: () => Promise<RgbImage>,
  request: RestoreRequest,
  ctx: JobContext,
  onStarted: (runId: number) => void,
  onPredicted: (runId: number, cells: PredictedCells) => void,
): Promise<number> {
  // Preparing draws the mask over the whole photo: done in an image worker, so the server keeps answering. The
  // turn is taken now, so jobs run in the order they were started, not in the order their preparations happen
  // to finish (a job cancelled in the queue must never have started). The photo is read and prepared once the
  // job is next in line, while the job ahead runs: a batch of a hundred 12 MP photos then holds two of them in
  // memory, not a hundred.
  let preparing: Promise<PreparedRestore> | null = null;
  const prepare = () => (preparing ??= photo().then((pixels) => prepareRestoreOffThread(pixels, request)));
  // A result must not depend on what else runs: restorations take the models one at a time.
  return deps.models.lock.run(
    ctx.signal,
    (ahead) => ctx.queued(`Queued: waiting for ${ahead} earlier job${ahead === 1 ? '' : 's'} to finish`),
    async () => restoreLocked(deps, imageId, request, await prepare(), ctx, onStarted, onPredicted),
    // Started early, awaited when the turn comes; a job cancelled before then leaves its failure unreported.
    () => void prepare().catch(() => undefined),
  );
}

async function restoreLocked(
  deps: RestoreJobDeps,
  imageId: number,
  request: RestoreRequest,
  prepared: PreparedRestore,
  ctx: JobContext,
  onStarted: (runId: number) => void,
  onPredicted: (runId: number, cells: PredictedCells) => void,
): Promise<number> {
  const { view, corruption, window, canvas } = prepared;
  ctx.progress(0, 1, 'Loading models');
  const tokenizer = await deps.models.tokenizer();
  const lm = await deps.models.lm();
  // What the studio expected this run to take, kept beside what it took, and the speed it measured for the next.
  const chosen = await chosenLm(deps.settings(), lm, TASKS[request.task].sequential);
  const shape = planShapeOf(
    prepared,
    request,
    tokenizer.info.global?.tokens ?? 0,
    deps.samplePaths.length,
    lm.sequenceCount,
  );
  const planned = plannedTokens(prepared, request, countPlanTokens(shape));
  const estimated = estimateFrom(planned, chosen, deps.speeds, true).seconds;
  const runId = startRun(deps.db, {
    imageId,
    task: request.task,
    protocol: request.protocol,
    params: request,
    tokenizerId: tokenizer.info.name,
    lmId: lm.name,
  });
  onStarted(runId);
  try {
    const bank = await bankFor(tokenizer, deps.samplePaths, request.protocol, corruption);
    if (request.resolution === 'full') {
      await restoreFullResolution({
        deps,
        runId,
        request,
        prepared,
        tokenizer,
        lm,
        bank,
        chosen,
        estimated,
        ctx,
        onPredicted: (cells) => onPredicted(runId, cells),
      });
      ctx.progress(1, 1, 'Done');
      return runId;
    }
    const started = performance.now();
    const result = await restoreView(
      tokenizer,
      lm,
      {
        original: view,
        corruption,
        protocol: request.protocol,
        seed: request.seed ?? 0,
        ...(bank ? { bank } : {}),
        comparisons: true,
      },
      {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.done, p.of, 'Predicting words', p.tokensPerSecond),
        onPredicted: (start, ids, probabilities) =>
          onPredicted(runId, predictedCells(start, ids, probabilities)),
      },
    );
    const { outputs, save, saveDetails } = runOutputs(deps.dataDir, runId);
    await save('original', view);
    await save('corrupted', result.corrupted);
    await save('decoded', result.decoded);
    await save('result', result.result);
    if (result.classical) await save('classical', result.classical);
    if (window)
      await save('photo', await pasteWindowOffThread(canvas, window, result.result, result.decoded));
    const details: RunDetails = {
      cleanIds: result.cleanIds,
      corruptedIds: result.corruptedIds,
      resultIds: result.resultIds,
      predictedCells: result.predictedCells,
      confidence: result.confidence,
      window: window ? { x: window.x, y: window.y, side: window.side } : null,
      global: [...result.global],
    };
    saveDetails(details);
    const m = result.metrics;
    completeRun(deps.db, runId, {
      tokensBefore: result.corruptedIds,
      tokensAfter: result.resultIds,
      metrics: {
        ...scoreRecord(m),
        ...(m.cleanWords ? { psnr_clean_words: m.cleanWords.psnr, ssim_clean_words: m.cleanWords.ssim } : {}),
        ...(m.classical ? { psnr_classical: m.classical.psnr, ssim_classical: m.classical.ssim } : {}),
        prompt_tokens: result.promptTokens,
      },
      timings: {
        ...result.timings,
        // What the model's time bought. It depends on what its sequences still held from the run before (a shared
        // prefix is not evaluated again), so it sits with the timings: the results never depend on what ran before.
        evaluated_tokens: result.evaluatedTokens,
        total: (performance.now() - started) / 1000,
        ...(estimated !== null ? { llm_estimated: estimated } : {}),
      },
      outputs,
    });
    if (result.evaluatedTokens > 0) {
      deps.speeds.recordRun(chosen.key, result.timings.llm / result.evaluatedTokens, chosen.parameters);
    }
    ctx.progress(1, 1, 'Done');
    return runId;
  } catch (error) {
    const cancelled = ctx.signal.aborted;
    endRun(
      deps.db,
      runId,
      cancelled ? 'cancelled' : 'failed',
      error instanceof Error ? error.message : String(error),
    );
    throw error;
  }
}
