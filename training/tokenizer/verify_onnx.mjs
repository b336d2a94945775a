// Check an exported pack against PyTorch and time it with onnxruntime-node.
//   node training/tokenizer/verify_onnx.mjs PACK_DIR [--threads N] [--runs R]
// PACK_DIR holds manifest.json, encoder.onnx, decoder.onnx and reference/ (written by export_onnx.py).
// Exit code 1 if file hashes, ids or images (max abs diff > 1e-4) do not match.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'package.json'));
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) {
  console.error('usage: node verify_onnx.mjs PACK_DIR [--threads N] [--runs R]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const threads = opt('--threads', 0);
const runs = opt('--runs', 20);

const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
let ok = true;
for (const [role, f] of Object.entries(manifest.files)) {
  const buf = fs.readFileSync(path.join(dir, f.path));
  const sha = crypto.createHash('sha256').update(buf).digest('hex');
  const good = sha === f.sha256 && buf.length === f.bytes;
  ok &&= good;
  console.log(`${role}: ${f.path} ${buf.length} bytes sha256 ${good ? 'ok' : 'MISMATCH'}`);
}
const S = manifest.imageSize;
const G = manifest.grid;
const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'reference.json'), 'utf8'));
const readF32 = (f) => {
  const b = fs.readFileSync(path.join(dir, 'reference', f));
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
};
const readI64 = (f) => {
  const b = fs.readFileSync(path.join(dir, 'reference', f));
  return new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const input = readF32(ref.input);
const refIds = readI64(ref.ids);
const refImg = readF32(ref.image);
const n = ref.n;

const so = { graphOptimizationLevel: 'all' };
if (threads > 0) {
  so.intraOpNumThreads = threads;
  so.interOpNumThreads = 1;
}
let t0 = performance.now();
const enc = await ort.InferenceSession.create(path.join(dir, manifest.files.encoder.path), so);
const dec = await ort.InferenceSession.create(path.join(dir, manifest.files.decoder.path), so);
console.log(`graphs loaded in ${(performance.now() - t0).toFixed(0)} ms (threads: ${threads || 'default'})`);

const encOut = await enc.run({ image: new ort.Tensor('float32', input, [n, 3, S, S]) });
const ids = encOut.ids;
let idMismatch = 0;
for (let i = 0; i < refIds.length; i++) if (ids.data[i] !== refIds[i]) idMismatch++;
let minId = Infinity;
let maxId = -Infinity;
for (const v of ids.data) {
  const x = Number(v);
  if (x < minId) minId = x;
  if (x > maxId) maxId = x;
}
console.log(`ids: shape [${ids.dims}] type ${ids.type}, range ${minId}..${maxId}, mismatches vs PyTorch: ${idMismatch}/${refIds.length}`);
ok &&= idMismatch === 0 && ids.type === 'int64' && minId >= 259;

// decode the reference ids so the image comparison isolates the decoder
const decOut = await dec.run({ ids: new ort.Tensor('int64', refIds, [n, G, G]) });
let maxDiff = 0;
for (let i = 0; i < refImg.length; i++) maxDiff = Math.max(maxDiff, Math.abs(decOut.image.data[i] - refImg[i]));
console.log(`image: shape [${decOut.image.dims}], max |onnx - pytorch| = ${maxDiff.toExponential(2)}`);
ok &&= maxDiff <= 1e-4;

// timing: one image at a time, encode + decode
const one = new ort.Tensor('float32', input.slice(0, 3 * S * S), [1, 3, S, S]);
for (let i = 0; i < 3; i++) await dec.run({ ids: (await enc.run({ image: one })).ids });
let te = 0;
let td = 0;
for (let i = 0; i < runs; i++) {
  const img = new ort.Tensor('float32', input.slice((i % n) * 3 * S * S, ((i % n) + 1) * 3 * S * S), [1, 3, S, S]);
  t0 = performance.now();
  const r = await enc.run({ image: img });
  const t1 = performance.now();
  await dec.run({ ids: r.ids });
  te += t1 - t0;
  td += performance.now() - t1;
}
console.log(`per image (batch 1, mean of ${runs}): encode ${(te / runs).toFixed(1)} ms, decode ${(td / runs).toFixed(1)} ms, ` +
  `encode+decode ${((te + td) / runs / 1000).toFixed(3)} s`);
await enc.release();
await dec.release();
console.log(ok ? 'VERIFY OK' : 'VERIFY FAILED');
process.exit(ok ? 0 : 1);
