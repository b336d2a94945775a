import { useCallback, useEffect, useReducer } from 'react';
import type { StudioEvent } from '../../../src-shared/contract/api';
import { jobEnded } from '../../../src-shared/contract/jobs';
import type { RestoreRequest, RunView } from '../../../src-shared/contract/restore';
import { studio } from '../api/client';
import { jobLifecycleReducer, type JobLifecycle, type JobLifecycleAction } from '../api/jobLifecycle';
import { useJobControls } from '../api/useJobControls';
import { useJobFollower, type JobPick } from '../api/useJobFollower';
import { errorPayloadOf } from '../api/studioError';

export interface LiveCell {
  readonly id: number;
  readonly text: string;
  readonly confidence: number;
}

export interface JobState extends JobLifecycle<'finishing'> {
  readonly live: ReadonlyMap<number, LiveCell>;
  readonly run: RunView | null;
}

export type JobStatus = JobState['status'];

const IDLE: JobState = {
  status: 'idle',
  jobId: null,
  snapshot: null,
  live: new Map(),
  error: null,
  run: null,
  early: [],
};

/** The job's output besides its state: the words predicted so far, shown on the grid as they arrive. */
function apply(state: JobState, event: StudioEvent): JobState {
  if (event.type !== 'restore.cells') return state;
  const live = new Map(state.live);
  for (const c of event.cells) live.set(c.cell, { id: c.id, text: c.text, confidence: c.confidence });
  return { ...state, live };
}

// A finished restoration still has its stored run to fetch ('finishing') before it is done.
const lifecycle = jobLifecycleReducer(IDLE, apply, (state): JobState => ({
  ...state,
  status: (state.snapshot?.runId ?? null) === null ? 'done' : 'finishing',
}));

function reducer(state: JobState, action: JobLifecycleAction | { type: 'loaded'; run: RunView }): JobState {
  return action.type === 'loaded' ? { ...state, status: 'done', run: action.run } : lifecycle(state, action);
}

/** Stable across renders, so the controls' callbacks are too. */
const beginRestore = (request: RestoreRequest) => studio.startRestore(request);

/**
 * One restoration at a time: start it, follow its snapshots, cancel it, and fetch the finished run. A restoration
 * of this photo that the engine is running already (the window was reloaded) is taken up when the hook mounts.
 */
export function useRestoreJob(imageId: number, onFinished: (run: RunView) => void) {
  const [state, send] = useReducer(reducer, IDLE);
  const pick = useCallback<JobPick>(
    (jobs) => jobs.find((j) => j.kind === 'restore' && j.imageId === imageId && !jobEnded(j)),
    [imageId],
  );
  useJobFollower(send, pick);

  const status = state.status;
  const runId = state.snapshot?.runId ?? null;
  useEffect(() => {
    if (status !== 'finishing' || runId === null) return;
    let stale = false;
    void studio.getRun({ runId }).then(
      (run) => {
        if (stale) return;
        send({ type: 'loaded', run });
        onFinished(run);
      },
      (error: unknown) => {
        if (!stale) send({ type: 'error', error: errorPayloadOf(error) });
      },
    );
    return () => {
      stale = true;
    };
  }, [status, runId, onFinished]);

  const { start, cancel } = useJobControls(send, beginRestore, state.jobId);

  const busy = ['starting', 'running', 'cancelling', 'finishing'].includes(state.status);
  return { state, busy, start, cancel };
}
