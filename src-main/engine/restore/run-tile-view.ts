import type { GridCell, RunImageKind, RunTiles, RunView } from '../../../src-shared/contract/restore';
import { StudioError } from '../errors';
import { loadImageFile } from '../image/decode';
import { toPngDataUrl } from '../image/encode';
import type { RgbImage } from '../image/types';
import type { RunRow } from '../store/runs';
import type { RunDetails } from './restore-job';
import { sheetColumns, sheetTile } from './tile-sheet';
import { tileAt } from './tiles';

type TiledDetails = RunDetails & Required<Pick<RunDetails, 'tiles' | 'workingSize'>>;

export function isTiled(details: RunDetails | null): details is TiledDetails {
  return details?.tiles !== undefined && details.workingSize !== undefined;
}

/** The tiles part of a tiled run's view, showing tile `index`. */
export function runTiles(details: TiledDetails, index: number): RunTiles {
  return {
    count: details.tiles.length,
    index,
    origins: details.tiles.map((t) => ({ x: t.x, y: t.y })),
    workingSize: details.workingSize,
  };
}

/** Tile `index` of a run, or INVALID_ARGUMENT naming the tiles it has. */
export function checkTile(runId: number, count: number, index: number): void {
  if (index < count) return;
  const has = count === 1 ? 'one view (tile 0)' : `${count} tiles (0 to ${count - 1})`;
  throw new StudioError('INVALID_ARGUMENT', `Run ${runId} has ${has}: there is no tile ${index}.`);
}

/** The working-size images of one tiled run, decoded: stepping through its tiles then only cuts and encodes. */
interface DecodedRun {
  readonly original: RgbImage;
  readonly result: RgbImage;
  readonly corruptedSheet: RgbImage;
  readonly decodedSheet: RgbImage;
}

// Only the last run: the inspector steps through one run's tiles at a time, and a large photo's images are big.
// Keyed by the run's folder rather than its id: engines on other data folders number their runs alike.
let cached: Promise<DecodedRun> | null = null;
let cachedKey: string | null = null;

function decodedRun(row: RunRow): Promise<DecodedRun> {
  const key = row.outputs['details'] ?? `run ${row.id}`;
  if (cached && cachedKey === key) return cached;
  const load = async (kind: string) => {
    const file = row.outputs[kind];
    if (!file) throw new StudioError('NOT_FOUND', `Run ${row.id} lacks its ${kind} image.`);
    return (await loadImageFile(file)).image;
  };
  const loading = (async () => {
    const [original, result, corruptedSheet, decodedSheet] = await Promise.all([
      load('working-original'),
      load('working-result'),
      load('tiles-corrupted'),
      load('tiles-decoded'),
    ]);
    return { original, result, corruptedSheet, decodedSheet };
  })();
  cached = loading;
  cachedKey = key;
  // A failed load (a deleted file) is not kept: the next call tries again.
  loading.catch(() => {
    if (cached === loading) {
      cached = null;
      cachedKey = null;
    }
  });
  return loading;
}

/**
 * The view of tile `index` of a tiled run: its grids, and its 128 px images cut from the working-size images
 * (original and blended result) and from the sheets of each tile's own corrupted input and decode.
 */
export async function tileView(
  base: RunView,
  row: RunRow,
  details: TiledDetails,
  index: number,
  grid: (ids: readonly number[]) => GridCell[],
): Promise<RunView> {
  const tile = details.tiles[index];
  if (!tile) throw new StudioError('INVALID_ARGUMENT', `Run ${row.id} has no tile ${index}.`);
  const run = await decodedRun(row);
  const columns = sheetColumns(details.tiles);
  const images: Partial<Record<RunImageKind, string>> = {
    ...base.images,
    original: await toPngDataUrl(tileAt(run.original, tile)),
    corrupted: await toPngDataUrl(sheetTile(run.corruptedSheet, index, columns)),
    decoded: await toPngDataUrl(sheetTile(run.decodedSheet, index, columns)),
    result: await toPngDataUrl(tileAt(run.result, tile)),
  };
  return {
    ...base,
    grids: { clean: grid(tile.cleanIds), corrupted: grid(tile.corruptedIds), result: grid(tile.resultIds) },
    confidence: tile.confidence,
    images,
    tiles: runTiles(details, index),
  };
}
