/**
 * Opening through the desktop's open dialog, without Electron: the dialog's options and what its answer becomes,
 * so both are testable in plain Node. index.ts only shows the dialog and passes on the paths picked.
 */
import path from 'node:path';
import type { OpenedImage, PickedPhoto, PickedPhotos } from '../../src-shared/contract/api';
import { toErrorPayload } from '../engine/errors';

/** The open dialog: several photos may be picked at once, for a batch. */
export function openDialogOptions(): {
  title: string;
  properties: ('openFile' | 'multiSelections')[];
  filters: { name: string; extensions: string[] }[];
} {
  return {
    title: 'Open a photo (several for a batch)',
    properties: ['openFile', 'multiSelections'],
    filters: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif', 'gif'] }],
  };
}

/**
 * What openWithDialog answers for the paths picked: nothing when none was (the dialog was cancelled), the opened
 * photo for one, as before batches existed; for several, each photo opened (stored, so a batch can restore it by
 * id), and one that cannot be opened keeps its error so that the others still go.
 */
export async function openPicked(
  paths: readonly string[],
  open: (file: string) => Promise<OpenedImage>,
): Promise<OpenedImage | PickedPhotos | null> {
  const [first, ...rest] = paths;
  if (first === undefined) return null;
  if (rest.length === 0) return open(first);
  const photos: PickedPhoto[] = [];
  // One at a time: the engine keeps only the last few opened photos in memory anyway.
  for (const file of paths) {
    const name = path.basename(file);
    try {
      photos.push({ name, imageId: (await open(file)).imageId, error: null });
    } catch (error) {
      photos.push({ name, imageId: null, error: toErrorPayload(error) });
    }
  }
  return { photos };
}
