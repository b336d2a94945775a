/**
 * Jobs as the engine keeps them: one whole snapshot per job, pushed on every change and listed on request, so a
 * renderer follows a job by reading its latest snapshot and a reloaded one can pick up a job still running.
 * Registered in api.ts next to the rest of the contract.
 */
import type { ErrorPayload } from './errors';
import { none, type Validator } from './validate';

export type JobKind = 'restore' | 'ask' | 'download';

/**
 * queued: waiting its turn for the models; running: working; done, failed, cancelled: ended (a paused download
 * ends cancelled, and starting it again resumes it as a new job).
 */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  readonly step: number;
  readonly of: number;
  readonly message: string;
  readonly tokensPerSecond?: number;
  /** A linear extrapolation from the steps done so far; absent until the first step. */
  readonly etaSeconds?: number;
}

export interface JobSnapshot {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly state: JobState;
  /** The latest progress report; null before the first. */
  readonly progress: JobProgress | null;
  /** The photo the job works on (restore, ask); null for a download. */
  readonly imageId: number | null;
  /** A restoration's stored run, once it has one (after its turn for the models came). */
  readonly runId: number | null;
  /** Why it failed; for a cancelled job, what the cancellation kept or removed (code JOB_CANCELLED). */
  readonly error: ErrorPayload | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** Grows with every change of this job, so a follower holding a newer copy can drop an older one. */
  readonly revision: number;
}

export const JOB_ENDED_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];

export function jobEnded(snapshot: JobSnapshot): boolean {
  return JOB_ENDED_STATES.includes(snapshot.state);
}

export type JobEvent = {
  readonly type: 'job.snapshot';
  readonly jobId: string;
  readonly snapshot: JobSnapshot;
};

export interface JobsApi {
  /** Jobs queued or running, then the most recently ended ones, newest first in each group. */
  listJobs(): Promise<JobSnapshot[]>;
}

export const JOB_VALIDATORS: { readonly listJobs: Validator<undefined> } = {
  listJobs: none,
};
