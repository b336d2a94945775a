import { CROP_ASPECTS, type CropAspect } from './crop';
import { shortcutText, TOOL_ACTIONS } from '../keyboard/actions';
import { MAX_BRUSH, MIN_BRUSH, TOOLS, type Tool } from './tools';
import type { EditorApi } from './useEditor';

interface EditorToolbarProps {
  readonly tool: Tool;
  readonly onTool: (tool: Tool) => void;
  readonly cropAspect: CropAspect;
  readonly onCropAspect: (aspect: CropAspect) => void;
  readonly canApplyCrop: boolean;
  readonly onApplyCrop: () => void;
  readonly onCancelCrop: () => void;
  readonly brushRadius: number;
  readonly onBrushRadius: (radius: number) => void;
  readonly editor: EditorApi;
  readonly showGrid: boolean;
  readonly onShowGrid: (show: boolean) => void;
  readonly zoom: number;
  readonly onFit: () => void;
  readonly onActualSize: () => void;
}

export function EditorToolbar(props: EditorToolbarProps) {
  const { editor } = props;
  return (
    <div className="editor-toolbar" role="toolbar" aria-label="Editing tools">
      <div className="tool-group" role="radiogroup" aria-label="Tool">
        {TOOLS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="radio"
            aria-checked={props.tool === t.id}
            className={props.tool === t.id ? 'active' : ''}
            data-testid={`tool-${t.id}`}
            title={`${t.hint} (${shortcutText(TOOL_ACTIONS[t.id])})`}
            onClick={() => props.onTool(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {props.tool === 'crop' ? (
        <div className="tool-group crop-controls" aria-label="Crop">
          <label className="inline-field">
            Aspect
            <select
              value={props.cropAspect}
              data-testid="crop-aspect"
              onChange={(e) => props.onCropAspect(e.target.value as CropAspect)}
            >
              {CROP_ASPECTS.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="primary"
            data-testid="crop-apply"
            disabled={!props.canApplyCrop}
            title={`Crop to the rectangle (${shortcutText('applyCrop')})`}
            onClick={props.onApplyCrop}
          >
            Apply crop
          </button>
          <button
            type="button"
            data-testid="crop-cancel"
            disabled={!props.canApplyCrop}
            title={`Drop the rectangle (${shortcutText('cancelCrop')})`}
            onClick={props.onCancelCrop}
          >
            Cancel
          </button>
          {editor.doc.crop && (
            <button
              type="button"
              data-testid="crop-remove"
              title="Go back to the whole photo, keeping the other edits"
              onClick={() => editor.perform('removeCrop', undefined)}
            >
              Uncrop
            </button>
          )}
        </div>
      ) : (
        <BrushSize radius={props.brushRadius} onRadius={props.onBrushRadius} />
      )}
      <button
        type="button"
        data-testid="mask-invert"
        title={`Invert the mask (${shortcutText('invertMask')})`}
        onClick={() => editor.perform('invertMask', undefined)}
      >
        Invert
      </button>
      <button
        type="button"
        data-testid="mask-clear"
        title={`Clear the mask (${shortcutText('clearMask')})`}
        onClick={() => editor.perform('clearMask', undefined)}
      >
        Clear
      </button>
      <span className="separator" />
      <button
        type="button"
        data-testid="undo"
        disabled={!editor.canUndo}
        title={editor.undoLabel ? `Undo ${editor.undoLabel} (${shortcutText('undo')})` : 'Nothing to undo'}
        onClick={editor.undo}
      >
        Undo
      </button>
      <button
        type="button"
        data-testid="redo"
        disabled={!editor.canRedo}
        title={editor.redoLabel ? `Redo ${editor.redoLabel} (${shortcutText('redo')})` : 'Nothing to redo'}
        onClick={editor.redo}
      >
        Redo
      </button>
      <span className="separator" />
      <label className="inline-field">
        <input
          type="checkbox"
          checked={props.showGrid}
          onChange={(e) => props.onShowGrid(e.target.checked)}
        />
        Token grid ({shortcutText('toggleGrid')})
      </label>
      <button
        type="button"
        onClick={props.onFit}
        title={`Fit the photo in view (${shortcutText('fitView')})`}
      >
        Fit
      </button>
      <button
        type="button"
        onClick={props.onActualSize}
        title={`Zoom to 100 % (${shortcutText('actualSize')})`}
      >
        100 %
      </button>
      <span className="value" data-testid="zoom">
        {Math.round(props.zoom * 100)} %
      </span>
    </div>
  );
}

/** The brush radius; hidden while cropping, where it means nothing. */
function BrushSize({ radius, onRadius }: { radius: number; onRadius: (radius: number) => void }) {
  return (
    <label className="inline-field">
      Brush
      <input
        type="range"
        min={MIN_BRUSH}
        max={MAX_BRUSH}
        value={radius}
        aria-label={`Brush radius in image pixels (${shortcutText('brushSmaller')} and ${shortcutText('brushLarger')})`}
        onChange={(e) => onRadius(Number(e.target.value))}
      />
      <span className="value" data-testid="brush-radius">
        {radius} px
      </span>
    </label>
  );
}
