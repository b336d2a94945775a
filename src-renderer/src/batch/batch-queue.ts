/**
 * The batch's rows and how they change: pure, so the panel and the hook that drives it only render and call. The
 * queue itself is the engine's: each photo becomes a restore job, and the engine runs its jobs one at a time in the
 * order they were started; a row follows its job through the engine's snapshots, as every job follower does.
 */
import type { ErrorPayload } from '../../../src-shared/contract/errors';
import { jobEnded, type JobSnapshot } from '../../../src-shared/contract/jobs';
import type { BatchOptions } from './batch-options';

/**
 * ready: listed, not started yet; pending: started, waiting for its photo's upload (one at a time); uploading:
 * being uploaded and handed to the engine; job: the engine has its job; failed / cancelled: ended before it had one.
 */
export type RowPhase = 'ready' | 'pending' | 'uploading' | 'job' | 'failed' | 'cancelled';

export interface BatchRow {
  /** Unique in this window's batches, across reloads. */
  readonly key: string;
  readonly name: string;
  /**
   * The file dropped, pasted or picked in the page (uploaded when the row's turn comes, and the row's thumbnail);
   * null for a photo the native dialog opened.
   */
  readonly file: File | null;
  /** The stored photo, once uploaded (or from the start, when the native dialog opened it). */
  readonly imageId: number | null;
  readonly phase: RowPhase;
  /** What the row was started with; null while it is ready. */
  readonly options: BatchOptions | null;
  readonly jobId: string | null;
  /** The engine's latest snapshot of the row's job. */
  readonly snapshot: JobSnapshot | null;
  /** Why it failed before it had a job (its photo or its request refused); a job's own error is in its snapshot. */
  readonly error: ErrorPayload | null;
  /** Cancel was asked: its upload is not followed by a job, or its job is being stopped. */
  readonly cancelling: boolean;
}

export interface BatchState {
  readonly rows: readonly BatchRow[];
  /**
   * Snapshots of restore jobs no row knows yet, kept while a row is being handed to the engine: the engine pushes
   * a job's first snapshots before startRestore answers with its id.
   */
  readonly early: ReadonlyMap<string, JobSnapshot>;
}

export const EMPTY_BATCH: BatchState = { rows: [], early: new Map() };

export type BatchAction =
  | { type: 'add'; rows: readonly BatchRow[] }
  /** Takes a ready row off the list. */
  | { type: 'remove'; key: string }
  /** Takes the ended rows off the list; those still to start or to end stay. */
  | { type: 'clear' }
  /** Starts every ready row with these options. */
  | { type: 'start'; options: BatchOptions }
  | { type: 'uploading'; key: string }
  | { type: 'uploaded'; key: string; imageId: number }
  | { type: 'started'; key: string; jobId: string }
  /** The photo or its request was refused before a job existed. */
  | { type: 'refused'; key: string; error: ErrorPayload }
  | { type: 'cancel'; key: string }
  /** A row whose cancel came while its photo was uploading: no job was started. */
  | { type: 'cancelled'; key: string }
  | { type: 'snapshot'; snapshot: JobSnapshot }
  /** The engine's list of jobs (listJobs) after a reload: `asked` are the rows' job ids when it was asked. */
  | { type: 'listed'; jobs: readonly JobSnapshot[]; asked: readonly string[] };

const NEW_ROW = {
  file: null,
  imageId: null,
  phase: 'ready',
  options: null,
  jobId: null,
  snapshot: null,
  error: null,
  cancelling: false,
} as const satisfies Omit<BatchRow, 'key' | 'name'>;

/** A new row, ready to be started: a file to upload, or a photo the engine has opened already. */
export function readyRow(key: string, name: string, photo: { file: File } | { imageId: number }): BatchRow {
  return { ...NEW_ROW, key, name, ...photo };
}

/** A row for a photo that could not be opened: listed with its error, never started. */
export function refusedRow(key: string, name: string, error: ErrorPayload): BatchRow {
  return { ...NEW_ROW, key, name, phase: 'failed', error };
}

/** Whether a row is still to end: waiting for its upload or its job, or running. */
export function rowActive(row: BatchRow): boolean {
  switch (row.phase) {
    case 'pending':
    case 'uploading':
      return true;
    case 'job':
      return row.snapshot === null || !jobEnded(row.snapshot);
    default:
      return false;
  }
}

function update(state: BatchState, key: string, change: (row: BatchRow) => BatchRow): BatchState {
  return { ...state, rows: state.rows.map((row) => (row.key === key ? change(row) : row)) };
}

/** A snapshot replaces the row's copy only when newer: the event stream and listJobs can deliver one twice. */
function withSnapshot(row: BatchRow, snapshot: JobSnapshot): BatchRow {
  return row.snapshot && snapshot.revision <= row.snapshot.revision ? row : { ...row, snapshot };
}

export function batchReducer(state: BatchState, action: BatchAction): BatchState {
  switch (action.type) {
    case 'add':
      return { ...state, rows: [...state.rows, ...action.rows] };
    case 'remove':
      return { ...state, rows: state.rows.filter((r) => r.key !== action.key || r.phase !== 'ready') };
    case 'clear':
      return { ...state, rows: state.rows.filter((r) => r.phase === 'ready' || rowActive(r)) };
    case 'start':
      return {
        ...state,
        rows: state.rows.map((r) =>
          r.phase === 'ready' ? { ...r, phase: 'pending', options: action.options } : r,
        ),
      };
    case 'uploading':
      return update(state, action.key, (r) => ({ ...r, phase: 'uploading' }));
    case 'uploaded':
      return update(state, action.key, (r) => ({ ...r, imageId: action.imageId }));
    case 'started': {
      const early = state.early.get(action.jobId) ?? null;
      const started = update(state, action.key, (r) => ({
        ...r,
        phase: 'job',
        jobId: action.jobId,
        snapshot: early,
      }));
      return { ...started, early: new Map() };
    }
    case 'refused':
      return update(state, action.key, (r) => ({ ...r, phase: 'failed', error: action.error }));
    case 'cancel':
      return update(state, action.key, (r) => {
        if (r.phase === 'pending') return { ...r, phase: 'cancelled' };
        return rowActive(r) ? { ...r, cancelling: true } : r;
      });
    case 'cancelled':
      return update(state, action.key, (r) => ({ ...r, phase: 'cancelled' }));
    case 'snapshot': {
      const { snapshot } = action;
      const own = state.rows.find((r) => r.jobId === snapshot.jobId);
      if (own) {
        const next = withSnapshot(own, snapshot);
        return next === own ? state : { ...state, rows: state.rows.map((r) => (r === own ? next : r)) };
      }
      // Only while a row is being handed to the engine can an unknown restore job be its own.
      if (snapshot.kind !== 'restore' || !state.rows.some((r) => r.phase === 'uploading')) return state;
      const kept = state.early.get(snapshot.jobId);
      if (kept && kept.revision >= snapshot.revision) return state;
      return { ...state, early: new Map(state.early).set(snapshot.jobId, snapshot) };
    }
    case 'listed': {
      const listed = new Map(action.jobs.map((j) => [j.jobId, j]));
      const asked = new Set(action.asked);
      return {
        ...state,
        rows: state.rows.map((r) => {
          if (r.jobId === null || !asked.has(r.jobId)) return r;
          const job = listed.get(r.jobId);
          if (job) return withSnapshot(r, job);
          if (!rowActive(r)) return r;
          // Still running when last seen, and the engine has forgotten it: the engine was restarted.
          return {
            ...r,
            phase: 'failed',
            error: {
              code: 'NOT_FOUND',
              message:
                'The engine no longer has this job: it was restarted before the photo was restored. Start it again.',
            },
          };
        }),
      };
    }
  }
}

/** What the panel shows of a row: waiting, running (with its progress), or how it ended. */
export type RowState = 'ready' | 'waiting' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RowStatus {
  readonly state: RowState;
  /** One line: what it waits for, the step it is at, or its error. */
  readonly text: string;
  /** 0..100 while running with a reported step; null otherwise. */
  readonly percent: number | null;
  readonly etaSeconds: number | null;
  /** The run a finished row opens. */
  readonly runId: number | null;
  readonly cancelling: boolean;
}

const status = (state: RowState, text: string, extra: Partial<RowStatus> = {}): RowStatus => ({
  state,
  text,
  percent: null,
  etaSeconds: null,
  runId: null,
  cancelling: false,
  ...extra,
});

export function rowStatus(row: BatchRow): RowStatus {
  const cancelling = row.cancelling && rowActive(row);
  switch (row.phase) {
    case 'ready':
      return status('ready', 'Ready');
    case 'pending':
      return status('waiting', 'Waiting for its upload');
    case 'uploading':
      return status('waiting', cancelling ? 'Cancelling…' : 'Uploading…', { cancelling });
    case 'failed':
      return status('failed', row.error?.message ?? 'Failed.');
    case 'cancelled':
      return status('cancelled', 'Cancelled');
    case 'job':
      break;
  }
  const snapshot = row.snapshot;
  if (snapshot === null) return status('waiting', 'Starting…', { cancelling });
  const progress = snapshot.progress;
  switch (snapshot.state) {
    case 'done':
      return status('done', 'Done', { percent: 100, runId: snapshot.runId });
    case 'failed':
      return status('failed', snapshot.error?.message ?? 'Failed.');
    case 'cancelled':
      return status('cancelled', 'Cancelled');
    case 'queued':
      return status('waiting', progress?.message ?? 'Queued', { cancelling });
    case 'running':
      // A job reports no step until the models are its: it is still waiting to begin.
      if (progress === null) return status('waiting', 'Starting…', { cancelling });
      return status('running', progress.message, {
        percent: progress.of > 0 ? Math.min(100, (100 * progress.step) / progress.of) : 0,
        etaSeconds: progress.etaSeconds ?? null,
        cancelling,
      });
  }
}

export interface BatchSummary {
  /** Rows started (ended or not); ready rows are not counted. */
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Rows still to end. */
  readonly active: number;
  readonly ready: number;
  /** The started rows' work done, 0..1: an ended row counts whole, a running one by its progress. */
  readonly fraction: number;
}

export function batchSummary(rows: readonly BatchRow[]): BatchSummary {
  const counts = { total: 0, done: 0, failed: 0, cancelled: 0, active: 0, ready: 0 };
  let work = 0;
  for (const row of rows) {
    const { state, percent } = rowStatus(row);
    if (state === 'ready') {
      counts.ready += 1;
      continue;
    }
    counts.total += 1;
    if (state === 'waiting' || state === 'running') {
      counts.active += 1;
      work += (percent ?? 0) / 100;
    } else {
      counts[state] += 1;
      work += 1;
    }
  }
  return { ...counts, fraction: counts.total === 0 ? 0 : work / counts.total };
}

/** "3 of 8 done", with what failed or was cancelled. */
export function summaryText(summary: BatchSummary): string {
  const parts = [`${summary.done} of ${summary.total} done`];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.cancelled > 0) parts.push(`${summary.cancelled} cancelled`);
  return parts.join(' · ');
}
