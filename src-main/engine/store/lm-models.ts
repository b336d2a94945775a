import type { LmFileInfo, LmSource } from '../../../src-shared/contract/models';
import type { Db } from './store';

export interface LmModelRow {
  readonly id: number;
  readonly path: string;
  readonly source: Exclude<LmSource, 'bundled'>;
  /** The studio made this file (download, upload) and deletes it with the entry. */
  readonly owned: boolean;
  readonly uri: string | null;
  readonly bytes: number;
  readonly info: LmFileInfo;
  readonly addedAt: string;
}

export interface NewLmModel {
  readonly path: string;
  readonly source: Exclude<LmSource, 'bundled'>;
  readonly owned: boolean;
  readonly uri: string | null;
  readonly bytes: number;
  readonly info: LmFileInfo;
}

interface RawRow {
  id: number;
  path: string;
  source: Exclude<LmSource, 'bundled'>;
  owned: number;
  uri: string | null;
  bytes: number;
  info: string;
  addedAt: string;
}

const COLUMNS = 'id, path, source, owned, uri, bytes, info, added_at AS addedAt';

const toRow = (raw: RawRow): LmModelRow => ({
  ...raw,
  owned: raw.owned === 1,
  info: JSON.parse(raw.info) as LmFileInfo,
});

/**
 * Adds a model file, or refreshes the entry already recorded for the same path (importing a file twice keeps one
 * entry and its id, so a selection made earlier still points at it).
 */
export function upsertLmModel(db: Db, model: NewLmModel, now = new Date()): LmModelRow {
  const raw = db
    .prepare(
      `INSERT INTO lm_models (path, source, owned, uri, bytes, info, added_at)
       VALUES (@path, @source, @owned, @uri, @bytes, @info, @addedAt)
       ON CONFLICT (path) DO UPDATE SET bytes = excluded.bytes, info = excluded.info
       RETURNING ${COLUMNS}`,
    )
    .get({
      ...model,
      owned: model.owned ? 1 : 0,
      info: JSON.stringify(model.info),
      addedAt: now.toISOString(),
    }) as RawRow;
  return toRow(raw);
}

export function listLmModels(db: Db): LmModelRow[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM lm_models ORDER BY id`).all() as RawRow[]).map(toRow);
}

export function getLmModel(db: Db, id: number): LmModelRow | undefined {
  const raw = db.prepare(`SELECT ${COLUMNS} FROM lm_models WHERE id = ?`).get(id) as RawRow | undefined;
  return raw && toRow(raw);
}

export function findLmModelByPath(db: Db, file: string): LmModelRow | undefined {
  const raw = db.prepare(`SELECT ${COLUMNS} FROM lm_models WHERE path = ?`).get(file) as RawRow | undefined;
  return raw && toRow(raw);
}

export function deleteLmModel(db: Db, id: number): void {
  db.prepare('DELETE FROM lm_models WHERE id = ?').run(id);
}

export interface LmDownloadRow {
  readonly uri: string;
  readonly folder: string;
  readonly fileName: string;
  readonly totalBytes: number;
  readonly startedAt: string;
}

/** Remembers a download before its first byte lands, so a stopped one can be listed, resumed or discarded. */
export function recordLmDownload(db: Db, row: Omit<LmDownloadRow, 'startedAt'>, now = new Date()): void {
  db.prepare(
    `INSERT INTO lm_downloads (uri, folder, file_name, total_bytes, started_at)
     VALUES (@uri, @folder, @fileName, @totalBytes, @startedAt)
     ON CONFLICT (uri) DO UPDATE SET folder = excluded.folder, file_name = excluded.file_name,
       total_bytes = excluded.total_bytes`,
  ).run({ ...row, startedAt: now.toISOString() });
}

export function listLmDownloads(db: Db): LmDownloadRow[] {
  return db
    .prepare(
      `SELECT uri, folder, file_name AS fileName, total_bytes AS totalBytes, started_at AS startedAt
       FROM lm_downloads ORDER BY started_at`,
    )
    .all() as LmDownloadRow[];
}

export function deleteLmDownload(db: Db, uri: string): void {
  db.prepare('DELETE FROM lm_downloads WHERE uri = ?').run(uri);
}
