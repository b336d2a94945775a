import { useState } from 'react';
import type { OpenedImage } from '../../../src-shared/contract/api';
import type { Viewport } from '../geometry/spaces';
import type { CropAspect } from './crop';
import type { CropRect } from './document';
import type { Tool } from './tools';

/** A zoom or pan, with the crop it was made on (a crop applied, undone or redone since makes it stale). */
export interface ManualView {
  readonly crop: CropRect | null;
  readonly viewport: Viewport;
}

/**
 * How the editor shows the photo and which tool is in hand: zoom and pan, tool, brush size, grid, crop aspect.
 * Held by the workspace rather than the editor, so they survive the editor leaving the screen while a run's
 * results are shown, and are as the user left them on coming back to Edit.
 */
export function useEditorView(image: Pick<OpenedImage, 'width' | 'height'>) {
  const [tool, setTool] = useState<Tool>('brush');
  const [brushRadius, setBrushRadius] = useState(() =>
    Math.max(4, Math.round(Math.min(image.width, image.height) / 40)),
  );
  const [showGrid, setShowGrid] = useState(true);
  const [manual, setManual] = useState<ManualView | null>(null);
  const [cropAspect, setCropAspect] = useState<CropAspect>('free');
  return {
    tool,
    setTool,
    brushRadius,
    setBrushRadius,
    showGrid,
    setShowGrid,
    manual,
    setManual,
    cropAspect,
    setCropAspect,
  };
}

export type EditorView = ReturnType<typeof useEditorView>;
