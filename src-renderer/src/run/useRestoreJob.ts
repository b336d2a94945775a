import { useEffect, useReducer } from 'react';
import type { StudioEvent } from '../../../src-shared/contract/api';
import type { RestoreRequest, RunView } from '../../../src-shared/contract/restore';
import { studio } from '../api/client';
import { jobLifecycleReducer, type JobLifecycle, type JobLifecycleAction } from '../api/jobLifecycle';
import { useJobControls } from '../api/useJobControls';
import { errorPayloadOf } from '../api/studioError';

export interface LiveCell {
  readonly id: number;
  readonly text: string;
  readonly confidence: number;
}

export interface Progress {
  readonly step: number;
  readonly of: number;
  readonly message: string;
  readonly tokensPerSecond?: number;
  readonly etaSeconds?: number;
}

export interface JobState extends JobLifecycle<'finishing'> {
  readonly runId: number | null;
  readonly progress: Progress | null;
  readonly live: ReadonlyMap<number, LiveCell>;
  readonly run: RunView | null;
}

export type JobStatus = JobState['status'];

const IDLE: JobState = {
  status: 'idle',
  jobId: null,
  runId: null,
  progress: null,
  live: new Map(),
  error: null,
  run: null,
  early: [],
};

function apply(state: JobState, event: StudioEvent): JobState {
  switch (event.type) {
    case 'job.progress':
      return {
        ...state,
        progress: {
          step: event.step,
          of: event.of,
          message: event.message,
          ...(event.tokensPerSecond === undefined ? {} : { tokensPerSecond: event.tokensPerSecond }),
          ...(event.etaSeconds === undefined ? {} : { etaSeconds: event.etaSeconds }),
        },
      };
    case 'restore.started':
      return { ...state, runId: event.runId };
    case 'restore.cells': {
      const live = new Map(state.live);
      for (const c of event.cells) live.set(c.cell, { id: c.id, text: c.text, confidence: c.confidence });
      return { ...state, live };
    }
    default:
      // Other kinds of job share the event stream; their events say nothing about a restoration.
      return state;
  }
}

// A finished restoration still has its stored run to fetch ('finishing') before it is done.
const lifecycle = jobLifecycleReducer(IDLE, apply, (state): JobState => ({
  ...state,
  status: state.runId === null ? 'done' : 'finishing',
}));

function reducer(state: JobState, action: JobLifecycleAction | { type: 'loaded'; run: RunView }): JobState {
  return action.type === 'loaded' ? { ...state, status: 'done', run: action.run } : lifecycle(state, action);
}

/** Stable across renders, so the controls' callbacks are too. */
const beginRestore = (request: RestoreRequest) => studio.startRestore(request);

/** One restoration at a time: start it, follow its events, cancel it, and fetch the finished run. */
export function useRestoreJob(onFinished: (run: RunView) => void) {
  const [state, send] = useReducer(reducer, IDLE);

  useEffect(() => studio.onEvent((event) => send({ type: 'event', event })), []);

  const { status, runId } = state;
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
