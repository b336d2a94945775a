import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { StudioError } from '../errors';
import type { ResolvedModelUrl } from './model-uri';

/**
 * Checks a finished download against what its host announced: the size always (when announced), the SHA-256 when
 * the host publishes one. A file that differs was cut short or altered on the way and is refused (MODEL_INVALID).
 */
export async function verifyDownload(
  file: string,
  resolved: ResolvedModelUrl | null,
  uri: string,
): Promise<void> {
  if (resolved === null) return;
  const size = fs.statSync(file).size;
  if (resolved.totalBytes !== null && size !== resolved.totalBytes) {
    throw new StudioError(
      'MODEL_INVALID',
      `${uri} arrived with ${size} bytes, but its host announced ${resolved.totalBytes}: download it again.`,
    );
  }
  if (resolved.sha256 === null) return;
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== resolved.sha256) {
    throw new StudioError(
      'MODEL_INVALID',
      `${uri} arrived, but its SHA-256 differs from the one its host publishes: the file was altered or damaged ` +
        'on the way. Download it again.',
    );
  }
}
