/** Every keyboard shortcut, for the handlers and the shortcut sheet alike. */
export const SHORTCUTS: readonly { keys: string; what: string }[] = [
  { keys: 'B', what: 'Brush: paint damage, or the region to blur' },
  { keys: 'E', what: 'Eraser' },
  { keys: 'R', what: 'Rectangle mask' },
  { keys: 'X', what: 'Outpaint extender: drag a canvas edge' },
  { keys: 'C', what: 'Crop: drag the part to keep (handles resize it, inside moves it)' },
  { keys: 'Enter / Escape', what: 'Apply / cancel the crop being drawn' },
  { keys: 'H or hold Space', what: 'Pan (drag)' },
  { keys: '[ and ]', what: 'Smaller / larger brush' },
  { keys: 'I', what: 'Invert the mask' },
  { keys: 'Delete', what: 'Clear the mask' },
  { keys: 'G', what: 'Show or hide the token grid' },
  { keys: 'F', what: 'Fit the photo in view' },
  { keys: '1', what: 'Zoom to 100 %' },
  { keys: 'Wheel', what: 'Zoom at the pointer' },
  { keys: 'Ctrl/Cmd+Z', what: 'Undo' },
  { keys: 'Shift+Ctrl/Cmd+Z or Ctrl+Y', what: 'Redo' },
  { keys: 'Ctrl/Cmd+Enter', what: 'Run the restoration' },
  { keys: 'Ctrl/Cmd+O', what: 'Open a photo' },
  { keys: '?', what: 'This sheet' },
  { keys: 'Escape', what: 'Close a dialog' },
];

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color', 'file']);

/** Whether a key event belongs to a text field, where single-letter shortcuts must not fire. */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(target.type);
  return target.isContentEditable || ['SELECT', 'TEXTAREA'].includes(target.tagName);
}
