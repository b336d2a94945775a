// Tokenise the English text corpus with the exact LLaMA-2 vocabulary (llama-tokenizer-js 1.2.2).
//
//   node training/lm/tokenize_corpus.mjs [--text DIR] [--out DIR]
//
// Defaults: --text /work/shared/text (or $V2L_TEXT), --out $V2L_RUNS/data ($V2L_RUNS defaults to
// ~/.cache/v2l-training/lm). One document = one file (a Gutenberg book, a Brown genre file, a Wikipedia dump file).
// Every non-empty line (a paragraph) is encoded on its own with encode(line, false, true), i.e. no BOS and with
// SentencePiece's dummy leading space, exactly as a lone line would be tokenised by llama.cpp. A document is stored as
//   BOS(1), line_1, "\n"(13), line_2, "\n"(13), ..., line_n, EOS(2)
// and documents are concatenated into train.bin / val.bin (little-endian uint16). Whole documents are held out for
// validation (VAL_DOCS below). index.json lists every document with its offset and length.
// heldout_lines.txt (+ heldout_lines.json with the reference ids) holds 1,000 lines of the held-out documents for the
// node-llama-cpp tokenisation-parity test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import tok from 'llama-tokenizer-js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = process.env.V2L_RUNS || path.join(os.homedir(), '.cache', 'v2l-training', 'lm');
const textDir = opt('--text', process.env.V2L_TEXT || '/work/shared/text');
const outDir = opt('--out', path.join(runs, 'data'));

// Whole documents held out for validation (paths relative to the text folder).
export const VAL_DOCS = [
  'wikipedia/enwiki_117.txt',
  'brown/brown_humor.txt',
  'gutenberg/children/Alcott__Under_the_Lilacs__6214e395.txt',
  'gutenberg/adventure/', // first file of the folder in sorted order (resolved below)
  'gutenberg/scifi1950s/', // first file of the folder in sorted order (resolved below)
];

const BOS = 1;
const EOS = 2;
const NL = 13;

if (JSON.stringify(tok.encode('hello world', false, true)) !== '[22172,3186]') {
  throw new Error('unexpected tokenizer: "hello world" must give [22172, 3186]');
}

function listDocs() {
  const docs = [];
  const walk = (rel) => {
    const abs = path.join(textDir, rel);
    for (const name of fs.readdirSync(abs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.statSync(path.join(textDir, r));
      if (st.isDirectory()) walk(r);
      else if (name.endsWith('.txt')) docs.push(r);
    }
  };
  walk('');
  return docs;
}

const docs = listDocs();
const valSet = new Set();
for (const v of VAL_DOCS) {
  if (v.endsWith('/')) {
    const first = docs.find((d) => d.startsWith(v));
    if (!first) throw new Error(`no document under ${v}`);
    valSet.add(first);
  } else {
    if (!docs.includes(v)) throw new Error(`missing validation document ${v}`);
    valSet.add(v);
  }
}

fs.mkdirSync(outDir, { recursive: true });
const parts = { train: [], val: [] };
const lengths = { train: 0, val: 0 };
const index = [];
const valLines = []; // [doc, line]
const t0 = Date.now();
let chars = 0;
for (const d of docs) {
  const split = valSet.has(d) ? 'val' : 'train';
  const text = fs.readFileSync(path.join(textDir, d), 'utf8');
  chars += text.length;
  const ids = [BOS];
  let nLines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (nLines > 0) ids.push(NL);
    const e = tok.encode(line, false, true);
    for (let i = 0; i < e.length; i++) ids.push(e[i]);
    nLines++;
    if (split === 'val') valLines.push([d, line]);
  }
  ids.push(EOS);
  const arr = Uint16Array.from(ids);
  index.push({ doc: d, split, offset: lengths[split], tokens: arr.length, lines: nLines, chars: text.length });
  parts[split].push(arr);
  lengths[split] += arr.length;
  const dt = (Date.now() - t0) / 1000;
  console.log(`${split} ${d}: ${arr.length} tokens, ${nLines} lines (${dt.toFixed(1)} s, ${(chars / 1e6 / dt).toFixed(2)} MB/s)`);
}

const sha = {};
for (const split of ['train', 'val']) {
  const buf = Buffer.concat(parts[split].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  fs.writeFileSync(path.join(outDir, `${split}.bin`), buf);
  sha[split] = crypto.createHash('sha256').update(buf).digest('hex');
}

// 1,000 held-out lines, spread evenly over the validation lines, with their reference ids.
const nHeld = Math.min(1000, valLines.length);
const held = [];
for (let k = 0; k < nHeld; k++) {
  const [d, line] = valLines[Math.floor((k * valLines.length) / nHeld)];
  held.push({ doc: d, text: line, ids: tok.encode(line, false, true) });
}
fs.writeFileSync(path.join(outDir, 'heldout_lines.txt'), held.map((h) => h.text).join('\n') + '\n');
fs.writeFileSync(
  path.join(outDir, 'heldout_lines.json'),
  JSON.stringify({ tokenizer: 'llama-tokenizer-js@1.2.2', encode: 'encode(line, false, true)', lines: held }),
);

const seconds = (Date.now() - t0) / 1000;
const meta = {
  tokenizer: 'llama-tokenizer-js@1.2.2',
  format: 'uint16 little-endian; per document: BOS(1) line ("\\n"=13 line)* EOS(2); lines via encode(line,false,true)',
  text_dir: textDir,
  val_docs: [...valSet].sort(),
  train_tokens: lengths.train,
  val_tokens: lengths.val,
  sha256: sha,
  seconds,
  documents: index,
};
fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(meta, null, 1));
console.log(
  `done in ${seconds.toFixed(1)} s: train ${lengths.train} tokens, val ${lengths.val} tokens, ` +
    `${held.length} held-out lines -> ${outDir}`,
);
