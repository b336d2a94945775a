import type { Task } from '../../../src-preload/contract/restore';
import { EXTEND_PRESETS } from '../editor/actions';
import { BLUR_KERNELS, sigmaOfKernel, type QuarterTurns } from '../editor/document';
import type { MaskRaster } from '../editor/mask-raster';
import type { EditorApi } from '../editor/useEditor';

interface TaskOptionsProps {
  readonly task: Task;
  readonly editor: EditorApi;
  readonly raster: MaskRaster;
  readonly width: number;
  readonly height: number;
}

const SIDES = ['top', 'right', 'bottom', 'left'] as const;

/** The corruption parameters of the chosen task; every change is a named, undoable action. */
export function TaskOptions({ task, editor, raster, width, height }: TaskOptionsProps) {
  const { doc } = editor;
  switch (task) {
    case 'inpaint':
      return (
        <p className="hint" data-testid="mask-summary">
          {raster.bounds
            ? `Mask covers ${(raster.coverage * 100).toFixed(1)} % of the photo.`
            : 'Nothing painted: the centre 8x8 words of the view are restored. Paint with the brush (B) to choose.'}
        </p>
      );
    case 'outpaint':
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
    case 'deblur':
      return (
        <label className="task-options">
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
      );
    case 'shift':
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
    case 'rotate':
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
  }
}
