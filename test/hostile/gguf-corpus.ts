/**
 * The hostile GGUF corpus: small files whose headers lie (counts and lengths far beyond the file, nested or unknown
 * types, impossible shapes, data past the end). `npm run -s hostile:fixtures` writes them to
 * test/fixtures/hostile/gguf/; the hostile suite checks the committed files equal what this makes.
 */
const U32 = 4;
const STRING = 8;
const ARRAY = 9;

class Bytes {
  private readonly parts: Buffer[] = [];
  raw(b: Buffer | string): this {
    this.parts.push(typeof b === 'string' ? Buffer.from(b, 'latin1') : b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return this.raw(b);
  }
  u64(v: bigint | number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return this.raw(b);
  }
  str(s: string, claimed?: bigint): this {
    const bytes = Buffer.from(s, 'utf8');
    return this.u64(claimed ?? BigInt(bytes.length)).raw(bytes);
  }
  pad(to: number): this {
    const length = this.length;
    if (length % to !== 0) this.raw(Buffer.alloc(to - (length % to)));
    return this;
  }
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const head = (tensors: bigint | number, kvs: bigint | number, version = 3) =>
  new Bytes().raw('GGUF').u32(version).u64(tensors).u64(kvs);
const arch = (b: Bytes) => b.str('general.architecture').u32(STRING).str('llama');

/** One tensor info: name, dims, type, offset. */
const tensor = (b: Bytes, dims: (bigint | number)[], type = 0, offset: bigint | number = 0, name = 'w') => {
  b.str(name).u32(dims.length);
  for (const d of dims) b.u64(d);
  return b.u32(type).u64(offset);
};

export const HOSTILE_GGUFS: Readonly<Record<string, () => Buffer>> = {
  'tensor-count-2e48': () => head(2n ** 48n, 0).done(),
  'kv-count-2e48': () => head(0, 2n ** 48n).done(),
  'counts-max': () => head(2n ** 64n - 1n, 2n ** 64n - 1n).done(),
  'key-length-2e62': () =>
    head(0, 1)
      .str('k', 2n ** 62n)
      .done(),
  'string-value-2e40': () =>
    head(0, 1)
      .str('general.name')
      .u32(STRING)
      .str('x', 2n ** 40n)
      .done(),
  'u32-array-2e60': () =>
    head(0, 1)
      .str('a')
      .u32(ARRAY)
      .u32(U32)
      .u64(2n ** 60n)
      .done(),
  'string-array-2e40': () =>
    head(0, 1)
      .str('tokenizer.ggml.tokens')
      .u32(ARRAY)
      .u32(STRING)
      .u64(2n ** 40n)
      .done(),
  'nested-array': () => head(0, 1).str('a').u32(ARRAY).u32(ARRAY).u64(1).u32(U32).u64(1).u32(7).done(),
  'unknown-value-type': () => head(0, 1).str('a').u32(99).u32(0).done(),
  'unknown-array-type': () => head(0, 1).str('a').u32(ARRAY).u32(77).u64(1).u32(0).done(),
  'bad-magic': () => new Bytes().raw('GGUX').u32(3).u64(0).u64(0).done(),
  'version-1': () => head(0, 0, 1).done(),
  'version-0': () => head(0, 0, 0).done(),
  'version-max': () => head(0, 0, 0xffffffff).done(),
  empty: () => Buffer.alloc(0),
  'three-bytes': () => Buffer.from('GGU'),
  'header-only': () => head(0, 0).done(),
  'no-architecture': () => head(0, 1).str('general.name').u32(STRING).str('x').done(),
  'five-dimensions': () => tensor(arch(head(1, 1)), [1, 1, 1, 1, 1]).done(),
  'dimensions-overflow': () => tensor(arch(head(1, 1)), [2n ** 62n, 2n ** 62n]).done(),
  'unknown-tensor-type': () =>
    tensor(arch(head(1, 1)), [32], 200)
      .pad(32)
      .raw(Buffer.alloc(256))
      .done(),
  'misaligned-offset': () =>
    tensor(arch(head(1, 1)), [4], 0, 3)
      .pad(32)
      .raw(Buffer.alloc(64))
      .done(),
  'tensor-beyond-file': () =>
    tensor(arch(head(1, 1)), [1024, 1024], 0, 0)
      .pad(32)
      .raw(Buffer.alloc(64))
      .done(),
  'offset-2e62': () =>
    tensor(arch(head(1, 1)), [4], 0, 2n ** 62n)
      .pad(32)
      .done(),
  'alignment-3': () =>
    tensor(arch(head(1, 2)).str('general.alignment').u32(U32).u32(3), [4])
      .pad(32)
      .raw(Buffer.alloc(64))
      .done(),
  'duplicate-key': () => arch(arch(head(0, 2))).done(),
  'token-table-cut': () => {
    const b = arch(head(0, 2)).str('tokenizer.ggml.tokens').u32(ARRAY).u32(STRING).u64(32000);
    for (let i = 0; i < 100; i++) b.str(`t${i}`);
    return b.done();
  },
  'block-size-mismatch': () =>
    tensor(arch(head(1, 1)), [33], 2)
      .pad(32)
      .raw(Buffer.alloc(64))
      .done(),
};
