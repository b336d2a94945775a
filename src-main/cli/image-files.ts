import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../engine/errors';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.gif']);

/** Every image file under `dir`, recursively, as absolute paths sorted by their path relative to `dir`. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new StudioError(
      'FILE_NOT_FOUND',
      `The data folder ${root} cannot be read (${(error as Error).message}). Pass an existing folder to --data.`,
      { cause: error },
    );
  }
  const files = entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
  // Code-unit order, not the locale's, so every machine evaluates the same images in the same order.
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return files.map((f) => path.join(root, f));
}
