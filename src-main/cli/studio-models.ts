import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_SETTINGS, type Settings } from '../../src-shared/contract/api';
import { defaultDataDir } from '../engine/paths';
import { ModelSet } from '../engine/restore/models';
import { readSettings } from '../engine/store/settings';

/**
 * The models the studio itself would use: the language model (a GGUF or a llama-server) and threads chosen in
 * Settings, read from the data folder's store, so `v2l restore` restores with what the user picked. The store is
 * opened read-only and only for the settings: a studio running beside the CLI keeps its history, jobs and
 * leftovers to itself. With no store yet (the studio never ran), the defaults: the bundled models.
 */
export function studioModels(dataDir: string = defaultDataDir()): {
  readonly models: ModelSet;
  readonly settings: Settings;
  readonly source: string;
  readonly dataDir: string;
} {
  const file = path.join(dataDir, 'studio.sqlite');
  if (!fs.existsSync(file)) {
    return {
      models: new ModelSet(() => DEFAULT_SETTINGS),
      settings: DEFAULT_SETTINGS,
      source: 'defaults',
      dataDir,
    };
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let settings: Settings;
  try {
    settings = readSettings(db);
  } finally {
    db.close();
  }
  return { models: new ModelSet(() => settings), settings, source: `Settings in ${dataDir}`, dataDir };
}
