import { useCallback } from 'react';
import type { ErrorPayload } from '../../../src-shared/contract/errors';
import { studio } from './client';
import { errorPayloadOf } from './studioError';

/** The actions every job reducer understands for starting and cancelling its job. */
export type JobControlAction =
  | { type: 'start' }
  | { type: 'started'; jobId: string }
  | { type: 'cancel' }
  | { type: 'error'; error: ErrorPayload };

/**
 * Start and Cancel for one kind of job: `begin` asks the engine to start it; a refusal lands in the reducer as
 * an error, and Cancel asks the engine to stop the job that is running, if any.
 */
export function useJobControls<R>(
  send: (action: JobControlAction) => void,
  begin: (request: R) => Promise<{ jobId: string }>,
  jobId: string | null,
) {
  const start = useCallback(
    async (request: R) => {
      send({ type: 'start' });
      try {
        const { jobId: started } = await begin(request);
        send({ type: 'started', jobId: started });
      } catch (error) {
        send({ type: 'error', error: errorPayloadOf(error) });
      }
    },
    [send, begin],
  );
  const cancel = useCallback(async () => {
    if (jobId === null) return;
    send({ type: 'cancel' });
    await studio.cancelJob({ jobId });
  }, [send, jobId]);
  return { start, cancel };
}
