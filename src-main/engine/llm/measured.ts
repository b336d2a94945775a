import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What `eval lm --record` measured on a GGUF, kept next to it as measured.json so the studio can show a model's
 * language and copy figures beside its name without re-running a three-minute evaluation. The record names the
 * file's SHA-256: a record that does not match the file beside it (the model was replaced) is not shown.
 */
export interface LmFigures {
  readonly file: string;
  readonly sha256: string;
  readonly measuredOn: string;
  readonly command: string;
  readonly valLoss: number;
  readonly copyNoisy10: number;
  readonly copyClean10: number;
  readonly repeatCopy: number;
}

export const MEASURED_FILE = 'measured.json';

const hashes = new Map<string, { key: string; sha256: string }>();

/** SHA-256 of a file, remembered per path while its size and modification time stay the same. */
export function fileSha256(file: string): string {
  const { size, mtimeMs } = fs.statSync(file);
  const key = `${size}:${mtimeMs}`;
  const known = hashes.get(file);
  if (known?.key === key) return known.sha256;
  const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  hashes.set(file, { key, sha256 });
  return sha256;
}

function isFigures(value: unknown): value is LmFigures {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    ['file', 'sha256', 'measuredOn', 'command'].every((k) => typeof v[k] === 'string') &&
    ['valLoss', 'copyNoisy10', 'copyClean10', 'repeatCopy'].every((k) => typeof v[k] === 'number')
  );
}

/** The recorded figures of `gguf`, or null when there are none or they were measured on another file. */
export function readFigures(gguf: string): LmFigures | null {
  const record = path.join(path.dirname(gguf), MEASURED_FILE);
  if (!fs.existsSync(record)) return null;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(record, 'utf8'));
    if (!isFigures(parsed) || parsed.file !== path.basename(gguf)) return null;
    return parsed.sha256 === fileSha256(gguf) ? parsed : null;
  } catch {
    return null;
  }
}

export function writeFigures(gguf: string, figures: Omit<LmFigures, 'file' | 'sha256'>): string {
  const record = path.join(path.dirname(gguf), MEASURED_FILE);
  const body: LmFigures = { file: path.basename(gguf), sha256: fileSha256(gguf), ...figures };
  fs.writeFileSync(record, `${JSON.stringify(body, null, 2)}\n`);
  return record;
}
