import type { ImagePoint, ImagePx } from '../geometry/spaces';
import type { TaskFields } from '../run/task-sides';

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

/** A rectangle of whole pixels of the opened photo: the part of it the studio works on. */
export interface CropRect {
  readonly x: ImagePx;
  readonly y: ImagePx;
  readonly width: ImagePx;
  readonly height: ImagePx;
}

/**
 * Everything the user has set up on the photo, immutable: every edit makes a new document through a named
 * action, which is what makes undo/redo a plain stack of before/after pairs. Beside the fields every task
 * shares (crop, mask, canvas extension) it holds each task's own options, which the task's side declares
 * (run/task-sides.tsx); its defaults are EMPTY_DOC there.
 */
export interface EditorDoc extends TaskFields {
  /**
   * The crop applied to the opened photo, in its image px; null for the whole photo. Every other geometry of
   * the document (mask, extension) is in px of the cropped photo, whose top-left is (0, 0).
   */
  readonly crop: CropRect | null;
  readonly mask: readonly MaskOp[];
  /** Outpaint canvas extension in image px. */
  readonly extend: Extend;
}

export const hasExtend = (e: Extend) => e.top + e.right + e.bottom + e.left > 0;
