import { spawnSync } from 'node:child_process';
import { link, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isStudioError } from '../../src-main/engine/errors';
import type { RgbImage } from '../../src-main/engine/image/types';
import {
  gatherGlobal,
  gatherLocal,
  parseGlobalVocabulary,
  parseNpyMatrix,
} from '../../src-main/engine/tokenizer/global';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { npyBytes } from '../fixtures/npy';
import { globalPackUnavailable } from '../helpers/global-pack';
import { makeTempDir } from '../helpers/images';
import { rejection } from '../helpers/rejection';

/*
 * Packs with a global branch (training/convert/convert.py). The file readers are tested on their own; the
 * runtime is tested on a pack converted, at test time, from random weights in the released layout (narrow "ci"
 * widths), against the PyTorch reference the converter writes. That part needs Debian's python3-torch and
 * python3-onnx (README's test command installs them) and is skipped, saying so, without them.
 */

const where = { dir: '/packs/x', file: 'codebook.npy' };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('global branch files', () => {
  it('reads a float32 .npy of the promised shape, row-major', () => {
    const m = parseNpyMatrix(npyBytes(3, 2), 3, 2, where);
    expect(m.rows).toBe(3);
    expect(m.cols).toBe(2);
    expect(Array.from(m.data)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5].map((v) => Math.fround(v)));
  });

  it('reads the values also when they sit unaligned in memory', () => {
    const bytes = npyBytes(2, 2);
    const shifted = Buffer.alloc(bytes.length + 1);
    bytes.copy(shifted, 1);
    expect(Array.from(parseNpyMatrix(shifted.subarray(1), 2, 2, where).data)).toEqual(
      [0, 0.1, 0.2, 0.3].map((v) => Math.fround(v)),
    );
  });

  it('refuses a wrong shape, type, order, length or value, naming the file', () => {
    const cases: [Buffer, RegExp][] = [
      [npyBytes(3, 2), /shape \[3, 2\], but manifest\.json says \[4, 2\]/],
      [Buffer.from(npyBytes(4, 2).toString('latin1').replace("'<f4'", "'<f8'"), 'latin1'), /'<f8'|float32/],
      [Buffer.from(npyBytes(4, 2).toString('latin1').replace('False', 'True '), 'latin1'), /column-major/],
      [npyBytes(4, 2).subarray(0, npyBytes(4, 2).length - 4), /data bytes/],
      [npyBytes(4, 2, (i) => (i === 5 ? Number.NaN : 0)), /non-finite value at row 2/],
      [Buffer.from('not an npy file at all'), /is not a \.npy file/],
    ];
    for (const [bytes, pattern] of cases) {
      const error = thrown(() => parseNpyMatrix(bytes, 4, 2, where));
      expect(isStudioError(error) && error.code === 'MODEL_INVALID').toBe(true);
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).message).toContain('codebook.npy');
    }
  });

  it('reads the global vocabulary as exactly size strings', () => {
    expect(parseGlobalVocabulary('["a", "b c"]', 2, where)).toEqual(['a', 'b c']);
    expect((thrown(() => parseGlobalVocabulary('["a"]', 2, where)) as Error).message).toMatch(
      /holds 1 entries/,
    );
    expect((thrown(() => parseGlobalVocabulary('["a", 3]', 2, where)) as Error).message).toMatch(/strings/);
    expect((thrown(() => parseGlobalVocabulary('[', 2, where)) as Error).message).toMatch(/not valid JSON/);
  });

  it('gathers local rows channel-first and global rows in order', () => {
    const book = { rows: 4, cols: 2, data: new Float32Array([0, 1, 10, 11, 20, 21, 30, 31]) };
    // Two cells: ids 2 and 3 -> channel 0 plane [20, 30], channel 1 plane [21, 31].
    expect(Array.from(gatherLocal(book, [[2, 3]], 2))).toEqual([20, 30, 21, 31]);
    expect(Array.from(gatherGlobal(book, [[3, 0]], 2))).toEqual([30, 31, 0, 1]);
  });
});

// --- a pack converted from random weights ---------------------------------------------------------------------

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CONVERT = path.join(ROOT, 'training', 'convert');
const PYTHON = process.env['V2L_PYTHON'] ?? '/usr/bin/python3';

interface Reference {
  n: number;
  images: RgbImage[];
  ids: Int32Array[];
  globalIds: Int32Array[];
  decoded: Float32Array;
}

async function readReference(dir: string): Promise<Reference> {
  const meta = JSON.parse(await readFile(path.join(dir, 'reference.json'), 'utf8')) as {
    n: number;
    imageSize: number;
    files: Record<string, { file: string; shape: number[] }>;
  };
  const bytes = async (name: string): Promise<ArrayBuffer> => {
    const entry = meta.files[name];
    if (!entry) throw new Error(`reference.json lists no ${name}`);
    const b = await readFile(path.join(dir, entry.file));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  };
  const n = meta.n;
  const size = meta.imageSize;
  const u8 = new Uint8Array(await bytes('images_u8'));
  const ids = new BigInt64Array(await bytes('ids_i64'));
  const gids = new BigInt64Array(await bytes('global_ids_i64'));
  const cells = ids.length / n;
  const k = gids.length / n;
  const per = size * size * 3;
  return {
    n,
    images: Array.from({ length: n }, (_, b) => ({
      width: size,
      height: size,
      data: u8.slice(b * per, (b + 1) * per),
    })),
    ids: Array.from({ length: n }, (_, b) =>
      Int32Array.from(ids.subarray(b * cells, (b + 1) * cells), Number),
    ),
    globalIds: Array.from({ length: n }, (_, b) =>
      Int32Array.from(gids.subarray(b * k, (b + 1) * k), Number),
    ),
    decoded: new Float32Array(await bytes('decoded_f32')),
  };
}

function run(args: string[]): void {
  const result = spawnSync(PYTHON, args, {
    cwd: CONVERT,
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  });
  if (result.status !== 0) throw new Error(`${args[0] ?? ''} failed: ${result.stderr}`);
}

describe('tokenizer with a converted pack (random weights, released layout)', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let packDir: string;
  let ref: Reference;
  let tokenizer: V2LTokenizer;

  beforeAll(async () => {
    // The README's test command installs Debian's PyTorch; without it this fails, naming what to install.
    const unavailable = globalPackUnavailable();
    if (unavailable) throw new Error(`Cannot convert a test pack: ${unavailable}.`);
    temp = await makeTempDir('v2l-global-');
    const ckpt = path.join(temp.dir, 'checkpoint');
    packDir = path.join(temp.dir, 'pack');
    run(['make_random_checkpoint.py', ckpt, '--config', 'ci', '--seed', '3']);
    run([
      'convert.py',
      '--checkpoint',
      path.join(ckpt, 'v2l-decode.pth'),
      '--global-vocabulary',
      path.join(ckpt, 'global_vocabulary.npy'),
      '--out',
      packDir,
      '--reference',
      '2',
      '--reference-dir',
      path.join(temp.dir, 'reference'),
      '--threads',
      '1',
    ]);
    ref = await readReference(path.join(temp.dir, 'reference'));
    tokenizer = await V2LTokenizer.load(packDir, { threads: 1, providers: ['cpu'] });
  }, 300_000);

  afterAll(async () => {
    await tokenizer.dispose();
    await temp.cleanup();
  });

  it('loads the branch and reports it', () => {
    expect(tokenizer.hasGlobalBranch).toBe(true);
    expect(tokenizer.info.global).toEqual({ tokens: 21, size: 11908 });
    expect(tokenizer.info.providers).toEqual({ encoder: 'cpu', decoder: 'cpu', globalEncoder: 'cpu' });
    expect(tokenizer.manifest.formatVersion).toBe(2);
  });

  it('encodes to the ids and global ids PyTorch gave', async () => {
    const grids = await tokenizer.encode(ref.images);
    expect(grids).toHaveLength(ref.n);
    grids.forEach((grid, b) => {
      const expected = ref.ids[b] ?? new Int32Array();
      let same = 0;
      for (let c = 0; c < expected.length; c++) if (grid.ids[c] === expected[c]) same++;
      // Float rounding may pick the other of two equally near rows; parity.mjs checks those are true ties.
      expect(same).toBeGreaterThanOrEqual(expected.length - 2);
      expect(grid.globalIds).toHaveLength(21);
      const overlap = Array.from(grid.globalIds ?? []).filter((id) => ref.globalIds[b]?.includes(id)).length;
      expect(overlap).toBeGreaterThanOrEqual(20);
    });
    const onlyGlobal = await tokenizer.encodeGlobal(ref.images);
    expect(onlyGlobal.map((g) => Array.from(g))).toEqual(grids.map((g) => Array.from(g.globalIds ?? [])));
    const onlyLocal = await tokenizer.encode(ref.images, { global: false });
    expect(onlyLocal.map((g) => g.globalIds)).toEqual([undefined, undefined]);
    expect(onlyLocal.map((g) => Array.from(g.ids))).toEqual(grids.map((g) => Array.from(g.ids)));
  });

  it("decodes local and global ids into PyTorch's pixels, within rounding", async () => {
    const grids = ref.ids.map((ids, b) => ({ ids, globalIds: ref.globalIds[b] ?? new Int32Array() }));
    const fromGrids = await tokenizer.decode(grids);
    const fromArgument = await tokenizer.decode(ref.ids, ref.globalIds);
    const size = tokenizer.manifest.imageSize;
    const plane = size * size;
    let worst = 0;
    fromGrids.forEach((image, b) => {
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < 3; c++) {
          const v = ref.decoded[b * 3 * plane + c * plane + p] ?? 0;
          const expected = Math.min(255, Math.max(0, Math.round((v + 1) * 127.5)));
          worst = Math.max(worst, Math.abs((image.data[p * 3 + c] ?? 0) - expected));
        }
      }
      expect(fromArgument[b]?.data).toEqual(image.data);
    });
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('round-trips encode -> decode with the global ids the grids carry', async () => {
    const images = await tokenizer.decode(await tokenizer.encode(ref.images));
    expect(images).toHaveLength(ref.n);
    expect(images[0]?.width).toBe(128);
  });

  it('names each global id by its vocabulary text', async () => {
    const vocabulary = JSON.parse(
      await readFile(path.join(packDir, 'global-vocabulary.json'), 'utf8'),
    ) as string[];
    const ids = ref.globalIds[0] ?? new Int32Array();
    expect(tokenizer.globalTexts(ids)).toEqual(Array.from(ids, (id) => vocabulary[id]));
    expect(() => tokenizer.globalText(11908)).toThrow(RangeError);
  });

  it('refuses decoding without the global ids, or with wrong ones, saying what is needed', async () => {
    await rejection(tokenizer.decode(ref.ids), 'INVALID_ARGUMENT', /without global ids.*21 global ids/);
    const short = ref.globalIds.map((g) => g.subarray(0, 5));
    await rejection(tokenizer.decode(ref.ids, short), 'INVALID_ARGUMENT', /5 global ids; .* takes 21/);
    const outside = ref.globalIds.map((g) => Int32Array.from(g, () => 11908));
    await rejection(tokenizer.decode(ref.ids, outside), 'INVALID_ARGUMENT', /global ids are 0\.\.11907/);
  });

  /** A copy of the pack (hard links; the manifest and `replace`d files written anew) with `edit` applied. */
  async function brokenCopy(
    name: string,
    edit: (manifest: Record<string, unknown>) => void,
    replace: Record<string, Buffer> = {},
  ): Promise<string> {
    const dir = path.join(temp.dir, name);
    await mkdir(dir);
    for (const file of await readdir(packDir)) {
      if (file === 'manifest.json' || file in replace) continue;
      await link(path.join(packDir, file), path.join(dir, file));
    }
    const manifest = JSON.parse(await readFile(path.join(packDir, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const files = manifest['files'] as Record<string, { path: string; sha256: string; bytes: number }>;
    for (const [file, bytes] of Object.entries(replace)) {
      await writeFile(path.join(dir, file), bytes);
      const entry = Object.values(files).find((f) => f.path === file);
      if (entry) {
        entry.sha256 = createHash('sha256').update(bytes).digest('hex');
        entry.bytes = bytes.length;
      }
    }
    edit(manifest);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  it('fails with MODEL_INVALID on a codebook of another width than the decoder takes', async () => {
    const local = await readFile(path.join(packDir, 'codebook-local.npy'));
    const cols = tokenizer.manifest.global?.files.localCodebook.cols ?? 0;
    const wider = npyBytes(32000, cols + 1, () => 0.1);
    const dir = await brokenCopy(
      'wider',
      (m) => {
        const files = m['files'] as Record<string, Record<string, unknown>>;
        (files['localCodebook'] ?? {})['shape'] = [32000, cols + 1];
      },
      { 'codebook-local.npy': wider },
    );
    expect(local.length).toBeGreaterThan(0);
    await rejection(
      V2LTokenizer.load(dir, { threads: 1 }),
      'MODEL_INVALID',
      /decoder.*declares input "embeddings"/,
    );
  });

  it('fails with MODEL_INVALID on a global vocabulary of the wrong length', async () => {
    const dir = await brokenCopy('short-vocabulary', () => undefined, {
      'global-vocabulary.json': Buffer.from(JSON.stringify(['only', 'three', 'entries'])),
    });
    await rejection(V2LTokenizer.load(dir, { threads: 1 }), 'MODEL_INVALID', /holds 3 entries.*11908/);
  });

  it('fails with MODEL_INVALID when the manifest names a global tensor the CLIP graph lacks', async () => {
    const dir = await brokenCopy('renamed', (m) => {
      const io = m['io'] as Record<string, Record<string, Record<string, unknown>>>;
      (io['globalEncoder']?.['output'] ?? {})['name'] = 'top_words';
    });
    await rejection(
      V2LTokenizer.load(dir, { threads: 1 }),
      'MODEL_INVALID',
      /global\.onnx \(the globalEncoder\)/,
    );
  });
});
