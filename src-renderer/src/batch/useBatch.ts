import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import type { PickedPhotos } from '../../../src-shared/contract/api';
import type { Protocol } from '../../../src-shared/contract/restore';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';
import { rasterizeMask, type MaskRaster } from '../editor/mask-raster';
import { fileToBase64 } from '../files';
import { batchRequest, defaultBatchOptions, type BatchOptions } from './batch-options';
import {
  batchReducer,
  batchSummary,
  EMPTY_BATCH,
  readyRow,
  refusedRow,
  rowActive,
  type BatchRow,
} from './batch-queue';
import { loadRows, saveRows } from './batch-storage';

let nextKey = 0;
/** Row keys stay unique across reloads: rows kept in session storage come back with theirs. */
const newKey = () => `${Date.now().toString(36)}-${(nextKey += 1)}`;

let unmarked: MaskRaster | null = null;
/** A batch marks nothing on its photos. */
const unmarkedRaster = () => (unmarked ??= rasterizeMask([], 1, 1, '#000'));

/**
 * The batch: its rows, the options the next Start uses, adding photos, Start, Cancel, and following each row's job.
 * Photos are uploaded one at a time, and each is handed to the engine as a restore job as soon as it is uploaded;
 * the engine runs them in that order. `onEnded` hears every row that ends (the library then shows its photo and run).
 */
export function useBatch(defaultProtocol: Protocol, onEnded: () => Promise<void>) {
  const [state, send] = useReducer(batchReducer, EMPTY_BATCH, () => ({ ...EMPTY_BATCH, rows: loadRows() }));
  const [open, setOpen] = useState(false);
  // Settings' protocol until the user picks options (Settings arrive after the first render).
  const [chosen, setOptions] = useState<BatchOptions | null>(null);
  const options = chosen ?? defaultBatchOptions(defaultProtocol);
  const latest = useRef(state);
  useLayoutEffect(() => {
    latest.current = state;
  });

  useEffect(() => saveRows(state.rows), [state.rows]);

  useEffect(
    () =>
      studio.onEvent((event) => {
        if (event.type === 'job.snapshot') send({ type: 'snapshot', snapshot: event.snapshot });
      }),
    [],
  );

  const ended = state.rows.filter((r) => r.phase !== 'ready' && !rowActive(r)).length;
  useEffect(() => {
    // A list that could not be read now is read again when the next row ends.
    if (ended > 0) onEnded().catch(() => undefined);
  }, [ended, onEnded]);

  // One row at a time goes from its file to a job; `submitted` keeps a row from being handed over twice.
  const draining = useRef(false);
  const submitted = useRef(new Set<string>());
  const submit = useCallback(async (row: BatchRow) => {
    const cancelAsked = () => latest.current.rows.find((r) => r.key === row.key)?.cancelling === true;
    send({ type: 'uploading', key: row.key });
    try {
      const { file, options } = row;
      if (options === null) throw new Error(`${row.name} was started without options.`);
      let imageId = row.imageId;
      if (imageId === null) {
        if (file === null) throw new Error(`${row.name} has no photo to upload.`);
        imageId = (await studio.openUpload({ name: row.name, base64: await fileToBase64(file) })).imageId;
        send({ type: 'uploaded', key: row.key, imageId });
      }
      if (cancelAsked()) {
        send({ type: 'cancelled', key: row.key });
        return;
      }
      const built = batchRequest(imageId, options, unmarkedRaster());
      if ('reason' in built) {
        send({ type: 'refused', key: row.key, error: { code: 'INVALID_ARGUMENT', message: built.reason } });
        return;
      }
      const { jobId } = await studio.startRestore(built.request);
      send({ type: 'started', key: row.key, jobId });
      if (cancelAsked()) await studio.cancelJob({ jobId });
    } catch (error) {
      send({ type: 'refused', key: row.key, error: errorPayloadOf(error) });
    }
  }, []);
  const drain = useCallback(async () => {
    if (draining.current) return;
    draining.current = true;
    try {
      for (;;) {
        const row = latest.current.rows.find((r) => r.phase === 'pending' && !submitted.current.has(r.key));
        if (!row) break;
        submitted.current.add(row.key);
        await submit(row);
      }
    } finally {
      draining.current = false;
    }
  }, [submit]);

  // Runs after `latest` holds the rows made pending (a Start, or a reload that kept some).
  const pending = state.rows.some((r) => r.phase === 'pending');
  useEffect(() => {
    if (pending) void drain();
  }, [pending, drain]);

  // A reload: the engine says how the rows' jobs stand now.
  useEffect(() => {
    const asked = latest.current.rows.flatMap((r) => (r.jobId === null ? [] : [r.jobId]));
    if (asked.length === 0) return;
    studio.listJobs().then(
      (jobs) => send({ type: 'listed', jobs, asked }),
      // The rows keep what they last knew; the jobs' next snapshots still reach them.
      () => undefined,
    );
  }, []);

  /** Files dropped, pasted or picked in the page: listed as ready rows, and the panel opens on them. */
  const addFiles = useCallback((files: readonly File[]) => {
    send({ type: 'add', rows: files.map((file) => readyRow(newKey(), file.name, { file })) });
    setOpen(true);
  }, []);

  /** Photos the native dialog opened together: the ones it could not open are listed with their error. */
  const addPicked = useCallback((picked: PickedPhotos) => {
    send({
      type: 'add',
      rows: picked.photos.map((p) =>
        p.imageId === null
          ? refusedRow(newKey(), p.name, p.error ?? { code: 'INTERNAL', message: 'It could not be opened.' })
          : readyRow(newKey(), p.name, { imageId: p.imageId }),
      ),
    });
    setOpen(true);
  }, []);

  const start = useCallback((options: BatchOptions) => send({ type: 'start', options }), []);

  const cancelRow = useCallback((row: BatchRow) => {
    send({ type: 'cancel', key: row.key });
    // A row without a job yet is stopped before it gets one (submit checks); a job is asked to stop.
    if (row.phase === 'job' && row.jobId !== null && rowActive(row)) {
      void studio.cancelJob({ jobId: row.jobId }).catch(() => undefined);
    }
  }, []);

  const cancelAll = useCallback(() => {
    for (const row of latest.current.rows) if (rowActive(row)) cancelRow(row);
  }, [cancelRow]);

  return {
    rows: state.rows,
    options,
    setOptions,
    summary: batchSummary(state.rows),
    open,
    setOpen,
    addFiles,
    addPicked,
    start,
    cancelRow,
    cancelAll,
    remove: (key: string) => send({ type: 'remove', key }),
    clear: () => send({ type: 'clear' }),
  };
}

export type BatchApi = ReturnType<typeof useBatch>;
