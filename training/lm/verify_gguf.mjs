// Verify an exported GGUF through node-llama-cpp (CPU, prebuilt binaries only):
//   node training/lm/verify_gguf.mjs --gguf model.gguf --ref reference.json [--lines heldout_lines.json] [--n 200]
// 1. tokenisation parity: model.tokenize(line) === llama-tokenizer-js encode(line, false, true) on the held-out lines;
// 2. first-step log-probabilities vs PyTorch (reference.py) on a few prompts;
// 3. the copy test through node-llama-cpp: greedy 2 ids (argmax of the full distribution, EOS not special-cased),
//    accuracy per setting, agreement with PyTorch's greedy ids; prompt / generation tokens per second.
// Prints one JSON object.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getLlama } from 'node-llama-cpp';
import tok from 'llama-tokenizer-js';
import { argmax, nextProbabilities, worstLogprobDiff } from './next_token.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = process.env.V2L_RUNS || path.join(os.homedir(), '.cache', 'v2l-training', 'lm');
const ggufPath = opt('--gguf');
const refPath = opt('--ref');
const linesPath = opt('--lines', path.join(runs, 'data', 'heldout_lines.json'));
const nMax = Number(opt('--n', '1000000'));
if (!ggufPath || !refPath) throw new Error('usage: --gguf FILE --ref reference.json');

const llama = await getLlama({ build: 'never', gpu: false });
const model = await llama.loadModel({ modelPath: ggufPath });
const result = { gguf: ggufPath, bytes: fs.statSync(ggufPath).size };

// 1. tokenisation parity
const held = JSON.parse(fs.readFileSync(linesPath, 'utf8')).lines;
let same = 0;
const mismatches = [];
for (const h of held) {
  const a = Array.from(model.tokenize(h.text));
  const b = tok.encode(h.text, false, true);
  if (a.length === b.length && a.every((v, i) => v === b[i]) && b.every((v, i) => v === h.ids[i])) same++;
  else if (mismatches.length < 3) mismatches.push({ text: h.text.slice(0, 120), llama_cpp: a.slice(0, 40), js: b.slice(0, 40) });
}
result.tokenize_parity = { lines: held.length, identical: same, mismatches };

// 2 + 3. logits and greedy copy test
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
const context = await model.createContext({ contextSize: 512, threads: 1, batchSize: 512 });
const seq = context.getSequence();
let promptTokens = 0;
let promptMs = 0;
let genTokens = 0;
let genMs = 0;
result.sets = {};
for (const [name, set] of Object.entries(ref.sets)) {
  const n = Math.min(nMax, set.prompts.length);
  let correct = 0;
  let agree = 0;
  let maxLpDiff = 0;
  for (let i = 0; i < n; i++) {
    const p = set.prompts[i];
    let t0 = performance.now();
    const probs1 = await nextProbabilities(seq, p); // its time includes clearing the history (negligible)
    promptMs += performance.now() - t0;
    promptTokens += p.length;
    const g1 = argmax(probs1);
    if (i < set.first_step_logprobs.length) {
      const lp = set.first_step_logprobs[i];
      // compare the log-probabilities of PyTorch's top-20 ids
      const top = lp.map((v, id) => [v, id]).sort((x, y) => y[0] - x[0]).slice(0, 20);
      const diff = worstLogprobDiff(probs1, top.map(([, id]) => id), top.map(([v]) => v));
      maxLpDiff = Math.max(maxLpDiff, diff);
    }
    t0 = performance.now();
    const r2 = await seq.controlledEvaluate([[g1, { generateNext: { probabilities: true } }]]);
    genMs += performance.now() - t0;
    genTokens += 1;
    const g2 = argmax(r2[0].next.probabilities);
    const tg = set.targets[i];
    correct += (g1 === tg[0]) + (g2 === tg[1]);
    const pg = set.pytorch_greedy[i];
    agree += (g1 === pg[0]) + (g2 === pg[1]);
  }
  result.sets[name] = {
    prompts: n,
    accuracy_node_llama_cpp: correct / (2 * n),
    accuracy_pytorch: set.pytorch_greedy.slice(0, n).reduce((s, g, i) => s + (g[0] === set.targets[i][0]) + (g[1] === set.targets[i][1]), 0) / (2 * n),
    greedy_agreement_with_pytorch: agree / (2 * n),
    max_abs_logprob_diff_top20: maxLpDiff,
  };
}
result.prompt_tokens_per_s = promptTokens / (promptMs / 1000);
result.gen_tokens_per_s = genTokens / (genMs / 1000);
console.log(JSON.stringify(result, null, 1));
await context.dispose();
await model.dispose();
