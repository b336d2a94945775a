import type { StudioEvent } from '../../../src-shared/contract/api';
import type { ErrorPayload } from '../../../src-shared/contract/errors';
import type { JobSnapshot } from '../../../src-shared/contract/jobs';
import type { JobControlAction } from './useJobControls';

/** What every job the renderer follows has: where it is, its id once known, its error, and events held early. */
export interface JobLifecycle<Status extends string> {
  readonly status: Status | 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';
  readonly jobId: string | null;
  /** The engine's latest snapshot of the job: its state, progress, run and times. */
  readonly snapshot: JobSnapshot | null;
  readonly error: ErrorPayload | null;
  /** Events that arrived before the start call returned the job's id (the engine starts work at once). */
  readonly early: readonly StudioEvent[];
}

export type JobLifecycleAction =
  | JobControlAction
  | { type: 'event'; event: StudioEvent }
  /** Follow a job the engine was already running (listJobs after a reload), from its snapshot. */
  | { type: 'resume'; snapshot: JobSnapshot };

/**
 * The reducer shared by every kind of job: start, the id arriving (replaying the events held until then), the job's
 * snapshots, cancel, errors, and the end of the job. The job's state is read from the engine's snapshots only (the
 * job.progress / job.done / job.failed parts are not followed); `apply` handles the job's other events (its
 * output: predicted cells, generated text); `done` says what state a finished job enters.
 */
export function jobLifecycleReducer<S extends JobLifecycle<string>>(
  idle: S,
  apply: (state: S, event: StudioEvent) => S,
  done: (state: S) => S = (state) => ({ ...state, status: 'done' }),
  keepEarly = 500,
) {
  const read = (state: S, snapshot: JobSnapshot): S => {
    // Snapshots can reach a follower twice or late (the event stream and listJobs): an older one changes nothing.
    if (state.snapshot && snapshot.revision <= state.snapshot.revision) return state;
    const next = { ...state, snapshot };
    switch (snapshot.state) {
      case 'done':
        return done(next);
      case 'failed':
        return { ...next, status: 'failed', error: snapshot.error };
      case 'cancelled':
        return { ...next, status: 'cancelled' };
      default:
        return next;
    }
  };
  const follow = (state: S, event: StudioEvent): S => {
    if (event.jobId !== state.jobId) return state;
    switch (event.type) {
      case 'job.snapshot':
        return read(state, event.snapshot);
      case 'job.progress':
      case 'job.done':
      case 'job.failed':
        return state;
      default:
        return apply(state, event);
    }
  };
  return (state: S, action: JobLifecycleAction): S => {
    switch (action.type) {
      case 'start':
        return { ...idle, status: 'starting' };
      case 'started':
        return state.early.reduce(follow, {
          ...state,
          status: state.status === 'starting' ? 'running' : state.status,
          jobId: action.jobId,
          early: [],
        });
      case 'resume':
        // Only a follower with nothing of its own yet takes up a running job.
        if (state.status !== 'idle') return state;
        return read({ ...idle, status: 'running', jobId: action.snapshot.jobId }, action.snapshot);
      case 'event':
        if (state.status === 'starting') {
          return { ...state, early: [...state.early, action.event].slice(-keepEarly) };
        }
        return follow(state, action.event);
      case 'cancel':
        return state.status === 'running' ? { ...state, status: 'cancelling' } : state;
      case 'error':
        return { ...state, status: 'failed', error: action.error };
    }
  };
}
