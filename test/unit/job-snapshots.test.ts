import { describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { JobSnapshot } from '../../src-shared/contract/jobs';
import { JobRegistry, KEPT_ENDED_JOBS } from '../../src-main/engine/job-registry';
import { JobRunner } from '../../src-main/engine/jobs';

const snapshotsOf = (events: readonly StudioEvent[], jobId: string): JobSnapshot[] =>
  events.flatMap((e) => (e.type === 'job.snapshot' && e.jobId === jobId ? [e.snapshot] : []));

describe('job snapshots', () => {
  it('push the whole state on every change, from running through queued to done', async () => {
    const events: StudioEvent[] = [];
    let clock = 0;
    const registry = new JobRegistry(
      (e) => events.push(e),
      () => Date.UTC(2026, 0, 2, 3, 4, 5),
    );
    const runner = new JobRunner((e) => events.push(e), { registry, now: () => clock });
    const { jobId, result } = runner.start(
      'restore',
      (ctx) => {
        ctx.queued('Queued: waiting for 1 earlier job to finish');
        ctx.ran(7);
        clock = 1000;
        ctx.progress(1, 3, 'Predicting words', 120);
        return Promise.resolve('value');
      },
      12,
    );
    await result;
    const seen = snapshotsOf(events, jobId);
    expect(seen.map((s) => [s.state, s.revision, s.runId])).toEqual([
      ['running', 0, null],
      ['queued', 1, null],
      ['queued', 2, 7],
      ['running', 3, 7],
      ['done', 4, 7],
    ]);
    expect(seen.at(-1)).toEqual({
      jobId,
      kind: 'restore',
      state: 'done',
      progress: { step: 1, of: 3, message: 'Predicting words', tokensPerSecond: 120, etaSeconds: 2 },
      imageId: 12,
      runId: 7,
      error: null,
      startedAt: '2026-01-02T03:04:05.000Z',
      endedAt: '2026-01-02T03:04:05.000Z',
      revision: 4,
    });
    // The parts are still said for the clients that follow them; the queue as a progress report, as before.
    expect(events.find((e) => e.type === 'job.progress')).toMatchObject({
      message: /^Queued/,
      step: 0,
      of: 1,
    });
    expect(events.filter((e) => e.type === 'job.done')).toHaveLength(1);
  });

  it('end a cancelled job as cancelled with its message, and a failed one with its error', async () => {
    const events: StudioEvent[] = [];
    const runner = new JobRunner((e) => events.push(e));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cancelled = runner.start('download', async (ctx) => {
      await gate;
      ctx.progress(1, 2, 'never');
    });
    const failed = runner.start('ask', () => Promise.reject(new Error('disk full')), 3);
    runner.cancel(cancelled.jobId);
    release();
    await expect(cancelled.result).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    await expect(failed.result).rejects.toThrow('disk full');
    expect(runner.registry.get(cancelled.jobId)).toMatchObject({
      kind: 'download',
      state: 'cancelled',
      imageId: null,
      error: { code: 'JOB_CANCELLED', message: 'The job was cancelled.' },
    });
    expect(runner.registry.get(failed.jobId)).toMatchObject({
      kind: 'ask',
      state: 'failed',
      imageId: 3,
      error: { code: 'INTERNAL', message: 'Internal error: disk full' },
    });
    expect(runner.registry.get(failed.jobId)?.endedAt).not.toBeNull();
  });

  it('keep an ended snapshot final: late reports change nothing', () => {
    const events: StudioEvent[] = [];
    const registry = new JobRegistry((e) => events.push(e));
    registry.open('a', 'restore', 1);
    registry.end('a', 'done', null);
    const count = events.length;
    registry.update('a', { state: 'running' });
    registry.end('a', 'failed', { code: 'INTERNAL', message: 'late' });
    expect(events).toHaveLength(count);
    expect(registry.get('a')).toMatchObject({ state: 'done', error: null });
  });
});

describe('listJobs order and retention', () => {
  it('lists running and queued jobs first, newest first, then the ended ones, newest ended first', () => {
    const registry = new JobRegistry(() => undefined);
    for (const id of ['a', 'b', 'c', 'd']) registry.open(id, 'restore', 1);
    registry.update('b', { state: 'queued' });
    registry.end('c', 'done', null);
    registry.end('a', 'failed', { code: 'INTERNAL', message: 'x' });
    expect(registry.list().map((j) => [j.jobId, j.state])).toEqual([
      ['d', 'running'],
      ['b', 'queued'],
      ['a', 'failed'],
      ['c', 'done'],
    ]);
  });

  it(`keeps the last ${KEPT_ENDED_JOBS} ended jobs and every running one`, () => {
    const registry = new JobRegistry(() => undefined);
    registry.open('long', 'download', null);
    for (let i = 0; i < KEPT_ENDED_JOBS + 5; i++) {
      registry.open(`job${i}`, 'ask', 1);
      registry.end(`job${i}`, 'done', null);
    }
    const listed = registry.list();
    expect(listed).toHaveLength(KEPT_ENDED_JOBS + 1);
    expect(listed[0]?.jobId).toBe('long');
    expect(listed[1]?.jobId).toBe(`job${KEPT_ENDED_JOBS + 4}`);
    expect(listed.at(-1)?.jobId).toBe('job5');
  });
});
