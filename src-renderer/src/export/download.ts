import type { DownloadFile } from '../../../src-shared/contract/export';
import { archiveName } from './export-format';
import { zipStored } from './zip';

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Hands exported files to the browser as one download: the file itself when there is one, a zip of them
 * otherwise. The browser then saves it as it saves any download (asking where, if the user has it ask).
 * Returns the name it was offered under.
 */
export function saveAsDownload(runId: number, files: readonly DownloadFile[]): string {
  const [only] = files;
  const blob =
    files.length === 1 && only
      ? new Blob([bytesOf(only.base64)], { type: only.mime })
      : new Blob([zipStored(files.map((f) => ({ name: f.name, bytes: bytesOf(f.base64) })))], {
          type: 'application/zip',
        });
  const name = files.length === 1 && only ? only.name : archiveName(runId);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the blob by the time the click's task ends; a later revoke keeps slow ones safe.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
