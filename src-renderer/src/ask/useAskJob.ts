import { useEffect, useReducer } from 'react';
import type { StudioEvent } from '../../../src-shared/contract/api';
import type { AskRequest, AskResult } from '../../../src-shared/contract/ask';
import { studio } from '../api/client';
import { jobLifecycleReducer, type JobLifecycle } from '../api/jobLifecycle';
import { useJobControls } from '../api/useJobControls';

export interface AskJobState extends JobLifecycle<never> {
  readonly progress: { readonly step: number; readonly of: number; readonly message: string } | null;
  /** Text generated so far (caption, vqa). */
  readonly text: string;
  readonly result: AskResult | null;
}

const IDLE: AskJobState = {
  status: 'idle',
  jobId: null,
  progress: null,
  text: '',
  result: null,
  error: null,
  early: [],
};

const reducer = jobLifecycleReducer(
  IDLE,
  (state: AskJobState, event: StudioEvent): AskJobState => {
    switch (event.type) {
      case 'job.progress':
        return { ...state, progress: { step: event.step, of: event.of, message: event.message } };
      case 'ask.text':
        return { ...state, text: event.text };
      case 'ask.result':
        return { ...state, result: event.result };
      default:
        return state;
    }
  },
  undefined,
  200,
);

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
