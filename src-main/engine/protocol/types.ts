import { paperInpaintCells, paperOutpaintCells } from '../corrupt/token-cells';

import type { Protocol, Task } from '../../../src-shared/contract/restore';
import { TASKS } from '../../../src-shared/tasks/registry';

export type { Task };
export type ProtocolName = Protocol;

export const GRID = 16;
export const CELLS = GRID * GRID;

export interface ProtocolParams {
  /** Words generated per prompt. The published runs: 2. */
  readonly step: number;
  /** Words of context before the predicted ones (in/outpainting). The published runs: 16. */
  readonly promptLength: number;
  /** Disturbance rate of each in-context example, one example per rate. */
  readonly disturbRates: readonly number[];
}

/** The authors' settings (eval_denoising_generation.py): step 2, 16 words of context, 10 examples. */
export const PAPER_PARAMS: ProtocolParams = {
  step: 2,
  promptLength: 16,
  disturbRates: [0.5, 0.47, 0.44, 0.41, 0.38, 0.35, 0.32, 0.29, 0.26, 0.23],
};

/**
 * What a protocol hands the runner: where to predict, in which order, and how to build each prompt from the
 * current working grid. Sequential plans (in/outpainting) must be run in order, writing each prediction back
 * before the next prompt is built; independent plans can be batched.
 */
export interface RestorationPlan {
  readonly task: Task;
  readonly protocol: ProtocolName;
  readonly step: number;
  readonly sequential: boolean;
  /** Global tokens (when the pack has them) followed by the 256 local words the run starts from. */
  readonly initial: readonly number[];
  /** How many leading entries of `initial` are global tokens. */
  readonly globalCount: number;
  /** Indices into the sequence (so local cell c is globalCount + c) where each prompt's prediction starts. */
  readonly starts: readonly number[];
  /** The prompt for the prediction at `start`, given the working sequence so far. Pure. */
  promptAt(start: number, working: readonly number[]): number[];
}

/** Writes a prediction back into the working sequence, clipped at its end (as the authors do). */
export function writeBack(working: number[], start: number, predicted: readonly number[]): void {
  for (let i = 0; i < predicted.length && start + i < working.length; i++)
    working[start + i] = predicted[i] ?? 0;
}

/** Local cells (0..255) the task predicts, as the authors define them: centre 8x8, bottom half, or all. */
export function taskCells(task: Task): boolean[] {
  switch (TASKS[task].paperCells) {
    case 'centre':
      return paperInpaintCells();
    case 'bottom-half':
      return paperOutpaintCells();
    case 'all':
      return new Array<boolean>(CELLS).fill(true);
  }
}

/**
 * Prediction starts in the authors' order: walk the sequence, and wherever a predicted cell begins, predict
 * `step` words from there and jump past them.
 */
export function planStarts(cells: readonly boolean[], globalCount: number, step: number): number[] {
  const starts: number[] = [];
  let cell = 0;
  while (cell < cells.length) {
    if (cells[cell]) {
      starts.push(globalCount + cell);
      cell += step;
    } else {
      cell += 1;
    }
  }
  return starts;
}
