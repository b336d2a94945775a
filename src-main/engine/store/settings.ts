import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/contract/api';
import type { Db } from './store';

export function readSettings(db: Db): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const stored: Record<string, unknown> = {};
  for (const row of rows) stored[row.key] = JSON.parse(row.value) as unknown;
  // Unknown keys (from a newer build) are ignored; missing keys fall back to the defaults.
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS)) if (key in stored) merged[key] = stored[key];
  return merged as unknown as Settings;
}

/** Writes all changed keys in one transaction, so a partial update is never persisted. */
export function writeSettings(db: Db, patch: Partial<Settings>): Settings {
  const upsert = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const [key, value] of Object.entries(patch)) upsert.run(key, JSON.stringify(value));
  })();
  return readSettings(db);
}
