import { useRef, useState } from 'react';
import type { OpenedImage } from '../../../src-shared/contract/api';
import type { Task } from '../../../src-shared/contract/restore';
import { fitViewport, stagePx, zoomAt, type Viewport, type ViewRegion } from '../geometry/spaces';
import { useKeyboardScope } from '../keyboard/useKeyboardScope';
import { formatRect, roundCrop, workingSize } from './crop';
import type { CropRect } from './document';
import { EditorStage } from './EditorStage';
import { EditorToolbar } from './EditorToolbar';
import type { MaskRaster } from './mask-raster';
import { stepBrush, type Tool } from './tools';
import type { EditorView } from './useEditorView';
import type { EditorApi } from './useEditor';
import { useElementSize, useHtmlImage } from './useElementSize';

interface EditorProps {
  readonly image: OpenedImage;
  readonly editor: EditorApi;
  readonly task: Task;
  readonly raster: MaskRaster;
  readonly region: ViewRegion | null;
  readonly view: EditorView;
}

/** The editing screen: its toolbar, the stage, and the editor's keyboard shortcuts. */
export function Editor({ image, editor, task, raster, region, view }: EditorProps) {
  const container = useRef<HTMLDivElement>(null);
  const size = useElementSize(container);
  const html = useHtmlImage(image.displayUrl);
  const { tool, setTool, brushRadius, setBrushRadius, showGrid, setShowGrid, cropAspect, setCropAspect } =
    view;
  const [spaceHeld, setSpaceHeld] = useState(false);
  const { crop } = editor.doc;
  const photo = workingSize(image, crop);
  // A zoom or pan, and a crop being drawn, belong to the photo as cropped when they were made: a crop applied,
  // undone or redone since makes them stale, and the view falls back to fitting the photo.
  const { manual, setManual: setManualFor } = view;
  const [draft, setDraftFor] = useState<{ crop: CropRect | null; rect: CropRect } | null>(null);
  const setManual = (viewport: Viewport | null) => setManualFor(viewport && { crop, viewport });
  const cropDraft = draft?.crop === crop ? draft.rect : null;
  const setCropDraft = (rect: CropRect | null) => setDraftFor(rect && { crop, rect });
  // The extender drags an edge outward from the photo: fitted for it, the photo leaves room on every side.
  const fitMargin = tool === 'extend' ? Math.max(24, Math.min(size.width, size.height) / 6) : 24;
  const fit = fitViewport(photo.width, photo.height, stagePx(size.width), stagePx(size.height), fitMargin);
  const viewport = manual?.crop === crop ? manual.viewport : fit;

  const actualSize = () => {
    const centre = { x: stagePx(size.width / 2), y: stagePx(size.height / 2) };
    setManual(zoomAt(viewport, centre, 1 / viewport.scale));
  };

  const chooseTool = (next: Tool) => {
    if (next !== 'crop') setCropDraft(null);
    setTool(next);
  };

  const rounded = cropDraft && roundCrop(cropDraft, cropAspect, photo);
  const applyCrop = () => {
    if (!rounded) return;
    editor.perform('applyCrop', { rect: rounded, size: photo });
    setCropDraft(null);
  };

  useKeyboardScope('editor', {
    undo: () => editor.undo(),
    redo: () => editor.redo(),
    toolBrush: () => chooseTool('brush'),
    toolEraser: () => chooseTool('eraser'),
    toolRect: () => chooseTool('rect'),
    toolExtend: () => chooseTool('extend'),
    toolCrop: () => chooseTool('crop'),
    toolPan: () => chooseTool('pan'),
    panWhileHeld: { down: () => setSpaceHeld(true), up: () => setSpaceHeld(false) },
    brushSmaller: () => setBrushRadius((r) => stepBrush(r, -1)),
    brushLarger: () => setBrushRadius((r) => stepBrush(r, 1)),
    applyCrop: {
      when: (event) => !!cropDraft && !(event.target instanceof HTMLButtonElement),
      run: applyCrop,
    },
    cancelCrop: { when: () => !!cropDraft, run: () => setCropDraft(null) },
    invertMask: () => editor.perform('invertMask', undefined),
    clearMask: () => editor.perform('clearMask', undefined),
    toggleGrid: () => setShowGrid((g) => !g),
    fitView: () => setManual(null),
    actualSize,
  });

  return (
    <div className="editor">
      <EditorToolbar
        tool={tool}
        onTool={chooseTool}
        cropAspect={cropAspect}
        onCropAspect={setCropAspect}
        canApplyCrop={rounded !== null}
        onApplyCrop={applyCrop}
        onCancelCrop={() => setCropDraft(null)}
        brushRadius={brushRadius}
        onBrushRadius={setBrushRadius}
        editor={editor}
        showGrid={showGrid}
        onShowGrid={setShowGrid}
        zoom={viewport.scale}
        onFit={() => setManual(null)}
        onActualSize={actualSize}
      />
      <div
        ref={container}
        className="stage-container"
        data-testid="photo-stage"
        data-loaded={html ? 'true' : 'false'}
        data-tool={tool}
        data-mask-coverage={raster.coverage.toFixed(4)}
        data-mask-ops={editor.doc.mask.length}
        data-width={photo.width}
        data-height={photo.height}
        data-crop={formatRect(crop)}
        data-crop-draft={formatRect(rounded)}
        data-extend={`${editor.doc.extend.top},${editor.doc.extend.right},${editor.doc.extend.bottom},${editor.doc.extend.left}`}
        data-scale={viewport.scale.toFixed(4)}
        data-offset={`${viewport.x.toFixed(1)},${viewport.y.toFixed(1)}`}
      >
        {size.width > 0 && (
          <EditorStage
            image={image}
            html={html}
            width={size.width}
            height={size.height}
            viewport={viewport}
            onViewport={setManual}
            doc={editor.doc}
            task={task}
            tool={tool}
            spaceHeld={spaceHeld}
            brushRadius={brushRadius}
            cropDraft={cropDraft}
            onCropDraft={setCropDraft}
            cropAspect={cropAspect}
            raster={raster}
            region={region}
            showGrid={showGrid}
            perform={editor.perform}
          />
        )}
      </div>
    </div>
  );
}
