import { useEffect } from 'react';
import type { JobSnapshot } from '../../../src-shared/contract/jobs';
import { studio } from './client';
import type { StudioEvent } from '../../../src-shared/contract/api';

/** What a follower is fed: every event, and once, the job it takes up. A job reducer's actions include both. */
export type JobFollowerAction =
  { type: 'event'; event: StudioEvent } | { type: 'resume'; snapshot: JobSnapshot };

/** Chooses, from the engine's jobs, the one a follower takes up when it mounts; undefined for none. */
export type JobPick = (jobs: readonly JobSnapshot[]) => JobSnapshot | undefined;

/**
 * Feeds a job reducer the engine's events and, when it mounts, takes up the job `pick` chooses among those the
 * engine lists (a reloaded window, or a photo opened again while its restoration runs). `pick` must be stable.
 */
export function useJobFollower(send: (action: JobFollowerAction) => void, pick: JobPick | null): void {
  useEffect(() => {
    // Snapshots pushed while listJobs is answered may be newer than its answer, or the job's last: kept until then.
    let pending: Map<string, JobSnapshot> | null = pick ? new Map() : null;
    const off = studio.onEvent((event) => {
      if (event.type === 'job.snapshot') pending?.set(event.jobId, event.snapshot);
      send({ type: 'event', event });
    });
    if (pick) {
      studio.listJobs().then(
        (jobs) => {
          const seen = pending;
          pending = null;
          const listed = pick(jobs);
          if (!seen || !listed) return;
          const pushed = seen.get(listed.jobId);
          send({ type: 'resume', snapshot: pushed && pushed.revision > listed.revision ? pushed : listed });
        },
        // Nothing to take up when the engine cannot say: the follower starts idle, as before a reload.
        () => (pending = null),
      );
    }
    return () => {
      pending = null;
      off();
    };
  }, [send, pick]);
}
