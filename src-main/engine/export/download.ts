import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DownloadResult, ExportRequest } from '../../../src-shared/contract/export';
import { exportRun, type ExportDeps } from './export-run';

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.json': 'application/json',
  '.csv': 'text/csv',
};

/**
 * The browser's export: the files are written into the data folder as exportRun writes them (asking before
 * replacing, as there), then read back, because a page can only save what it holds as a download.
 */
export async function exportForDownload(deps: ExportDeps, request: ExportRequest): Promise<DownloadResult> {
  const result = await exportRun(deps, request);
  const downloads = await Promise.all(
    result.files.map(async (file) => ({
      name: file.name,
      mime: MIME_BY_EXTENSION[path.extname(file.name).toLowerCase()] ?? 'application/octet-stream',
      base64: (await readFile(file.path)).toString('base64'),
    })),
  );
  return { ...result, downloads };
}
