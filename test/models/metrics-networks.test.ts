import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RgbImage } from '../../src-main/engine/image/types';
import { frechetDistance } from '../../src-main/engine/metrics/frechet';
import { FidFeatures, LpipsNetwork } from '../../src-main/engine/metrics/networks';
import { globalPackUnavailable } from '../helpers/global-pack';
import { makeTempDir } from '../helpers/images';

/*
 * LPIPS and FID networks end to end: random weights in the real layouts (the released checkpoint's LPIPS VGG16
 * with its linear heads; torchvision's InceptionV3 with the FID network's blocks), exported to ONNX by the
 * project's own scripts, run by the engine through onnxruntime-node, and compared with PyTorch's outputs on the
 * same images: within 1e-4, as the converter's parity test. Needs Debian's python3-torch (README's test command).
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const PYTHON = process.env['V2L_PYTHON'] ?? '/usr/bin/python3';
const TOLERANCE = 1e-4;

function python(cwd: string, args: string[]): string {
  const result = spawnSync(PYTHON, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  });
  if (result.error || result.status !== 0) {
    throw new Error(`${args[0] ?? ''} failed: ${result.error?.message ?? ''}${result.stderr}`);
  }
  return result.stdout;
}

function images(bytes: Buffer, count: number, size: number): RgbImage[] {
  const per = size * size * 3;
  return Array.from({ length: count }, (_, i) => ({
    width: size,
    height: size,
    data: new Uint8Array(bytes.subarray(i * per, (i + 1) * per)),
  }));
}

function floats(bytes: Buffer): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

let temp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  const unavailable = globalPackUnavailable();
  if (unavailable) throw new Error(`Cannot export the test networks: ${unavailable}.`);
  temp = await makeTempDir('v2l-networks-');
});

afterAll(async () => {
  await temp.cleanup();
});

describe('LPIPS with a pack network (random weights, released layout)', () => {
  let dir: string;
  let lpips: LpipsNetwork;

  beforeAll(async () => {
    dir = path.join(temp.dir, 'lpips');
    python(path.join(ROOT, 'training', 'convert'), ['lpips_reference.py', dir, '--seed', '4']);
    const network = await LpipsNetwork.fromPack(dir, { threads: 1 });
    if (!network) throw new Error('the test pack has no LPIPS network');
    lpips = network;
  }, 120_000);

  afterAll(async () => {
    await lpips.dispose();
  });

  it("gives PyTorch's distances within 1e-4, and 0 for identical images", async () => {
    const meta = JSON.parse(await readFile(path.join(dir, 'reference', 'reference.json'), 'utf8')) as {
      pairs: number;
      size: number;
    };
    const pairs = images(
      await readFile(path.join(dir, 'reference', 'pairs_u8.bin')),
      2 * meta.pairs,
      meta.size,
    );
    const expected = floats(await readFile(path.join(dir, 'reference', 'lpips_f32.bin')));
    const got = await lpips.distances(pairs.slice(0, meta.pairs), pairs.slice(meta.pairs));
    expect(got).toHaveLength(meta.pairs);
    const worst = Math.max(...got.map((d, i) => Math.abs(d - (expected[i] ?? NaN))));
    console.log(`lpips parity: max abs diff ${worst.toExponential(2)} over ${meta.pairs} pairs`);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    // Random heads give small distances, so they must also agree relative to their size.
    expect(worst).toBeLessThanOrEqual(TOLERANCE * Math.max(...expected));
    // A noised copy is nearer than another picture, and a picture is at distance 0 from itself.
    expect(got[0]).toBeLessThan(got[1] ?? 0);
    const same = await lpips.distances(pairs.slice(0, 2), pairs.slice(0, 2));
    for (const d of same) expect(Math.abs(d)).toBeLessThan(1e-6);
  });

  it('is absent for a pack without the network, and refused when its file is not the one listed', async () => {
    const bare = path.join(temp.dir, 'bare');
    await mkdir(bare);
    await writeFile(path.join(bare, 'manifest.json'), JSON.stringify({ files: {} }));
    expect(await LpipsNetwork.fromPack(bare)).toBeNull();
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as {
      files: { lpips: { sha256: string } };
    };
    manifest.files.lpips.sha256 = '0'.repeat(64);
    const tampered = path.join(temp.dir, 'tampered');
    await cp(dir, tampered, { recursive: true });
    await writeFile(path.join(tampered, 'manifest.json'), JSON.stringify(manifest));
    await expect(LpipsNetwork.fromPack(tampered)).rejects.toThrow(/SHA-256/);
  });
});

describe('FID with an InceptionV3 network (random weights, torchvision layout)', () => {
  let dir: string;
  let fid: FidFeatures;

  beforeAll(async () => {
    dir = path.join(temp.dir, 'inception');
    // A 75 px resize inside the graph (InceptionV3's smallest) keeps the test fast; 299 is FID's.
    python(path.join(ROOT, 'training', 'metrics'), [
      'export_inception.py',
      '--random',
      '3',
      '--size',
      '75',
      '--image-size',
      '64',
      '--out',
      path.join(dir, 'inception.onnx'),
      '--reference',
      '4',
      '--reference-dir',
      path.join(dir, 'reference'),
      '--threads',
      '1',
    ]);
    fid = await FidFeatures.load(path.join(dir, 'inception.onnx'), { threads: 1 });
  }, 180_000);

  afterAll(async () => {
    await fid.dispose();
  });

  it("gives PyTorch's pool features within 1e-4, and the same Fréchet distance", async () => {
    const meta = JSON.parse(await readFile(path.join(dir, 'reference', 'reference.json'), 'utf8')) as {
      n: number;
      imageSize: number;
      dim: number;
      frechet: number;
    };
    const pictures = images(
      await readFile(path.join(dir, 'reference', 'images_u8.bin')),
      meta.n,
      meta.imageSize,
    );
    const expected = floats(await readFile(path.join(dir, 'reference', 'features_f32.bin')));
    const features = await fid.features(pictures);
    expect(features).toHaveLength(meta.n);
    let worst = 0;
    let largest = 0;
    features.forEach((f, i) => {
      expect(f).toHaveLength(meta.dim);
      for (let j = 0; j < f.length; j++) {
        const want = expected[i * meta.dim + j] ?? NaN;
        worst = Math.max(worst, Math.abs((f[j] ?? 0) - want));
        largest = Math.max(largest, Math.abs(want));
      }
    });
    const half = meta.n / 2;
    const distance = frechetDistance(features.slice(0, half), features.slice(half));
    console.log(
      `fid parity: features max abs diff ${worst.toExponential(2)} (largest feature ${largest.toFixed(3)}); ` +
        `Fréchet ${distance.toFixed(6)} vs PyTorch ${meta.frechet.toFixed(6)}`,
    );
    expect(largest).toBeGreaterThan(0.01);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(distance - meta.frechet)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, meta.frechet));
  });

  it('refuses a missing file', async () => {
    await expect(FidFeatures.load(path.join(dir, 'none.onnx'))).rejects.toThrow(/does not exist/);
  });
});
