// Writes training/lm/copy_framing.json: the exact token-id pieces of the copy test's prompt (reference protocol
// shape, PROTOCOL.md), tokenised with llama-tokenizer-js 1.2.2, so PyTorch and TypeScript splice ids identically.
//   prompt = head + for each example (pre + 16 input ids + mid + 2 output ids) + pre + 16 query ids + mid
// Every piece is encoded on its own with SentencePiece's dummy prefix space, as the authors' code calls the
// tokenizer once per piece (and as src-main/engine/protocol/framing.ts does): so " >\nOutput: " starts with a
// lone "▁" and "###" is one piece "▁###". Image ids are spliced between the pieces, never tokenised as text.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tok from 'llama-tokenizer-js';

const here = path.dirname(fileURLToPath(import.meta.url));
const instruction = 'Learning a new language and predict the 2 tokens following the examples.\n';
const pre = '###\nInput: < ';
const mid = ' >\nOutput: ';
const head = tok.encode(instruction, true, true);
const preIds = tok.encode(pre, false, true);
const midIds = tok.encode(mid, false, true);
const pieces = (ids) => ids.map((i) => tok.vocabById[i]);
const out = {
  tokenizer: 'llama-tokenizer-js@1.2.2',
  instruction,
  pre_text: pre,
  mid_text: mid,
  head,
  pre: preIds,
  mid: midIds,
  head_pieces: pieces(head),
  pre_pieces: pieces(preIds),
  mid_pieces: pieces(midIds),
  n_examples: 10,
  n_input: 16,
  n_output: 2,
  id_range: [259, 31999],
  noise: 'example k of n (k = 0..n-1) replaces each of its 18 ids independently with probability 0.50 - 0.27 k/(n-1) by a random id from the same id distribution; n = 10: 0.50, 0.47, ..., 0.23; the query input is clean',
};
fs.writeFileSync(path.join(here, 'copy_framing.json'), JSON.stringify(out, null, 1) + '\n');
console.log(JSON.stringify({ head, pre: preIds, mid: midIds }));
console.log(pieces(preIds).join('|'), '/', pieces(midIds).join('|'));
