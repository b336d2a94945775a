import type { ExportFormat } from '../../../src-shared/contract/export';

/**
 * The format a restored image is exported in unless the user picks another: the photo's own, so a JPEG stays a
 * JPEG (and a WebP a WebP). Formats the export cannot write (TIFF, GIF, …) and an unknown photo give PNG.
 */
export function exportFormatFor(photoFormat: string | undefined): ExportFormat {
  switch (photoFormat?.toLowerCase()) {
    case 'jpeg':
    case 'jpg':
      return 'jpeg';
    case 'webp':
      return 'webp';
    default:
      return 'png';
  }
}

/** The name of the single download that carries several exported files. */
export const archiveName = (runId: number) => `run-${runId}-export.zip`;
