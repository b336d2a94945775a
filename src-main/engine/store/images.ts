import type { Db } from './store';

export interface ImageRow {
  readonly id: number;
  readonly path: string;
  readonly name: string;
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
  readonly byteLength: number;
  readonly format: string;
  readonly openedAt: string;
}

export interface NewImage {
  readonly path: string;
  readonly name: string;
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
  readonly byteLength: number;
  readonly format: string;
  readonly thumbnail: Buffer;
}

const COLUMNS = `id, path, name, sha256, width, height, byte_length AS byteLength, format, opened_at AS openedAt`;

/**
 * Records that an image was opened. The same content opened again (same hash) keeps its id, so runs stay
 * attached to it, and only its path, name and time of opening are refreshed.
 */
export function upsertImage(db: Db, image: NewImage, now = new Date()): ImageRow {
  return db
    .prepare(
      `INSERT INTO images (path, name, sha256, width, height, byte_length, format, thumbnail, opened_at)
       VALUES (@path, @name, @sha256, @width, @height, @byteLength, @format, @thumbnail, @openedAt)
       ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, name = excluded.name, opened_at = excluded.opened_at
       RETURNING ${COLUMNS}`,
    )
    .get({ ...image, openedAt: now.toISOString() }) as ImageRow;
}

export function getImage(db: Db, id: number): ImageRow | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM images WHERE id = ?`).get(id) as ImageRow | undefined;
}

export function getThumbnail(db: Db, id: number): Buffer | undefined {
  const row = db.prepare('SELECT thumbnail FROM images WHERE id = ?').get(id) as
    { thumbnail: Buffer } | undefined;
  return row?.thumbnail;
}

export function recentImages(db: Db, limit: number): (ImageRow & { thumbnail: Buffer })[] {
  return db
    .prepare(`SELECT ${COLUMNS}, thumbnail FROM images ORDER BY opened_at DESC, id DESC LIMIT ?`)
    .all(limit) as (ImageRow & { thumbnail: Buffer })[];
}
