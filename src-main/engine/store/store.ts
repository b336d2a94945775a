import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StudioError } from '../errors';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the studio database in `dataDir`. WAL keeps readers and the single writer from
 * blocking each other and makes each committed transaction durable across a crash of the process.
 */
export function openDatabase(dataDir: string): Db {
  const file = path.join(dataDir, 'studio.sqlite');
  let db: Db;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    // The database, its WAL and the run folders are written here: a read-only folder fails now, in one line.
    fs.accessSync(dataDir, fs.constants.W_OK);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
  } catch (error) {
    throw new StudioError(
      'FILE_UNWRITABLE',
      `The data folder ${dataDir} cannot be written (${error instanceof Error ? error.message : String(error)}): ` +
        'make it writable, or point V2L_DATA_DIR at a writable folder.',
      { cause: error },
    );
  }
  db.pragma('foreign_keys = ON');
  // NORMAL is durable in WAL mode against process crashes; only a power cut can lose the last commit.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The studio database is at schema version ${current}, newer than this build understands (${latest}): ` +
        'update V2L Studio or point it at another data folder.',
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
