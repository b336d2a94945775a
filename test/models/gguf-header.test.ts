import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GgufFormatError, parseHeader, readGgufHeader } from '../../src-main/engine/llm/gguf-header';

const BUNDLED = path.resolve('resources/models/lm/v2l-lm.gguf');

function header(version: number, tensors: bigint, kvs: bigint, rest: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(version, 4);
  head.writeBigUInt64LE(tensors, 8);
  head.writeBigUInt64LE(kvs, 16);
  return Buffer.concat([head, rest]);
}

describe('GGUF header reader', () => {
  it('reads the bundled model: 32,000 tokens, 39 tensors, data ending at the file size', async () => {
    const parsed = await readGgufHeader(BUNDLED);
    expect(parsed.tokens?.length).toBe(32_000);
    expect(parsed.tensors.length).toBe(39);
    expect(parsed.metadata.get('general.architecture')).toBe('llama');
    expect(parsed.dataEnd).toBeLessThanOrEqual(fs.statSync(BUNDLED).size);
  });

  it('refuses a 24-byte file that claims 2^48 tensors or metadata entries at once', () => {
    for (const [tensors, kvs] of [
      [2n ** 48n, 0n],
      [0n, 2n ** 48n],
      [2n ** 64n - 1n, 2n ** 64n - 1n],
    ] as const) {
      const started = performance.now();
      expect(() => parseHeader(header(3, tensors, kvs), 24)).toThrow(GgufFormatError);
      expect(performance.now() - started).toBeLessThan(50);
    }
  });

  it('refuses a string length past the end of the file', () => {
    const kv = Buffer.alloc(8);
    kv.writeBigUInt64LE(2n ** 40n);
    expect(() => parseHeader(header(3, 0n, 1n, kv), 40)).toThrow(/more than its 40 bytes/);
  });

  it('refuses a copy of the bundled model cut short, which the old reader accepted', () => {
    const bytes = fs.readFileSync(BUNDLED);
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    expect(() => parseHeader(cut, cut.length)).toThrow(/truncated/);
  });
});
