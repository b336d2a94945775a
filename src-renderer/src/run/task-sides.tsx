/**
 * The renderer's side of each task (see src-shared/tasks/registry.ts): its options in the run panel, and the
 * restoration request it builds from the editor's document. A table keyed by Task, so a task the registry gains
 * and this file lacks is a compile error here.
 */
import type { ReactElement } from 'react';
import {
  MAX_BLUR_SIGMA,
  MIN_BLUR_SIGMA,
  type Protocol,
  type RestoreRequest,
  type Task,
} from '../../../src-shared/contract/restore';
import { protocolRefusal } from '../../../src-shared/tasks/registry';
import { EXTEND_PRESETS } from '../editor/actions';
import {
  BLUR_KERNELS,
  hasExtend,
  sigmaOfKernel,
  type BlurMode,
  type EditorDoc,
  type QuarterTurns,
} from '../editor/document';
import { toDamageMask, type MaskRaster } from '../editor/mask-raster';
import type { EditorApi } from '../editor/useEditor';

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
}

const SIDES = ['top', 'right', 'bottom', 'left'] as const;

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
    Options: ({ editor, raster }) => {
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
            <label>
              Blur kernel (sigma ≈ {sigmaOfKernel(doc.blurKernel).toFixed(2)} px at 128 px)
              <select
                value={doc.blurKernel}
                data-testid="blur-kernel"
                onChange={(e) => editor.perform('setBlurKernel', Number(e.target.value))}
              >
                {BLUR_KERNELS.map((k) => (
                  <option key={k} value={k}>
                    {k} × {k}
                  </option>
                ))}
              </select>
            </label>
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
  },
  shift: {
    Options: ({ editor }) => {
      const { doc } = editor;
      return (
        <div className="field-grid task-options">
          {(['dx', 'dy'] as const).map((axis) => (
            <label key={axis}>
              {axis} (px at 128)
              <input
                type="number"
                min={-64}
                max={64}
                value={doc.shift[axis]}
                data-testid={`shift-${axis}`}
                onChange={(e) => editor.perform('setShift', { ...doc.shift, [axis]: Number(e.target.value) })}
              />
            </label>
          ))}
        </div>
      );
    },
    request: (base, doc) => ({ request: { ...base, shift: doc.shift } }),
  },
  rotate: {
    Options: ({ editor }) => {
      const { doc } = editor;
      return (
        <label className="task-options">
          Rotation (counter-clockwise)
          <select
            value={doc.quarterTurns}
            data-testid="quarter-turns"
            onChange={(e) => editor.perform('setQuarterTurns', Number(e.target.value) as QuarterTurns)}
          >
            <option value={1}>90°</option>
            <option value={2}>180°</option>
            <option value={3}>270°</option>
          </select>
        </label>
      );
    },
    request: (base, doc) => ({ request: { ...base, quarterTurns: doc.quarterTurns } }),
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
  return RENDERER_TASKS[task].request({ imageId, task, protocol, seed, ...crop }, doc, raster);
}
