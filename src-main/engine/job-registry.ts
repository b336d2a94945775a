import type { StudioEvent } from '../../src-shared/contract/api';
import type { ErrorPayload } from '../../src-shared/contract/errors';
import { jobEnded, type JobKind, type JobSnapshot, type JobState } from '../../src-shared/contract/jobs';

/** Ended jobs kept for listJobs: enough for a reloaded renderer to see how the last few ended, and bounded. */
export const KEPT_ENDED_JOBS = 20;

type Change = Partial<Pick<JobSnapshot, 'state' | 'progress' | 'runId' | 'error'>>;

/**
 * The state of every job the engine runs, kept as whole snapshots: each change replaces the job's snapshot and is
 * pushed as a job.snapshot event, so followers read state rather than rebuild it from a stream of parts. One
 * registry serves all of the engine's job runners (restorations and Ask, downloads).
 */
export class JobRegistry {
  private readonly jobs = new Map<string, JobSnapshot>();

  constructor(
    private readonly emit: (event: StudioEvent) => void,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  open(jobId: string, kind: JobKind, imageId: number | null): JobSnapshot {
    return this.put({
      jobId,
      kind,
      state: 'running',
      progress: null,
      imageId,
      runId: null,
      error: null,
      startedAt: new Date(this.clock()).toISOString(),
      endedAt: null,
      revision: 0,
    });
  }

  /** Applies a change to a job that has not ended; an ended job's snapshot is final. */
  update(jobId: string, change: Change): void {
    const current = this.jobs.get(jobId);
    if (!current || jobEnded(current)) return;
    this.put({ ...current, ...change, revision: current.revision + 1 });
  }

  end(
    jobId: string,
    state: Extract<JobState, 'done' | 'failed' | 'cancelled'>,
    error: ErrorPayload | null,
  ): void {
    const current = this.jobs.get(jobId);
    if (!current || jobEnded(current)) return;
    // Re-inserted so the map's order is the order jobs ended in, oldest first, for trimming.
    this.jobs.delete(jobId);
    this.put({
      ...current,
      state,
      error,
      endedAt: new Date(this.clock()).toISOString(),
      revision: current.revision + 1,
    });
    const ended = [...this.jobs.values()].filter(jobEnded);
    for (const old of ended.slice(0, Math.max(0, ended.length - KEPT_ENDED_JOBS)))
      this.jobs.delete(old.jobId);
  }

  get(jobId: string): JobSnapshot | undefined {
    return this.jobs.get(jobId);
  }

  /** Jobs queued or running, then the ended ones, newest first in each group. */
  list(): JobSnapshot[] {
    const newestFirst = [...this.jobs.values()].reverse();
    return [...newestFirst.filter((j) => !jobEnded(j)), ...newestFirst.filter(jobEnded)];
  }

  private put(snapshot: JobSnapshot): JobSnapshot {
    this.jobs.set(snapshot.jobId, snapshot);
    this.emit({ type: 'job.snapshot', jobId: snapshot.jobId, snapshot });
    return snapshot;
  }
}
