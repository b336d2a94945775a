import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeImageBuffer, loadImageFile } from '../../src-main/engine/image/decode';
import { makeTempDir, noiseImage, pngBomb } from '../helpers/images';
import { rejection } from '../helpers/rejection';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(async () => {
  await cleanup();
});

const sample = noiseImage(96, 64);
const raw = { raw: { width: sample.width, height: sample.height, channels: 3 as const } };

async function sampleJpeg(): Promise<Buffer> {
  return sharp(sample.data, raw).jpeg({ quality: 90 }).toBuffer();
}

async function samplePng(): Promise<Buffer> {
  return sharp(sample.data, raw).png().toBuffer();
}

describe('bad input gets a typed error naming the file and the cause', () => {
  it('missing path -> FILE_NOT_FOUND', async () => {
    const path = join(dir, 'no-such-photo.jpg');
    const message = await rejection(loadImageFile(path), 'FILE_NOT_FOUND');
    expect(message).toContain('no-such-photo.jpg');
    expect(message).toMatch(/not found/);
  });

  it('a folder -> FILE_UNREADABLE', async () => {
    const path = join(dir, 'holiday.jpg');
    await mkdir(path);
    const message = await rejection(loadImageFile(path), 'FILE_UNREADABLE');
    expect(message).toContain('holiday.jpg');
    expect(message).toMatch(/folder/);
  });

  it('zero-byte file -> FILE_EMPTY', async () => {
    const path = join(dir, 'empty.png');
    await writeFile(path, Buffer.alloc(0));
    const message = await rejection(loadImageFile(path), 'FILE_EMPTY');
    expect(message).toContain('empty.png');
    expect(message).toMatch(/0 bytes/);
  });

  it('zero-byte buffer -> FILE_EMPTY', async () => {
    const message = await rejection(decodeImageBuffer(new Uint8Array(0), 'pasted.png'), 'FILE_EMPTY');
    expect(message).toContain('pasted.png');
  });

  it('truncated JPEG -> IMAGE_CORRUPT', async () => {
    const jpeg = await sampleJpeg();
    expect(jpeg.length).toBeGreaterThan(5000);
    const path = join(dir, 'cut.jpg');
    await writeFile(path, jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    const message = await rejection(loadImageFile(path), 'IMAGE_CORRUPT');
    expect(message).toContain('cut.jpg');
    expect(message).toMatch(/truncated/);
  });

  it('truncated PNG -> IMAGE_CORRUPT', async () => {
    const png = await samplePng();
    const path = join(dir, 'cut.png');
    await writeFile(path, png.subarray(0, Math.floor(png.length * 0.6)));
    const message = await rejection(loadImageFile(path), 'IMAGE_CORRUPT');
    expect(message).toContain('cut.png');
    expect(message).toMatch(/truncated/);
  });

  it('JPEG header followed by garbage -> IMAGE_CORRUPT', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x5a)]);
    const message = await rejection(decodeImageBuffer(bytes, 'garbage.jpg'), 'IMAGE_CORRUPT');
    expect(message).toContain('garbage.jpg');
    expect(message).toMatch(/JPEG/);
  });

  it('text file named .jpg -> IMAGE_UNSUPPORTED_FORMAT, saying it is text', async () => {
    const path = join(dir, 'notes.jpg');
    await writeFile(path, 'Shopping list: milk, eggs, a new camera\n');
    const message = await rejection(loadImageFile(path), 'IMAGE_UNSUPPORTED_FORMAT');
    expect(message).toContain('notes.jpg');
    expect(message).toMatch(/plain text/);
    expect(message).toMatch(/JPEG, PNG/);
  });

  it('BMP (a format libvips may read but the studio does not) -> IMAGE_UNSUPPORTED_FORMAT', async () => {
    const bmp = Buffer.alloc(58);
    bmp.write('BM', 0, 'latin1');
    const message = await rejection(decodeImageBuffer(bmp, 'scan.bmp'), 'IMAGE_UNSUPPORTED_FORMAT');
    expect(message).toContain('scan.bmp');
    expect(message).toMatch(/BMP/);
  });

  it('SVG (text that libvips would render) -> IMAGE_UNSUPPORTED_FORMAT', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const message = await rejection(decodeImageBuffer(svg, 'logo.png'), 'IMAGE_UNSUPPORTED_FORMAT');
    expect(message).toContain('logo.png');
    expect(message).toMatch(/SVG/);
  });

  it('HEIC -> IMAGE_UNSUPPORTED_FORMAT with a fix', async () => {
    const heic = Buffer.alloc(32);
    heic.writeUInt32BE(24, 0);
    heic.write('ftypheic', 4, 'latin1');
    heic.write('mif1heic', 16, 'latin1');
    const message = await rejection(decodeImageBuffer(heic, 'IMG_0001.HEIC'), 'IMAGE_UNSUPPORTED_FORMAT');
    expect(message).toContain('IMG_0001.HEIC');
    expect(message).toMatch(/HEIC/);
  });

  it('decompression bomb (PNG header claims 60000x60000) -> IMAGE_TOO_LARGE before decoding', async () => {
    const bomb = pngBomb(60000, 60000);
    expect(bomb.length).toBeLessThan(5000);
    const path = join(dir, 'bomb.png');
    await writeFile(path, bomb);
    const started = performance.now();
    const message = await rejection(loadImageFile(path), 'IMAGE_TOO_LARGE');
    // Decoding would need 10.8 GB; refusing from the header takes milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(message).toContain('bomb.png');
    expect(message).toContain('60000x60000 (3600 MP)');
    expect(message).toContain('100 MP limit');
    expect(message).toMatch(/downscale/);
  });

  it('a configurable pixel limit -> IMAGE_TOO_LARGE', async () => {
    const png = await samplePng(); // 96x64 = 6144 pixels
    const message = await rejection(
      decodeImageBuffer(png, 'small.png', { maxPixels: 3000 }),
      'IMAGE_TOO_LARGE',
    );
    expect(message).toContain('small.png is 96x64');
    await expect(decodeImageBuffer(png, 'small.png', { maxPixels: 6144 })).resolves.toBeDefined();
  });

  it('an invalid pixel limit -> INVALID_ARGUMENT', async () => {
    const message = await rejection(
      decodeImageBuffer(await samplePng(), 'a.png', { maxPixels: 0 }),
      'INVALID_ARGUMENT',
    );
    expect(message).toMatch(/maxPixels/);
  });
});
