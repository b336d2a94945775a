// Renderer modules with no DOM in them, tested in Node; type-checked with the renderer (tsconfig.web.json).
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-shared/contract/restore';
import { listedRuns, runOutcome } from '../../src-renderer/src/results/run-list';

const run = (over: Partial<RunSummary>): RunSummary => ({
  runId: 1,
  imageId: 1,
  imageName: 'astronaut.png',
  thumbnailUrl: null,
  task: 'inpaint',
  protocol: 'reference',
  status: 'done',
  createdAt: '2026-01-01T00:00:00.000Z',
  tokenAccuracy: 0.5,
  ...over,
});

describe('runs list', () => {
  it('lists finished runs and the one in progress, not refused, failed or cancelled attempts', () => {
    const runs = [
      run({ runId: 5, status: 'running' }),
      run({ runId: 4, status: 'failed' }),
      run({ runId: 3, status: 'cancelled' }),
      run({ runId: 2, status: 'done' }),
    ];
    expect(listedRuns(runs).map((r) => r.runId)).toEqual([5, 2]);
  });

  it('says "no metrics" for a finished run that measured nothing, and the accuracy otherwise', () => {
    expect(runOutcome(run({ tokenAccuracy: null }))).toBe('no metrics');
    expect(runOutcome(run({ tokenAccuracy: 0 }))).toBe('0 %');
    expect(runOutcome(run({ tokenAccuracy: 0.876 }))).toBe('88 %');
    expect(runOutcome(run({ status: 'running', tokenAccuracy: null }))).toBe('running');
  });
});
