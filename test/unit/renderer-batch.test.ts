// The batch's rows and options: pure renderer code, tested in Node; type-checked with the renderer.
import { describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../src-shared/contract/jobs';
import { restoreRequestValidator } from '../../src-shared/contract/restore';
import { TASK_IDS } from '../../src-shared/tasks/registry';
import type { MaskRaster } from '../../src-renderer/src/editor/mask-raster';
import {
  batchCellsText,
  batchFields,
  batchRequest,
  defaultBatchOptions,
  type BatchOptions,
} from '../../src-renderer/src/batch/batch-options';
import {
  batchReducer,
  batchSummary,
  EMPTY_BATCH,
  readyRow,
  refusedRow,
  rowStatus,
  summaryText,
  type BatchAction,
  type BatchState,
} from '../../src-renderer/src/batch/batch-queue';
import { loadRows, saveRows } from '../../src-renderer/src/batch/batch-storage';

// Nothing marked: no task reads the canvas then.
const UNMARKED: MaskRaster = {
  canvas: null as unknown as HTMLCanvasElement,
  scale: 1,
  bounds: null,
  coverage: 0,
};
const OPTIONS = defaultBatchOptions('reference');
const DEBLUR: BatchOptions = { ...OPTIONS, task: 'deblur', doc: { ...OPTIONS.doc, fullResolution: true } };

/** One restore job's snapshots as the engine pushes them: each change a whole snapshot with the next revision. */
function engineJob(jobId: string) {
  let current: JobSnapshot = {
    jobId,
    kind: 'restore',
    state: 'running',
    progress: null,
    imageId: 1,
    runId: null,
    error: null,
    startedAt: '2026-01-02T03:04:05.000Z',
    endedAt: null,
    revision: 0,
  };
  return {
    first: current,
    next: (change: Partial<JobSnapshot>): BatchAction => {
      current = { ...current, ...change, revision: current.revision + 1 };
      return { type: 'snapshot', snapshot: current };
    },
  };
}

const run = (state: BatchState, ...actions: BatchAction[]) => actions.reduce(batchReducer, state);
const file = (name: string) => new File([new Uint8Array([1, 2, 3])], name, { type: 'image/png' });
const row = (state: BatchState, key: string) => {
  const found = state.rows.find((r) => r.key === key);
  if (!found) throw new Error(`no row ${key}`);
  return found;
};

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, v),
  };
}

describe('batch options', () => {
  it('offer each task the whole-photo fields the registry says it reads, and nothing that marks a photo', () => {
    expect(batchFields('inpaint')).toEqual([]);
    expect(batchFields('outpaint')).toEqual([]);
    expect(batchFields('deblur')).toEqual(['blurKernel', 'resolution']);
    expect(batchFields('shift')).toEqual(['shift', 'resolution']);
    expect(batchFields('rotate')).toEqual(['quarterTurns', 'resolution']);
  });

  it('build what the run panel builds with nothing marked, which the contract accepts', () => {
    for (const task of TASK_IDS) {
      for (const protocol of ['reference', 'blind'] as const) {
        const options: BatchOptions = { task, protocol, doc: { ...OPTIONS.doc, fullResolution: true } };
        const built = batchRequest(9, options, UNMARKED);
        if (!('request' in built)) throw new Error(built.reason);
        const { request } = built;
        expect(request).toMatchObject({ imageId: 9, task, protocol });
        expect(request.mask ?? request.extend ?? request.blurRegion).toBeUndefined();
        expect(request.resolution, task).toBe(batchFields(task).includes('resolution') ? 'full' : undefined);
        expect(() => restoreRequestValidator(request, 'input'), task).not.toThrow();
        expect(batchCellsText(options)).not.toBe('');
      }
    }
  });
});

describe('the batch queue', () => {
  it('takes a row from ready to its job, keeping the snapshots pushed before the job id came back', () => {
    const job = engineJob('job-a');
    let state = run(
      EMPTY_BATCH,
      {
        type: 'add',
        rows: [readyRow('a', 'a.png', { file: file('a.png') }), readyRow('b', 'b.png', { imageId: 4 })],
      },
      { type: 'start', options: DEBLUR },
    );
    expect(state.rows.map((r) => [r.phase, r.options?.task])).toEqual([
      ['pending', 'deblur'],
      ['pending', 'deblur'],
    ]);
    expect(rowStatus(row(state, 'a'))).toMatchObject({ state: 'waiting', text: 'Waiting for its upload' });

    state = run(
      state,
      { type: 'uploading', key: 'a' },
      { type: 'uploaded', key: 'a', imageId: 3 },
      { type: 'snapshot', snapshot: job.first },
      job.next({
        state: 'queued',
        progress: { step: 0, of: 1, message: 'Queued: waiting for 1 earlier job' },
      }),
      { type: 'started', key: 'a', jobId: 'job-a' },
    );
    expect(row(state, 'a')).toMatchObject({
      phase: 'job',
      imageId: 3,
      jobId: 'job-a',
      snapshot: { revision: 1 },
    });
    expect(state.early.size).toBe(0);
    expect(rowStatus(row(state, 'a'))).toMatchObject({
      state: 'waiting',
      text: 'Queued: waiting for 1 earlier job',
    });

    state = run(
      state,
      job.next({ state: 'running', progress: { step: 3, of: 4, message: 'Tile 3 of 4', etaSeconds: 9 } }),
    );
    expect(rowStatus(row(state, 'a'))).toMatchObject({ state: 'running', percent: 75, etaSeconds: 9 });
    // The other row still waits for its upload: the batch is 3/4 of one photo of two along.
    expect(batchSummary(state.rows)).toMatchObject({ total: 2, active: 2, done: 0, fraction: 0.375 });

    const done = job.next({ state: 'done', runId: 12, endedAt: '2026-01-02T03:05:00.000Z' });
    state = run(state, done);
    expect(rowStatus(row(state, 'a'))).toMatchObject({ state: 'done', runId: 12 });
    // An older copy (listJobs, or the stream twice) changes nothing.
    expect(run(state, { type: 'snapshot', snapshot: job.first })).toBe(state);
    expect(summaryText(batchSummary(state.rows))).toBe('1 of 2 done');
  });

  it('keeps no snapshot of another job while no row is being handed over', () => {
    const other = engineJob('someone-else');
    const state = run(
      EMPTY_BATCH,
      { type: 'add', rows: [readyRow('a', 'a.png', { imageId: 1 })] },
      {
        type: 'snapshot',
        snapshot: other.first,
      },
    );
    expect(state.early.size).toBe(0);
  });

  it('shows a refused photo in its row while the others go on, and cancels each kind of row its own way', () => {
    const job = engineJob('job-c');
    let state = run(
      EMPTY_BATCH,
      {
        type: 'add',
        rows: [
          refusedRow('x', 'broken.jpg', {
            code: 'IMAGE_UNSUPPORTED_FORMAT',
            message: 'broken.jpg is not an image',
          }),
          readyRow('a', 'a.png', { imageId: 1 }),
          readyRow('b', 'b.png', { imageId: 2 }),
          readyRow('c', 'c.png', { imageId: 3 }),
          readyRow('d', 'd.png', { imageId: 4 }),
        ],
      },
      { type: 'start', options: OPTIONS },
      { type: 'uploading', key: 'a' },
      {
        type: 'refused',
        key: 'a',
        error: { code: 'BUSY', message: 'An Ask job is using the language model' },
      },
      { type: 'uploading', key: 'c' },
      { type: 'started', key: 'c', jobId: 'job-c' },
      { type: 'uploading', key: 'd' },
      { type: 'cancel', key: 'b' },
      { type: 'cancel', key: 'c' },
      { type: 'cancel', key: 'd' },
    );
    expect(rowStatus(row(state, 'x'))).toMatchObject({ state: 'failed', text: 'broken.jpg is not an image' });
    expect(rowStatus(row(state, 'a'))).toMatchObject({
      state: 'failed',
      text: 'An Ask job is using the language model',
    });
    // Not handed over yet: cancelled at once. Being handed over, or running: cancelling until the end comes.
    expect(rowStatus(row(state, 'b')).state).toBe('cancelled');
    expect(rowStatus(row(state, 'c'))).toMatchObject({ state: 'waiting', cancelling: true });
    expect(rowStatus(row(state, 'd'))).toMatchObject({
      state: 'waiting',
      cancelling: true,
      text: 'Cancelling…',
    });
    state = run(state, job.next({ state: 'cancelled', endedAt: '2026-01-02T03:05:00.000Z' }), {
      type: 'cancelled',
      key: 'd',
    });
    expect(state.rows.map((r) => rowStatus(r).state)).toEqual([
      'failed',
      'failed',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(summaryText(batchSummary(state.rows))).toBe('0 of 5 done · 2 failed · 3 cancelled');
  });

  it('after a reload, reads its jobs from the engine, and says so of a job the engine has forgotten', () => {
    const a = engineJob('job-a');
    const b = engineJob('job-b');
    let state = run(
      EMPTY_BATCH,
      { type: 'add', rows: [readyRow('a', 'a.png', { imageId: 1 }), readyRow('b', 'b.png', { imageId: 2 })] },
      { type: 'start', options: OPTIONS },
      { type: 'uploading', key: 'a' },
      { type: 'started', key: 'a', jobId: 'job-a' },
      { type: 'uploading', key: 'b' },
      { type: 'started', key: 'b', jobId: 'job-b' },
      { type: 'snapshot', snapshot: a.first },
      { type: 'snapshot', snapshot: b.first },
    );
    const storage = memoryStorage();
    saveRows(state.rows, storage);
    state = { ...EMPTY_BATCH, rows: loadRows(storage) };
    expect(state.rows.map((r) => r.jobId)).toEqual(['job-a', 'job-b']);

    const listed = a.next({ state: 'done', runId: 5 });
    if (listed.type !== 'snapshot') throw new Error('expected a snapshot');
    state = run(state, { type: 'listed', jobs: [listed.snapshot], asked: ['job-a', 'job-b'] });
    expect(rowStatus(row(state, 'a'))).toMatchObject({ state: 'done', runId: 5 });
    expect(rowStatus(row(state, 'b')).state).toBe('failed');
    expect(row(state, 'b').error?.code).toBe('NOT_FOUND');
  });

  it('keeps for a reload only rows the engine can take up, and clears the ended ones', () => {
    const storage = memoryStorage();
    const state = run(EMPTY_BATCH, {
      type: 'add',
      rows: [
        readyRow('f', 'dropped.png', { file: file('dropped.png') }),
        readyRow('n', 'picked.png', { imageId: 7 }),
        refusedRow('x', 'broken.jpg', { code: 'IMAGE_CORRUPT', message: 'broken' }),
      ],
    });
    saveRows(state.rows, storage);
    // A dropped file not uploaded yet cannot outlive the page; a photo the native dialog opened can.
    expect(loadRows(storage).map((r) => r.key)).toEqual(['n', 'x']);
    storage.setItem('v2l.batch', '{not json');
    expect(loadRows(storage)).toEqual([]);

    expect(run(state, { type: 'clear' }).rows.map((r) => r.key)).toEqual(['f', 'n']);
    const started = run(state, { type: 'start', options: OPTIONS }, { type: 'uploading', key: 'f' });
    expect(run(started, { type: 'clear' }).rows.map((r) => r.key)).toEqual(['f', 'n']);
    expect(run(state, { type: 'remove', key: 'f' }).rows.map((r) => r.key)).toEqual(['n', 'x']);
  });
});
