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
import { checkTile, isTiled, runTiles, tileView } from './run-tile-view';

const grid = (ids: readonly number[]): GridCell[] => ids.map((id) => ({ id, text: tokenText(id) }));

function dataUrl(file: string | undefined): string | undefined {
  if (!file || !fs.existsSync(file)) return undefined;
  return `data:image/png;base64,${fs.readFileSync(file).toString('base64')}`;
}

/** A run as the renderer shows it: the store's row with its grids and images read back from disk. */
export function runView(row: RunRow, details = readDetails(row)): RunView {
  const images: Partial<Record<RunImageKind, string>> = {};
  for (const kind of RUN_IMAGE_KINDS) {
    const url = dataUrl(row.outputs[kind]);
    if (url) images[kind] = url;
  }
  const tiled = isTiled(details);
  // The result at the photo's size is what a full-resolution run is for; a local repair's is only exported.
  const photo = tiled ? dataUrl(row.outputs['photo']) : undefined;
  if (photo) images.photo = photo;
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
    tiles: tiled ? runTiles(details, 0) : null,
  };
}

function readDetails(row: RunRow): RunDetails | null {
  const file = row.outputs['details'];
  return file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunDetails) : null;
}

function runRow(db: Db, runId: number): RunRow {
  const row = listRuns(db, { runId, limit: 1 })[0];
  if (!row) throw new StudioError('NOT_FOUND', `There is no run ${runId} in the history.`);
  return row;
}

/** A run as the renderer shows it; a tiled run shows its first tile. */
export function getRunView(db: Db, runId: number): RunView {
  return runView(runRow(db, runId));
}

/** A run showing tile `tile` (0 when not given: the first tile, or a run's only view). */
export async function getRunViewAt(db: Db, runId: number, tile = 0): Promise<RunView> {
  const row = runRow(db, runId);
  const details = readDetails(row);
  const base = runView(row, details);
  if (!isTiled(details)) {
    checkTile(runId, 1, tile);
    return base;
  }
  checkTile(runId, details.tiles.length, tile);
  return tile === 0 ? base : tileView(base, row, details, tile, grid);
}

/** Every tile of a full-resolution run: where it lies and its words; null for a run of one view. */
export function runTileGrids(db: Db, runId: number): RunTileGrids | null {
  const details = readDetails(runRow(db, runId));
  if (!isTiled(details)) return null;
  return {
    workingSize: details.workingSize,
    tiles: details.tiles.map((t) => ({
      x: t.x,
      y: t.y,
      clean: grid(t.cleanIds),
      corrupted: grid(t.corruptedIds),
      result: grid(t.resultIds),
      confidence: t.confidence,
    })),
  };
}

export interface RunTileGrids {
  readonly workingSize: { readonly width: number; readonly height: number };
  readonly tiles: readonly {
    readonly x: number;
    readonly y: number;
    readonly clean: GridCell[];
    readonly corrupted: GridCell[];
    readonly result: GridCell[];
    /** One per cell: a full-resolution run predicts all 256 words of every tile. */
    readonly confidence: readonly number[];
  }[];
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
