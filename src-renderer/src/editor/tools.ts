export type Tool = 'brush' | 'eraser' | 'rect' | 'extend' | 'crop' | 'pan';

/** The editor's tools; the keys that choose them are in the keyboard table (`TOOL_ACTIONS`). */
export const TOOLS: readonly { id: Tool; label: string; hint: string }[] = [
  { id: 'brush', label: 'Brush', hint: 'Paint the damage to restore, or the region to blur' },
  { id: 'eraser', label: 'Eraser', hint: 'Remove paint from the mask' },
  { id: 'rect', label: 'Rectangle', hint: 'Drag a rectangle of damage' },
  { id: 'extend', label: 'Extend', hint: 'Drag an edge of the canvas outwards to outpaint' },
  { id: 'crop', label: 'Crop', hint: 'Drag the part to keep; Enter applies, Esc cancels' },
  { id: 'pan', label: 'Pan', hint: 'Drag to move the view (or hold Space)' },
];

export const MIN_BRUSH = 1;
export const MAX_BRUSH = 400;

/** The next brush radius for [ and ]: steps of about 15 %, at least one pixel. */
export function stepBrush(radius: number, direction: 1 | -1): number {
  const next = direction > 0 ? Math.max(radius + 1, radius * 1.15) : Math.min(radius - 1, radius / 1.15);
  return Math.round(Math.max(MIN_BRUSH, Math.min(MAX_BRUSH, next)));
}
