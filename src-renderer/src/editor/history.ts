import type { EditorDoc } from './document';

/** One undoable step: which action made it, and the documents on either side of it. */
export interface HistoryEntry {
  readonly name: string;
  readonly label: string;
  readonly before: EditorDoc;
  readonly after: EditorDoc;
  /** When it was recorded (ms), for merging quick repeats of a coalescing action. */
  readonly at: number;
}

export interface History {
  readonly past: readonly HistoryEntry[];
  readonly future: readonly HistoryEntry[];
}

export const EMPTY_HISTORY: History = { past: [], future: [] };

const COALESCE_MS = 800;
const MAX_ENTRIES = 200;

/**
 * Records an edit. Edits that change nothing are not recorded; a coalescing action repeated within a moment
 * extends the previous step instead of adding one; any new edit clears the redo stack.
 */
export function record(history: History, entry: HistoryEntry, coalesce: boolean): History {
  if (entry.before === entry.after) return history;
  const last = history.past.at(-1);
  if (coalesce && last?.name === entry.name && entry.at - last.at < COALESCE_MS) {
    return { past: [...history.past.slice(0, -1), { ...entry, before: last.before }], future: [] };
  }
  return { past: [...history.past, entry].slice(-MAX_ENTRIES), future: [] };
}

export function undo(history: History): { history: History; doc: EditorDoc } | null {
  const last = history.past.at(-1);
  if (!last) return null;
  return {
    history: { past: history.past.slice(0, -1), future: [last, ...history.future] },
    doc: last.before,
  };
}

export function redo(history: History): { history: History; doc: EditorDoc } | null {
  const next = history.future[0];
  if (!next) return null;
  return {
    history: { past: [...history.past, next], future: history.future.slice(1) },
    doc: next.after,
  };
}
