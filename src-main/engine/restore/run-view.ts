import fs from 'node:fs';
import {
  RUN_IMAGE_KINDS,
  type GridCell,
  type RestoreRequest,
  type RunImageKind,
  type RunSummary,
  type RunView,
} from '../../../src-shared/contract/restore';
import { StudioError } from '../errors';
import { listRuns, photosOfRuns, type RunRow } from '../store/runs';
import type { Db } from '../store/store';
import { tokenText } from '../tokenizer/vocabulary';
import type { RunDetails } from './restore-job';

const grid = (ids: readonly number[]): GridCell[] => ids.map((id) => ({ id, text: tokenText(id) }));

function dataUrl(file: string | undefined): string | undefined {
  if (!file || !fs.existsSync(file)) return undefined;
  return `data:image/png;base64,${fs.readFileSync(file).toString('base64')}`;
}

/** A run as the renderer shows it: the store's row with its grids and images read back from disk. */
export function runView(row: RunRow): RunView {
  const detailsFile = row.outputs['details'];
  const details =
    detailsFile && fs.existsSync(detailsFile)
      ? (JSON.parse(fs.readFileSync(detailsFile, 'utf8')) as RunDetails)
      : null;
  const images: Partial<Record<RunImageKind, string>> = {};
  for (const kind of RUN_IMAGE_KINDS) {
    const url = dataUrl(row.outputs[kind]);
    if (url) images[kind] = url;
  }
  return {
    runId: row.id,
    imageId: row.imageId,
    task: row.task,
    protocol: row.protocol,
    usesCleanReference: row.protocol === 'reference',
    status: row.status,
    error: row.error,
    createdAt: row.createdAt,
    params: row.params as RestoreRequest,
    tokenizer: row.tokenizerId,
    lm: row.lmId,
    predictedCells: details?.predictedCells ?? [],
    grids: details
      ? {
          clean: grid(details.cleanIds),
          corrupted: grid(details.corruptedIds),
          result: grid(details.resultIds),
        }
      : null,
    confidence: details?.confidence ?? [],
    images,
    metrics: row.metrics,
    timings: row.timings,
    window: details?.window ?? null,
    global: details?.global ?? [],
  };
}

export function getRunView(db: Db, runId: number): RunView {
  const row = listRuns(db, { runId, limit: 1 })[0];
  if (!row) throw new StudioError('NOT_FOUND', `There is no run ${runId} in the history.`);
  return runView(row);
}

export function runSummaries(db: Db, imageId: number | undefined, limit: number): RunSummary[] {
  const rows = listRuns(db, { ...(imageId === undefined ? {} : { imageId }), limit });
  const photos = photosOfRuns(
    db,
    rows.map((row) => row.imageId),
  );
  return rows.map((row) => {
    const photo = photos.get(row.imageId);
    // An extended canvas has no clean original: its stored accuracy measures nothing.
    const measured = (row.params as RestoreRequest).extend === undefined;
    return {
      runId: row.id,
      imageId: row.imageId,
      imageName: photo?.name ?? `photo ${row.imageId}`,
      thumbnailUrl: photo ? `data:image/png;base64,${photo.thumbnail.toString('base64')}` : null,
      task: row.task,
      protocol: row.protocol,
      status: row.status,
      createdAt: row.createdAt,
      tokenAccuracy: measured ? (row.metrics?.['token_accuracy'] ?? null) : null,
    };
  });
}
