import { createHash } from 'node:crypto';
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadPack, readManifest, sha256File } from '../../src-main/engine/tokenizer/manifest';
import { defaultPackDir, listInstalledPacks } from '../../src-main/engine/tokenizer/packs';
import { vocabularySha256 } from '../../src-main/engine/tokenizer/vocabulary';
import { npyBytes } from '../fixtures/npy';
import { makeTempDir } from '../helpers/images';
import { rejection } from '../helpers/rejection';

/*
 * Manifest checks on packs made of small stand-in files: hashing and validation do not care that the bytes are
 * not ONNX, so none of these tests needs real weights.
 */

const sha = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

interface PackFileEntry {
  path: string;
  sha256: string;
  bytes: number;
}
type Manifest = Record<string, unknown> & { files: { encoder: PackFileEntry; decoder: PackFileEntry } };

async function writePack(dir: string, edit: (m: Manifest) => void = () => undefined): Promise<Manifest> {
  await mkdir(dir, { recursive: true });
  const encoder = Buffer.from('stand-in encoder bytes');
  const decoder = Buffer.from('stand-in decoder bytes, a little longer');
  await writeFile(path.join(dir, 'encoder.onnx'), encoder);
  await writeFile(path.join(dir, 'decoder.onnx'), decoder);
  const manifest: Manifest = {
    format: 'v2l-pack',
    formatVersion: 1,
    name: 'stand-in',
    imageSize: 128,
    grid: 16,
    vocabulary: { name: 'llama2-32000', size: 32000, sha256: vocabularySha256(), producedIds: [259, 31999] },
    files: {
      encoder: { path: 'encoder.onnx', sha256: sha(encoder), bytes: encoder.length },
      decoder: { path: 'decoder.onnx', sha256: sha(decoder), bytes: decoder.length },
    },
    metrics: { psnr: 20 },
  };
  edit(manifest);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

/** Awaits `promise`, expecting a MODEL_INVALID whose message names the pack folder and matches every pattern. */
async function expectModelInvalid(
  promise: Promise<unknown>,
  dir: string,
  ...patterns: RegExp[]
): Promise<string> {
  const message = await rejection(promise, 'MODEL_INVALID', ...patterns);
  expect(message).toContain(dir);
  return message;
}

let temp: { dir: string; cleanup: () => Promise<void> };
let pack: string;

beforeEach(async () => {
  temp = await makeTempDir('v2l-pack-');
  pack = path.join(temp.dir, 'pack');
});
afterEach(async () => {
  await temp.cleanup();
});

describe('pack manifest', () => {
  it('accepts a complete pack and returns its checked file paths', async () => {
    await writePack(pack);
    const loaded = await loadPack(pack);
    expect(loaded.manifest.name).toBe('stand-in');
    expect(loaded.manifest.grid).toBe(16);
    expect(loaded.manifest.io.encoder).toEqual({ input: 'image', output: 'ids' });
    expect(loaded.manifest.io.decoder).toEqual({ input: 'ids', output: 'image' });
    expect(loaded.manifest.metrics).toEqual({ psnr: 20 });
    expect(loaded.files.encoder).toBe(path.join(pack, 'encoder.onnx'));
    expect(loaded.hashMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on a missing manifest.json, saying so', async () => {
    await mkdir(pack);
    await expectModelInvalid(readManifest(pack), pack, /manifest\.json is missing/, /model pack/);
  });

  it('fails on a manifest that is not JSON', async () => {
    await mkdir(pack);
    await writeFile(path.join(pack, 'manifest.json'), '{"format": "v2l-pack",');
    await expectModelInvalid(readManifest(pack), pack, /manifest\.json is not valid JSON/, /Re-export/);
  });

  it('fails on an unknown format', async () => {
    await writePack(pack, (m) => (m['format'] = 'some-other-pack'));
    await expectModelInvalid(readManifest(pack), pack, /format "some-other-pack", not "v2l-pack"/);
  });

  it('fails on a format version this build does not read', async () => {
    await writePack(pack, (m) => (m['formatVersion'] = 3));
    await expectModelInvalid(readManifest(pack), pack, /formatVersion 3/, /reads formatVersion 1 and 2/);
  });

  it('reads a version 1 pack and a version 2 pack without a global branch the same way', async () => {
    await writePack(pack);
    const v1 = await readManifest(pack);
    await writePack(pack, (m) => (m['formatVersion'] = 2));
    const v2 = await readManifest(pack);
    expect(v1.global).toBeNull();
    expect(v2.global).toBeNull();
    expect(v2.io).toEqual(v1.io);
    expect((await loadPack(pack)).globalFiles).toBeNull();
  });

  it('fails on a different vocabulary (hash mismatch)', async () => {
    await writePack(pack, (m) => {
      m['vocabulary'] = {
        name: 'mistral',
        size: 32000,
        sha256: sha('another vocabulary'),
        producedIds: [259, 31999],
      };
    });
    await expectModelInvalid(readManifest(pack), pack, /different vocabulary/, /LLaMA-2/);
  });

  it('fails on a missing or malformed field, naming it', async () => {
    await writePack(pack, (m) => delete m['grid']);
    await expectModelInvalid(readManifest(pack), pack, /grid = nothing/);
    await writePack(pack, (m) => (m.files.decoder.sha256 = 'not-a-hash'));
    await expectModelInvalid(readManifest(pack), pack, /files\.decoder\.sha256/);
  });

  it('fails on a model path that leaves the pack folder', async () => {
    await writePack(pack, (m) => (m.files.encoder.path = '../elsewhere/encoder.onnx'));
    await expectModelInvalid(readManifest(pack), pack, /files\.encoder\.path/, /inside the pack folder/);
  });

  it('fails on a missing model file, naming it', async () => {
    await writePack(pack);
    await rm(path.join(pack, 'decoder.onnx'));
    await expectModelInvalid(
      loadPack(pack),
      pack,
      /decoder\.onnx \(the decoder named in manifest\.json\) is missing/,
    );
  });

  it('fails on a model file of the wrong size before hashing it', async () => {
    await writePack(pack);
    await truncate(path.join(pack, 'encoder.onnx'), 5);
    await expectModelInvalid(loadPack(pack), pack, /encoder\.onnx \(the encoder\) is 5 bytes/, /truncated/);
  });

  it('fails on a model file whose hash does not match', async () => {
    const manifest = await writePack(pack);
    // Same length, different bytes: only the hash can tell.
    const bytes = manifest.files.decoder.bytes;
    await writeFile(path.join(pack, 'decoder.onnx'), Buffer.alloc(bytes, 0x41));
    const message = await expectModelInvalid(
      loadPack(pack),
      pack,
      /decoder\.onnx \(the decoder\) has SHA-256/,
    );
    expect(message).toContain(manifest.files.decoder.sha256);
  });

  it('hashes files as a stream, matching a one-shot hash', async () => {
    const file = path.join(temp.dir, 'big.bin');
    const bytes = Buffer.alloc(3 * (1 << 20) + 17, 7);
    await writeFile(file, bytes);
    expect(await sha256File(file)).toBe(sha(bytes));
  });
});

/** A version 2 stand-in with a global branch: stand-in graph bytes, real (tiny-width) codebooks and vocabulary. */
async function globalPack(edit: (m: Manifest) => void = () => undefined): Promise<Manifest> {
  await mkdir(pack, { recursive: true });
  const entries: Record<string, PackFileEntry & Record<string, unknown>> = {};
  const put = async (role: string, name: string, bytes: Buffer, extra: Record<string, unknown> = {}) => {
    await writeFile(path.join(pack, name), bytes);
    entries[role] = { path: name, sha256: sha(bytes), bytes: bytes.length, ...extra };
  };
  await put('globalEncoder', 'global.onnx', Buffer.from('stand-in CLIP graph bytes'));
  await put('localCodebook', 'codebook-local.npy', npyBytes(32000, 2), {
    dtype: 'float32',
    shape: [32000, 2],
  });
  await put('globalCodebook', 'codebook-global.npy', npyBytes(5, 3), { dtype: 'float32', shape: [5, 3] });
  await put(
    'globalVocabulary',
    'global-vocabulary.json',
    Buffer.from(JSON.stringify(['a', 'b c', 'd', 'e', 'f'])),
  );
  return writePack(pack, (m) => {
    m['formatVersion'] = 2;
    Object.assign(m.files, entries);
    m['global'] = { tokens: 2, size: 5, dim: 3 };
    edit(m);
  });
}

describe('pack manifest with a global branch', () => {
  it('reads the branch, defaults the tensor names, and checks every file', async () => {
    await globalPack();
    const loaded = await loadPack(pack);
    const branch = loaded.manifest.global;
    expect(branch).not.toBeNull();
    expect(branch?.tokens).toBe(2);
    expect(branch?.size).toBe(5);
    expect(branch?.files.localCodebook).toMatchObject({ rows: 32000, cols: 2 });
    expect(branch?.files.globalCodebook).toMatchObject({ rows: 5, cols: 3 });
    expect(branch?.io).toEqual({
      globalEncoder: { input: 'image', output: 'global_ids' },
      decoderGlobalInput: 'global_embeddings',
    });
    expect(loaded.manifest.io.decoder).toEqual({ input: 'embeddings', output: 'image' });
    expect(loaded.globalFiles?.globalCodebook).toBe(path.join(pack, 'codebook-global.npy'));
  });

  it('refuses a global branch in a version 1 manifest', async () => {
    await globalPack((m) => (m['formatVersion'] = 1));
    await expectModelInvalid(readManifest(pack), pack, /formatVersion = 1/, /global branch/);
  });

  it('names a missing global file entry, and a missing global file', async () => {
    await globalPack((m) => delete (m.files as unknown as Record<string, unknown>)['globalVocabulary']);
    await expectModelInvalid(readManifest(pack), pack, /files\.globalVocabulary = nothing/);
    await globalPack();
    await rm(path.join(pack, 'global.onnx'));
    await expectModelInvalid(
      loadPack(pack),
      pack,
      /global\.onnx \(the globalEncoder named in manifest\.json\)/,
    );
  });

  const entryOf = (m: Manifest, role: string): Record<string, unknown> =>
    (m.files as unknown as Record<string, Record<string, unknown>>)[role] ?? {};

  it('checks codebook shapes against the vocabularies, and k against the global vocabulary', async () => {
    await globalPack((m) => (entryOf(m, 'localCodebook')['shape'] = [31999, 2]));
    await expectModelInvalid(readManifest(pack), pack, /files\.localCodebook\.shape/, /\[32000, D\]/);
    await globalPack((m) => (entryOf(m, 'globalCodebook')['dtype'] = 'float16'));
    await expectModelInvalid(readManifest(pack), pack, /files\.globalCodebook\.dtype/);
    await globalPack((m) => (m['global'] = { tokens: 6, size: 5 }));
    await expectModelInvalid(readManifest(pack), pack, /global\.tokens = 6/);
  });

  it('fails on a global file whose hash does not match', async () => {
    const manifest = await globalPack();
    const entry = entryOf(manifest, 'globalCodebook');
    await writeFile(
      path.join(pack, 'codebook-global.npy'),
      npyBytes(5, 3, () => 1),
    );
    await expectModelInvalid(loadPack(pack), pack, /codebook-global\.npy \(the globalCodebook\) has SHA-256/);
    expect(entry['bytes']).toBe(npyBytes(5, 3).length);
  });
});

describe('default pack', () => {
  const envFor = (resources: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    V2L_RESOURCES_DIR: resources,
    ...extra,
  });

  it('is the single installed folder whose manifest has format v2l-pack', async () => {
    const resources = path.join(temp.dir, 'resources');
    await writePack(path.join(resources, 'models', 'only'));
    await mkdir(path.join(resources, 'models', 'not-a-pack'), { recursive: true });
    const env = envFor(resources);
    expect(await listInstalledPacks(env)).toEqual([path.join(resources, 'models', 'only')]);
    expect(await defaultPackDir(env)).toBe(path.join(resources, 'models', 'only'));
  });

  it('says that no pack is installed, and where it looked', async () => {
    const resources = path.join(temp.dir, 'empty');
    await expect(defaultPackDir(envFor(resources))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/No tokenizer model pack is installed: .*empty[\\/]models/) as unknown,
    });
  });

  it('asks for V2L_PACK when several are installed, and follows it', async () => {
    const resources = path.join(temp.dir, 'resources');
    await writePack(path.join(resources, 'models', 'a'));
    await writePack(path.join(resources, 'models', 'b'));
    await expect(defaultPackDir(envFor(resources))).rejects.toThrow(
      /2 model packs .* \(a, b\): set V2L_PACK/,
    );
    expect(await defaultPackDir(envFor(resources, { V2L_PACK: 'b' }))).toBe(
      path.join(resources, 'models', 'b'),
    );
    await expect(defaultPackDir(envFor(resources, { V2L_PACK: 'c' }))).rejects.toThrow(/V2L_PACK names .*c/);
  });
});
