/**
 * A GGUF header reader that trusts nothing in the file. Every count and length is checked against the bytes the
 * file actually has before anything is allocated or looped over, the header may use at most MAX_HEADER_BYTES of
 * memory and HEADER_TIME_BUDGET_MS of time, and the tensor table must fit in the file: a 24-byte file that claims
 * 2^48 entries, or a model cut short by an interrupted copy, is refused in milliseconds instead of hanging the
 * reader or failing every restoration later. Spec: ggml's docs/gguf.md (versions 2 and 3).
 */
import fs from 'node:fs';
import { GGML_TYPE_SIZES } from './ggml-types';

/** The largest header (metadata and tensor table) read: a 256k-token vocabulary with merges is about 10 MB. */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;
export const HEADER_TIME_BUDGET_MS = 10_000;
/** ggml's GGML_MAX_DIMS. */
const MAX_DIMS = 4;
const FIRST_READ_BYTES = 1024 * 1024;

export type GgufScalar = number | bigint | string | boolean;

export interface GgufHeader {
  readonly version: number;
  /** Scalar and string metadata by key; arrays are left out except the token table. */
  readonly metadata: ReadonlyMap<string, GgufScalar>;
  /** tokenizer.ggml.tokens, when the file has it as an array of strings. */
  readonly tokens: readonly string[] | undefined;
  readonly tensors: readonly { readonly name: string; readonly type: number; readonly elements: number }[];
  /** Where the last tensor's data ends: the size the file must have at least. */
  readonly dataEnd: number;
}

/** Why a file is not a usable GGUF, in words for people; the file's bytes are never quoted. */
export class GgufFormatError extends Error {
  override readonly name = 'GgufFormatError';
}

/** Asked for bytes beyond what was read so far (but within the file): read more and parse again. */
class NeedMore extends Error {}

const T = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  U64: 10,
  I64: 11,
  F64: 12,
} as const;
const FIXED_SIZES: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

/** Reads and checks `file`'s header. Throws GgufFormatError for anything that is not a sound GGUF. */
export async function readGgufHeader(file: string): Promise<GgufHeader> {
  const stat = await fs.promises.stat(file);
  if (!stat.isFile()) throw new GgufFormatError('it is not a regular file');
  // O_NONBLOCK: should a FIFO be swapped in after the check above, opening it does not wait for a writer.
  const handle = await fs.promises.open(
    file,
    fs.constants.O_RDONLY | ((fs.constants as Partial<typeof fs.constants>).O_NONBLOCK ?? 0),
  );
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new GgufFormatError('it is not a regular file');
    const fileSize = opened.size;
    const deadline = performance.now() + HEADER_TIME_BUDGET_MS;
    let length = Math.min(FIRST_READ_BYTES, fileSize);
    for (;;) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, 0);
      try {
        return parseHeader(buffer.subarray(0, bytesRead), fileSize, deadline);
      } catch (error) {
        if (!(error instanceof NeedMore)) throw error;
        if (length >= Math.min(fileSize, MAX_HEADER_BYTES)) {
          throw new GgufFormatError(`its header is larger than ${MAX_HEADER_BYTES / 1024 / 1024} MB`);
        }
        length = Math.min(length * 4, fileSize, MAX_HEADER_BYTES);
      }
    }
  } finally {
    await handle.close();
  }
}

/** Parses a header from the first bytes of a file of `fileSize` bytes; pure, so tests can feed it anything. */
export function parseHeader(bytes: Buffer, fileSize: number, deadline = Infinity): GgufHeader {
  const r = new Cursor(bytes, fileSize, deadline);
  if (fileSize < 4 || r.take(4).toString('latin1') !== 'GGUF') {
    throw new GgufFormatError('it does not start with the GGUF magic bytes');
  }
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    throw new GgufFormatError(`its GGUF version is ${version}; only versions 2 and 3 are read`);
  }
  // The smallest tensor entry (empty name, 1 dim) is 32 bytes, the smallest metadata entry 13: a count the rest
  // of the file cannot hold is a lie, and is refused before any loop or allocation depends on it.
  const tensorCount = r.count(32, 'tensors');
  const kvCount = r.count(13, 'metadata entries');
  const metadata = new Map<string, GgufScalar>();
  let tokens: string[] | undefined;
  for (let i = 0; i < kvCount; i++) {
    r.tick();
    const key = r.string();
    if (metadata.has(key) || (key === 'tokenizer.ggml.tokens' && tokens)) {
      throw new GgufFormatError(`its metadata key ${JSON.stringify(key.slice(0, 80))} appears twice`);
    }
    const type = r.u32();
    if (type === T.ARRAY) {
      const items = r.u32();
      if (items === T.ARRAY)
        throw new GgufFormatError('it has nested metadata arrays, which GGUF readers refuse');
      if (items === T.STRING) {
        const count = r.count(8, 'array items');
        if (key === 'tokenizer.ggml.tokens') {
          tokens = [];
          for (let j = 0; j < count; j++) {
            if ((j & 4095) === 0) r.tick();
            tokens.push(r.string());
          }
        } else {
          for (let j = 0; j < count; j++) {
            if ((j & 4095) === 0) r.tick();
            r.skipString();
          }
        }
      } else {
        const size = FIXED_SIZES[items];
        if (size === undefined) throw new GgufFormatError(`it has a metadata array of unknown type ${items}`);
        r.skip(r.count(size, 'array items') * size);
      }
    } else {
      metadata.set(key, r.scalar(type));
    }
  }
  const alignment = metadata.get('general.alignment') ?? 32;
  if (
    typeof alignment !== 'number' ||
    alignment < 1 ||
    alignment > 65536 ||
    (alignment & (alignment - 1)) !== 0
  ) {
    throw new GgufFormatError('its general.alignment is not a power of two up to 65536');
  }
  const tensors: { name: string; type: number; elements: number; offset: number; bytes: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    if ((i & 255) === 0) r.tick();
    const name = r.string();
    const dims = r.u32();
    if (dims < 1 || dims > MAX_DIMS)
      throw new GgufFormatError(`tensor ${i} has ${dims} dimensions (1 to 4 allowed)`);
    const shape: number[] = [];
    for (let d = 0; d < dims; d++) shape.push(r.u64Safe(`tensor ${i}'s dimension`));
    const type = r.u32();
    const sizes = GGML_TYPE_SIZES[type];
    if (!sizes) throw new GgufFormatError(`tensor ${i} has the unknown ggml type ${type}`);
    const offset = r.u64Safe(`tensor ${i}'s offset`);
    if (offset % alignment !== 0)
      throw new GgufFormatError(`tensor ${i}'s data is not aligned to ${alignment} bytes`);
    const elements = shape.reduce((n, d) => n * d, 1);
    const rowElements = shape[0] ?? 0;
    if (!Number.isSafeInteger(elements) || rowElements % sizes.block !== 0) {
      throw new GgufFormatError(`tensor ${i}'s shape does not fit its type`);
    }
    const bytes = (elements / sizes.block) * sizes.bytes;
    if (!Number.isSafeInteger(bytes) || bytes > fileSize) {
      throw new GgufFormatError(
        `tensor ${i} would need more bytes than the file has (it is truncated or corrupt)`,
      );
    }
    tensors.push({ name, type, elements, offset, bytes });
  }
  const dataStart = Math.ceil(r.position / alignment) * alignment;
  const dataEnd = tensors.reduce((end, t) => Math.max(end, dataStart + t.offset + t.bytes), dataStart);
  if (tensorCount > 0 && dataEnd > fileSize) {
    throw new GgufFormatError(
      `it is truncated: its tensors end at byte ${dataEnd}, but the file has ${fileSize} bytes (copy it again)`,
    );
  }
  return {
    version,
    metadata,
    tokens,
    tensors: tensors.map(({ name, type, elements }) => ({ name, type, elements })),
    dataEnd,
  };
}

/** Little-endian reads over the bytes read so far, each checked against them and against the whole file. */
class Cursor {
  position = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly fileSize: number,
    private readonly deadline: number,
  ) {}

  private need(n: number): void {
    if (this.position + n > this.fileSize) throw new GgufFormatError('it ends inside its header (truncated)');
    if (this.position + n > this.bytes.length) throw new NeedMore();
  }

  /** A count of entries of at least `minBytes` each, refused when the rest of the file cannot hold them. */
  count(minBytes: number, what: string): number {
    const value = this.u64();
    const room = Math.floor((this.fileSize - this.position) / minBytes);
    if (value > BigInt(room)) {
      throw new GgufFormatError(
        `it claims ${value} ${what}, more than its ${this.fileSize} bytes can hold (it is truncated or corrupt)`,
      );
    }
    return Number(value);
  }

  tick(): void {
    if (performance.now() > this.deadline) {
      throw new GgufFormatError(`its header took longer than ${HEADER_TIME_BUDGET_MS / 1000} s to read`);
    }
  }

  take(n: number): Buffer {
    this.need(n);
    const out = this.bytes.subarray(this.position, this.position + n);
    this.position += n;
    return out;
  }

  skip(n: number): void {
    this.need(n);
    this.position += n;
  }

  u32(): number {
    this.need(4);
    const value = this.bytes.readUInt32LE(this.position);
    this.position += 4;
    return value;
  }

  u64(): bigint {
    this.need(8);
    const value = this.bytes.readBigUInt64LE(this.position);
    this.position += 8;
    return value;
  }

  u64Safe(what: string): number {
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(`${what} is out of range`);
    return Number(value);
  }

  string(): string {
    return this.take(this.count(1, 'string bytes')).toString('utf8');
  }

  skipString(): void {
    this.skip(this.count(1, 'string bytes'));
  }

  scalar(type: number): GgufScalar {
    const size = FIXED_SIZES[type];
    if (type === T.STRING) return this.string();
    if (size === undefined) throw new GgufFormatError(`it has a metadata value of unknown type ${type}`);
    this.need(size);
    const b = this.bytes;
    const p = this.position;
    this.position += size;
    switch (type) {
      case T.U8:
        return b.readUInt8(p);
      case T.I8:
        return b.readInt8(p);
      case T.U16:
        return b.readUInt16LE(p);
      case T.I16:
        return b.readInt16LE(p);
      case T.U32:
        return b.readUInt32LE(p);
      case T.I32:
        return b.readInt32LE(p);
      case T.F32:
        return b.readFloatLE(p);
      case T.BOOL:
        return b.readUInt8(p) !== 0;
      case T.U64:
        return narrow(b.readBigUInt64LE(p));
      case T.I64:
        return narrow(b.readBigInt64LE(p));
      default:
        return b.readDoubleLE(p);
    }
  }
}

/** 64-bit integers as numbers where they are exact (context lengths, file types), else as bigint. */
function narrow(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value;
}
