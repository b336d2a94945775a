import fs from 'node:fs';
import path from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import { StudioError } from '../errors';

const BOS = 1;
const EOS = 2;
const NEWLINE = 13;

/**
 * The documents a language model held out of its training, listed in heldout.json next to the GGUF (paths
 * relative to the text folder). Evaluation reads them from the text folder, which is not shipped.
 */
export function heldOutDocuments(modelFile: string): string[] {
  const file = path.join(path.dirname(modelFile), 'heldout.json');
  if (!fs.existsSync(file)) {
    throw new StudioError(
      'NOT_FOUND',
      `${file} is missing: it lists the documents the model never saw, which the evaluation needs.`,
    );
  }
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { documents: string[] }).documents;
}

export function readDocument(textDir: string, document: string): string {
  const file = path.join(textDir, document);
  if (!fs.existsSync(file)) {
    throw new StudioError(
      'FILE_NOT_FOUND',
      `Held-out document ${file} is missing: pass the text folder with --text.`,
    );
  }
  return fs.readFileSync(file, 'utf8');
}

/** Non-empty trimmed lines of a document: the unit the training corpus was tokenised in. */
export function documentLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** A document as the training corpus encodes it: BOS, the lines joined by a newline token, EOS. */
export function encodeDocument(text: string): number[] {
  const ids = [BOS];
  documentLines(text).forEach((line, i) => {
    if (i > 0) ids.push(NEWLINE);
    ids.push(...llamaTokenizer.encode(line, false, true));
  });
  ids.push(EOS);
  return ids;
}

/** `count` items spread evenly over `items` (all of them if there are fewer). */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}
