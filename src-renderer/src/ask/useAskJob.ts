import { useEffect, useReducer } from 'react';
import type { StudioEvent } from '../../../src-preload/contract/api';
import type { AskRequest, AskResult } from '../../../src-preload/contract/ask';
import type { ErrorPayload } from '../../../src-preload/contract/errors';
import { studio } from '../api/client';
import { useJobControls } from '../api/useJobControls';

export type AskStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export interface AskJobState {
  readonly status: AskStatus;
  readonly jobId: string | null;
  readonly progress: { readonly step: number; readonly of: number; readonly message: string } | null;
  /** Text generated so far (caption, vqa). */
  readonly text: string;
  readonly result: AskResult | null;
  readonly error: ErrorPayload | null;
  /** Events that arrived before startAsk returned the job's id. */
  readonly early: readonly StudioEvent[];
}

type Action =
  | { type: 'start' }
  | { type: 'started'; jobId: string }
  | { type: 'event'; event: StudioEvent }
  | { type: 'cancel' }
  | { type: 'error'; error: ErrorPayload };

const IDLE: AskJobState = {
  status: 'idle',
  jobId: null,
  progress: null,
  text: '',
  result: null,
  error: null,
  early: [],
};

function apply(state: AskJobState, event: StudioEvent): AskJobState {
  if (event.jobId !== state.jobId) return state;
  switch (event.type) {
    case 'job.progress':
      return { ...state, progress: { step: event.step, of: event.of, message: event.message } };
    case 'ask.text':
      return { ...state, text: event.text };
    case 'ask.result':
      return { ...state, result: event.result };
    case 'job.done':
      return { ...state, status: 'done' };
    case 'job.failed':
      return event.error.code === 'JOB_CANCELLED'
        ? { ...state, status: 'cancelled' }
        : { ...state, status: 'failed', error: event.error };
    default:
      return state;
  }
}

function reducer(state: AskJobState, action: Action): AskJobState {
  switch (action.type) {
    case 'start':
      return { ...IDLE, status: 'starting' };
    case 'started':
      return state.early.reduce(apply, {
        ...state,
        status: state.status === 'starting' ? 'running' : state.status,
        jobId: action.jobId,
        early: [],
      });
    case 'event':
      if (state.status === 'starting') return { ...state, early: [...state.early, action.event].slice(-200) };
      return apply(state, action.event);
    case 'cancel':
      return state.status === 'running' ? { ...state, status: 'cancelling' } : state;
    case 'error':
      return { ...state, status: 'failed', error: action.error };
  }
}

/** Stable across renders, so the controls' callbacks are too. */
const beginAsk = (request: AskRequest) => studio.startAsk(request);

/** One Ask at a time: start it, follow its progress and text, cancel it; the answer arrives as an event. */
export function useAskJob() {
  const [state, send] = useReducer(reducer, IDLE);
  useEffect(() => studio.onEvent((event) => send({ type: 'event', event })), []);

  const { start, cancel } = useJobControls(send, beginAsk, state.jobId);

  const busy = state.status === 'starting' || state.status === 'running' || state.status === 'cancelling';
  return { state, busy, start, cancel };
}
