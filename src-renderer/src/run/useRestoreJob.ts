import { useEffect, useReducer } from 'react';
import type { StudioEvent } from '../../../src-preload/contract/api';
import type { ErrorPayload } from '../../../src-preload/contract/errors';
import type { RestoreRequest, RunView } from '../../../src-preload/contract/restore';
import { studio } from '../api/client';
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

export type JobStatus =
  'idle' | 'starting' | 'running' | 'cancelling' | 'finishing' | 'done' | 'failed' | 'cancelled';

export interface JobState {
  readonly status: JobStatus;
  readonly jobId: string | null;
  readonly runId: number | null;
  readonly progress: Progress | null;
  readonly live: ReadonlyMap<number, LiveCell>;
  readonly error: ErrorPayload | null;
  readonly run: RunView | null;
  /** Events that arrived before startRestore told us the job's id (the engine starts work at once). */
  readonly early: readonly StudioEvent[];
}

type JobAction =
  | { type: 'start' }
  | { type: 'started'; jobId: string }
  | { type: 'event'; event: StudioEvent }
  | { type: 'cancel' }
  | { type: 'loaded'; run: RunView }
  | { type: 'error'; error: ErrorPayload };

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
  if (event.jobId !== state.jobId) return state;
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
    case 'job.done':
      return { ...state, status: state.runId === null ? 'done' : 'finishing' };
    case 'job.failed':
      return event.error.code === 'JOB_CANCELLED'
        ? { ...state, status: 'cancelled' }
        : { ...state, status: 'failed', error: event.error };
    default:
      // Other kinds of job share the event stream; their events say nothing about a restoration.
      return state;
  }
}

function reducer(state: JobState, action: JobAction): JobState {
  switch (action.type) {
    case 'start':
      return { ...IDLE, status: 'starting' };
    case 'started': {
      const running: JobState = {
        ...state,
        status: state.status === 'starting' ? 'running' : state.status,
        jobId: action.jobId,
        early: [],
      };
      return state.early.reduce(apply, running);
    }
    case 'event':
      if (state.status === 'starting') return { ...state, early: [...state.early, action.event].slice(-500) };
      return apply(state, action.event);
    case 'cancel':
      return state.status === 'running' ? { ...state, status: 'cancelling' } : state;
    case 'loaded':
      return { ...state, status: 'done', run: action.run };
    case 'error':
      return { ...state, status: 'failed', error: action.error };
  }
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
