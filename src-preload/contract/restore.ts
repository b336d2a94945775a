/** The restoration part of the contract: what the renderer asks for, and the run it gets back. */
import { array, boolean, literal, number, object, optional, type Validator } from './validate';

export type Task = 'inpaint' | 'outpaint' | 'deblur' | 'shift' | 'rotate';
export type Protocol = 'reference' | 'blind';

export const TASKS: readonly Task[] = ['inpaint', 'outpaint', 'deblur', 'shift', 'rotate'];

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Damage marked by the user, in image pixels of the opened photo. */
export interface DamageMask {
  readonly strokes: readonly {
    readonly points: readonly Point[];
    readonly radius: number;
    readonly erase?: boolean;
  }[];
  readonly rects: readonly {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  }[];
}

export interface RestoreRequest {
  readonly imageId: number;
  readonly task: Task;
  readonly protocol: Protocol;
  /** Seeds the reference protocol's random examples (and the blur size when none is given). */
  readonly seed?: number;
  /** Inpaint/outpaint: the damage; without it, the paper's cells (centre 8x8 / bottom half). */
  readonly mask?: DamageMask;
  /** Deblur: odd Gaussian kernel size, 3..31; the paper draws 5..11. */
  readonly blurKernel?: number;
  /** Shift: content displacement at the 128 px view. */
  readonly shift?: { readonly dx: number; readonly dy: number };
  /** Rotate: quarter turns counter-clockwise. */
  readonly quarterTurns?: 1 | 2 | 3;
  /** Outpaint: grow the canvas by these many pixels per side and invent them (blind protocol only). */
  readonly extend?: {
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
    readonly left: number;
  };
}

const coordinate = number({ min: -1e6, max: 1e6 });
const point = object({ x: coordinate, y: coordinate });

export const restoreRequestValidator: Validator<RestoreRequest> = object({
  imageId: number({ integer: true, min: 1 }),
  task: literal('inpaint', 'outpaint', 'deblur', 'shift', 'rotate'),
  protocol: literal('reference', 'blind'),
  seed: optional(number({ integer: true, min: 0, max: 2 ** 31 })),
  mask: optional(
    object({
      strokes: array(
        object({
          points: array(point, { maxLength: 100_000 }),
          radius: number({ min: 0.5, max: 10_000 }),
          erase: optional(boolean),
        }),
        { maxLength: 10_000 },
      ),
      rects: array(
        object({
          x: coordinate,
          y: coordinate,
          width: number({ min: 0, max: 1e6 }),
          height: number({ min: 0, max: 1e6 }),
        }),
        { maxLength: 10_000 },
      ),
    }),
  ),
  blurKernel: optional(literal(3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)),
  shift: optional(
    object({
      dx: number({ integer: true, min: -64, max: 64 }),
      dy: number({ integer: true, min: -64, max: 64 }),
    }),
  ),
  quarterTurns: optional(literal(1, 2, 3)),
  extend: optional(
    object({
      top: number({ integer: true, min: 0, max: 4096 }),
      right: number({ integer: true, min: 0, max: 4096 }),
      bottom: number({ integer: true, min: 0, max: 4096 }),
      left: number({ integer: true, min: 0, max: 4096 }),
    }),
  ),
});

/** One cell of a displayed token grid. */
export interface GridCell {
  readonly id: number;
  readonly text: string;
}

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface RunView {
  readonly runId: number;
  readonly imageId: number;
  readonly task: Task;
  readonly protocol: Protocol;
  /** True for the reference protocol: its examples were built from the clean image's own words. */
  readonly usesCleanReference: boolean;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly createdAt: string;
  readonly params: RestoreRequest;
  readonly tokenizer: string;
  readonly lm: string;
  /** Local cells (0..255) that were predicted. */
  readonly predictedCells: readonly number[];
  readonly grids: {
    readonly clean: readonly GridCell[];
    readonly corrupted: readonly GridCell[];
    readonly result: readonly GridCell[];
  } | null;
  /** The LM's probability for each predicted cell, same order as predictedCells. */
  readonly confidence: readonly number[];
  /** PNG data URLs of the 128 px views: original, corrupted, decoded result, and the photo with the result pasted. */
  readonly images: Readonly<Partial<Record<'original' | 'corrupted' | 'decoded' | 'result', string>>>;
  readonly metrics: Readonly<Record<string, number>> | null;
  readonly timings: Readonly<Record<string, number>> | null;
  /** The square region of the photo that was restored (local repairs); null when the whole photo's view was. */
  readonly window: { readonly x: number; readonly y: number; readonly side: number } | null;
}

export interface RunSummary {
  readonly runId: number;
  readonly imageId: number;
  readonly task: Task;
  readonly protocol: Protocol;
  readonly status: RunStatus;
  readonly createdAt: string;
  readonly tokenAccuracy: number | null;
}
