// Compare a converted pack run by onnxruntime-node with the PyTorch reference the converter wrote.
//   node training/convert/parity.mjs PACK_DIR REFERENCE_DIR [--tolerance 1e-4]
// Checks file sizes and hashes, then on the reference images: encoder ids (exact, except near-ties), chosen
// embeddings and pre-search features, CLIP features and top-k global ids (exact, except near-ties), and decoder
// pixels fed with the reference embeddings, and LPIPS distances when the pack has lpips.onnx. Prints max_abs_diff
// over every float output; exit 1 above tolerance.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'package.json'));
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
const [packDir, refDir] = args;
if (!packDir || !refDir) {
  console.error('usage: node parity.mjs PACK_DIR REFERENCE_DIR [--tolerance 1e-4]');
  process.exit(2);
}
const tolIndex = args.indexOf('--tolerance');
const tolerance = tolIndex >= 0 ? Number(args[tolIndex + 1]) : 1e-4;
// Two distances closer than this are a tie: float rounding may pick either row, and both are right.
const TIE = 1e-4;

const manifest = JSON.parse(fs.readFileSync(path.join(packDir, 'manifest.json'), 'utf8'));
let failures = 0;
const fail = (msg) => {
  failures++;
  console.log(`FAIL ${msg}`);
};

for (const [role, f] of Object.entries(manifest.files)) {
  const buf = fs.readFileSync(path.join(packDir, f.path));
  const sha = crypto.createHash('sha256').update(buf).digest('hex');
  if (sha !== f.sha256 || buf.length !== f.bytes) fail(`${role}: ${f.path} does not match its manifest entry`);
}

const ref = JSON.parse(fs.readFileSync(path.join(refDir, 'reference.json'), 'utf8'));
function readRef(name) {
  const { file, dtype } = ref.files[name];
  const b = fs.readFileSync(path.join(refDir, file));
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  if (dtype === 'float32') return new Float32Array(ab);
  if (dtype === 'int64') return new BigInt64Array(ab);
  return new Uint8Array(ab);
}

/** A float32 .npy written by numpy.save (version 1/2 header, little-endian, C order). */
function readNpy(file) {
  const b = fs.readFileSync(file);
  const major = b[6];
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = b.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True")) throw new Error(`${file}: not C-order <f4`);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + start, b.byteOffset + b.length));
  return { shape, data };
}

const n = ref.n;
const S = ref.imageSize;
const G = ref.grid;
const cells = G * G;
const opts = { graphOptimizationLevel: 'all', intraOpNumThreads: 2, interOpNumThreads: 1 };
const session = (role) => ort.InferenceSession.create(path.join(packDir, manifest.files[role].path), opts);
const input = new ort.Tensor('float32', readRef('input_f32'), [n, 3, S, S]);
const local = readNpy(path.join(packDir, manifest.files.localCodebook.path));
const glob = readNpy(path.join(packDir, manifest.files.globalCodebook.path));
const D = local.shape[1];
const DG = glob.shape[1];

let maxDiff = 0;
const diffs = {};
function compare(name, a, b, mask) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask && !mask(i)) continue;
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  diffs[name] = m;
  maxDiff = Math.max(maxDiff, m);
}
/** Squared distance between a query (strided in `q`) and codebook row `row`, in float64. */
function dist(q, qIndex, stride, book, row) {
  const dim = book.shape[1];
  let s = 0;
  for (let c = 0; c < dim; c++) {
    const v = q[qIndex + c * stride] - book.data[row * dim + c];
    s += v * v;
  }
  return s;
}

// Encoder: ids, chosen rows, and the features they were chosen for.
const encoder = await session('encoder');
const e = await encoder.run({ image: input });
const refIds = readRef('ids_i64');
const ids = e.ids.data;
const feats = e.features.data;
let idTies = 0;
const sameId = new Uint8Array(n * cells);
for (let b = 0; b < n; b++) {
  for (let c = 0; c < cells; c++) {
    const i = b * cells + c;
    if (ids[i] === refIds[i]) {
      sameId[i] = 1;
      continue;
    }
    const base = b * D * cells + c;
    const gap = Math.abs(dist(feats, base, cells, local, Number(ids[i])) - dist(feats, base, cells, local, Number(refIds[i])));
    if (gap < TIE) idTies++;
    else fail(`encoder id at image ${b}, cell ${c}: ${ids[i]} vs PyTorch ${refIds[i]} (distance gap ${gap})`);
  }
}
compare('encoder.features', feats, readRef('local_features_f32'));
// Chosen rows are compared where both picked the same id (a tie picks a different, equally near row).
compare('encoder.embeddings', e.embeddings.data, readRef('embeddings_f32'), (i) => {
  const b = Math.floor(i / (D * cells));
  return sameId[b * cells + (i % cells)] === 1;
});

// Global branch: CLIP features and the k nearest global entries.
const globalEncoder = await session('globalEncoder');
const g = await globalEncoder.run({ image: input });
const k = manifest.global.tokens;
const refGlobal = readRef('global_ids_i64');
compare('global.features', g.features.data, readRef('global_features_f32'));
let globalTies = 0;
for (let b = 0; b < n; b++) {
  for (let j = 0; j < k; j++) {
    const a = Number(g.global_ids.data[b * k + j]);
    const r = Number(refGlobal[b * k + j]);
    if (a === r) continue;
    // Nearest-first order: a swap is fine when the two entries are equally near.
    const f = g.features.data;
    const gap = Math.abs(dist(f, b * DG, 1, glob, a) - dist(f, b * DG, 1, glob, r));
    if (gap < TIE) globalTies++;
    else fail(`global id ${j} of image ${b}: ${a} vs PyTorch ${r} (distance gap ${gap})`);
  }
}

// Decoder: the reference ids' rows from the pack's codebooks, exactly what the engine feeds it.
const decoder = await session('decoder');
const localIn = new Float32Array(n * D * cells);
const globalIn = new Float32Array(n * k * DG);
for (let b = 0; b < n; b++) {
  for (let c = 0; c < cells; c++) {
    const row = Number(refIds[b * cells + c]);
    for (let ch = 0; ch < D; ch++) localIn[b * D * cells + ch * cells + c] = local.data[row * D + ch];
  }
  for (let j = 0; j < k; j++) {
    const row = Number(refGlobal[b * k + j]);
    globalIn.set(glob.data.subarray(row * DG, (row + 1) * DG), (b * k + j) * DG);
  }
}
const d = await decoder.run({
  embeddings: new ort.Tensor('float32', localIn, [n, D, G, G]),
  global_embeddings: new ort.Tensor('float32', globalIn, [n, k, DG]),
});
compare('decoder.image', d.image.data, readRef('decoded_f32'));

// LPIPS, when the checkpoint held its network: each test image against PyTorch's decode of it.
if (manifest.files.lpips) {
  if (!ref.files.lpips_f32) fail('the pack has lpips.onnx but the reference holds no LPIPS distances');
  else {
    const lpips = await session('lpips');
    const decoded = new ort.Tensor('float32', readRef('decoded_f32'), [n, 3, S, S]);
    const l = await lpips.run({ image_a: input, image_b: decoded });
    compare('lpips.distance', l.distance.data, readRef('lpips_f32'));
  }
}

for (const [name, v] of Object.entries(diffs)) console.log(`${name}: max abs diff ${v.toExponential(2)}`);
console.log(`ids: ${n * cells - idTies} of ${n * cells} identical, ${idTies} near-ties; global ids: ${globalTies} near-ties`);
console.log(`max_abs_diff=${maxDiff.toExponential(2)}`);
if (!(maxDiff <= tolerance)) fail(`max_abs_diff ${maxDiff} is above ${tolerance}`);
if (failures > 0) {
  console.log(`parity: ${failures} failure(s)`);
  process.exit(1);
}
console.log('parity: ok');
