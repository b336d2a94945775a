import { useCallback, useEffect, useRef, useState } from 'react';
import type { OpenedImage } from '../../../src-preload/contract/api';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';
import { EMPTY_DOC, type EditorDoc } from './document';
import { parseEditorDoc } from './saved-doc';
import type { EditorApi } from './useEditor';

/** How long the editor must be still before its document is written: one write per gesture, not per frame. */
const SAVE_DELAY_MS = 300;

/** What the user is told about kept edits: restored ones, ones that could not be read, a write that failed. */
export type EditsNotice =
  | { readonly kind: 'restored'; readonly savedAt: string }
  | { readonly kind: 'unreadable'; readonly savedAt: string | null }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * Keeps the editor's document of a photo in the store as the user edits, and brings it back when the photo is
 * opened again, so a reload, a crash or switching photos loses no mask, crop or setting. Mounted once per photo.
 */
export function useSavedEdits(image: OpenedImage, editor: EditorApi) {
  const { doc, load } = editor;
  const [ready, setReady] = useState(false);
  const [notice, setNotice] = useState<EditsNotice | null>(null);
  // The document the store already has, and the one waiting to be written.
  const stored = useRef<EditorDoc>(EMPTY_DOC);
  const pending = useRef<EditorDoc | null>(null);
  const current = useRef(doc);
  useEffect(() => {
    current.current = doc;
  }, [doc]);
  const { imageId, width, height } = image;

  const flush = useCallback(() => {
    const next = pending.current;
    if (!next) return;
    pending.current = null;
    stored.current = next;
    studio.saveEdits({ imageId, doc: JSON.stringify(next) }).then(
      () => setNotice((n) => (n?.kind === 'failed' ? null : n)),
      (error: unknown) => setNotice({ kind: 'failed', message: errorPayloadOf(error).message }),
    );
  }, [imageId]);

  useEffect(() => {
    let stale = false;
    studio.getEdits({ imageId }).then(
      ({ doc: json, savedAt }) => {
        if (stale) return;
        setReady(true);
        if (json === null) return;
        const parsed = parseEditorDoc(json, { width, height });
        if (!parsed) {
          setNotice({ kind: 'unreadable', savedAt });
          return;
        }
        // Edits made while the store was being read win over the older ones it returns; a document with nothing
        // in it has nothing to bring back.
        if (current.current !== EMPTY_DOC || JSON.stringify(parsed) === JSON.stringify(EMPTY_DOC)) return;
        stored.current = parsed;
        load(parsed);
        if (savedAt !== null) setNotice({ kind: 'restored', savedAt });
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
  }, [imageId, width, height, load]);

  useEffect(() => {
    if (!ready || doc === stored.current) return;
    pending.current = doc;
    const timer = setTimeout(flush, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [doc, ready, flush]);

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
