import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

import { maskFromStrokes } from '../../src-main/engine/corrupt/mask';
import { maskFromTokenCells, tokenCellsFromMask } from '../../src-main/engine/corrupt/token-cells';
import { pngChunk } from '../../src-main/engine/image/exif';
import type { Mask, RgbImage } from '../../src-main/engine/image/types';

/** An image from a per-pixel function, for readable hand-made examples. */
export function imageFrom(
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly [number, number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  }
  return { width, height, data };
}

/** A grey image whose values are given row by row (each value copied to R, G and B). */
export function greyImage(rows: readonly (readonly number[])[]): RgbImage {
  const height = rows.length;
  const width = rows[0]?.length ?? 0;
  return imageFrom(width, height, (x, y) => {
    const v = rows[y]?.[x] ?? 0;
    return [v, v, v];
  });
}

/** The red channel as rows, for comparing with hand-written expectations. */
export function redRows(image: RgbImage): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < image.height; y++) {
    const row: number[] = [];
    for (let x = 0; x < image.width; x++) row.push(image.data[(y * image.width + x) * 3] ?? -1);
    rows.push(row);
  }
  return rows;
}

export function pixelAt(image: RgbImage, x: number, y: number): [number, number, number] {
  const i = (y * image.width + x) * 3;
  return [image.data[i] ?? -1, image.data[i + 1] ?? -1, image.data[i + 2] ?? -1];
}

/** Every pixel distinct: channels encode x, y and their mix, so any misplaced pixel is visible. */
export function codedImage(width: number, height: number): RgbImage {
  return imageFrom(width, height, (x, y) => [x * 10, y * 10, (x + y * width) % 256]);
}

export function maskRows(mask: Mask): string[] {
  const rows: string[] = [];
  for (let y = 0; y < mask.height; y++) {
    rows.push(Array.from(mask.data.subarray(y * mask.width, (y + 1) * mask.width)).join(''));
  }
  return rows;
}

export function countOnes(values: ArrayLike<number | boolean>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i]) n++;
  return n;
}

/** Largest absolute per-byte difference between two same-sized images. */
export function maxAbsDiff(a: RgbImage, b: RgbImage): number {
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)));
  return max;
}

/**
 * A decompression bomb: a valid PNG header claiming `width` x `height` RGB pixels, followed by a few hundred
 * bytes of compressed zeros. Decoding it would allocate width*height*3 bytes; only the header may be read.
 */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type: RGB
  // compression, filter, interlace: 0
  const firstRows = deflateSync(Buffer.alloc(4 * (1 + width * 3)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', firstRows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A fresh temporary folder and a function that removes it. */
export async function makeTempDir(
  prefix = 'v2l-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Whether two images are identical, compared as bytes: element-wise deep equality on 50k-entry typed arrays is
 * slow in the test runner, and a single answer is all these checks need.
 */
export function sameImage(a: RgbImage, b: RgbImage): boolean {
  return (
    a.width === b.width &&
    a.height === b.height &&
    Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(
      Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
    )
  );
}

/** Deterministic noise: compresses badly, so a truncated file is cut inside its pixel data, not its header. */
export function noiseImage(width: number, height: number, seed = 1): RgbImage {
  let state = seed >>> 0;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state >>> 24;
  }
  return { width, height, data };
}

/** Mean absolute per-byte difference: lossy codecs are judged on it, as their worst pixel can be far off. */
export function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return sum / a.data.length;
}

/** RGB PSNR over the pixels `mask` marks. */
export function psnrWhere(a: RgbImage, b: RgbImage, mask: Mask): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p] === 0) continue;
    for (let c = 0; c < 3; c++) {
      const d = (a.data[p * 3 + c] ?? 0) - (b.data[p * 3 + c] ?? 0);
      sum += d * d;
      n++;
    }
  }
  return 10 * Math.log10((255 * 255) / (sum / n));
}

/** A brushed stroke across a 128 px view, as region deblur gets it, and the token cells it touches. */
export function brushedViewRegion(): { region: Mask; cells: Mask } {
  const region = maskFromStrokes(128, 128, [
    {
      points: [
        { x: 30, y: 40 },
        { x: 70, y: 60 },
        { x: 95, y: 90 },
      ],
      radius: 14,
    },
  ]);
  return { region, cells: maskFromTokenCells(tokenCellsFromMask(region), 128, 128) };
}
