import type { Settings } from '../../src-shared/contract/api';
import type { RestoreEstimate } from '../../src-shared/contract/estimate';
import type { Protocol, Task } from '../../src-shared/contract/restore';
import { TASKS } from '../../src-shared/tasks/registry';
import { chosenLm, estimateFrom, planShape } from '../engine/estimate/estimate';
import { LmSpeedStore } from '../engine/estimate/lm-speed';
import { countPlanTokens } from '../engine/estimate/plan-tokens';
import { timePrompts } from '../engine/estimate/restore-estimate';
import type { ModelSet } from '../engine/restore/models';

/**
 * The studio's cost estimate for `v2l restore`: the work counted from the restoration's plan (times its tiles),
 * at the speed the studio measured for the chosen model, else at a calibration made now. What the CLI measures
 * (calibrations, then each restored view) informs the next photo of a folder but stays in memory: the CLI reads
 * the studio's data folder and never writes it.
 */
export class CliEstimator {
  private readonly speeds: LmSpeedStore;
  private readonly globalCount: Promise<number>;

  constructor(
    private readonly models: ModelSet,
    private readonly settings: Settings,
    dataDir: string,
    private readonly sampleCount: number,
  ) {
    this.speeds = new LmSpeedStore(dataDir, true);
    this.globalCount = models.tokenizer().then((t) => t.info.global?.tokens ?? 0);
  }

  /** The expected LM time of restoring `cells` of each of `tiles` grids. */
  async estimate(
    task: Task,
    protocol: Protocol,
    cells: readonly boolean[],
    tiles = 1,
  ): Promise<RestoreEstimate> {
    const lm = await this.models.lm();
    const chosen = await chosenLm(this.settings, lm, TASKS[task].sequential);
    const shape = planShape(
      task,
      protocol,
      cells,
      await this.globalCount,
      this.sampleCount,
      lm.sequenceCount,
    );
    const one = countPlanTokens(shape);
    const counts = {
      prompts: one.prompts * tiles,
      promptTokens: one.promptTokens * tiles,
      evaluatedTokens: one.evaluatedTokens * tiles,
    };
    const estimate = estimateFrom(counts, chosen, this.speeds, true);
    if (!estimate.canCalibrate) return estimate;
    this.speeds.recordCalibration(chosen.key, await timePrompts(lm, shape), chosen.parameters);
    return estimateFrom(counts, chosen, this.speeds, true);
  }

  /** A restored view's measured speed, for the next estimate. */
  async recordRun(task: Task, llmSeconds: number, evaluatedTokens: number): Promise<void> {
    if (evaluatedTokens <= 0) return;
    const chosen = await chosenLm(this.settings, await this.models.lm(), TASKS[task].sequential);
    this.speeds.recordRun(chosen.key, llmSeconds / evaluatedTokens, chosen.parameters);
  }
}
