import { stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  ExportedFile,
  ExportItem,
  ExportRequest,
  ExportResult,
} from '../../../src-shared/contract/export';
import type { GridCell, RunView } from '../../../src-shared/contract/restore';
import { StudioError } from '../errors';
import { writeImageFile } from '../image/encode';
import { loadImageOffThread } from '../workers/image-pool';
import { getRunView } from '../restore/run-view';
import type { Db } from '../store/store';
import { ensureFolder, fileExists, outputExists, writeFileAtomic } from './files';
import { renderGridsPng, renderSheetPng } from './render';

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

const IMAGE_EXTENSION = { png: 'png', jpeg: 'jpg', webp: 'webp' } as const;

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

function gridsJson(run: RunView, grids: NonNullable<RunView['grids']>): string {
  const cells = (grid: readonly GridCell[]) => grid.map((c, cell) => ({ cell, id: c.id, text: c.text }));
  return `${JSON.stringify(
    {
      runId: run.runId,
      grid: 16,
      usesCleanReference: run.usesCleanReference,
      predictedCells: run.predictedCells,
      confidence: run.confidence,
      clean: comparable(run) ? cells(grids.clean) : null,
      corrupted: cells(grids.corrupted),
      result: cells(grids.result),
    },
    null,
    2,
  )}\n`;
}

function gridsCsv(run: RunView, grids: NonNullable<RunView['grids']>): string {
  const confidence = new Map(run.predictedCells.map((cell, i) => [cell, run.confidence[i] ?? 0]));
  const rows = [
    'cell,row,col,clean_id,clean_text,corrupted_id,corrupted_text,result_id,result_text,predicted,confidence',
  ];
  for (let cell = 0; cell < 256; cell++) {
    const clean = comparable(run) ? grids.clean[cell] : undefined;
    const corrupted = grids.corrupted[cell];
    const result = grids.result[cell];
    rows.push(
      [
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
  return parts.join(' · ');
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
  const run = getRunView(deps.db, request.runId);
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

  let imageSource = path.join(runDir, 'result.png');
  if (request.source === 'photo') {
    const photo = path.join(runDir, 'photo.png');
    if (await fileExists(photo)) imageSource = photo;
    else notes.push('This run restored the whole photo at 128 px, so the image is the 128 px result.');
  }
  const suffix = imageSource.endsWith('photo.png') ? 'photo' : 'restored';
  const names: Readonly<Record<ExportItem, string>> = target?.names ?? {
    image: `run-${run.runId}-${suffix}.${IMAGE_EXTENSION[format]}`,
    'grids-json': `run-${run.runId}-grids.json`,
    'grids-csv': `run-${run.runId}-grids.csv`,
    'grids-png': `run-${run.runId}-grids.png`,
    sheet: `run-${run.runId}-sheet.png`,
    record: `run-${run.runId}-record.json`,
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
        // Decoded (and hashed) in an image worker: a restored 100 MP photo takes seconds.
        const { image } = await loadImageOffThread(imageSource);
        await writeImageFile(
          file,
          image,
          { format, ...(request.quality === undefined ? {} : { quality: request.quality }) },
          { overwrite },
        );
        break;
      }
      case 'grids-json':
        await writeFileAtomic(file, Buffer.from(gridsJson(run, grids)), overwrite);
        break;
      case 'grids-csv':
        await writeFileAtomic(file, Buffer.from(gridsCsv(run, grids)), overwrite);
        break;
      case 'grids-png':
        await writeFileAtomic(
          file,
          await renderGridsPng(grids, run.predictedCells, comparable(run)),
          overwrite,
        );
        break;
      case 'sheet': {
        const panels: { title: string; png: Buffer }[] = [];
        const add = (title: string, url: string | undefined) => {
          const png = pngOf(url);
          if (png) panels.push({ title, png });
        };
        add('Corrupted', run.images.corrupted);
        add('Decoded', run.images.decoded);
        add('Restored', run.images.result);
        add('Classical', run.images.classical);
        if (comparable(run)) add('Original', run.images.original);
        await writeFileAtomic(file, await renderSheetPng(panels, metricsLine(run)), overwrite);
        break;
      }
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
