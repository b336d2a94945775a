import type { Db } from './store';

export interface SavedEdits {
  /** The renderer's editor document, as JSON. */
  readonly doc: string;
  readonly savedAt: string;
}

/** Keeps the latest editor document of an image, replacing the one before. */
export function saveEdits(db: Db, imageId: number, doc: string, now = new Date()): SavedEdits {
  const savedAt = now.toISOString();
  db.prepare(
    `INSERT INTO image_edits (image_id, doc, saved_at) VALUES (?, ?, ?)
     ON CONFLICT (image_id) DO UPDATE SET doc = excluded.doc, saved_at = excluded.saved_at`,
  ).run(imageId, doc, savedAt);
  return { doc, savedAt };
}

export function readEdits(db: Db, imageId: number): SavedEdits | undefined {
  return db.prepare('SELECT doc, saved_at AS savedAt FROM image_edits WHERE image_id = ?').get(imageId) as
    SavedEdits | undefined;
}
