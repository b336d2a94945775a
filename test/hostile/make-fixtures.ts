/** Writes the hostile GGUF corpus (see gguf-corpus.ts) to test/fixtures/hostile/gguf/. */
import fs from 'node:fs';
import path from 'node:path';
import { HOSTILE_GGUFS } from './gguf-corpus';

export const CORPUS_DIR = path.resolve('test', 'fixtures', 'hostile', 'gguf');

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve('test/hostile/make-fixtures.ts')) {
  fs.mkdirSync(CORPUS_DIR, { recursive: true });
  for (const [name, make] of Object.entries(HOSTILE_GGUFS))
    fs.writeFileSync(path.join(CORPUS_DIR, `${name}.gguf`), make());
  console.log(`wrote ${Object.keys(HOSTILE_GGUFS).length} files to ${CORPUS_DIR}`);
}
