import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeImageBuffer, loadImageFile } from '../../src-main/engine/image/decode';
import {
  encodeImage,
  makeThumbnail,
  toPngDataUrl,
  writeImageFile,
  type OutputFormat,
} from '../../src-main/engine/image/encode';
import { resetExifOrientation } from '../../src-main/engine/image/exif';
import { sniffFormat } from '../../src-main/engine/image/sniff';
import { codedImage, imageFrom, makeTempDir, maxAbsDiff, meanAbsDiff, sameImage } from '../helpers/images';
import { rejection } from '../helpers/rejection';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(async () => {
  await cleanup();
});

const smooth = imageFrom(40, 24, (x, y) => [x * 6, y * 10, 100]);

/** A JPEG as a camera writes it: EXIF with a maker and Orientation 6 (to be displayed rotated clockwise). */
async function cameraJpeg(): Promise<Buffer> {
  return sharp(smooth.data, { raw: { width: 40, height: 24, channels: 3 } })
    .withExif({ IFD0: { Make: 'TestCam', Model: 'Model 7' } })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
}

describe('encodeImage', () => {
  it('PNG is lossless', async () => {
    const png = await encodeImage(codedImage(13, 7), { format: 'png' });
    expect(sniffFormat(png)).toEqual({ kind: 'image', format: 'png' });
    expect(sameImage((await decodeImageBuffer(png, 'x.png')).image, codedImage(13, 7))).toBe(true);
  });

  it('JPEG and WebP honour quality', async () => {
    const noisy = imageFrom(64, 64, (x, y) => [(x * 37 + y * 11) % 256, (x * y) % 256, (x ^ y) * 4]);
    for (const format of ['jpeg', 'webp'] as const) {
      const low = await encodeImage(noisy, { format, quality: 20 });
      const high = await encodeImage(noisy, { format, quality: 95 });
      expect(sniffFormat(high)).toEqual({ kind: 'image', format });
      expect(low.length).toBeLessThan(high.length);
      const back = await decodeImageBuffer(await encodeImage(smooth, { format, quality: 95 }), `x.${format}`);
      expect(maxAbsDiff(back.image, smooth)).toBeLessThanOrEqual(8);
    }
  });

  it('refuses a quality outside 1..100', async () => {
    const message = await rejection(encodeImage(smooth, { format: 'jpeg', quality: 0 }), 'INVALID_ARGUMENT');
    expect(message).toMatch(/quality/);
  });

  for (const format of ['jpeg', 'png', 'webp'] as const satisfies readonly OutputFormat[]) {
    it(`keeps EXIF in ${format.toUpperCase()}, with Orientation reset since the pixels are upright`, async () => {
      const source = await decodeImageBuffer(await cameraJpeg(), 'camera.jpg');
      expect([source.image.width, source.image.height]).toEqual([24, 40]);
      const exif = source.exif;
      if (exif === undefined) throw new Error('the camera JPEG lost its EXIF on decoding');
      const out = await encodeImage(source.image, { format, exif });
      const meta = await sharp(out).metadata();
      expect(meta.exif?.includes('TestCam')).toBe(true);
      expect(meta.orientation ?? 1).toBe(1);
      // Re-opening does not rotate a second time.
      const again = await decodeImageBuffer(out, `again.${format}`);
      expect([again.image.width, again.image.height]).toEqual([24, 40]);
    });
  }

  it('keeps an RGB ICC profile, converting the pixels into it so colours survive', async () => {
    const p3png = await sharp(smooth.data, { raw: { width: 40, height: 24, channels: 3 } })
      .withIccProfile('p3')
      .png()
      .toBuffer();
    const source = await decodeImageBuffer(p3png, 'wide.png');
    const icc = source.icc;
    if (icc === undefined) throw new Error('the P3 PNG lost its profile on decoding');
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const out = await encodeImage(source.image, { format, quality: 100, icc });
      const meta = await sharp(out).metadata();
      expect(meta.icc?.equals(icc), format).toBe(true);
      const back = await decodeImageBuffer(out, `back.${format}`);
      // Lossless PNG comes back within rounding; lossy codecs working in the wider space err more per pixel.
      if (format === 'png') expect(maxAbsDiff(back.image, source.image)).toBeLessThanOrEqual(2);
      else expect(meanAbsDiff(back.image, source.image), format).toBeLessThanOrEqual(3);
    }
  });

  it('skips an ICC profile that is not RGB', async () => {
    const fakeCmyk = Buffer.alloc(128);
    fakeCmyk.write('CMYK', 16, 'latin1');
    const out = await encodeImage(smooth, { format: 'png', icc: fakeCmyk });
    expect((await sharp(out).metadata()).icc).toBeUndefined();
  });
});

describe('resetExifOrientation', () => {
  it('rewrites IFD0 Orientation to 1 in both byte orders', () => {
    for (const little of [true, false]) {
      const tiff = Buffer.alloc(26);
      tiff.write(little ? 'II' : 'MM', 0, 'latin1');
      const u16 = (v: number, at: number) => (little ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at));
      const u32 = (v: number, at: number) => (little ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at));
      u16(42, 2);
      u32(8, 4);
      u16(1, 8); // one entry
      u16(0x0112, 10);
      u16(3, 12); // SHORT
      u32(1, 14);
      u16(8, 18);
      const out = resetExifOrientation(Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]));
      expect(little ? out.readUInt16LE(18) : out.readUInt16BE(18)).toBe(1);
      expect(out.length).toBe(26);
    }
  });
});

describe('writeImageFile', () => {
  it('writes the format named by the extension and leaves no temporary file', async () => {
    const folder = join(dir, 'ext');
    await mkdir(folder);
    for (const [name, format] of [
      ['a.png', 'png'],
      ['b.JPG', 'jpeg'],
      ['c.jpeg', 'jpeg'],
      ['d.webp', 'webp'],
    ] as const) {
      await writeImageFile(join(folder, name), smooth, {}, { overwrite: false });
      expect(sniffFormat(await readFile(join(folder, name)))).toEqual({ kind: 'image', format });
    }
    expect((await readdir(folder)).sort()).toEqual(['a.png', 'b.JPG', 'c.jpeg', 'd.webp']);
  });

  it('refuses to overwrite unless asked, and leaves the existing file untouched', async () => {
    const path = join(dir, 'keep.png');
    await writeFile(path, 'precious');
    const message = await rejection(writeImageFile(path, smooth, {}, { overwrite: false }), 'OUTPUT_EXISTS');
    expect(message).toContain('keep.png');
    expect(message).toMatch(/already exists/);
    expect(await readFile(path, 'utf8')).toBe('precious');

    await writeImageFile(path, smooth, {}, { overwrite: true });
    expect((await loadImageFile(path)).image.width).toBe(40);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an unknown extension or a format that contradicts it', async () => {
    let message = await rejection(
      writeImageFile(join(dir, 'out.bmp'), smooth, {}, { overwrite: false }),
      'INVALID_ARGUMENT',
    );
    expect(message).toContain('out.bmp');
    expect(message).toMatch(/\.png, \.jpg or \.webp/);
    message = await rejection(
      writeImageFile(join(dir, 'out.png'), smooth, { format: 'jpeg' }, { overwrite: false }),
      'INVALID_ARGUMENT',
    );
    expect(message).toContain('out.png');
  });

  it('an explicit format works with any other extension', async () => {
    const path = join(dir, 'restored.image');
    await writeImageFile(path, smooth, { format: 'webp', quality: 80 }, { overwrite: false });
    expect(sniffFormat(await readFile(path))).toEqual({ kind: 'image', format: 'webp' });
  });

  it('a missing folder -> FILE_NOT_FOUND naming the folder', async () => {
    const path = join(dir, 'no-such-folder', 'out.png');
    const message = await rejection(writeImageFile(path, smooth, {}, { overwrite: false }), 'FILE_NOT_FOUND');
    expect(message).toContain('out.png');
    expect(message).toContain('no-such-folder');
  });
});

describe('thumbnails and data URLs', () => {
  it('makeThumbnail fits the longer side into maxSide and never enlarges', async () => {
    const big = imageFrom(600, 300, () => [10, 20, 30]);
    const meta = await sharp(await makeThumbnail(big)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 128]);
    const small = await sharp(await makeThumbnail(codedImage(20, 10), 64)).metadata();
    expect([small.width, small.height]).toEqual([20, 10]);
  });

  it('toPngDataUrl gives a decodable PNG data URL', async () => {
    const url = await toPngDataUrl(codedImage(5, 4));
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
    expect(sameImage((await decodeImageBuffer(png, 'url.png')).image, codedImage(5, 4))).toBe(true);
  });
});
