/**
 * Exporting through the desktop's save dialog, without Electron: the file names, the dialog's filters, and the
 * overwrite question are decided here, and the shell only shows what this module asks for (see
 * save-dialog.ts). Keeping Electron out makes every decision testable in plain Node.
 */
import path from 'node:path';
import type { ExportFormat, ExportItem, ExportRequest, ExportResult } from '../../src-shared/contract/export';
import { StudioError } from '../engine/errors';
import type { ExportTarget } from '../engine/export/export-run';
import { fileExists } from '../engine/export/files';
import { itemExtension, itemSuffix } from '../engine/export/file-names';

/** Which chosen item the picked file name is for: the restored image first, as what most exports are for. */
const PRIMARY_ORDER: readonly ExportItem[] = [
  'image',
  'sheet',
  'grids-png',
  'grids-json',
  'grids-csv',
  'record',
];

/** Extensions a user may type for each format; the first is the one the studio writes. */
const ACCEPTED_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  png: ['png'],
  jpg: ['jpg', 'jpeg'],
  webp: ['webp'],
  json: ['json'],
  csv: ['csv'],
};

const FILTER_NAME: Readonly<Record<string, string>> = {
  png: 'PNG image',
  jpg: 'JPEG image',
  webp: 'WebP image',
  json: 'JSON',
  csv: 'CSV table',
};

/** The options for the native save dialog, in the shape Electron's dialog.showSaveDialog takes. */
export interface SaveDialogSpec {
  readonly title: string;
  readonly defaultPath: string;
  readonly buttonLabel: string;
  readonly filters: readonly { readonly name: string; readonly extensions: readonly string[] }[];
  /** Linux's dialog asks before replacing the picked file only when told to; macOS and Windows always ask. */
  readonly properties: readonly ('createDirectory' | 'showOverwriteConfirmation')[];
}

/** A yes/no question about replacing files, in the shape Electron's dialog.showMessageBox takes. */
export interface OverwriteQuestion {
  readonly type: 'warning';
  readonly title: string;
  readonly message: string;
  readonly detail: string;
  readonly buttons: readonly [replace: string, cancel: string];
  readonly defaultId: 1;
  readonly cancelId: 1;
}

/** What the shell does for this module: show the dialogs, and write the export where it was asked to. */
export interface SaveDialogPort {
  /** The path the user picked, or null when they cancelled. */
  chooseFile(spec: SaveDialogSpec): Promise<string | null>;
  /** True when the user chose to replace the files. */
  confirm(question: OverwriteQuestion): Promise<boolean>;
  write(request: ExportRequest, target: ExportTarget): Promise<ExportResult>;
}

export function primaryItem(items: readonly ExportItem[]): ExportItem {
  const primary = PRIMARY_ORDER.find((item) => items.includes(item));
  if (primary === undefined)
    throw new StudioError('INVALID_ARGUMENT', 'Choose at least one thing to export.');
  return primary;
}

/** The name the dialog suggests: the one the same export gets in the data folder's exports/ folder. */
export function defaultFileName(runId: number, request: ExportRequest): string {
  const primary = primaryItem(request.items);
  const suffix = itemSuffix(primary, { photo: request.source === 'photo', tile: request.tile });
  return `run-${runId}-${suffix}.${itemExtension(primary, request.format ?? 'png')}`;
}

/** The dialog for an export: named after the run, filtered to the first item's type, in `folder`. */
export function saveDialogSpec(runId: number, request: ExportRequest, folder: string): SaveDialogSpec {
  const primary = primaryItem(request.items);
  const extension = itemExtension(primary, request.format ?? 'png');
  const others = new Set(request.items).size - 1;
  return {
    title:
      others > 0
        ? `Export run ${runId}: pick the name; the ${others} other file${others === 1 ? '' : 's'} go next to it`
        : `Export run ${runId}`,
    defaultPath: path.join(folder, defaultFileName(runId, request)),
    buttonLabel: 'Export',
    filters: [
      {
        name: FILTER_NAME[extension] ?? extension,
        extensions: ACCEPTED_EXTENSIONS[extension] ?? [extension],
      },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/**
 * Where each item goes for a picked path: the first item exactly there (with its extension added when the name
 * lacks it), the others beside it as <name>-<suffix>.<extension>, which never collides with the first.
 */
export function exportTarget(
  chosen: string,
  items: readonly ExportItem[],
  format: ExportFormat,
  tile?: number,
): ExportTarget {
  const primary = primaryItem(items);
  const extension = itemExtension(primary, format);
  const file = path.basename(chosen);
  const typed = path.extname(file).slice(1);
  const hasExtension = (ACCEPTED_EXTENSIONS[extension] ?? [extension]).includes(typed.toLowerCase());
  const base = hasExtension ? file.slice(0, file.length - typed.length - 1) : file;
  const names = {} as Record<ExportItem, string>;
  for (const item of PRIMARY_ORDER) {
    const ext = itemExtension(item, format);
    if (item !== primary) names[item] = `${base}-${itemSuffix(item, { tile })}.${ext}`;
    else names[item] = hasExtension ? file : `${file}.${ext}`;
  }
  return { folder: path.dirname(chosen), names };
}

/** The target files of `items` that exist already. */
export async function existingFiles(target: ExportTarget, items: readonly ExportItem[]): Promise<string[]> {
  const existing: string[] = [];
  for (const item of new Set(items)) {
    const file = path.join(target.folder, target.names[item]);
    if (await fileExists(file)) existing.push(file);
  }
  return existing;
}

/**
 * The question to ask before replacing `existing`, or null when there is nothing to ask: the save dialog itself
 * already asked about the file the user picked, so that one is not asked about twice.
 */
export function overwriteQuestion(existing: readonly string[], chosen: string): OverwriteQuestion | null {
  const ask = existing.filter((file) => path.resolve(file) !== path.resolve(chosen));
  if (ask.length === 0) return null;
  const folder = path.dirname(ask[0] ?? chosen);
  const one = ask.length === 1;
  return {
    type: 'warning',
    title: 'Replace existing files?',
    message: one
      ? `${path.basename(ask[0] ?? '')} already exists in ${folder}. Replace it?`
      : `${ask.length} files of this export already exist in ${folder}. Replace them?`,
    detail: ask.map((file) => path.basename(file)).join('\n'),
    buttons: [one ? 'Replace' : 'Replace them', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
  };
}

/**
 * The whole export through the save dialog: pick a name, ask before replacing any other file, write. Null when
 * the user cancels either dialog; nothing is written then.
 */
export async function exportWithSaveDialog(
  request: ExportRequest,
  defaultFolder: string,
  port: SaveDialogPort,
): Promise<ExportResult | null> {
  const chosen = await port.chooseFile(saveDialogSpec(request.runId, request, defaultFolder));
  if (chosen === null) return null;
  const target = exportTarget(chosen, request.items, request.format ?? 'png', request.tile);
  const existing = await existingFiles(target, request.items);
  const question = overwriteQuestion(existing, chosen);
  if (question && !(await port.confirm(question))) return null;
  // Overwriting stays off unless a file was there and the user agreed, so a file that appears meanwhile is kept.
  return port.write({ ...request, overwrite: existing.length > 0 }, target);
}
