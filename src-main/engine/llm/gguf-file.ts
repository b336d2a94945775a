import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../errors';
import { GgufFormatError } from './gguf-header';
import { readGgufSummary, type GgufSummary } from './runtime';

/**
 * The header of a model file, refusing (with the cause and the fix) anything but a regular file with a .gguf name
 * and a sound GGUF header. Only such files are opened at all: a path to /etc/shadow or a FIFO is refused by its
 * name or type, and the message about a bad file never quotes the file's bytes.
 */
export async function readCheckedGguf(file: string): Promise<GgufSummary> {
  if (file.includes('\0')) {
    throw new StudioError('INVALID_ARGUMENT', 'The model path contains a NUL byte: pick the file again.');
  }
  const name = path.basename(file);
  if (!/\.gguf$/i.test(name)) {
    throw new StudioError('MODEL_INVALID', `${name} is not a .gguf file: pick a GGUF language model file.`);
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new StudioError('FILE_NOT_FOUND', `${file} does not exist: pick a GGUF file that exists.`);
  }
  if (!stat.isFile()) {
    throw new StudioError(
      'MODEL_INVALID',
      `${file} is not a regular file (a folder, device or pipe): pick a .gguf file.`,
    );
  }
  try {
    return await readGgufSummary(file);
  } catch (error) {
    const why = error instanceof GgufFormatError ? `: ${error.message}` : '';
    throw new StudioError(
      'MODEL_INVALID',
      `${name} is not a GGUF language model file${why}. Pick a .gguf model file.`,
      {
        cause: error,
      },
    );
  }
}
