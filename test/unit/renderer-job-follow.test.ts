import { describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { JobSnapshot } from '../../src-shared/contract/jobs';
import { jobLifecycleReducer, type JobLifecycle } from '../../src-renderer/src/api/jobLifecycle';

type State = JobLifecycle<never> & { readonly text: string };
const IDLE: State = { status: 'idle', jobId: null, snapshot: null, error: null, early: [], text: '' };
const reduce = jobLifecycleReducer<State>(IDLE, (state, event) =>
  event.type === 'ask.text' ? { ...state, text: event.text } : state,
);

/**
 * One job's snapshots as the engine pushes them (src-main/engine/job-registry.ts; test/unit/job-snapshots.test.ts
 * checks the engine's side): each change a whole snapshot with the next revision.
 */
function engineJob(kind: JobSnapshot['kind'] = 'ask') {
  const events: StudioEvent[] = [];
  let current: JobSnapshot = {
    jobId: 'job-1',
    kind,
    state: 'running',
    progress: null,
    imageId: 4,
    runId: null,
    error: null,
    startedAt: '2026-01-02T03:04:05.000Z',
    endedAt: null,
    revision: 0,
  };
  const push = (change: Partial<JobSnapshot>) => {
    current = { ...current, ...change, revision: events.length };
    events.push({ type: 'job.snapshot', jobId: current.jobId, snapshot: current });
  };
  push({});
  return {
    events,
    update: push,
    end: (state: 'done' | 'failed' | 'cancelled', error: JobSnapshot['error']) =>
      push({ state, error, endedAt: '2026-01-02T03:05:00.000Z' }),
    snapshot: () => current,
  };
}

describe('a renderer job follower', () => {
  it('reads its state from snapshots: progress while running, then the end', () => {
    const job = engineJob();
    const { events } = job;
    job.update({ progress: { step: 1, of: 2, message: 'Scoring the labels' } });
    let state = reduce(reduce(IDLE, { type: 'start' }), { type: 'started', jobId: 'job-1' });
    for (const event of events) state = reduce(state, { type: 'event', event });
    expect(state.status).toBe('running');
    expect(state.snapshot?.progress).toEqual({ step: 1, of: 2, message: 'Scoring the labels' });
    // The parts the engine still sends change nothing: the snapshot is the state.
    state = reduce(state, { type: 'event', event: { type: 'job.done', jobId: 'job-1' } });
    expect(state.status).toBe('running');
    job.end('failed', { code: 'MODEL_INVALID', message: 'no global branch' });
    state = reduce(state, { type: 'event', event: events.at(-1) as StudioEvent });
    expect(state).toMatchObject({ status: 'failed', error: { code: 'MODEL_INVALID' } });
  });

  it('replays snapshots that came before its id, and drops one older than what it holds', () => {
    const job = engineJob();
    const { events } = job;
    job.update({ progress: { step: 1, of: 3, message: 'a' } });
    job.update({ progress: { step: 2, of: 3, message: 'b' } });
    let state = reduce(IDLE, { type: 'start' });
    for (const event of events) state = reduce(state, { type: 'event', event });
    state = reduce(state, { type: 'started', jobId: 'job-1' });
    expect(state.snapshot?.progress?.message).toBe('b');
    const older = events[1];
    if (older?.type !== 'job.snapshot') throw new Error('expected a snapshot');
    expect(reduce(state, { type: 'event', event: older })).toBe(state);
    // The job's other events still reach it.
    state = reduce(state, {
      type: 'event',
      event: { type: 'ask.text', jobId: 'job-1', text: 'a cat', tokens: 2 },
    });
    expect(state.text).toBe('a cat');
  });

  it('takes up a running job from listJobs when idle, and ends it cancelled from its snapshot', () => {
    const job = engineJob('restore');
    const { events } = job;
    job.update({ state: 'queued', progress: { step: 0, of: 1, message: 'Queued: waiting' } });
    const listed = job.snapshot();
    let state = reduce(IDLE, { type: 'resume', snapshot: listed });
    expect(state).toMatchObject({ status: 'running', jobId: 'job-1', snapshot: { state: 'queued' } });
    // A follower busy with its own job keeps it.
    const own = reduce(IDLE, { type: 'start' });
    expect(reduce(own, { type: 'resume', snapshot: listed })).toBe(own);
    job.end('cancelled', { code: 'JOB_CANCELLED', message: 'The job was cancelled.' });
    state = reduce(state, { type: 'event', event: events.at(-1) as StudioEvent });
    expect(state.status).toBe('cancelled');
    expect(state.snapshot?.endedAt).not.toBeNull();
  });
});
