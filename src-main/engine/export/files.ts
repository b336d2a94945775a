import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../errors';

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

export async function ensureFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (cause) {
    throw new StudioError('FILE_UNWRITABLE', `Cannot create the export folder ${folder}: ${String(cause)}.`, {
      cause,
    });
  }
}

/**
 * Writes bytes under their final name atomically: a temporary file in the same folder is renamed (overwrite) or
 * hard-linked (no overwrite, so a file that appeared meanwhile is never replaced) into place.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    if (overwrite) {
      await rename(temp, file);
      return;
    }
    try {
      await link(temp, file);
      await unlink(temp);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') throw outputExists([file]);
      // File systems without hard links: check, then rename.
      if (await fileExists(file)) throw outputExists([file]);
      await rename(temp, file);
    }
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof StudioError) throw error;
    throw new StudioError('FILE_UNWRITABLE', `Cannot save ${path.basename(file)}: ${String(error)}.`, {
      cause: error,
    });
  }
}

export function outputExists(files: readonly string[]): StudioError {
  const names = files.map((f) => path.basename(f)).join(', ');
  const folder = files[0] === undefined ? '' : path.dirname(files[0]);
  return new StudioError(
    'OUTPUT_EXISTS',
    `${names} already ${files.length === 1 ? 'exists' : 'exist'} in ${folder}: allow overwriting to replace ${files.length === 1 ? 'it' : 'them'}.`,
  );
}
