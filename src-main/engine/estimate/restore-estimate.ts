import type { Settings } from '../../../src-shared/contract/api';
import type { RestoreEstimate } from '../../../src-shared/contract/estimate';
import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { TASKS } from '../../../src-shared/tasks/registry';
import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import type { LanguageModelBackend } from '../llm/backend';
import type { ModelSet } from '../restore/models';
import { plannedTokens } from '../restore/full-resolution-run';
import { prepareRestoreOffThread } from '../workers/image-pool';
import { chosenLm, estimateFrom, planShapeOf } from './estimate';
import type { LmSpeedStore } from './lm-speed';
import { countPlanTokens, standInPrompts, type PlanShape } from './plan-tokens';

export interface EstimateDeps {
  readonly models: ModelSet;
  readonly speeds: LmSpeedStore;
  readonly settings: () => Settings;
  readonly sampleCount: number;
}

/**
 * The expected time of a restoration, before it runs: its prompts counted from the request, at the speed
 * measured for the chosen model. With `calibrate`, a model not measured yet is measured first: loaded if it is
 * not (a restoration would load it anyway), then timed on a few of this restoration's own prompts.
 */
export class Estimator {
  /** Calibrations holding or waiting for the models' lock: they wait for each other, never for a restoration. */
  private calibrating = 0;

  constructor(private readonly deps: EstimateDeps) {}

  async estimate(photo: RgbImage, request: RestoreRequest, calibrate: boolean): Promise<RestoreEstimate> {
    const { deps } = this;
    const prepared = await prepareRestoreOffThread(photo, request);
    const tokenizer = await deps.models.tokenizer();
    const globalCount = tokenizer.info.global?.tokens ?? 0;
    const { sequential } = TASKS[request.task];
    const shape = (sequences: number): PlanShape =>
      planShapeOf(prepared, request, globalCount, deps.sampleCount, sequences);
    const current = async () => {
      const loaded = deps.models.lmLoaded() ? await deps.models.lm() : null;
      const lm = await chosenLm(deps.settings(), loaded, sequential);
      return {
        lm,
        estimate: estimateFrom(
          // At full resolution every tile is the same plan.
          plannedTokens(prepared, request, countPlanTokens(shape(lm.key.sequences))),
          lm,
          deps.speeds,
          loaded !== null,
        ),
      };
    };
    const first = await current();
    if (!calibrate || !first.estimate.canCalibrate) return first.estimate;

    if (deps.models.lock.pending > this.calibrating) {
      throw new StudioError(
        'BUSY',
        'Another job is using the language model: its speed can be measured when that job ends.',
      );
    }
    // Measured under the models' lock, so it never runs beside a restoration and slows both.
    this.calibrating++;
    try {
      await deps.models.lock.run(
        new AbortController().signal,
        () => undefined,
        async () => {
          // The calibration this one waited for may have measured the same model already.
          if (!(await current()).estimate.canCalibrate) return;
          const model = await deps.models.lm();
          const lm = await chosenLm(deps.settings(), model, sequential);
          const secondsPerToken = await timePrompts(model, shape(lm.key.sequences));
          deps.speeds.recordCalibration(lm.key, secondsPerToken, lm.parameters);
        },
      );
    } finally {
      this.calibrating--;
    }
    return (await current()).estimate;
  }
}

/** A calibration times at least this much work: a single batch of a small model is over too soon to time well. */
const CALIBRATION_SECONDS = 0.5;

/**
 * Seconds per evaluated token of `lm` on the first prompts of a restoration shaped like `shape`, run as the
 * restoration runs them: one per sequence for batched prompts, the first two (the second reusing the first's
 * cached prefix) for sequential ones, then four times as many until the timed work lasts CALIBRATION_SECONDS. A
 * big model is timed on its first prompts alone.
 */
export async function timePrompts(lm: LanguageModelBackend, shape: PlanShape): Promise<number> {
  const { prompts, step, sequential } = standInPrompts(shape);
  const first = prompts[0];
  if (!first) {
    throw new StudioError('INVALID_ARGUMENT', 'The restoration predicts no words: there is nothing to time.');
  }
  // The first evaluation after loading allocates llama.cpp's buffers: a cost a restoration pays once, not per token.
  await lm.generate([first.slice(-8)], 1);
  let count = sequential ? 2 : Math.max(1, lm.sequenceCount);
  for (;;) {
    const timed = prompts.slice(0, count);
    let evaluated = 0;
    const options = { onPromptDone: (_: number, tokens: number) => (evaluated += tokens) };
    const started = performance.now();
    if (sequential) {
      for (const prompt of timed) await lm.generate([prompt], step, options);
    } else {
      await lm.generate(timed, step, options);
    }
    const seconds = (performance.now() - started) / 1000;
    if (seconds >= CALIBRATION_SECONDS || count >= prompts.length) return seconds / Math.max(1, evaluated);
    count = Math.min(prompts.length, count * 4);
  }
}
