/**
 * A llama-architecture GGUF with LLaMA-2's token table and random weights, in a chosen shape: it stands in for a
 * bigger model than the bundled one without downloading any. The per-token cost of a forward pass depends only on
 * the shape, so its timings scale as a trained model's of that shape would. Weights are F16 (norms F32, as
 * llama.cpp's converters write them), drawn from a seeded generator: the same shape and seed give the same file.
 *
 * Written once into a cache outside the repository ($V2L_BENCH_CACHE, or ~/.cache/v2l-studio/bench) and reused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../src-main/engine/corrupt/random';
import { llama2TokenTable } from '../../test/helpers/gguf';

export interface RandomModelShape {
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  readonly ff: number;
  readonly seed: number;
}

/** GPT-2-small's shape with LLaMA-2's vocabulary: 110 M parameters, 219 MB in F16. */
export const FULL_SHAPE: RandomModelShape = { dim: 768, layers: 12, heads: 12, ff: 2048, seed: 1 };
/** A small shape for the quick form: 11 M parameters, 23 MB. */
export const QUICK_SHAPE: RandomModelShape = { dim: 256, layers: 4, heads: 4, ff: 688, seed: 1 };

const VOCAB = 32_000;
const ALIGNMENT = 32;
const GGML_F32 = 0;
const GGML_F16 = 1;
const GGUF = { U32: 4, I32: 5, F32: 6, STRING: 8, ARRAY: 9 } as const;
/** Bumped when the file's contents change for the same shape, so a stale cached file is not reused. */
const FORMAT_VERSION = 1;

export function benchCacheDir(): string {
  return process.env['V2L_BENCH_CACHE'] ?? path.join(os.homedir(), '.cache', 'v2l-studio', 'bench');
}

/** Parameters of the shape (the embedding counted once: the output layer is tied to it). */
export function shapeParameters(s: RandomModelShape): number {
  const perLayer = 4 * s.dim * s.dim + 3 * s.dim * s.ff + 2 * s.dim;
  return VOCAB * s.dim + s.layers * perLayer + s.dim;
}

export function randomModelName(s: RandomModelShape): string {
  return `random-llama2-d${s.dim}-l${s.layers}-h${s.heads}-ff${s.ff}-s${s.seed}-v${FORMAT_VERSION}`;
}

/** The path of the random-weight model of this shape, writing it first when the cache has none. */
export function ensureRandomModel(
  shape: RandomModelShape,
  log: (message: string) => void = () => undefined,
): string {
  const dir = benchCacheDir();
  const file = path.join(dir, `${randomModelName(shape)}.gguf`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  log(`writing ${file} (${(shapeParameters(shape) / 1e6).toFixed(0)} M random parameters, F16)`);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeRandomLlamaGguf(tmp, shape);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return file;
}

class Header {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** Key-value pairs written. */
  pairs = 0;
  raw(b: Buffer) {
    this.push(b);
  }
  private push(b: Buffer) {
    this.chunks.push(b);
    this.size += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  kvU32(key: string, v: number) {
    this.pairs++;
    this.str(key);
    this.u32(GGUF.U32);
    this.u32(v);
  }
  kvF32(key: string, v: number) {
    this.pairs++;
    this.str(key);
    this.u32(GGUF.F32);
    this.f32(v);
  }
  kvStr(key: string, v: string) {
    this.pairs++;
    this.str(key);
    this.u32(GGUF.STRING);
    this.str(v);
  }
  kvArray(key: string, of: number, values: readonly (string | number)[]) {
    this.pairs++;
    this.str(key);
    this.u32(GGUF.ARRAY);
    this.u32(of);
    this.u64(values.length);
    for (const v of values) {
      if (typeof v === 'string') this.str(v);
      else if (of === GGUF.F32) this.f32(v);
      else this.i32(v);
    }
  }
  pad() {
    const rest = this.size % ALIGNMENT;
    if (rest !== 0) this.push(Buffer.alloc(ALIGNMENT - rest));
  }
  toBuffer() {
    return Buffer.concat(this.chunks);
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half precision of `value`, rounded to nearest even (finite inputs of modest size only). */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rest > mid || (rest === mid && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

/**
 * Writes the model. Scales follow the usual initialisation (std 1 / sqrt(fan-in) for the projections) with unit
 * embeddings, so the residual stream stays well inside F16's range and the tied output layer's logits are
 * clear-cut (std about sqrt(dim)): greedy choices are rarely near-ties.
 */
export function writeRandomLlamaGguf(file: string, s: RandomModelShape): void {
  const table = llama2TokenTable();
  const rng = mulberry32(s.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

  const header = new Header();
  const tensors: { name: string; dims: number[]; std: number }[] = [
    { name: 'token_embd.weight', dims: [s.dim, VOCAB], std: 1 },
    { name: 'output_norm.weight', dims: [s.dim], std: 0 },
  ];
  for (let l = 0; l < s.layers; l++) {
    const proj = 1 / Math.sqrt(s.dim);
    tensors.push(
      { name: `blk.${l}.attn_norm.weight`, dims: [s.dim], std: 0 },
      { name: `blk.${l}.attn_q.weight`, dims: [s.dim, s.dim], std: proj },
      { name: `blk.${l}.attn_k.weight`, dims: [s.dim, s.dim], std: proj },
      { name: `blk.${l}.attn_v.weight`, dims: [s.dim, s.dim], std: proj },
      { name: `blk.${l}.attn_output.weight`, dims: [s.dim, s.dim], std: proj },
      { name: `blk.${l}.ffn_norm.weight`, dims: [s.dim], std: 0 },
      { name: `blk.${l}.ffn_gate.weight`, dims: [s.dim, s.ff], std: proj },
      { name: `blk.${l}.ffn_up.weight`, dims: [s.dim, s.ff], std: proj },
      { name: `blk.${l}.ffn_down.weight`, dims: [s.ff, s.dim], std: 1 / Math.sqrt(s.ff) },
    );
  }

  const kv = new Header();
  kv.kvStr('general.architecture', 'llama');
  kv.kvStr('general.name', randomModelName(s));
  kv.kvU32('general.alignment', ALIGNMENT);
  kv.kvU32('general.file_type', 1); // MOSTLY_F16
  kv.kvU32('llama.context_length', 4096);
  kv.kvU32('llama.embedding_length', s.dim);
  kv.kvU32('llama.block_count', s.layers);
  kv.kvU32('llama.feed_forward_length', s.ff);
  kv.kvU32('llama.rope.dimension_count', s.dim / s.heads);
  kv.kvU32('llama.attention.head_count', s.heads);
  kv.kvU32('llama.attention.head_count_kv', s.heads);
  kv.kvF32('llama.attention.layer_norm_rms_epsilon', 1e-5);
  kv.kvStr('tokenizer.ggml.model', 'llama');
  kv.kvArray('tokenizer.ggml.tokens', GGUF.STRING, table.tokens);
  kv.kvArray('tokenizer.ggml.scores', GGUF.F32, table.scores);
  kv.kvArray('tokenizer.ggml.token_type', GGUF.I32, table.types);
  kv.kvU32('tokenizer.ggml.bos_token_id', 1);
  kv.kvU32('tokenizer.ggml.eos_token_id', 2);
  kv.kvU32('tokenizer.ggml.unknown_token_id', 0);
  header.u32(0x46554747); // "GGUF" little-endian
  header.u32(3);
  header.u64(tensors.length);
  header.u64(kv.pairs);
  header.raw(kv.toBuffer());

  let offset = 0;
  const layout = tensors.map((t) => {
    const count = t.dims.reduce((a, b) => a * b, 1);
    const bytes = count * (t.std === 0 ? 4 : 2);
    const at = offset;
    offset += Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
    return { ...t, count, bytes, at };
  });
  for (const t of layout) {
    header.str(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(t.std === 0 ? GGML_F32 : GGML_F16);
    header.u64(t.at);
  }
  header.pad();

  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, header.toBuffer());
    for (const t of layout) {
      const data = Buffer.alloc(Math.ceil(t.bytes / ALIGNMENT) * ALIGNMENT);
      if (t.std === 0) {
        for (let i = 0; i < t.count; i++) data.writeFloatLE(1, i * 4);
      } else {
        for (let i = 0; i < t.count; i++) data.writeUInt16LE(toHalf(gaussian() * t.std), i * 2);
      }
      fs.writeSync(fd, data);
    }
  } finally {
    fs.closeSync(fd);
  }
}
