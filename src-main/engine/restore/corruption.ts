import { gaussianBlur } from '../corrupt/blur';
import { applyMask } from '../corrupt/mask';
import { rot90 } from '../corrupt/rotate';
import { shiftImage } from '../corrupt/shift';
import { maskFromTokenCells } from '../corrupt/token-cells';
import type { RgbImage } from '../image/types';
import { taskCells, type Task } from '../protocol/types';

/** A corruption of a 128x128 view, with the parameters needed to reproduce it. */
export type Corruption =
  | { readonly task: 'inpaint'; readonly cells?: readonly boolean[] }
  | { readonly task: 'outpaint'; readonly cells?: readonly boolean[] }
  | { readonly task: 'deblur'; readonly kernelSize: number; readonly sigma?: number }
  | { readonly task: 'shift'; readonly dx: number; readonly dy: number }
  | { readonly task: 'rotate'; readonly quarterTurns: 1 | 2 | 3 };

/** Grey, the neutral fill for removed regions (what the tokenizer sees where content is missing). */
const HOLE_FILL = [127, 127, 127] as const;

export interface CorruptedView {
  readonly image: RgbImage;
  /** The token cells the restoration predicts. */
  readonly cells: boolean[];
}

/**
 * Applies a corruption as the authors do (eval_denoising_generation.py) to a 128x128 view: removed regions are
 * filled grey for display and for the blind protocol's input; deblur, shift and rotation predict every cell.
 */
export function corruptView(view: RgbImage, corruption: Corruption): CorruptedView {
  switch (corruption.task) {
    case 'inpaint':
    case 'outpaint': {
      const cells = corruption.cells ? [...corruption.cells] : taskCells(corruption.task);
      return { image: applyMask(view, maskFromTokenCells(cells, view.width, view.height), HOLE_FILL), cells };
    }
    case 'deblur':
      return {
        image: gaussianBlur(view, corruption.kernelSize, corruption.sigma),
        cells: taskCells('deblur'),
      };
    case 'shift':
      return { image: shiftImage(view, corruption.dx, corruption.dy, 'edge'), cells: taskCells('shift') };
    case 'rotate':
      return { image: rot90(view, corruption.quarterTurns), cells: taskCells('rotate') };
  }
}

export function describeCorruption(corruption: Corruption): string {
  switch (corruption.task) {
    case 'inpaint':
    case 'outpaint':
      return `${corruption.task} ${(corruption.cells ?? taskCells(corruption.task)).filter(Boolean).length} cells`;
    case 'deblur':
      return `Gaussian blur, kernel ${corruption.kernelSize}`;
    case 'shift':
      return `shift by (${corruption.dx}, ${corruption.dy}) px`;
    case 'rotate':
      return `rotation by ${corruption.quarterTurns * 90} degrees`;
  }
}

export type { Task };
