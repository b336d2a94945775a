/** The restoration part of the contract: what the renderer asks for, and the run it gets back. */
import {
  misplacedField,
  PROTOCOL_IDS,
  readsField,
  TASK_IDS,
  type Protocol,
  type Task,
} from '../tasks/registry';
import { array, boolean, literal, number, object, optional, refine, type Validator } from './validate';

export type { Protocol, Task };

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

/** A rectangle of whole image pixels. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The largest blur sigma accepted: three sigmas then just fit in the largest kernel, 31 px. */
export const MAX_BLUR_SIGMA = 5;
export const MIN_BLUR_SIGMA = 0.3;

export interface RestoreRequest {
  readonly imageId: number;
  readonly task: Task;
  readonly protocol: Protocol;
  /**
   * Crop the opened photo to this rectangle (image px) before anything else. Every other geometry of the request
   * (mask, blurRegion) is then in pixels of the cropped photo, whose top-left is (0, 0).
   */
  readonly crop?: PixelRect;
  /** Seeds the reference protocol's random examples (and the blur size when none is given). */
  readonly seed?: number;
  /** Inpaint/outpaint: the damage; without it, the paper's cells (centre 8x8 / bottom half). */
  readonly mask?: DamageMask;
  /** Deblur: odd Gaussian kernel size, 3..31; the paper draws 5..11. */
  readonly blurKernel?: number;
  /**
   * Deblur: Gaussian sigma in px of the 128 px view that is restored. Without blurKernel the kernel is sized
   * from it as OpenCV does (6 sigma + 1, odd, at most 31).
   */
  readonly blurSigma?: number;
  /**
   * Deblur: blur only this brushed region (image px), and restore the words it touches in a window around it;
   * without it the whole view is blurred, as in the paper.
   */
  readonly blurRegion?: DamageMask;
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
  /**
   * Deblur (of the whole photo), shift, rotate: 'view' restores the paper's 128 px view (its evaluation mode, the
   * default); 'full' restores the whole photo at its own size, tile by tile (128 px tiles that overlap).
   */
  readonly resolution?: Resolution;
}

export const RESOLUTIONS = ['view', 'full'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

const coordinate = number({ min: -1e6, max: 1e6 });
const point = object({ x: coordinate, y: coordinate });

const damageMaskValidator: Validator<DamageMask> = object({
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
});

/** Whether a mask paints anything at all: an eraser alone, or empty shapes, mark no pixel. */
function paintsSomething(mask: DamageMask): boolean {
  return (
    mask.strokes.some((s) => s.erase !== true && s.points.length > 0) ||
    mask.rects.some((r) => r.width > 0 && r.height > 0)
  );
}

export const restoreRequestValidator: Validator<RestoreRequest> = refine(
  object({
    imageId: number({ integer: true, min: 1 }),
    task: literal(...TASK_IDS),
    protocol: literal(...PROTOCOL_IDS),
    crop: optional(
      object({
        x: number({ integer: true, min: 0, max: 1e6 }),
        y: number({ integer: true, min: 0, max: 1e6 }),
        width: number({ integer: true, min: 1, max: 1e6 }),
        height: number({ integer: true, min: 1, max: 1e6 }),
      }),
    ),
    seed: optional(number({ integer: true, min: 0, max: 2 ** 31 })),
    mask: optional(damageMaskValidator),
    blurKernel: optional(literal(3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)),
    blurSigma: optional(number({ min: MIN_BLUR_SIGMA, max: MAX_BLUR_SIGMA })),
    blurRegion: optional(damageMaskValidator),
    shift: optional(
      object({
        dx: number({ integer: true, min: -64, max: 64 }),
        dy: number({ integer: true, min: -64, max: 64 }),
      }),
    ),
    quarterTurns: optional(literal(1, 2, 3)),
    resolution: optional(literal(...RESOLUTIONS)),
    extend: optional(
      object({
        top: number({ integer: true, min: 0, max: 4096 }),
        right: number({ integer: true, min: 0, max: 4096 }),
        bottom: number({ integer: true, min: 0, max: 4096 }),
        left: number({ integer: true, min: 0, max: 4096 }),
      }),
    ),
  }),
  (request, path) => {
    // Each task reads its own fields (the registry's); one it would ignore means the client meant another task.
    const misplaced = misplacedField(request.task, (field) => request[field] !== undefined);
    if (misplaced === undefined) return null;
    const readers = TASK_IDS.filter((t) => readsField(t, misplaced));
    return `${path}.${misplaced} is only accepted with task ${readers.join(' or ')}, got task ${request.task}`;
  },
  (request, path) =>
    request.blurRegion !== undefined && !paintsSomething(request.blurRegion)
      ? `${path}.blurRegion marks no pixels: brush the region to blur, or leave blurRegion out to blur everything`
      : null,
  // A brushed region is a local repair of one window: there are no tiles of the whole photo to restore.
  (request, path) =>
    request.resolution === 'full' && request.blurRegion !== undefined
      ? `${path}.resolution 'full' restores the whole photo tile by tile; a deblur of a brushed region (blurRegion) ` +
        "restores the window around it at the photo's resolution already: leave one of them out"
      : null,
);

/** One cell of a displayed token grid. */
export interface GridCell {
  readonly id: number;
  readonly text: string;
}

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

/**
 * The 128 px views a run keeps: the original, the corrupted input, the decoded words, the result (the decode
 * placed into the intact pixels where the repair is local), and the classical restoration set beside it.
 */
export const RUN_IMAGE_KINDS = ['original', 'corrupted', 'decoded', 'result', 'classical'] as const;
/**
 * 'photo': the result at the photo's own size, sent only for a run restored at full resolution (a local repair's
 * pasted-back photo is exported, not sent with every view of the run).
 */
export type RunImageKind = (typeof RUN_IMAGE_KINDS)[number] | 'photo';

/** Where tile `index` of a full-resolution run lies: its top-left at the working size. */
export interface RunTiles {
  readonly count: number;
  /** The tile this view shows: its grids and 128 px images are that tile's. */
  readonly index: number;
  readonly origins: readonly Point[];
  /** The size the photo was restored at: its own, or scaled up so that its short side fills one tile. */
  readonly workingSize: { readonly width: number; readonly height: number };
}

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
  /**
   * PNG data URLs of the run's 128 px views (see RUN_IMAGE_KINDS; of the shown tile for a tiled run), and of
   * the result at the photo's size for a full-resolution run; older runs lack the newer kinds.
   */
  readonly images: Readonly<Partial<Record<RunImageKind, string>>>;
  readonly metrics: Readonly<Record<string, number>> | null;
  readonly timings: Readonly<Record<string, number>> | null;
  /** The square region of the photo that was restored (local repairs); null when the whole photo's view was. */
  readonly window: { readonly x: number; readonly y: number; readonly side: number } | null;
  /**
   * The global words that led every prompt and that the decoder attended to (ids into the pack's global
   * vocabulary, with its text); empty when the pack has no global branch.
   */
  readonly global: readonly GridCell[];
  /** A run restored at full resolution, tile by tile: the tiles, and which one this view shows; else null. */
  readonly tiles: RunTiles | null;
}

export interface RunSummary {
  readonly runId: number;
  readonly imageId: number;
  /** The photo's name and a small PNG data URL of it, so the runs list can say which photo each run restored. */
  readonly imageName: string;
  readonly thumbnailUrl: string | null;
  readonly task: Task;
  readonly protocol: Protocol;
  readonly status: RunStatus;
  readonly createdAt: string;
  /** Null when the run measured nothing: it has not finished, or it has no clean original (an extended canvas). */
  readonly tokenAccuracy: number | null;
}
