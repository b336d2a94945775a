import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  ExportedFile,
  ExportItem,
  ExportRequest,
  ExportResult,
} from '../../../src-shared/contract/export';
import type { GridCell, RunView } from '../../../src-shared/contract/restore';
import { StudioError } from '../errors';
import { decodeImageBuffer } from '../image/decode';
import { writeImageFile } from '../image/encode';
import { loadImageOffThread } from '../workers/image-pool';
import { getRunViewAt, runTileGrids, type RunTileGrids } from '../restore/run-view';
import type { Db } from '../store/store';
import { itemExtension, itemSuffix } from './file-names';
import { ensureFolder, fileExists, outputExists, writeFileAtomic } from './files';
import { renderGridsPng, renderSheetPng, type SheetRow } from './render';

export interface ExportDeps {
  readonly db: Db;
  readonly dataDir: string;
}

/**
 * Where an export goes when the user chose the place (the desktop's save dialog): a folder and a file name per
 * item. Only a shell builds one, from the dialog's answer; the renderer never names a path.
 */
export interface ExportTarget {
  readonly folder: string;
  readonly names: Readonly<Record<ExportItem, string>>;
}

function pngOf(dataUrl: string | undefined): Buffer | null {
  if (dataUrl === undefined) return null;
  const comma = dataUrl.indexOf(',');
  return comma < 0 ? null : Buffer.from(dataUrl.slice(comma + 1), 'base64');
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Whether the corrected words can be judged against clean words: there is a clean original to compare with. */
function comparable(run: RunView): boolean {
  return run.params.extend === undefined && run.grids !== null;
}

const cellsOf = (grid: readonly GridCell[]) => grid.map((c, cell) => ({ cell, id: c.id, text: c.text }));

/** The grids as JSON: a view's three grids, or every tile of a full-resolution run with where it lies. */
function gridsJson(run: RunView, grids: NonNullable<RunView['grids']>, tiled: RunTileGrids | null): string {
  const compare = comparable(run);
  const head = {
    runId: run.runId,
    grid: 16,
    usesCleanReference: run.usesCleanReference,
    predictedCells: run.predictedCells,
  };
  const body = tiled
    ? {
        ...head,
        workingSize: tiled.workingSize,
        tiles: tiled.tiles.map((t, tile) => ({
          tile,
          x: t.x,
          y: t.y,
          confidence: t.confidence,
          clean: compare ? cellsOf(t.clean) : null,
          corrupted: cellsOf(t.corrupted),
          result: cellsOf(t.result),
        })),
      }
    : {
        ...head,
        confidence: run.confidence,
        clean: compare ? cellsOf(grids.clean) : null,
        corrupted: cellsOf(grids.corrupted),
        result: cellsOf(grids.result),
      };
  return `${JSON.stringify(body, null, 2)}\n`;
}

const CSV_HEADER =
  'cell,row,col,clean_id,clean_text,corrupted_id,corrupted_text,result_id,result_text,predicted,confidence';

/** One row per cell; a full-resolution run's rows lead with the tile and its place, tile after tile. */
function gridsCsv(run: RunView, grids: NonNullable<RunView['grids']>, tiled: RunTileGrids | null): string {
  const compare = comparable(run);
  const rowsOf = (
    view: { clean: readonly GridCell[]; corrupted: readonly GridCell[]; result: readonly GridCell[] },
    predicted: readonly number[],
    probabilities: readonly number[],
    lead: readonly (string | number)[],
  ): string[] => {
    const confidence = new Map(predicted.map((cell, i) => [cell, probabilities[i] ?? 0]));
    const rows: string[] = [];
    for (let cell = 0; cell < 256; cell++) {
      const clean = compare ? view.clean[cell] : undefined;
      const corrupted = view.corrupted[cell];
      const result = view.result[cell];
      rows.push(
        [
          ...lead,
          cell,
          Math.floor(cell / 16),
          cell % 16,
          clean?.id ?? '',
          clean?.text ?? '',
          corrupted?.id ?? '',
          corrupted?.text ?? '',
          result?.id ?? '',
          result?.text ?? '',
          confidence.has(cell) ? 1 : 0,
          confidence.get(cell)?.toFixed(6) ?? '',
        ]
          .map(csvField)
          .join(','),
      );
    }
    return rows;
  };
  const rows = tiled
    ? [
        `tile,tile_x,tile_y,${CSV_HEADER}`,
        ...tiled.tiles.flatMap((t, tile) => rowsOf(t, run.predictedCells, t.confidence, [tile, t.x, t.y])),
      ]
    : [CSV_HEADER, ...rowsOf(grids, run.predictedCells, run.confidence, [])];
  return `${rows.join('\n')}\n`;
}

function metricsLine(run: RunView): string {
  const m = run.metrics;
  if (!m) return `run ${run.runId} · ${run.task} · ${run.protocol}`;
  const parts = [
    `run ${run.runId}`,
    run.task,
    run.usesCleanReference ? 'reference (uses the clean reference)' : 'blind',
  ];
  const psnr = m['psnr'];
  const ssim = m['ssim'];
  const accuracy = m['token_accuracy'];
  if (psnr !== undefined) parts.push(`PSNR ${psnr.toFixed(2)} dB`);
  if (ssim !== undefined) parts.push(`SSIM ${ssim.toFixed(3)}`);
  if (accuracy !== undefined) parts.push(`token accuracy ${(accuracy * 100).toFixed(1)} %`);
  const ceiling = m['psnr_clean_words'];
  if (ceiling !== undefined) parts.push(`the original's own words ${ceiling.toFixed(2)} dB`);
  const classical = m['psnr_classical'];
  if (classical !== undefined) parts.push(`classical ${classical.toFixed(2)} dB`);
  const seam = m['seam_ratio'];
  if (run.tiles) parts.push(`${run.tiles.count} tiles`);
  if (seam !== undefined) parts.push(`seam ratio ${seam.toFixed(2)}`);
  return parts.join(' · ');
}

/** The shown view's image of `kind` as PNG bytes, or NOT_FOUND naming the missing image. */
function shownImage(run: RunView, kind: 'result'): Buffer {
  const png = pngOf(run.images[kind]);
  if (!png) throw new StudioError('NOT_FOUND', `Run ${run.runId} lacks its ${kind} image; run it again.`);
  return png;
}

/** "Tile k of n at (x, y)" for a full-resolution run's per-tile items. */
function tileHeading(run: RunView): string | undefined {
  const tiles = run.tiles;
  if (!tiles) return undefined;
  const origin = tiles.origins[tiles.index] ?? { x: 0, y: 0 };
  return `Tile ${tiles.index + 1} of ${tiles.count}, at (${origin.x}, ${origin.y}) px`;
}

/**
 * The sheet's rows: the shown 128 px views; a full-resolution run's whole photo (original, corrupted, restored,
 * at the size it was restored at) above them.
 */
async function sheetRows(run: RunView, runDir: string): Promise<SheetRow[]> {
  const views: { title: string; png: Buffer }[] = [];
  const add = (title: string, url: string | undefined) => {
    const png = pngOf(url);
    if (png) views.push({ title, png });
  };
  const heading = tileHeading(run);
  add(heading ? `Tile ${(run.tiles?.index ?? 0) + 1}: corrupted` : 'Corrupted', run.images.corrupted);
  add('Decoded', run.images.decoded);
  add('Restored', run.images.result);
  add('Classical', run.images.classical);
  if (comparable(run)) add('Original', run.images.original);
  if (!run.tiles) return [{ side: 256, panels: views }];
  const photos: { title: string; png: Buffer }[] = [];
  for (const [title, kind] of [
    ['Photo: corrupted', 'working-corrupted'],
    ['Restored', 'working-result'],
    ['Original', 'working-original'],
  ] as const) {
    const file = path.join(runDir, `${kind}.png`);
    if (await fileExists(file)) photos.push({ title, png: await readFile(file) });
  }
  return [
    { side: 384, panels: photos },
    { side: 256, panels: views },
  ];
}

/**
 * Writes the chosen items of a finished run into <dataDir>/exports, or to `target`. Every target name is checked
 * before anything is written, so an export either writes all its files or, when some exist and overwriting was
 * not allowed, none (OUTPUT_EXISTS names them, and the renderer asks before retrying with overwrite).
 */
export async function exportRun(
  deps: ExportDeps,
  request: ExportRequest,
  target?: ExportTarget,
): Promise<ExportResult> {
  // A tiled run's per-tile items show the asked tile; getRunViewAt refuses a tile the run lacks.
  const run = await getRunViewAt(deps.db, request.runId, request.tile ?? 0);
  const tiled = run.tiles ? runTileGrids(deps.db, run.runId) : null;
  const tile = run.tiles ? run.tiles.index : undefined;
  if (run.status !== 'done' || run.grids === null) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `Run ${run.runId} is ${run.status}: only a finished run can be exported. Run the restoration again.`,
    );
  }
  const items = [...new Set(request.items)];
  if (items.length === 0) throw new StudioError('INVALID_ARGUMENT', 'Choose at least one thing to export.');
  const grids = run.grids;
  const format = request.format ?? 'png';
  const overwrite = request.overwrite === true;
  const folder = target?.folder ?? path.join(deps.dataDir, 'exports');
  const runDir = path.join(deps.dataDir, 'runs', String(run.runId));
  const notes: string[] = [];

  // The photo-sized image where the run has one; else (or for 'view') the shown 128 px result.
  let photoSource: string | null = null;
  if (request.source === 'photo') {
    const photo = path.join(runDir, 'photo.png');
    if (await fileExists(photo)) photoSource = photo;
    else notes.push('This run restored the whole photo at 128 px, so the image is the 128 px result.');
  }
  const name = (item: ExportItem) =>
    `run-${run.runId}-${itemSuffix(item, { photo: photoSource !== null, tile })}.${itemExtension(item, format)}`;
  const names: Readonly<Record<ExportItem, string>> = target?.names ?? {
    image: name('image'),
    'grids-json': name('grids-json'),
    'grids-csv': name('grids-csv'),
    'grids-png': name('grids-png'),
    sheet: name('sheet'),
    record: name('record'),
  };

  await ensureFolder(folder);
  if (!overwrite) {
    const existing: string[] = [];
    for (const item of items) {
      const file = path.join(folder, names[item]);
      if (await fileExists(file)) existing.push(file);
    }
    if (existing.length > 0) throw outputExists(existing);
  }

  const files: ExportedFile[] = [];
  for (const item of items) {
    const file = path.join(folder, names[item]);
    switch (item) {
      case 'image': {
        // A photo is decoded (and hashed) in an image worker: a restored 100 MP photo takes seconds.
        const { image } = photoSource
          ? await loadImageOffThread(photoSource)
          : await decodeImageBuffer(shownImage(run, 'result'), 'result.png');
        await writeImageFile(
          file,
          image,
          { format, ...(request.quality === undefined ? {} : { quality: request.quality }) },
          { overwrite },
        );
        break;
      }
      case 'grids-json':
        await writeFileAtomic(file, Buffer.from(gridsJson(run, grids, tiled)), overwrite);
        break;
      case 'grids-csv':
        await writeFileAtomic(file, Buffer.from(gridsCsv(run, grids, tiled)), overwrite);
        break;
      case 'grids-png':
        await writeFileAtomic(
          file,
          await renderGridsPng(grids, run.predictedCells, comparable(run), tileHeading(run)),
          overwrite,
        );
        break;
      case 'sheet':
        await writeFileAtomic(
          file,
          await renderSheetPng(await sheetRows(run, runDir), metricsLine(run)),
          overwrite,
        );
        break;
      case 'record': {
        const record: Omit<RunView, 'images'> & { images?: unknown } = { ...run };
        delete record.images;
        await writeFileAtomic(file, Buffer.from(`${JSON.stringify(record, null, 2)}\n`), overwrite);
        break;
      }
    }
    files.push({ item, name: names[item], path: file, bytes: (await stat(file)).size });
  }
  return { folder, files, notes };
}
