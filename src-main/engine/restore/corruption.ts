import type { DamageMask, RestoreRequest } from '../../../src-shared/contract/restore';
import {
  gaussianBlurInside,
  gaussianBlurValues,
  kernelSizeForSigma,
  paperBlurKernelSize,
} from '../corrupt/blur';
import { applyMask, maskArea, shrinkMask } from '../corrupt/mask';
import { rot90 } from '../corrupt/rotate';
import { shiftImage } from '../corrupt/shift';
import { maskFromTokenCells, tokenCellsFromMask } from '../corrupt/token-cells';
import { StudioError } from '../errors';
import type { ChwTensor, Mask, RgbImage } from '../image/types';
import { roundValues, valuesToChw, VIEW_SIZE } from '../image/view';
import { taskCells, type Task } from '../protocol/types';
import { damageMask } from './window';

/** A corruption of a 128x128 view, with the parameters needed to reproduce it. */
export type Corruption =
  | { readonly task: 'inpaint'; readonly cells?: readonly boolean[] }
  | { readonly task: 'outpaint'; readonly cells?: readonly boolean[] }
  | {
      readonly task: 'deblur';
      readonly kernelSize: number;
      readonly sigma?: number;
      /** Where the view is blurred (view-sized); without it, everywhere. Only its cells are then predicted. */
      readonly region?: Mask;
    }
  | {
      readonly task: 'shift';
      readonly dx: number;
      readonly dy: number;
      /**
       * The shifted view itself, when it was cut from the photo rather than moved on the canvas: the authors'
       * bottom-right crop (`paperShiftView`), whose content is moved by (dx, dy) with real photo entering the
       * uncovered band. Without it the view is moved and the band repeats the edge.
       */
      readonly cropped?: RgbImage;
    }
  | { readonly task: 'rotate'; readonly quarterTurns: 1 | 2 | 3 };

/** Grey, the neutral fill for removed regions (what the tokenizer sees where content is missing). */
const HOLE_FILL = [127, 127, 127] as const;

export interface CorruptedView {
  readonly image: RgbImage;
  /** The token cells the restoration predicts. */
  readonly cells: boolean[];
  /**
   * What the encoder reads when it is not `image`: the paper's deblur input is the blur unrounded, as the authors
   * blur their float image and encode it as it is. `image` is its 8-bit rounding, for display and scores.
   */
  readonly input?: ChwTensor;
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
    case 'deblur': {
      if (corruption.region) {
        return {
          image: gaussianBlurInside(view, corruption.region, corruption.kernelSize, corruption.sigma),
          cells: tokenCellsFromMask(corruption.region),
        };
      }
      const values = gaussianBlurValues(view, corruption.kernelSize, corruption.sigma);
      return {
        image: roundValues(values, view.width, view.height),
        cells: taskCells('deblur'),
        input: valuesToChw(values, view.width, view.height),
      };
    }
    case 'shift':
      return {
        image: corruption.cropped ?? shiftImage(view, corruption.dx, corruption.dy, 'edge'),
        cells: taskCells('shift'),
      };
    case 'rotate':
      return { image: rot90(view, corruption.quarterTurns), cells: taskCells('rotate') };
  }
}

export function describeCorruption(corruption: Corruption): string {
  switch (corruption.task) {
    case 'inpaint':
    case 'outpaint':
      return `${corruption.task} ${(corruption.cells ?? taskCells(corruption.task)).filter(Boolean).length} cells`;
    case 'deblur': {
      const sigma = corruption.sigma === undefined ? '' : `, sigma ${corruption.sigma}`;
      const region = corruption.region
        ? ` inside a region of ${tokenCellsFromMask(corruption.region).filter(Boolean).length} cells`
        : '';
      return `Gaussian blur, kernel ${corruption.kernelSize}${sigma}${region}`;
    }
    case 'shift':
      return corruption.cropped
        ? `bottom-right crop, content moved by (${corruption.dx}, ${corruption.dy}) px`
        : `shift by (${corruption.dx}, ${corruption.dy}) px`;
    case 'rotate':
      return `rotation by ${corruption.quarterTurns * 90} degrees`;
  }
}

/**
 * The deblur corruption a request asks for. The kernel is the one given, else sized from the sigma, else the
 * paper's draw for the seed. `region`, when given, is the brushed area at the scale of the window being restored
 * (side x side photo px); it is carried to the 128 px view so that only those view pixels are blurred.
 */
export function deblurCorruption(
  request: Pick<RestoreRequest, 'blurKernel' | 'blurSigma' | 'seed'>,
  region?: Mask,
): Extract<Corruption, { task: 'deblur' }> {
  const kernelSize =
    request.blurKernel ??
    (request.blurSigma === undefined
      ? paperBlurKernelSize(request.seed ?? 0)
      : kernelSizeForSigma(request.blurSigma));
  return {
    task: 'deblur',
    kernelSize,
    ...(request.blurSigma === undefined ? {} : { sigma: request.blurSigma }),
    ...(region === undefined ? {} : { region: shrinkMask(region, VIEW_SIZE, VIEW_SIZE) }),
  };
}

/** The brushed blur region as a pixel mask of the photo; a region that misses the photo is refused. */
export function blurRegionMask(width: number, height: number, region: DamageMask): Mask {
  const mask = damageMask(width, height, region);
  if (maskArea(mask) === 0) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      'The blur region marks no pixels of the photo: brush over the part to blur.',
    );
  }
  return mask;
}

export type { Task };
