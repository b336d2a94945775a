import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeImageBuffer, loadImageFile } from '../../src-main/engine/image/decode';
import type { ImageFormat } from '../../src-main/engine/image/sniff';
import type { RgbImage } from '../../src-main/engine/image/types';
import { imageFrom, makeTempDir, maxAbsDiff, pixelAt, sameImage } from '../helpers/images';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(async () => {
  await cleanup();
});

/** Smooth content: lossy codecs reproduce it within a few levels. */
const smooth = imageFrom(48, 32, (x, y) => [x * 5, y * 7, 128 + ((x + y) % 8)]);

function raw(image: RgbImage) {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

const encoders: Record<ImageFormat, { ext: string; encode: () => Promise<Buffer>; tolerance: number }> = {
  png: { ext: 'png', encode: () => raw(smooth).png().toBuffer(), tolerance: 0 },
  webp: { ext: 'webp', encode: () => raw(smooth).webp({ lossless: true }).toBuffer(), tolerance: 0 },
  tiff: { ext: 'tif', encode: () => raw(smooth).tiff({ compression: 'lzw' }).toBuffer(), tolerance: 0 },
  jpeg: {
    ext: 'jpg',
    encode: () => raw(smooth).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer(),
    tolerance: 6,
  },
  avif: {
    ext: 'avif',
    encode: () => raw(smooth).avif({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer(),
    tolerance: 12,
  },
  gif: { ext: 'gif', encode: () => raw(smooth).gif({ colours: 256, dither: 0 }).toBuffer(), tolerance: 24 },
};

describe('loadImageFile round trips', () => {
  for (const [format, { ext, encode, tolerance }] of Object.entries(encoders)) {
    it(`opens ${format.toUpperCase()}`, async () => {
      const bytes = await encode();
      const path = join(dir, `round-trip.${ext}`);
      await writeFile(path, bytes);
      const decoded = await loadImageFile(path);
      expect(decoded.format).toBe(format);
      expect([decoded.image.width, decoded.image.height]).toEqual([48, 32]);
      expect(decoded.image.data.length).toBe(48 * 32 * 3);
      expect(decoded.byteLength).toBe(bytes.length);
      expect(decoded.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(maxAbsDiff(decoded.image, smooth)).toBeLessThanOrEqual(tolerance);
      if (tolerance === 0) expect(sameImage(decoded.image, smooth)).toBe(true);
    });
  }
});

describe('decodeImageBuffer normalisation', () => {
  it('applies EXIF orientation: a 30x20 JPEG tagged orientation 6 opens as 20x30, rotated clockwise', async () => {
    // Stored image: a red block in the top-left corner. Orientation 6 = display rotated 90 degrees clockwise,
    // which brings the top-left corner to the top-right.
    const stored = imageFrom(30, 20, (x, y) => (x < 10 && y < 10 ? [255, 0, 0] : [0, 0, 255]));
    const jpeg = await raw(stored).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const { image, exif } = await decodeImageBuffer(jpeg, 'portrait.jpg');
    expect([image.width, image.height]).toEqual([20, 30]);
    const [r, , b] = pixelAt(image, 15, 4);
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
    const [r2] = pixelAt(image, 4, 4);
    expect(r2).toBeLessThan(60);
    expect(exif?.subarray(0, 6).toString('latin1')).toBe('Exif\0\0');
  });

  it('flattens alpha onto white', async () => {
    const rgba = Buffer.from([0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128, 255, 0, 0, 255]);
    const png = await sharp(rgba, { raw: { width: 4, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    const { image } = await decodeImageBuffer(png, 'alpha.png');
    expect(pixelAt(image, 0, 0)).toEqual([255, 255, 255]); // fully transparent -> white
    expect(pixelAt(image, 1, 0)).toEqual([0, 0, 0]); // opaque black stays black
    const [half] = pixelAt(image, 2, 0);
    expect(Math.abs(half - 127)).toBeLessThanOrEqual(1); // half-transparent black -> mid grey
    expect(pixelAt(image, 3, 0)).toEqual([255, 0, 0]);
  });

  it('takes the first frame of an animated GIF', async () => {
    // Two 8x8 frames stacked: red then blue.
    const frames = imageFrom(8, 16, (_x, y) => (y < 8 ? [255, 0, 0] : [0, 0, 255]));
    const gif = await sharp(frames.data, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const { image, format } = await decodeImageBuffer(gif, 'anim.gif');
    expect(format).toBe('gif');
    expect([image.width, image.height]).toEqual([8, 8]);
    expect(pixelAt(image, 3, 3)).toEqual([255, 0, 0]);
    expect(pixelAt(image, 7, 7)).toEqual([255, 0, 0]);
  });

  it('expands greyscale to RGB and reduces 16-bit to 8-bit', async () => {
    const grey = await sharp(Buffer.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    const { image } = await decodeImageBuffer(grey, 'grey.png');
    expect(Array.from(image.data)).toEqual([0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);

    const deep = await raw(smooth).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const decoded = await decodeImageBuffer(deep, 'deep.png');
    expect(maxAbsDiff(decoded.image, smooth)).toBeLessThanOrEqual(1);
  });

  it('converts from an embedded ICC profile to sRGB and returns the profile', async () => {
    const p3 = await raw(smooth).withIccProfile('p3').png().toBuffer();
    const { image, icc } = await decodeImageBuffer(p3, 'wide-gamut.png');
    expect(icc).toBeDefined();
    expect(icc?.subarray(36, 40).toString('latin1')).toBe('acsp'); // the ICC signature
    // sRGB -> 8-bit P3 -> sRGB comes back within a few levels (quantised twice).
    expect(maxAbsDiff(image, smooth)).toBeLessThanOrEqual(6);
  });
});
