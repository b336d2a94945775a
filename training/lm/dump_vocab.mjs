// Dumps the LLaMA-2 vocabulary of llama-tokenizer-js 1.2.2 for the GGUF writer:
//   node training/lm/dump_vocab.mjs [OUT.json]     (default $V2L_RUNS/data/vocab_gguf.json)
// tokens: the 32,000 pieces (index = id); scores: -(merge priority) of the best merge producing the piece (0 for
// <unk>, <s>, </s> and byte pieces; -1e9 for pieces no merge produces, i.e. single characters);
// types (llama.cpp token types): <unk> 2 (unknown), <s> and </s> 3 (control), <0xXX> 6 (byte), others 1 (normal).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tok from 'llama-tokenizer-js';

const runs = process.env.V2L_RUNS || path.join(os.homedir(), '.cache', 'v2l-training', 'lm');
const out = process.argv[2] || path.join(runs, 'data', 'vocab_gguf.json');
const tokens = tok.vocabById.slice();
if (tokens.length !== 32000) throw new Error(`expected 32000 pieces, got ${tokens.length}`);
const scores = new Array(tokens.length).fill(null);
let merged = 0;
for (const [pair, prio] of tok.merges) {
  const sp = pair.indexOf(' ');
  const id = tok.vocabByString.get(pair.slice(0, sp) + pair.slice(sp + 1));
  if (id === undefined) throw new Error(`merge result not in vocabulary: ${pair}`);
  if (scores[id] === null || -prio > scores[id]) scores[id] = -prio;
  merged++;
}
const types = tokens.map((t, i) => (i === 0 ? 2 : i <= 2 ? 3 : /^<0x[0-9A-F]{2}>$/.test(t) ? 6 : 1));
let unmerged = 0;
for (let i = 0; i < tokens.length; i++) {
  if (scores[i] !== null) continue;
  if (types[i] !== 1) scores[i] = 0;
  else {
    scores[i] = -1e9;
    unmerged++;
  }
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ source: 'llama-tokenizer-js@1.2.2', tokens, scores, types }));
console.log(`wrote ${out}: ${tokens.length} tokens, ${merged} merges, ${unmerged} normal pieces without a merge`);
