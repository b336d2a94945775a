/**
 * Writes tiny llama-architecture GGUF files (GGUF v3, f32 weights from a seeded generator) for tests: a real
 * model node-llama-cpp loads and runs, with the LLaMA-2 vocabulary or any other token table. Written here so the
 * tests need no downloaded model and can make the broken or foreign models they must refuse.
 */
import fs from 'node:fs';
import llamaTokenizer from 'llama-tokenizer-js';
import { mulberry32 } from '../../src-main/engine/corrupt/random';

const T = { U32: 4, I32: 5, F32: 6, STRING: 8, ARRAY: 9 } as const;
const ALIGNMENT = 32;

type Value =
  | { type: typeof T.U32 | typeof T.I32 | typeof T.F32; value: number }
  | { type: typeof T.STRING; value: string }
  | { type: typeof T.ARRAY; of: typeof T.STRING; value: readonly string[] }
  | { type: typeof T.ARRAY; of: typeof T.F32 | typeof T.I32; value: readonly number[] };

class Writer {
  private readonly chunks: Buffer[] = [];
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.chunks.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.chunks.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.chunks.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.chunks.push(b);
  }
  str(s: string) {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.chunks.push(bytes);
  }
  raw(b: Buffer) {
    this.chunks.push(b);
  }
  get length() {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
  pad() {
    const rest = this.length % ALIGNMENT;
    if (rest !== 0) this.chunks.push(Buffer.alloc(ALIGNMENT - rest));
  }
  value(v: Value) {
    this.u32(v.type);
    switch (v.type) {
      case T.STRING:
        this.str(v.value);
        return;
      case T.U32:
        this.u32(v.value);
        return;
      case T.I32:
        this.i32(v.value);
        return;
      case T.F32:
        this.f32(v.value);
        return;
      case T.ARRAY:
        this.array(v);
    }
  }
  private array(v: Extract<Value, { type: typeof T.ARRAY }>) {
    this.u32(v.of);
    this.u64(v.value.length);
    for (const item of v.value) {
      if (typeof item === 'string') this.str(item);
      else if (v.of === T.F32) this.f32(item);
      else this.i32(item);
    }
  }
  toBuffer() {
    return Buffer.concat(this.chunks);
  }
}

/** LLaMA-2's tokens, merge scores and token types, the way llama.cpp's SentencePiece tokenizer expects them. */
export function llama2TokenTable(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = llamaTokenizer.vocabById.slice();
  const scores = new Array<number | null>(tokens.length).fill(null);
  for (const [pair, priority] of llamaTokenizer.merges) {
    const space = pair.indexOf(' ');
    const id = llamaTokenizer.vocabByString.get(pair.slice(0, space) + pair.slice(space + 1));
    if (id !== undefined && (scores[id] === null || -priority > (scores[id] ?? 0))) scores[id] = -priority;
  }
  const types = tokens.map((t, i) => (i === 0 ? 2 : i <= 2 ? 3 : /^<0x[0-9A-F]{2}>$/.test(t) ? 6 : 1));
  return { tokens, scores: scores.map((s, i) => s ?? (types[i] === 1 ? -1e9 : 0)), types };
}

export interface TinyModelOptions {
  /** The token table; defaults to LLaMA-2's. */
  readonly tokens?: readonly string[];
  readonly dim?: number;
  readonly layers?: number;
  readonly heads?: number;
  readonly ff?: number;
  readonly seed?: number;
  /** Standard deviation of the random weights: large enough that greedy choices are clear-cut. */
  readonly std?: number;
}

export function writeTinyLlamaGguf(file: string, options: TinyModelOptions = {}): void {
  const table = llama2TokenTable();
  const tokens = options.tokens ?? table.tokens;
  const foreign = options.tokens !== undefined;
  const dim = options.dim ?? 32;
  const layers = options.layers ?? 1;
  const heads = options.heads ?? 2;
  const ff = options.ff ?? 64;
  const rng = mulberry32(options.seed ?? 1);
  const std = options.std ?? 0.5;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()) * std;

  const metadata: [string, Value][] = [
    ['general.architecture', { type: T.STRING, value: 'llama' }],
    ['general.name', { type: T.STRING, value: foreign ? 'foreign-vocabulary-test' : 'tiny-llama-test' }],
    ['general.alignment', { type: T.U32, value: ALIGNMENT }],
    ['llama.context_length', { type: T.U32, value: 4096 }],
    ['llama.embedding_length', { type: T.U32, value: dim }],
    ['llama.block_count', { type: T.U32, value: layers }],
    ['llama.feed_forward_length', { type: T.U32, value: ff }],
    ['llama.rope.dimension_count', { type: T.U32, value: dim / heads }],
    ['llama.attention.head_count', { type: T.U32, value: heads }],
    ['llama.attention.head_count_kv', { type: T.U32, value: heads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: T.F32, value: 1e-5 }],
    ['tokenizer.ggml.model', { type: T.STRING, value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: T.ARRAY, of: T.STRING, value: tokens }],
    [
      'tokenizer.ggml.scores',
      { type: T.ARRAY, of: T.F32, value: foreign ? tokens.map((_, i) => -i) : table.scores },
    ],
    [
      'tokenizer.ggml.token_type',
      { type: T.ARRAY, of: T.I32, value: foreign ? tokens.map((_, i) => (i < 3 ? 3 : 1)) : table.types },
    ],
    ['tokenizer.ggml.bos_token_id', { type: T.U32, value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: T.U32, value: 2 }],
    ['tokenizer.ggml.unknown_token_id', { type: T.U32, value: 0 }],
  ];

  // ggml lists dimensions fastest-first: a [rows, cols] matrix is (cols, rows).
  const tensors: { name: string; dims: number[]; count: number }[] = [
    { name: 'token_embd.weight', dims: [dim, tokens.length], count: dim * tokens.length },
    { name: 'output_norm.weight', dims: [dim], count: dim },
  ];
  for (let l = 0; l < layers; l++) {
    tensors.push(
      { name: `blk.${l}.attn_norm.weight`, dims: [dim], count: dim },
      { name: `blk.${l}.attn_q.weight`, dims: [dim, dim], count: dim * dim },
      { name: `blk.${l}.attn_k.weight`, dims: [dim, dim], count: dim * dim },
      { name: `blk.${l}.attn_v.weight`, dims: [dim, dim], count: dim * dim },
      { name: `blk.${l}.attn_output.weight`, dims: [dim, dim], count: dim * dim },
      { name: `blk.${l}.ffn_norm.weight`, dims: [dim], count: dim },
      { name: `blk.${l}.ffn_gate.weight`, dims: [dim, ff], count: dim * ff },
      { name: `blk.${l}.ffn_up.weight`, dims: [dim, ff], count: dim * ff },
      { name: `blk.${l}.ffn_down.weight`, dims: [ff, dim], count: ff * dim },
    );
  }

  const header = new Writer();
  header.raw(Buffer.from('GGUF'));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(metadata.length);
  for (const [key, value] of metadata) {
    header.str(key);
    header.value(value);
  }
  let offset = 0;
  const datas: Buffer[] = [];
  for (const tensor of tensors) {
    header.str(tensor.name);
    header.u32(tensor.dims.length);
    for (const d of tensor.dims) header.u64(d);
    header.u32(0); // GGML_TYPE_F32
    header.u64(offset);
    const data = Buffer.alloc(tensor.count * 4);
    const isNorm = tensor.name.endsWith('norm.weight');
    for (let i = 0; i < tensor.count; i++) data.writeFloatLE(isNorm ? 1 : gaussian(), i * 4);
    const padded = Math.ceil(data.length / ALIGNMENT) * ALIGNMENT;
    datas.push(data, Buffer.alloc(padded - data.length));
    offset += padded;
  }
  header.pad();
  fs.writeFileSync(file, Buffer.concat([header.toBuffer(), ...datas]));
}
