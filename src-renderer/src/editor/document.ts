import type { ImagePoint, ImagePx } from '../geometry/spaces';

/** One step of the damage mask, in image px. Steps apply in order; an invert flips everything before it. */
export type MaskOp =
  | {
      readonly kind: 'stroke';
      readonly points: readonly ImagePoint[];
      readonly radius: number;
      readonly erase: boolean;
    }
  | {
      readonly kind: 'rect';
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
    }
  | { readonly kind: 'invert' };

export interface Extend {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

export const NO_EXTEND: Extend = { top: 0, right: 0, bottom: 0, left: 0 };

export type QuarterTurns = 1 | 2 | 3;

/** A rectangle of whole pixels of the opened photo: the part of it the studio works on. */
export interface CropRect {
  readonly x: ImagePx;
  readonly y: ImagePx;
  readonly width: ImagePx;
  readonly height: ImagePx;
}

/** Deblur blurs the whole photo's view (the paper's task), or only a brushed region of it. */
export type BlurMode = 'whole' | 'region';

export const BLUR_KERNELS = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31] as const;
export type BlurKernel = (typeof BLUR_KERNELS)[number];

/**
 * Everything the user has set up on the photo, immutable: every edit makes a new document through a named
 * action, which is what makes undo/redo a plain stack of before/after pairs.
 */
export interface EditorDoc {
  /**
   * The crop applied to the opened photo, in its image px; null for the whole photo. Every other geometry of
   * the document (mask, extension) is in px of the cropped photo, whose top-left is (0, 0).
   */
  readonly crop: CropRect | null;
  readonly mask: readonly MaskOp[];
  /** Outpaint canvas extension in image px. */
  readonly extend: Extend;
  /** Shift-restore displacement at the 128 px view. */
  readonly shift: { readonly dx: number; readonly dy: number };
  readonly blurKernel: BlurKernel;
  readonly blurMode: BlurMode;
  /** Region blur's Gaussian sigma, in px of the 128 px view that is restored. */
  readonly blurSigma: number;
  readonly quarterTurns: QuarterTurns;
}

export const EMPTY_DOC: EditorDoc = {
  crop: null,
  mask: [],
  extend: NO_EXTEND,
  shift: { dx: 8, dy: 8 },
  blurKernel: 7,
  blurMode: 'whole',
  blurSigma: 1.5,
  quarterTurns: 1,
};

export const hasExtend = (e: Extend) => e.top + e.right + e.bottom + e.left > 0;

/** The Gaussian sigma OpenCV derives from a kernel size, shown next to the kernel so users can think in sigma. */
export const sigmaOfKernel = (k: number) => 0.3 * ((k - 1) * 0.5 - 1) + 0.8;
