/**
 * The renderer's side of each task (see src-shared/tasks/registry.ts): the options it keeps in the editor's
 * document (their defaults, their named edits, how saved work reads them back), its options in the run panel,
 * the editor's preview of its corruption, and the restoration request it builds. A table keyed by Task, so a
 * task the registry gains and this file lacks is a compile error here.
 */
import type { ReactElement } from 'react';
import {
  MAX_BLUR_SIGMA,
  MIN_BLUR_SIGMA,
  type Protocol,
  type RestoreRequest,
  type Task,
} from '../../../src-shared/contract/restore';
import {
  DEFAULT_QUARTER_TURNS,
  DEFAULT_SHIFT,
  protocolRefusal,
  readsField,
} from '../../../src-shared/tasks/registry';
import { TILE, tileCount } from '../../../src-shared/tasks/tile-layout';
import { clampInt, define, EXTEND_PRESETS } from '../editor/actions';
import { hasExtend, NO_EXTEND, type EditorDoc } from '../editor/document';
import { toDamageMask, type MaskRaster } from '../editor/mask-raster';
import type { EditorApi } from '../editor/useEditor';

/** Deblur blurs the whole photo's view (the paper's task), or only a brushed region of it. */
export type BlurMode = 'whole' | 'region';
export const BLUR_KERNELS = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31] as const;
export type BlurKernel = (typeof BLUR_KERNELS)[number];
export type QuarterTurns = 1 | 2 | 3;

/** The Gaussian sigma OpenCV derives from a kernel size, shown next to the kernel so users can think in sigma. */
export const sigmaOfKernel = (k: number) => 0.3 * ((k - 1) * 0.5 - 1) + 0.8;

/** The options each task keeps in the editor's document (saved with the work, undoable). */
export interface TaskFields {
  /** Deblur: the whole view's kernel, what to blur, and the region blur's sigma (px at 128 px). */
  readonly blurKernel: BlurKernel;
  readonly blurMode: BlurMode;
  readonly blurSigma: number;
  /** Shift: the displacement at the 128 px view. */
  readonly shift: { readonly dx: number; readonly dy: number };
  /** Rotate: quarter turns counter-clockwise. */
  readonly quarterTurns: QuarterTurns;
  /**
   * Deblur of the whole photo, shift, rotate: restore the photo at its own size, tile by tile, rather than the
   * paper's 128 px view.
   */
  readonly fullResolution: boolean;
}

/** A new photo's document: nothing marked, every task at its defaults. */
export const EMPTY_DOC: EditorDoc = {
  crop: null,
  mask: [],
  extend: NO_EXTEND,
  blurKernel: 7,
  blurMode: 'whole',
  blurSigma: 1.5,
  shift: DEFAULT_SHIFT,
  quarterTurns: DEFAULT_QUARTER_TURNS,
  fullResolution: false,
};

/** How saved work reads a field: missing takes the default, wrong rejects the whole of it (saved-work.ts). */
export interface SavedFieldReader {
  field<T>(key: keyof TaskFields, read: (v: unknown) => T): T;
  finite(v: unknown, what: string, min?: number): number;
  record(v: unknown, what: string): Record<string, unknown>;
  fail(what: string): never;
}

export function readTaskFields(r: SavedFieldReader): TaskFields {
  return {
    blurKernel: r.field('blurKernel', (k) =>
      BLUR_KERNELS.includes(k as BlurKernel) ? (k as BlurKernel) : r.fail('blur kernel'),
    ),
    blurMode: r.field('blurMode', (m) => (m === 'whole' || m === 'region' ? m : r.fail('blur mode'))),
    blurSigma: r.field('blurSigma', (s) => r.finite(s, 'blur sigma', Number.MIN_VALUE)),
    shift: r.field('shift', (s) => {
      const v = r.record(s, 'shift');
      return { dx: r.finite(v['dx'], 'shift'), dy: r.finite(v['dy'], 'shift') };
    }),
    quarterTurns: r.field('quarterTurns', (q) =>
      q === 1 || q === 2 || q === 3 ? q : r.fail('quarter turns'),
    ),
    fullResolution: r.field('fullResolution', (f) =>
      typeof f === 'boolean' ? f : r.fail('full resolution'),
    ),
  };
}

/** The named edits of the tasks' options (beside the shared ones in editor/actions.ts). */
export const TASK_ACTIONS = {
  setShift: define<{ dx: number; dy: number }>({
    name: 'setShift',
    label: 'Set shift',
    coalesce: true,
    perform: (doc, { dx, dy }) => ({
      ...doc,
      shift: { dx: clampInt(dx, -64, 64), dy: clampInt(dy, -64, 64) },
    }),
  }),
  setBlurKernel: define<number>({
    name: 'setBlurKernel',
    label: 'Set blur',
    coalesce: true,
    perform: (doc, kernel) => {
      const odd = clampInt(kernel, 3, 31) | 1;
      const k = BLUR_KERNELS.find((v) => v === odd);
      return k === undefined ? doc : { ...doc, blurKernel: k };
    },
  }),
  setBlurMode: define<BlurMode>({
    name: 'setBlurMode',
    label: 'Blur whole photo or region',
    perform: (doc, blurMode) => (doc.blurMode === blurMode ? doc : { ...doc, blurMode }),
  }),
  setBlurSigma: define<number>({
    name: 'setBlurSigma',
    label: 'Set blur sigma',
    coalesce: true,
    perform: (doc, sigma) => {
      if (!Number.isFinite(sigma)) return doc;
      const blurSigma = Math.round(Math.max(MIN_BLUR_SIGMA, Math.min(MAX_BLUR_SIGMA, sigma)) * 10) / 10;
      return blurSigma === doc.blurSigma ? doc : { ...doc, blurSigma };
    },
  }),
  setQuarterTurns: define<QuarterTurns>({
    name: 'setQuarterTurns',
    label: 'Set rotation',
    perform: (doc, quarterTurns) => ({ ...doc, quarterTurns }),
  }),
  setFullResolution: define<boolean>({
    name: 'setFullResolution',
    label: 'Full resolution',
    perform: (doc, fullResolution) =>
      doc.fullResolution === fullResolution ? doc : { ...doc, fullResolution },
  }),
} as const;

/** How the editor previews a task's corruption on the photo: content displaced (px at 128 px) or turned. */
export interface Preview {
  readonly dx: number;
  readonly dy: number;
  /** Degrees, clockwise positive as Konva draws. */
  readonly rotation: number;
}

interface TaskOptionsProps {
  readonly editor: EditorApi;
  readonly raster: MaskRaster;
  readonly width: number;
  readonly height: number;
}

/** What every request carries, whatever its task. */
type RequestBase = Pick<RestoreRequest, 'imageId' | 'task' | 'protocol' | 'seed' | 'crop'>;

type Built = { request: RestoreRequest } | { reason: string };

interface RendererTaskSide {
  /** The corruption parameters of the task; every change is a named, undoable action. */
  readonly Options: (props: TaskOptionsProps) => ReactElement;
  /** The request for the current document, or the reason it cannot be run. Pure. */
  readonly request: (base: RequestBase, doc: EditorDoc, raster: MaskRaster) => Built;
  /** The editor's preview of the corruption; none when the photo is shown as it is. */
  readonly preview?: (doc: EditorDoc) => Preview;
  /** Whether the brush marks a region to blur rather than damage (drawn in another colour). */
  readonly brushesBlur?: (doc: EditorDoc) => boolean;
}

const SIDES = ['top', 'right', 'bottom', 'left'] as const;

/** The whole view's blur kernel, with the sigma it means (the Run panel's and the Batch panel's control). */
export function BlurKernelSelect(props: {
  readonly value: BlurKernel;
  readonly testId: string;
  readonly onChange: (kernel: number) => void;
}) {
  return (
    <label>
      Blur kernel (sigma ≈ {sigmaOfKernel(props.value).toFixed(2)} px at 128 px)
      <select
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => props.onChange(Number(e.target.value))}
      >
        {BLUR_KERNELS.map((k) => (
          <option key={k} value={k}>
            {k} × {k}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The shift's two offsets; each input's test id is `${testIdPrefix}dx` / `dy`. */
export function ShiftFields(props: {
  readonly value: { readonly dx: number; readonly dy: number };
  readonly testIdPrefix: string;
  readonly onChange: (shift: { dx: number; dy: number }) => void;
}) {
  return (
    <div className="field-grid">
      {(['dx', 'dy'] as const).map((axis) => (
        <label key={axis}>
          {axis} (px at 128)
          <input
            type="number"
            min={-64}
            max={64}
            value={props.value[axis]}
            data-testid={`${props.testIdPrefix}${axis}`}
            onChange={(e) => props.onChange({ ...props.value, [axis]: Number(e.target.value) })}
          />
        </label>
      ))}
    </div>
  );
}

/** The rotation's quarter turns. */
export function QuarterTurnsSelect(props: {
  readonly value: QuarterTurns;
  readonly testId: string;
  readonly onChange: (turns: QuarterTurns) => void;
}) {
  return (
    <label>
      Rotation (counter-clockwise)
      <select
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => props.onChange(Number(e.target.value) as QuarterTurns)}
      >
        <option value={1}>90°</option>
        <option value={2}>180°</option>
        <option value={3}>270°</option>
      </select>
    </label>
  );
}

/**
 * The choice between the paper's 128 px view and the photo at its own size, for the tasks that read
 * `resolution` (the registry's fields), with the work it means: one 16x16 grid of words per tile.
 */
function FullResolution({ editor, width, height }: TaskOptionsProps) {
  const tiles = tileCount(width, height);
  return (
    <label className="radio" title="Restore the whole photo at its own size, tile by tile">
      <input
        type="checkbox"
        checked={editor.doc.fullResolution}
        data-testid="full-resolution"
        onChange={(e) => editor.perform('setFullResolution', e.target.checked)}
      />
      <span>
        Full resolution
        <span className="hint block" data-testid="full-resolution-hint">
          {editor.doc.fullResolution
            ? `${width}x${height} at its own size: ${tiles} tile${tiles === 1 ? '' : 's'} of ${TILE} px, each restored as a view.`
            : `The paper's ${TILE} px view; at the photo's size it takes ${tiles} tile${tiles === 1 ? '' : 's'} of ${TILE} px.`}
        </span>
      </span>
    </label>
  );
}

const BLUR_MODES: readonly { id: BlurMode; label: string }[] = [
  { id: 'whole', label: 'Whole photo' },
  { id: 'region', label: 'Brushed region' },
];

/** The painted damage, or the paper's cells when nothing is painted. */
function maskRequest(base: RequestBase, doc: EditorDoc, raster: MaskRaster): Built {
  return { request: raster.bounds ? { ...base, mask: toDamageMask(doc.mask, raster) } : base };
}

export const RENDERER_TASKS: { readonly [T in Task]: RendererTaskSide } = {
  inpaint: {
    Options: ({ raster }) => (
      <p className="hint" data-testid="mask-summary">
        {raster.bounds
          ? `Mask covers ${(raster.coverage * 100).toFixed(1)} % of the photo.`
          : 'Nothing painted: the centre 8x8 words of the view are restored. Paint with the brush (B) to choose.'}
      </p>
    ),
    request: maskRequest,
  },
  outpaint: {
    Options: ({ editor, width, height }) => {
      const { doc } = editor;
      return (
        <div className="task-options">
          <p className="hint">
            Drag an edge with the extender (X), or pick a preset. Values are image pixels.
          </p>
          <div className="preset-row">
            {EXTEND_PRESETS.map((p) => (
              <button
                key={p.id}
                type="button"
                data-testid={`extend-${p.id}`}
                onClick={() => editor.perform('extendPreset', { preset: p.id, width, height })}
              >
                {p.label}
              </button>
            ))}
          </div>
          <div className="field-grid">
            {SIDES.map((side) => (
              <label key={side}>
                {side}
                <input
                  type="number"
                  min={0}
                  max={4096}
                  value={doc.extend[side]}
                  data-testid={`extend-input-${side}`}
                  onChange={(e) =>
                    editor.perform('setExtend', { ...doc.extend, [side]: Number(e.target.value) })
                  }
                />
              </label>
            ))}
          </div>
        </div>
      );
    },
    request: (base, doc, raster) => {
      if (!hasExtend(doc.extend)) return maskRequest(base, doc, raster);
      const reason = protocolRefusal(base.task, base.protocol, true);
      return reason ? { reason } : { request: { ...base, extend: doc.extend } };
    },
  },
  deblur: {
    Options: (props) => {
      const { editor, raster } = props;
      const { doc } = editor;
      return (
        <div className="task-options">
          <div className="preset-row" role="radiogroup" aria-label="What to blur">
            {BLUR_MODES.map((m) => (
              <label key={m.id} className="radio">
                <input
                  type="radio"
                  name="blur-mode"
                  checked={doc.blurMode === m.id}
                  data-testid={`blur-mode-${m.id}`}
                  onChange={() => editor.perform('setBlurMode', m.id)}
                />
                {m.label}
              </label>
            ))}
          </div>
          {doc.blurMode === 'whole' ? (
            <>
              <BlurKernelSelect
                value={doc.blurKernel}
                testId="blur-kernel"
                onChange={(k) => editor.perform('setBlurKernel', k)}
              />
              <FullResolution {...props} />
            </>
          ) : (
            <>
              <label className="sigma-field">
                Blur sigma (px at 128 px)
                <span className="sigma-inputs">
                  <input
                    type="range"
                    min={MIN_BLUR_SIGMA}
                    max={MAX_BLUR_SIGMA}
                    step={0.1}
                    value={doc.blurSigma}
                    aria-label="Blur sigma"
                    onChange={(e) => editor.perform('setBlurSigma', Number(e.target.value))}
                  />
                  <input
                    type="number"
                    min={MIN_BLUR_SIGMA}
                    max={MAX_BLUR_SIGMA}
                    step={0.1}
                    value={doc.blurSigma}
                    aria-label="Blur sigma, typed"
                    data-testid="blur-sigma"
                    onChange={(e) => editor.perform('setBlurSigma', Number(e.target.value))}
                  />
                </span>
              </label>
              <p className="hint" data-testid="blur-region-summary">
                {raster.bounds
                  ? `Blurs ${(raster.coverage * 100).toFixed(1)} % of the photo, then restores the words it touches.`
                  : 'Brush the region to blur with the brush (B); the eraser (E) takes some away.'}
              </p>
            </>
          )}
        </div>
      );
    },
    request: (base, doc, raster) => {
      if (doc.blurMode === 'region') {
        if (!raster.bounds) {
          return { reason: 'Brush the region to blur first (B), or choose to blur the whole photo.' };
        }
        return {
          request: { ...base, blurSigma: doc.blurSigma, blurRegion: toDamageMask(doc.mask, raster) },
        };
      }
      return { request: { ...base, blurKernel: doc.blurKernel } };
    },
    brushesBlur: (doc) => doc.blurMode === 'region',
  },
  shift: {
    Options: (props) => {
      const { doc } = props.editor;
      const editor = props.editor;
      return (
        <div className="task-options">
          <ShiftFields
            value={doc.shift}
            testIdPrefix="shift-"
            onChange={(shift) => editor.perform('setShift', shift)}
          />
          <FullResolution {...props} />
        </div>
      );
    },
    request: (base, doc) => ({ request: { ...base, shift: doc.shift } }),
    preview: (doc) => ({ dx: doc.shift.dx, dy: doc.shift.dy, rotation: 0 }),
  },
  rotate: {
    Options: (props) => {
      const { editor } = props;
      const { doc } = editor;
      return (
        <div className="task-options">
          <QuarterTurnsSelect
            value={doc.quarterTurns}
            testId="quarter-turns"
            onChange={(turns) => editor.perform('setQuarterTurns', turns)}
          />
          <FullResolution {...props} />
        </div>
      );
    },
    request: (base, doc) => ({ request: { ...base, quarterTurns: doc.quarterTurns } }),
    preview: (doc) => ({ dx: 0, dy: 0, rotation: -90 * doc.quarterTurns }),
  },
};

/**
 * The restoration request for the current document, or the reason it cannot be run. Pure: the run panel shows
 * the reason next to a disabled Run button.
 */
export function buildRequest(
  imageId: number,
  task: Task,
  protocol: Protocol,
  doc: EditorDoc,
  raster: MaskRaster,
  seed: number,
): Built {
  const crop = doc.crop
    ? { crop: { x: doc.crop.x, y: doc.crop.y, width: doc.crop.width, height: doc.crop.height } }
    : {};
  const built = RENDERER_TASKS[task].request({ imageId, task, protocol, seed, ...crop }, doc, raster);
  // Only where the task reads it (the registry's fields), and never with a brushed region: that is a local repair.
  const full =
    doc.fullResolution &&
    readsField(task, 'resolution') &&
    'request' in built &&
    built.request.blurRegion === undefined;
  return full ? { request: { ...built.request, resolution: 'full' } } : built;
}
