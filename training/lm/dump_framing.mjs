// Writes training/lm/copy_framing.json: the exact token-id pieces of the copy test's prompt (reference protocol
// shape, PROTOCOL.md), tokenised with llama-tokenizer-js 1.2.2, so PyTorch and TypeScript splice ids identically.
//   prompt = head + for each example (pre + 16 input ids + mid + 2 output ids) + pre + 16 query ids + mid
// head = BOS + encode(instruction, no BOS, with SentencePiece's leading space); pre/mid are encoded as continuations
// (no BOS, no leading space), which is how they tokenise inside the full prompt string.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tok from 'llama-tokenizer-js';

const here = path.dirname(fileURLToPath(import.meta.url));
const instruction = 'Learning a new language and predict the 2 tokens following the examples.\n';
const pre = '###\nInput: < ';
const mid = ' >\nOutput: ';
const head = [1, ...tok.encode(instruction, false, true)];
const preIds = tok.encode(pre, false, false);
const midIds = tok.encode(mid, false, false);
// Check: splicing the pieces around single-digit ids (7 -> 29955, 8 -> 29947) equals tokenising the whole prompt text.
const whole = tok.encode(instruction + pre + '7 >\nOutput: 8' + pre, true, true);
const spliced = [...head, ...preIds, 29955, ...midIds, 29947, ...preIds];
if (JSON.stringify(whole) !== JSON.stringify(spliced)) throw new Error('splicing differs from whole-prompt tokenisation');
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
  whole_prompt_check: { text: instruction + pre + '7 >\nOutput: 8' + pre, ids: whole },
};
fs.writeFileSync(path.join(here, 'copy_framing.json'), JSON.stringify(out, null, 1) + '\n');
console.log(JSON.stringify({ head, pre: preIds, mid: midIds }));
console.log(pieces(preIds).join('|'), '/', pieces(midIds).join('|'));
console.log('whole ', JSON.stringify(whole));
