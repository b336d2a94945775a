import { describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import { JobRunner } from '../../src-main/engine/jobs';

describe('JobRunner', () => {
  it('reports progress with a linear ETA and finishes with the value', async () => {
    const events: StudioEvent[] = [];
    let clock = 0;
    const runner = new JobRunner((e) => events.push(e), { now: () => clock });
    const { jobId, result } = runner.start('restore', (ctx) => {
      clock = 2000;
      ctx.progress(1, 4, 'step one', 50);
      clock = 4000;
      ctx.progress(2, 4, 'step two');
      return Promise.resolve(42);
    });
    expect(await result).toBe(42);
    expect(events.filter((e) => e.type !== 'job.snapshot')).toEqual([
      {
        type: 'job.progress',
        jobId,
        step: 1,
        of: 4,
        message: 'step one',
        tokensPerSecond: 50,
        etaSeconds: 6,
      },
      { type: 'job.progress', jobId, step: 2, of: 4, message: 'step two', etaSeconds: 4 },
      { type: 'job.done', jobId },
    ]);
    expect(runner.activeCount).toBe(0);
  });

  it('stops a cancelled job at its next progress report', async () => {
    const events: StudioEvent[] = [];
    const runner = new JobRunner((e) => events.push(e));
    let steps = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { jobId, result } = runner.start('ask', async (ctx) => {
      for (let i = 1; i <= 100; i++) {
        ctx.progress(i, 100, 'working');
        steps = i;
        if (i === 3) await gate;
      }
      return 'finished';
    });
    expect(runner.cancel(jobId)).toBe(true);
    release();
    await expect(result).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(steps).toBe(3);
    expect(events.filter((e) => e.type !== 'job.snapshot').at(-1)).toMatchObject({
      type: 'job.failed',
      jobId,
      error: { code: 'JOB_CANCELLED' },
    });
    expect(runner.cancel(jobId)).toBe(false);
  });

  it('reports a failure with a safe payload', async () => {
    const events: StudioEvent[] = [];
    const runner = new JobRunner((e) => events.push(e));
    const { result } = runner.start('download', () => Promise.reject(new Error('disk full')));
    await expect(result).rejects.toThrow('disk full');
    expect(events.filter((e) => e.type !== 'job.snapshot').at(-1)).toMatchObject({
      type: 'job.failed',
      error: { code: 'INTERNAL', message: 'Internal error: disk full' },
    });
  });
});
