// End-to-end test of the LM's GGUF writer and reader on tiny random models (tiny_model.py):
//   1. a tied model with a query bias and an untied one, each with PyTorch's next-token log-probabilities;
//   2. export_gguf.py writes them (F32, and the tied one also F16), with the vocabulary of dump_vocab.mjs;
//   3. node-llama-cpp loads each file and must give PyTorch's top-20 log-probabilities on every prompt (the same
//      code path the studio's engine runs), and the tied file must carry the vocabulary matrix once, not twice;
//   4. import_gguf.py reads the F32 and F16 files back into snapshots equal to the originals (F16 within rounding).
// Exits non-zero on any failure. Python: $V2L_PYTHON or /usr/bin/python3.
//   node training/lm/test_export.mjs [OUT_DIR]   (default test-output/lm-export)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama } from 'node-llama-cpp';
import { python, stepRunner } from '../test_steps.mjs';
import { argmax, nextProbabilities, worstLogprobDiff } from './next_token.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'test-output', 'lm-export'));
const started = performance.now();
const run = stepRunner('test:lm-export', here);
const py = (script, ...args) => [path.join(here, script), ...args];
const at = (name) => path.join(out, name);

// Log-probability tolerances against PyTorch: llama.cpp keeps its KV cache in F16 (0.02 nats measured on F32 files),
// and an F16 file rounds every matrix as well (0.03); a wrong tensor, layout or key moves them by whole nats.
const files = [
  { name: 'tied-f32', variant: 'tied', f16: false, tol: 0.06 },
  { name: 'tied-f16', variant: 'tied', f16: true, tol: 0.1 },
  { name: 'untied-f32', variant: 'untied', f16: false, tol: 0.06 },
];

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
run('tiny random models and PyTorch references', python, py('tiny_model.py', 'make', out));
run('LLaMA-2 vocabulary', process.execPath, py('dump_vocab.mjs', at('vocab.json')));
for (const f of files) {
  const args = ['--ckpt', at(`${f.variant}.pt`), '--out', at(`${f.name}.gguf`), '--vocab', at('vocab.json')];
  run(`export ${f.name}`, python, py('export_gguf.py', ...args, ...(f.f16 ? ['--f16'] : [])));
}

let failed = 0;
const fail = (why) => {
  console.error(`test:lm-export: FAILED ${why}`);
  failed++;
};
const ref = JSON.parse(fs.readFileSync(at('reference.json'), 'utf8'));
const llama = await getLlama({ build: 'never', gpu: false });
for (const f of files) {
  const model = await llama.loadModel({ modelPath: at(`${f.name}.gguf`) });
  const context = await model.createContext({ contextSize: 128, threads: 1 });
  const seq = context.getSequence();
  let worst = 0;
  let top1 = 0;
  for (const [i, prompt] of ref.prompts.entries()) {
    const probs = await nextProbabilities(seq, prompt);
    const want = ref.variants[f.variant][i];
    worst = Math.max(worst, worstLogprobDiff(probs, want.ids, want.logprobs));
    if (argmax(probs) === want.ids[0]) top1++;
  }
  await context.dispose();
  await model.dispose();
  const line = `${f.name}: largest top-20 log-probability difference ${worst.toFixed(4)}, top-1 ${top1}/${ref.prompts.length}`;
  console.log(`test:lm-export: ${line}`);
  if (worst > f.tol || top1 !== ref.prompts.length) fail(`${line} (tolerance ${f.tol}, top-1 must all agree)`);
}

// The tied file leaves output.weight out: 32,000 x 64 F32 values fewer than the untied one, give or take the headers
// and the tied model's query biases (about 600 bytes).
const saved = fs.statSync(at('untied-f32.gguf')).size - fs.statSync(at('tied-f32.gguf')).size;
const matrix = 32000 * 64 * 4;
console.log(`test:lm-export: the tied file is ${saved} bytes smaller than the untied one`);
if (Math.abs(saved - matrix) > 4096) fail(`the tied file is ${saved} bytes smaller, not about ${matrix}`);

for (const f of files) {
  run(`import ${f.name}`, python, py('import_gguf.py', '--gguf', at(`${f.name}.gguf`), '--out', at(`${f.name}.pt`)));
  // F16 rounds to 11 significant bits: 2^-11 of the largest weights (about 2.5)
  const tol = f.f16 ? '2e-3' : '0';
  run(`${f.name} read back equals ${f.variant}.pt`, python, py('tiny_model.py', 'same', at(`${f.variant}.pt`), at(`${f.name}.pt`), '--tol', tol));
}

if (failed) process.exit(1);
console.log(`test:lm-export: ok in ${((performance.now() - started) / 1000).toFixed(0)} s`);
