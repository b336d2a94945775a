import { TASKS } from '../../../src-shared/tasks/registry';
import { StudioError } from '../errors';
import { exampleIds, framing, queryIds } from './framing';
import { checkGrid } from './reference';
import {
  CELLS,
  GRID,
  planStarts,
  taskCells,
  type ProtocolName,
  type ProtocolParams,
  type RestorationPlan,
  type Task,
} from './types';

/**
 * Whether a restoration of `task` with `protocol` reads a bank of other photos degraded alike: the blind protocol
 * of the tasks whose blind examples the registry takes from a bank (blindExamples). The one rule the protocol, the
 * bank's loading and the cost estimate follow.
 */
export function usesBank(task: Task, protocol: ProtocolName): boolean {
  return protocol === 'blind' && TASKS[task].blindExamples === 'bank';
}

/** A bank image for blind deblur/shift/rotation: its clean words and its words after the same degradation. */
export interface BankEntry {
  readonly clean: readonly number[];
  readonly degraded: readonly number[];
}

export interface BlindInput {
  /** The damaged image's 256 local words: all this protocol knows about the photo. */
  readonly corrupted: readonly number[];
  readonly global?: readonly number[];
  /** Cells to predict (the damage); defaults to the task's cells. */
  readonly cells?: readonly boolean[];
  /** Other images degraded the same way (the tasks that use a bank: usesBank). */
  readonly bank?: readonly BankEntry[];
}

/**
 * The studio's protocol for photos without a clean reference: the same prompt shape as the authors', with
 * in-context examples built only from what a user really has.
 *
 * - In/outpainting: "16 words before -> next words" pairs taken from the intact part of the same grid, the pairs
 *   nearest to the predicted position (grid distance), nearest last. Predicted cells never serve as examples.
 * - Deblur/shift/rotation: at the same grid position, the degraded -> clean words of other images (the bank)
 *   degraded the same way.
 *
 * Limits: the examples show the language of this kind of image, not the answer, so a frozen LM can only succeed
 * where the local statistics of intact regions or other photos predict the missing words.
 */
export function blindPlan(
  task: Task,
  input: BlindInput,
  params: ProtocolParams,
  examples = 10,
): RestorationPlan {
  checkGrid(input.corrupted, 'corrupted');
  const global = input.global ?? [];
  const globalCount = global.length;
  const working0 = [...global, ...input.corrupted];
  const cells = input.cells ?? taskCells(task);
  const { sequential } = TASKS[task];
  const frame = framing(params.step);
  const { step, promptLength } = params;
  const common = {
    task,
    protocol: 'blind' as const,
    step,
    sequential,
    initial: working0,
    globalCount,
    starts: planStarts(cells, globalCount, step),
  };

  if (TASKS[task].blindExamples === 'intact') {
    const sources = exampleStarts(cells, promptLength, step, examples);
    if (sources.length === 0) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `Blind ${task} needs intact words to learn from, and the damage covers the whole image: mark a smaller region.`,
      );
    }
    return {
      ...common,
      promptAt(start, working) {
        const target = start - globalCount;
        const ids = [...frame.instruction];
        for (const source of nearest(sources, target, examples)) {
          const at = globalCount + source;
          ids.push(
            ...exampleIds(frame, working0.slice(at - promptLength, at), working0.slice(at, at + step)),
          );
        }
        ids.push(...queryIds(frame, working.slice(Math.max(0, start - promptLength), start)));
        return ids;
      },
    };
  }

  const bank = input.bank ?? [];
  if (bank.length === 0) {
    throw new StudioError(
      'MODEL_INVALID',
      `Blind ${task} needs a bank of example images degraded the same way, and the model pack has none for it.`,
    );
  }
  for (const entry of bank) {
    checkGrid(entry.clean, 'bank clean');
    checkGrid(entry.degraded, 'bank degraded');
  }
  const used = bank.slice(0, examples);
  return {
    ...common,
    promptAt(start, working) {
      const local = start - globalCount;
      const ids = [...frame.instruction];
      for (const entry of used) {
        ids.push(
          ...exampleIds(
            frame,
            entry.degraded.slice(local, local + step),
            entry.clean.slice(local, local + step),
          ),
        );
      }
      ids.push(...queryIds(frame, working.slice(start, start + step)));
      return ids;
    },
  };
}

/** Local cells p where the words [p - promptLength, p + step) are all intact. */
/**
 * Where examples start: runs of `promptLength + step` intact words (the context and the words after it) when there
 * are enough of them; otherwise (damage in every row, as when the canvas is extended sideways, breaks every run of
 * 18 in raster order) also the positions whose `step` words are intact and whose context is mostly intact, most
 * intact first. Such a context shows the damaged cells as they are, grey, as the query's does.
 */
function exampleStarts(
  damaged: readonly boolean[],
  promptLength: number,
  step: number,
  wanted: number,
): number[] {
  const whole = intactPairStarts(damaged, promptLength, step);
  if (whole.length >= wanted) return whole;
  const partial: { p: number; intact: number }[] = [];
  for (let p = promptLength; p + step <= CELLS; p++) {
    if (whole.includes(p)) continue;
    let targets = true;
    for (let i = p; i < p + step; i++) targets &&= !damaged[i];
    if (!targets) continue;
    let intact = 0;
    for (let i = p - promptLength; i < p; i++) if (!damaged[i]) intact += 1;
    if (intact * 2 >= promptLength) partial.push({ p, intact });
  }
  partial.sort((a, b) => b.intact - a.intact || a.p - b.p);
  // Among the best-kept contexts, enough to choose the nearest from.
  const floor = partial[Math.min(partial.length, wanted * 4) - 1]?.intact ?? promptLength;
  return [...whole, ...partial.filter((c) => c.intact >= floor).map((c) => c.p)].sort((a, b) => a - b);
}

function intactPairStarts(damaged: readonly boolean[], promptLength: number, step: number): number[] {
  const starts: number[] = [];
  for (let p = promptLength; p + step <= CELLS; p++) {
    let intact = true;
    for (let i = p - promptLength; i < p + step && intact; i++) intact = !damaged[i];
    if (intact) starts.push(p);
  }
  return starts;
}

/** The `count` sources nearest to `target` on the grid, ordered from farthest to nearest. */
function nearest(sources: readonly number[], target: number, count: number): number[] {
  const distance = (p: number) =>
    Math.hypot(Math.floor(p / GRID) - Math.floor(target / GRID), (p % GRID) - (target % GRID));
  return [...sources]
    .sort((a, b) => distance(a) - distance(b) || a - b)
    .slice(0, count)
    .reverse();
}
