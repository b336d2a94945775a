import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './store';

/** Temporary files of the atomic writers (export/files.ts, image/encode.ts, the upload store): .NAME.HEX.tmp. */
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$|\.\d+\.tmp$/;
/** A temporary file younger than this may belong to another studio process on the same data folder. */
const TEMP_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * Removes what a crash left in the data folder, once the interrupted runs are marked failed: the folders of runs
 * that did not finish (their images are partial and nothing shows them), and stale temporary files of atomic
 * writes in runs/, exports/ and imports/. Returns how many entries were removed. A failure to remove one is not
 * fatal: the studio works around leftovers, it only should not keep them forever.
 */
export function removeLeftovers(db: Db, dataDir: string, now = Date.now()): number {
  let removed = 0;
  const remove = (entry: string) => {
    try {
      fs.rmSync(entry, { recursive: true, force: true });
      removed++;
    } catch {
      // Left for the next start.
    }
  };
  const runsDir = path.join(dataDir, 'runs');
  const finished = new Set(
    (db.prepare(`SELECT id FROM runs WHERE status = 'done'`).all() as { id: number }[]).map((r) =>
      String(r.id),
    ),
  );
  const running = new Set(
    (db.prepare(`SELECT id FROM runs WHERE status = 'running'`).all() as { id: number }[]).map((r) =>
      String(r.id),
    ),
  );
  for (const entry of list(runsDir)) {
    if (/^\d+$/.test(entry) && !finished.has(entry) && !running.has(entry)) remove(path.join(runsDir, entry));
  }
  for (const dir of [
    runsDir,
    ...list(runsDir).map((e) => path.join(runsDir, e)),
    path.join(dataDir, 'exports'),
    path.join(dataDir, 'imports'),
  ]) {
    for (const entry of list(dir)) {
      const file = path.join(dir, entry);
      if (TEMP_FILE.test(entry) && isStale(file, now)) remove(file);
    }
  }
  return removed;
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isStale(file: string, now: number): boolean {
  try {
    const stat = fs.lstatSync(file);
    return stat.isFile() && now - stat.mtimeMs > TEMP_MIN_AGE_MS;
  } catch {
    return false;
  }
}
