import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { OpenedImage } from '../../../src-shared/contract/api';
import type { Protocol, Task } from '../../../src-shared/contract/restore';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';
import { EMPTY_DOC } from '../run/task-sides';
import { parseSavedWork, serializeWork, type SavedWork } from './saved-work';
import type { EditorApi } from './useEditor';

/** How long the work must be still before it is written: one write per gesture, not per frame. */
const SAVE_DELAY_MS = 300;

/** What the user is told about kept edits: restored ones, ones that could not be read, a write that failed. */
export type EditsNotice =
  | { readonly kind: 'restored'; readonly savedAt: string }
  | { readonly kind: 'unreadable'; readonly savedAt: string | null }
  | { readonly kind: 'failed'; readonly message: string };

/** The task and protocol chosen for the photo, kept with its edits. */
export interface TaskChoice {
  readonly task: Task;
  readonly protocol: Protocol;
}

const EMPTY_JSON = serializeWork({ doc: EMPTY_DOC, task: null, protocol: null });

/**
 * Keeps the work on a photo (the editor's document, the task and the protocol) in the store as the user edits, and
 * brings it back when the photo is opened again, so a reload, a crash or switching photos loses no mask, crop or
 * setting. Mounted once per photo.
 */
export function useSavedEdits(
  image: OpenedImage,
  editor: EditorApi,
  choice: TaskChoice,
  onRestoreChoice: (choice: Partial<TaskChoice>) => void,
) {
  const { doc, load } = editor;
  const [ready, setReady] = useState(false);
  const [notice, setNotice] = useState<EditsNotice | null>(null);
  const json = useMemo(
    () => serializeWork({ doc, task: choice.task, protocol: choice.protocol }),
    [doc, choice.task, choice.protocol],
  );
  // What the store already has, what waits to be written, and whether the user has edited since opening.
  const stored = useRef<string | null>(null);
  const pending = useRef<string | null>(null);
  const edited = useRef(false);
  useEffect(() => {
    if (doc !== EMPTY_DOC) edited.current = true;
  }, [doc]);
  const { imageId, width, height } = image;

  const flush = useCallback(() => {
    const next = pending.current;
    if (next === null) return;
    pending.current = null;
    stored.current = next;
    studio.saveEdits({ imageId, doc: next }).then(
      () => setNotice((n) => (n?.kind === 'failed' ? null : n)),
      (error: unknown) => setNotice({ kind: 'failed', message: errorPayloadOf(error).message }),
    );
  }, [imageId]);

  useEffect(() => {
    let stale = false;
    studio.getEdits({ imageId }).then(
      ({ doc: kept, savedAt }) => {
        if (stale) return;
        setReady(true);
        if (kept === null) return;
        const work: SavedWork | null = parseSavedWork(kept, { width, height });
        if (!work) {
          setNotice({ kind: 'unreadable', savedAt });
          return;
        }
        // Edits made while the store was being read win over the older ones it returns.
        if (edited.current) return;
        stored.current = kept;
        load(work.doc);
        onRestoreChoice({
          ...(work.task ? { task: work.task } : {}),
          ...(work.protocol ? { protocol: work.protocol } : {}),
        });
        // Work with nothing in it has nothing to announce.
        const empty = serializeWork({ doc: work.doc, task: null, protocol: null }) === EMPTY_JSON;
        if (!empty && savedAt !== null) setNotice({ kind: 'restored', savedAt });
      },
      (error: unknown) => {
        if (stale) return;
        setReady(true);
        setNotice({ kind: 'failed', message: errorPayloadOf(error).message });
      },
    );
    return () => {
      stale = true;
    };
  }, [imageId, width, height, load, onRestoreChoice]);

  useEffect(() => {
    if (!ready || json === stored.current) return;
    pending.current = json;
    const timer = setTimeout(flush, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [json, ready, flush]);

  // Leaving the photo or the page writes what is still waiting.
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [flush]);

  return { notice, dismiss: () => setNotice(null) };
}

/** The line shown for a notice. */
export function editsNoticeText(notice: EditsNotice): string {
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'an earlier visit');
  switch (notice.kind) {
    case 'restored':
      return `Your edits to this photo from ${when(notice.savedAt)} are back. Undo starts from here.`;
    case 'unreadable':
      return `The edits kept for this photo (from ${when(notice.savedAt)}) could not be read, so the photo opens without them; your next edit replaces them.`;
    case 'failed':
      return `Your edits could not be kept: ${notice.message} They stay in this window until it closes.`;
  }
}
