/**
 * The engine's side of each task (see src-shared/tasks/registry.ts): the corruption it applies to a 128 px view
 * and how a studio request, the paper's evaluation or the blind protocol's bank sets it up, how it is described,
 * and the classical restoration set beside it. A table keyed by Task, so a task the registry gains and this file
 * lacks is a compile error here.
 */
import type { DamageMask, RestoreRequest } from '../../../src-shared/contract/restore';
import {
  DEFAULT_QUARTER_TURNS,
  DEFAULT_SHIFT,
  TASK_IDS,
  type Task,
  type TASKS,
} from '../../../src-shared/tasks/registry';
import { wiener, wienerInside } from '../baseline/deconvolve';
import { inpaintTelea } from '../baseline/telea';
import {
  gaussianBlurInside,
  gaussianBlurValues,
  gaussianKernel1d,
  kernelSizeForSigma,
  PAPER_BLUR_KERNEL_SIZES,
  paperBlurKernelSize,
} from '../corrupt/blur';
import { applyMask, maskArea, shrinkMask } from '../corrupt/mask';
import { rot90 } from '../corrupt/rotate';
import { paperShiftView, shiftImage } from '../corrupt/shift';
import { maskFromTokenCells, tokenCellsFromMask } from '../corrupt/token-cells';
import { StudioError } from '../errors';
import type { ChwTensor, Mask, RgbImage } from '../image/types';
import { assertImage } from '../image/validate';
import { roundValues, valuesToChw, VIEW_SIZE } from '../image/view';
import { taskCells } from '../protocol/types';
import { damageMask } from './window';

/** The corruption of a 128x128 view each task applies, with the parameters needed to reproduce it. */
interface Corruptions {
  readonly inpaint: { readonly task: 'inpaint'; readonly cells?: readonly boolean[] };
  readonly outpaint: { readonly task: 'outpaint'; readonly cells?: readonly boolean[] };
  readonly deblur: {
    readonly task: 'deblur';
    readonly kernelSize: number;
    readonly sigma?: number;
    /** Where the view is blurred (view-sized); without it, everywhere. Only its cells are then predicted. */
    readonly region?: Mask;
  };
  readonly shift: {
    readonly task: 'shift';
    readonly dx: number;
    readonly dy: number;
    /**
     * The shifted view itself, when it was cut from the photo rather than moved on the canvas: the authors'
     * bottom-right crop (`paperShiftView`), whose content is moved by (dx, dy) with real photo entering the
     * uncovered band. Without it the view is moved and the band repeats the edge.
     */
    readonly cropped?: RgbImage;
  };
  readonly rotate: { readonly task: 'rotate'; readonly quarterTurns: 1 | 2 | 3 };
}
export type CorruptionOf<T extends Task> = Corruptions[T];
export type Corruption = Corruptions[Task];

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
 * How an evaluation shifts a photo. 'crop' is the authors' (their bottom-right 128x128 crop after the short-side
 * resize): it moves the content only on a photo that is not square, and then by whatever the aspect ratio gives.
 * 'cells' moves the view by one token cell (8, 8) px, the edge repeated, so that square sets are shifted at all.
 * 'auto' takes 'crop' for photos that are not square and 'cells' for square ones.
 */
export type ShiftVariant = 'crop' | 'cells' | 'auto';

export interface EngineTaskSide<C extends Corruption> {
  /**
   * The region of the photo a studio request marks for a local repair (photo px), or null when it restores the
   * whole view. Tasks that never mark one leave it out.
   */
  region?(photo: { width: number; height: number }, request: RestoreRequest): Mask | null;
  /** The corruption a studio request asks for; `window` is the marked region's window when there is one. */
  fromRequest(request: RestoreRequest, window: { cells: boolean[]; mask: Mask } | null): C;
  /** The corruption that removes exactly these cells of the view (tasks that restore marked damage). */
  cells?(cells: boolean[]): C;
  /** The authors' corruption of evaluation image `index` (reproducible from it); a shift needs the photo. */
  paper(index: number, source: RgbImage | undefined, shift: ShiftVariant): C;
  /**
   * Applies the corruption as the authors do (eval_denoising_generation.py): removed regions are filled grey for
   * display and for the blind protocol's input; deblur, shift and rotation predict every cell.
   */
  corrupt(view: RgbImage, corruption: C): CorruptedView;
  describe(corruption: C): string;
  /** The classical, model-free restoration given the same view and parameters (see baseline/index.ts). */
  classical(corrupted: RgbImage, corruption: C): RgbImage;
  /**
   * The blind protocol's bank for this corruption: other photos degraded alike. Present exactly for the tasks
   * whose blind examples the registry takes from a bank (blindExamples; ENGINE_TASKS's type holds it to that).
   */
  bank?(corruption: C): C;
  /** The banks a model pack stores ahead of use (`v2l bank`). */
  readonly storedBanks?: readonly C[];
}

/** Grey, the neutral fill for removed regions (what the tokenizer sees where content is missing). */
const HOLE_FILL = [127, 127, 127] as const;

/** The token-aligned shift: one token cell. */
export const CELL_SHIFT = DEFAULT_SHIFT;

/**
 * What a task's side adds or leaves out by where the registry takes its blind examples from: a bank task has the
 * bank's corruption, a task that learns from the photo's intact part has no bank at all.
 */
type BankMembers<T extends Task> = (typeof TASKS)[T]['blindExamples'] extends 'bank'
  ? { bank(corruption: Corruptions[T]): Corruptions[T] }
  : { bank?: never; storedBanks?: never };

function maskedSide<T extends 'inpaint' | 'outpaint'>(
  task: T,
): EngineTaskSide<Corruptions[T]> & BankMembers<'inpaint' | 'outpaint'> {
  const of = (cells?: readonly boolean[]) => ({ task, ...(cells ? { cells } : {}) }) as Corruptions[T];
  return {
    region: (photo, request) => (request.mask ? damageMask(photo.width, photo.height, request.mask) : null),
    fromRequest: (_request, window) => of(window?.cells),
    cells: (cells) => of(cells),
    paper: () => of(),
    corrupt: (view, c) => {
      const cells = c.cells ? [...c.cells] : taskCells(c.task);
      return { image: applyMask(view, maskFromTokenCells(cells, view.width, view.height), HOLE_FILL), cells };
    },
    describe: (c) => `${c.task} ${(c.cells ?? taskCells(c.task)).filter(Boolean).length} cells`,
    classical: (corrupted, c) => {
      const cells = c.cells ? [...c.cells] : taskCells(c.task);
      return inpaintTelea(corrupted, maskFromTokenCells(cells, corrupted.width, corrupted.height));
    },
  };
}

/**
 * The shift of one photo: the authors' bottom-right crop, or the token-aligned move of its view. A crop of a
 * square photo is its view unchanged, which the result then reports as a crop that moved nothing.
 */
export function evalShift(source: RgbImage, variant: ShiftVariant): Corruptions['shift'] {
  const crop = variant === 'crop' || (variant === 'auto' && source.width !== source.height);
  if (!crop) return { task: 'shift', ...CELL_SHIFT };
  const { image, cropOffset } = paperShiftView(source);
  // 0 - x rather than -x: an unmoved axis reads 0, not -0.
  return { task: 'shift', dx: 0 - cropOffset.x, dy: 0 - cropOffset.y, cropped: image };
}

export const ENGINE_TASKS: { readonly [T in Task]: EngineTaskSide<Corruptions[T]> & BankMembers<T> } = {
  inpaint: maskedSide('inpaint'),
  outpaint: maskedSide('outpaint'),
  deblur: {
    region: (photo, request) =>
      request.blurRegion ? blurRegionMask(photo.width, photo.height, request.blurRegion) : null,
    fromRequest: (request, window) => deblurCorruption(request, window?.mask),
    paper: (index) => ({ task: 'deblur', kernelSize: paperBlurKernelSize(index) }),
    corrupt: (view, c) => {
      if (c.region) {
        return {
          image: gaussianBlurInside(view, c.region, c.kernelSize, c.sigma),
          cells: tokenCellsFromMask(c.region),
        };
      }
      const values = gaussianBlurValues(view, c.kernelSize, c.sigma);
      return {
        image: roundValues(values, view.width, view.height),
        cells: taskCells('deblur'),
        input: valuesToChw(values, view.width, view.height),
      };
    },
    describe: (c) => {
      const sigma = c.sigma === undefined ? '' : `, sigma ${c.sigma}`;
      const region = c.region
        ? ` inside a region of ${tokenCellsFromMask(c.region).filter(Boolean).length} cells`
        : '';
      return `Gaussian blur, kernel ${c.kernelSize}${sigma}${region}`;
    },
    classical: (corrupted, c) => {
      const kernel = gaussianKernel1d(c.kernelSize, c.sigma);
      return c.region ? wienerInside(corrupted, c.region, kernel) : wiener(corrupted, kernel);
    },
    bank: (c) => c,
    storedBanks: PAPER_BLUR_KERNEL_SIZES.map((kernelSize) => ({ task: 'deblur', kernelSize }) as const),
  },
  shift: {
    fromRequest: (request) => ({
      task: 'shift',
      dx: request.shift?.dx ?? DEFAULT_SHIFT.dx,
      dy: request.shift?.dy ?? DEFAULT_SHIFT.dy,
    }),
    paper: (_index, source, variant) =>
      source ? evalShift(source, variant) : { task: 'shift', ...CELL_SHIFT },
    corrupt: (view, c) => ({
      image: c.cropped ?? shiftImage(view, c.dx, c.dy, 'edge'),
      cells: taskCells('shift'),
    }),
    describe: (c) =>
      c.cropped
        ? `bottom-right crop, content moved by (${c.dx}, ${c.dy}) px`
        : `shift by (${c.dx}, ${c.dy}) px`,
    // An oracle-parameter baseline: it knows (dx, dy) and shifts back with edge fill.
    classical: (corrupted, c) => shiftImage(corrupted, -c.dx, -c.dy, 'edge'),
    // A shift cut from the photo cannot be cut from the bank's views the same way (they are views already): the
    // bank photos are moved by the same offset instead, their uncovered band repeating the edge.
    bank: (c) => (c.cropped ? { task: 'shift', dx: c.dx, dy: c.dy } : c),
    storedBanks: [{ task: 'shift', ...CELL_SHIFT }],
  },
  rotate: {
    fromRequest: (request) => ({
      task: 'rotate',
      quarterTurns: request.quarterTurns ?? DEFAULT_QUARTER_TURNS,
    }),
    paper: () => ({ task: 'rotate', quarterTurns: 1 }),
    corrupt: (view, c) => ({ image: rot90(view, c.quarterTurns), cells: taskCells('rotate') }),
    describe: (c) => `rotation by ${c.quarterTurns * 90} degrees`,
    // The corrupted image as is: rot90 with the known turns would undo it exactly and say nothing.
    classical: (corrupted) => ({
      width: corrupted.width,
      height: corrupted.height,
      data: corrupted.data.slice(),
    }),
    bank: (c) => c,
    storedBanks: ([1, 2, 3] as const).map((quarterTurns) => ({ task: 'rotate', quarterTurns }) as const),
  },
};

/** The side of the task a corruption belongs to, typed for that corruption. */
function sideOf(corruption: Corruption): EngineTaskSide<Corruption> {
  return ENGINE_TASKS[corruption.task];
}

export function corruptView(view: RgbImage, corruption: Corruption): CorruptedView {
  return sideOf(corruption).corrupt(view, corruption);
}

export function describeCorruption(corruption: Corruption): string {
  return sideOf(corruption).describe(corruption);
}

/** The corruption removing exactly `cells` of the view, for a task that restores marked damage. */
export function cellsCorruption(task: Task, cells: boolean[]): Corruption {
  const side: EngineTaskSide<Corruption> = ENGINE_TASKS[task];
  if (!side.cells)
    throw new StudioError('INVALID_ARGUMENT', `The ${task} task does not restore marked cells.`);
  return side.cells(cells);
}

/** The classical restoration of `corrupted` (made by `corruptView` with `corruption`), a new image. */
export function classicalRestoration(corrupted: RgbImage, corruption: Corruption): RgbImage {
  assertImage(corrupted, 'corrupted image');
  return sideOf(corruption).classical(corrupted, corruption);
}

/** The corruption the blind protocol's bank applies to other photos to match `corruption`. */
export function bankCorruption(corruption: Corruption): Corruption {
  const side = sideOf(corruption);
  if (!side.bank)
    throw new Error(`the ${corruption.task} task takes its blind examples from the photo, not a bank`);
  return side.bank(corruption);
}

/** Every degradation whose bank a model pack stores ahead of use (`v2l bank`). */
export const STORED_BANK_CORRUPTIONS: readonly Corruption[] = TASK_IDS.flatMap(
  (task): readonly Corruption[] => ENGINE_TASKS[task].storedBanks ?? [],
);

/** The corruption evaluation image `index` of `task` gets: the authors' settings, reproducible from the index. */
export function evalCorruption(
  task: Task,
  index: number,
  source?: RgbImage,
  shift: ShiftVariant = 'cells',
): Corruption {
  return ENGINE_TASKS[task].paper(index, source, shift);
}

/**
 * The deblur corruption a request asks for. The kernel is the one given, else sized from the sigma, else the
 * paper's draw for the seed. `region`, when given, is the brushed area at the scale of the window being restored
 * (side x side photo px); it is carried to the 128 px view so that only those view pixels are blurred.
 */
export function deblurCorruption(
  request: Pick<RestoreRequest, 'blurKernel' | 'blurSigma' | 'seed'>,
  region?: Mask,
): Corruptions['deblur'] {
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
