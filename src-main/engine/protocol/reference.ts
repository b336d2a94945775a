import { TASKS } from '../../../src-shared/tasks/registry';
import { mulberry32, type Rng } from '../corrupt/random';
import { StudioError } from '../errors';
import { FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID } from '../tokenizer/vocabulary';
import { exampleIds, framing, queryIds } from './framing';
import { CELLS, planStarts, taskCells, type ProtocolParams, type RestorationPlan, type Task } from './types';

export interface ReferenceInput {
  /** The clean image's 256 local words: the reference this protocol is allowed to see. */
  readonly clean: readonly number[];
  /** The corrupted image's 256 local words (for in/outpainting the authors start from the clean ones). */
  readonly corrupted: readonly number[];
  /** Global tokens of the clean image, when the pack has a global branch (21 in the published runs). */
  readonly global?: readonly number[];
  /** Cells to predict; defaults to the task's cells as the authors define them. */
  readonly cells?: readonly boolean[];
}

/**
 * The authors' evaluation protocol (eval_denoising_generation.py). Its ten in-context examples are copies of the
 * CLEAN image's own words with 50 % ... 23 % of positions replaced at random, so it measures restoration when a
 * clean reference exists; the studio labels it so everywhere.
 *
 * As theirs, the examples replace floor(rate x sequence length) positions, the sequence counting the global tokens
 * (int(rate * 277) with the 21 of a global branch: 138 of the 256 local words at 50 %), always among the local
 * words. Without a global branch the sequence is the 256 local words, so 128 are replaced at 50 %; the authors
 * never ran without one. Replacement ids are drawn from the image words (259..31999) rather than all 32,000 ids,
 * so no <s>, </s> or byte piece lands inside a prompt (docs/protocols.md).
 */
export function referencePlan(
  task: Task,
  input: ReferenceInput,
  params: ProtocolParams,
  seed: number,
): RestorationPlan {
  checkGrid(input.clean, 'clean');
  checkGrid(input.corrupted, 'corrupted');
  const global = input.global ?? [];
  const globalCount = global.length;
  const clean = [...global, ...input.clean];
  const corrupted = [...global, ...input.corrupted];
  const { sequential } = TASKS[task];
  const { disturbedClean, disturbedCorrupted } = disturb(
    clean,
    corrupted,
    globalCount,
    params,
    mulberry32(seed),
  );
  const frame = framing(params.step);
  const cells = input.cells ?? taskCells(task);

  return {
    task,
    protocol: 'reference',
    step: params.step,
    sequential,
    initial: sequential ? clean : corrupted,
    globalCount,
    starts: planStarts(cells, globalCount, params.step),
    promptAt(start, working) {
      const end = start + params.step;
      const contextStart = Math.max(0, start - params.promptLength);
      const ids = [...frame.instruction];
      for (let i = 0; i < disturbedClean.length; i++) {
        const exampleIn = sequential
          ? (disturbedClean[i] ?? []).slice(contextStart, start)
          : (disturbedCorrupted[i] ?? []).slice(start, end);
        ids.push(...exampleIds(frame, exampleIn, (disturbedClean[i] ?? []).slice(start, end)));
      }
      ids.push(
        ...queryIds(frame, sequential ? working.slice(contextStart, start) : working.slice(start, end)),
      );
      return ids;
    },
  };
}

/** The example sequences: for each rate, the same random positions and ids replaced in both sequences. */
function disturb(
  clean: readonly number[],
  corrupted: readonly number[],
  globalCount: number,
  params: ProtocolParams,
  rng: Rng,
) {
  const positions = Array.from({ length: clean.length - globalCount }, (_, i) => globalCount + i);
  const disturbedClean: number[][] = [];
  const disturbedCorrupted: number[][] = [];
  for (const rate of params.disturbRates) {
    shuffle(positions, rng);
    const count = Math.floor(rate * clean.length);
    const a = [...clean];
    const b = [...corrupted];
    for (const position of positions.slice(0, count)) {
      const id = rng.int(FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID);
      a[position] = id;
      b[position] = id;
    }
    disturbedClean.push(a);
    disturbedCorrupted.push(b);
  }
  return { disturbedClean, disturbedCorrupted };
}

function shuffle(values: number[], rng: Rng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const tmp = values[i] ?? 0;
    values[i] = values[j] ?? 0;
    values[j] = tmp;
  }
}

export function checkGrid(ids: readonly number[], name: string): void {
  if (ids.length !== CELLS) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The ${name} token grid has ${ids.length} words; it must have ${CELLS}.`,
    );
  }
}
