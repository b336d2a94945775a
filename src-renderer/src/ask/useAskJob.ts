import { useReducer } from 'react';
import type { StudioEvent } from '../../../src-shared/contract/api';
import type { AskRequest, AskResult } from '../../../src-shared/contract/ask';
import { studio } from '../api/client';
import { jobLifecycleReducer, type JobLifecycle } from '../api/jobLifecycle';
import { useJobControls } from '../api/useJobControls';
import { useJobFollower } from '../api/useJobFollower';

export interface AskJobState extends JobLifecycle<never> {
  /** Text generated so far (caption, vqa). */
  readonly text: string;
  readonly result: AskResult | null;
}

const IDLE: AskJobState = {
  status: 'idle',
  jobId: null,
  snapshot: null,
  text: '',
  result: null,
  error: null,
  early: [],
};

/** The job's output besides its state: the text as it is generated, then the answer. */
const reducer = jobLifecycleReducer(
  IDLE,
  (state: AskJobState, event: StudioEvent): AskJobState => {
    switch (event.type) {
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
  // An Ask's text and answer arrive only as events, so one running before a reload is not taken up.
  useJobFollower(send, null);

  const { start, cancel } = useJobControls(send, beginAsk, state.jobId);

  const busy = state.status === 'starting' || state.status === 'running' || state.status === 'cancelling';
  return { state, busy, start, cancel };
}
