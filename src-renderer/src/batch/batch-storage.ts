/**
 * The batch's rows kept in the window's session storage, so a reload finds its batch again: the engine still runs
 * the jobs, and only the window knows which of them (and which photo names) were the batch. A file not uploaded
 * yet cannot be kept, so its row is not: a reload drops the rows still waiting for their upload.
 */
import type { BatchRow, RowPhase } from './batch-queue';

const STORAGE_KEY = 'v2l.batch';
const KEPT_PHASES: readonly RowPhase[] = ['ready', 'pending', 'job', 'failed', 'cancelled'];

/**
 * The rows a reload can take up: those the engine has a job for or that ended, and those not started yet whose
 * photo the engine opened (the native dialog's); not a file still to upload, nor a row being handed over.
 */
function keepable(row: BatchRow): boolean {
  if (row.phase === 'ready' || row.phase === 'pending') return row.file === null && row.imageId !== null;
  return KEPT_PHASES.includes(row.phase);
}

export function saveRows(rows: readonly BatchRow[], storage: Storage = sessionStorage): void {
  const kept = rows.filter(keepable);
  try {
    if (kept.length === 0) storage.removeItem(STORAGE_KEY);
    else storage.setItem(STORAGE_KEY, JSON.stringify(kept.map((row) => ({ ...row, file: null }))));
  } catch {
    // Storage full or switched off: the batch goes on, only a reload will not find it.
  }
}

export function loadRows(storage: Storage = sessionStorage): BatchRow[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    // Written by saveRows in this window: only rows of a shape it could have written are taken back.
    return parsed.filter(
      (row): row is BatchRow =>
        typeof row === 'object' &&
        row !== null &&
        typeof (row as BatchRow).key === 'string' &&
        typeof (row as BatchRow).name === 'string' &&
        KEPT_PHASES.includes((row as BatchRow).phase),
    );
  } catch {
    return [];
  }
}
