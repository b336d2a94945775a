import type { StudioEvent } from '../../../src-shared/contract/api';
import type { ErrorPayload } from '../../../src-shared/contract/errors';
import type { JobControlAction } from './useJobControls';

/** What every job the renderer follows has: where it is, its id once known, its error, and events held early. */
export interface JobLifecycle<Status extends string> {
  readonly status: Status | 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';
  readonly jobId: string | null;
  readonly error: ErrorPayload | null;
  /** Events that arrived before the start call returned the job's id (the engine starts work at once). */
  readonly early: readonly StudioEvent[];
}

export type JobLifecycleAction = JobControlAction | { type: 'event'; event: StudioEvent };

/**
 * The reducer shared by every kind of job: start, the id arriving (replaying the events held until then), events
 * (only the job's own reach `apply`), cancel, errors, and the end of the job. `apply` handles the job's own events;
 * `done` says what state a finished job enters.
 */
export function jobLifecycleReducer<S extends JobLifecycle<string>>(
  idle: S,
  apply: (state: S, event: StudioEvent) => S,
  done: (state: S) => S = (state) => ({ ...state, status: 'done' }),
  keepEarly = 500,
) {
  const follow = (state: S, event: StudioEvent): S => {
    if (event.jobId !== state.jobId) return state;
    switch (event.type) {
      case 'job.done':
        return done(state);
      case 'job.failed':
        return event.error.code === 'JOB_CANCELLED'
          ? { ...state, status: 'cancelled' }
          : { ...state, status: 'failed', error: event.error };
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
