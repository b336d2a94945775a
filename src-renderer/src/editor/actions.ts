import { composeCrop, coversAll, translateMask, type PhotoSize } from './crop';
import { NO_EXTEND, type CropRect, type EditorDoc, type Extend, type MaskOp } from './document';

/**
 * A named edit: a label for menus and the history list, and a pure perform() from one document to the next.
 * Keyboard, toolbar and canvas all dispatch these, never change the document themselves.
 */
export interface Action<P> {
  readonly name: string;
  readonly label: string;
  /** Consecutive edits of this action within a moment merge into one undo step (typing a number, say). */
  readonly coalesce?: boolean;
  perform(doc: EditorDoc, payload: P): EditorDoc;
}

export const clampInt = (value: number, min: number, max: number) =>
  Math.max(min, Math.min(max, Math.round(Number.isFinite(value) ? value : 0)));

const cleanExtend = (e: Extend): Extend => ({
  top: clampInt(e.top, 0, 4096),
  right: clampInt(e.right, 0, 4096),
  bottom: clampInt(e.bottom, 0, 4096),
  left: clampInt(e.left, 0, 4096),
});

export type ExtendPreset = 'all-25' | 'sides-50' | 'bottom-50' | 'none';

export const EXTEND_PRESETS: readonly { id: ExtendPreset; label: string }[] = [
  { id: 'all-25', label: '+25 % all round' },
  { id: 'sides-50', label: '+50 % left and right' },
  { id: 'bottom-50', label: '+50 % below' },
  { id: 'none', label: 'No extension' },
];

function presetExtend(preset: ExtendPreset, width: number, height: number): Extend {
  switch (preset) {
    case 'all-25': {
      const w = Math.round(width * 0.125);
      const h = Math.round(height * 0.125);
      return { top: h, right: w, bottom: h, left: w };
    }
    case 'sides-50': {
      const w = Math.round(width * 0.25);
      return { top: 0, right: w, bottom: 0, left: w };
    }
    case 'bottom-50':
      return { top: 0, right: 0, bottom: Math.round(height * 0.5), left: 0 };
    case 'none':
      return NO_EXTEND;
  }
}

export function define<P>(action: Action<P>): Action<P> {
  return action;
}

export const ACTIONS = {
  addStroke: define<Extract<MaskOp, { kind: 'stroke' }>>({
    name: 'addStroke',
    label: 'Brush stroke',
    perform: (doc, stroke) =>
      stroke.points.length === 0 ? doc : { ...doc, mask: [...doc.mask, { ...stroke, kind: 'stroke' }] },
  }),
  addRect: define<Extract<MaskOp, { kind: 'rect' }>>({
    name: 'addRect',
    label: 'Rectangle mask',
    perform: (doc, rect) =>
      rect.width < 1 || rect.height < 1 ? doc : { ...doc, mask: [...doc.mask, { ...rect, kind: 'rect' }] },
  }),
  invertMask: define<undefined>({
    name: 'invertMask',
    label: 'Invert mask',
    perform: (doc) => {
      // Two inverts in a row cancel out; dropping both keeps the mask expressible as plain strokes.
      const last = doc.mask.at(-1);
      return last?.kind === 'invert'
        ? { ...doc, mask: doc.mask.slice(0, -1) }
        : { ...doc, mask: [...doc.mask, { kind: 'invert' }] };
    },
  }),
  clearMask: define<undefined>({
    name: 'clearMask',
    label: 'Clear mask',
    perform: (doc) => (doc.mask.length === 0 ? doc : { ...doc, mask: [] }),
  }),
  setExtend: define<Extend>({
    name: 'setExtend',
    label: 'Extend canvas',
    coalesce: true,
    perform: (doc, extend) => ({ ...doc, extend: cleanExtend(extend) }),
  }),
  extendPreset: define<{ preset: ExtendPreset; width: number; height: number }>({
    name: 'extendPreset',
    label: 'Extend preset',
    perform: (doc, { preset, width, height }) => ({ ...doc, extend: presetExtend(preset, width, height) }),
  }),
  /**
   * Crops the working photo to `rect` (whole px of the working photo, inside it). The mask moves with the new
   * origin, so what was painted stays on the same part of the photo.
   */
  applyCrop: define<{ rect: CropRect; size: PhotoSize }>({
    name: 'applyCrop',
    label: 'Crop',
    perform: (doc, { rect, size }) => {
      const whole = [rect.x, rect.y, rect.width, rect.height].every(Number.isInteger);
      const inside =
        rect.x >= 0 &&
        rect.y >= 0 &&
        rect.x + rect.width <= size.width &&
        rect.y + rect.height <= size.height;
      if (!whole || !inside || rect.width < 1 || rect.height < 1 || coversAll(rect, size)) return doc;
      return {
        ...doc,
        crop: composeCrop(doc.crop, rect),
        mask: translateMask(doc.mask, 0 - rect.x, 0 - rect.y),
      };
    },
  }),
  removeCrop: define<undefined>({
    name: 'removeCrop',
    label: 'Remove crop',
    perform: (doc) =>
      doc.crop ? { ...doc, crop: null, mask: translateMask(doc.mask, doc.crop.x, doc.crop.y) } : doc,
  }),
} as const;
