// Dump the LLaMA-2 vocabulary (llama-tokenizer-js 1.2.2) and, optionally, tokenise a text corpus.
//   node dump_vocab.mjs vocab OUT.json              -> JSON array of the 32,000 pieces (index = token id) + sha256
//   node dump_vocab.mjs corpus OUT.bin FILE...       -> uint16 token ids, one document line after another,
//                                                       each line followed by the separator id 0 (<unk>, never a real piece here)
import fs from 'node:fs';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'package.json'));
const mod = await import(require.resolve('llama-tokenizer-js'));
const tok = mod.default;

const [mode, out, ...files] = process.argv.slice(2);
if (mode === 'vocab') {
  const pieces = tok.vocabById.slice();
  if (pieces.length !== 32000) throw new Error(`expected 32000 pieces, got ${pieces.length}`);
  const sha = crypto.createHash('sha256').update(pieces.join('\n'), 'utf8').digest('hex');
  fs.writeFileSync(out, JSON.stringify({ name: 'llama2-32000', source: 'llama-tokenizer-js@1.2.2', sha256: sha, pieces }));
  console.log(`wrote ${pieces.length} pieces, sha256(join "\\n") = ${sha}`);
} else if (mode === 'corpus') {
  const fd = fs.openSync(out, 'w');
  let total = 0;
  const t0 = Date.now();
  for (const f of files) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    const chunks = [];
    for (const line of lines) {
      const s = line.trim();
      if (!s) continue;
      const ids = tok.encode(s, false, true);
      ids.push(0);
      chunks.push(...ids);
    }
    const arr = Uint16Array.from(chunks);
    fs.writeSync(fd, Buffer.from(arr.buffer));
    total += arr.length;
    console.log(`${f}: ${arr.length} ids (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  fs.closeSync(fd);
  console.log(`total ${total} ids`);
} else {
  console.error('usage: node dump_vocab.mjs vocab OUT.json | corpus OUT.bin FILE...');
  process.exit(2);
}
