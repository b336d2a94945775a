import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src-shared/contract/restore';
import { maskFromRects, type Rect } from '../../src-main/engine/corrupt/mask';
import { StudioError } from '../../src-main/engine/errors';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { imageOps } from '../../src-main/engine/workers/image-ops';
import {
  closeImageWorkers,
  loadImageOffThread,
  openImageOffThread,
  parseJsonOffThread,
  pasteWindowOffThread,
  prepareRestoreOffThread,
} from '../../src-main/engine/workers/image-pool';
import { shareLarge, shareLongText } from '../../src-main/engine/workers/share';
import { object, string } from '../../src-shared/contract/validate';
import { INPUT_VALIDATORS } from '../../src-shared/contract/api';
import { imageFrom } from '../helpers/images';

afterAll(closeImageWorkers);

/** The value with every typed array replaced by its type, length and the hash of its bytes. */
function fingerprint(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    const kind = value instanceof Buffer ? 'Uint8Array' : value.constructor.name;
    return `${kind}(${value.byteLength}) ${createHash('sha256').update(bytes).digest('hex')}`;
  }
  if (Array.isArray(value)) return value.map(fingerprint);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fingerprint(v)]));
  }
  return value;
}

/** The plain rectangle painter: every rectangle filled on its own. */
function naiveRects(width: number, height: number, rects: readonly Rect[]): Uint8Array {
  const data = new Uint8Array(width * height);
  for (const r of rects) {
    const x0 = Math.max(0, Math.ceil(r.x - 0.5));
    const x1 = Math.min(width, Math.ceil(r.x + r.width - 0.5));
    const y0 = Math.max(0, Math.ceil(r.y - 0.5));
    const y1 = Math.min(height, Math.ceil(r.y + r.height - 0.5));
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 1;
  }
  return data;
}

/** A deterministic noise photo, so that every resize and crop shows in the bytes. */
const photo = imageFrom(611, 457, (x, y) => [(x * 7 + y * 13) % 256, (x * y) % 251, (x ^ y) & 255]);

const stroke = (points: { x: number; y: number }[], radius: number, erase = false) => ({
  points,
  radius,
  ...(erase ? { erase } : {}),
});

const REQUESTS: [string, Omit<RestoreRequest, 'imageId'>][] = [
  [
    'strokes, erasers and rectangles',
    {
      task: 'inpaint',
      protocol: 'blind',
      mask: {
        strokes: [
          stroke(
            [
              { x: 100.3, y: 80 },
              { x: 300, y: 200.7 },
              { x: 310, y: 90 },
            ],
            12.5,
          ),
          stroke([{ x: 200, y: 150 }], 30, true),
          stroke(
            [
              { x: -40, y: 400 },
              { x: 700, y: 420 },
            ],
            3,
          ),
        ],
        rects: [
          { x: 50.5, y: 60, width: 120, height: 80.2 },
          { x: 90, y: 70, width: 300, height: 40 },
          { x: -10, y: -10, width: 20, height: 20 },
        ],
      },
    },
  ],
  [
    'a blur region in a crop',
    {
      task: 'deblur',
      protocol: 'blind',
      crop: { x: 40, y: 30, width: 500, height: 400 },
      blurSigma: 2,
      blurRegion: {
        strokes: [
          stroke(
            [
              { x: 250, y: 200 },
              { x: 400, y: 380 },
            ],
            20,
          ),
        ],
        rects: [],
      },
    },
  ],
  [
    'an extended canvas',
    { task: 'outpaint', protocol: 'blind', extend: { top: 30, right: 0, bottom: 90, left: 17 } },
  ],
  ['the whole photo, rotated', { task: 'rotate', protocol: 'reference', quarterTurns: 3 }],
  ['the whole photo, blurred', { task: 'deblur', protocol: 'reference', blurKernel: 9 }],
  ['the whole photo, shifted', { task: 'shift', protocol: 'reference', shift: { dx: 5, dy: -3 } }],
];

describe('maskFromRects', () => {
  it('paints exactly the pixels the rectangles cover, one by one', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 20; trial++) {
      const rects = Array.from({ length: 1 + Math.floor(random() * 30) }, () => ({
        x: random() * 140 - 20,
        y: random() * 110 - 20,
        width: random() * 80,
        height: random() * 60,
      }));
      expect(maskFromRects(120, 90, rects).data).toEqual(naiveRects(120, 90, rects));
    }
  });
});

describe('image workers', () => {
  it.each(REQUESTS)('prepare %s exactly as the main thread does', async (_, body) => {
    const request = { imageId: 1, ...body } as RestoreRequest;
    const inline = imageOps.prepareRestore(photo, request);
    const offThread = await prepareRestoreOffThread(photo, request);
    expect(fingerprint(offThread)).toEqual(fingerprint(inline));
  });

  it('take a photo in shared memory without copying it, and give back the same pixels', async () => {
    const shared = shareLarge(photo);
    expect(shared.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    const request = { imageId: 1, task: 'shift', protocol: 'blind' } as RestoreRequest;
    const prepared = await prepareRestoreOffThread(shared, request);
    expect(fingerprint(prepared.canvas)).toEqual(fingerprint(photo));
    // The canvas the worker gave back is the caller's own memory: a change to it shows in the photo.
    expect(prepared.canvas.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    const before = shared.data[0];
    prepared.canvas.data[0] = (before ?? 0) ^ 1;
    expect(shared.data[0]).toBe((before ?? 0) ^ 1);
  });

  it('paste a restored window back exactly as the main thread does, into shared memory', async () => {
    const request = {
      imageId: 1,
      task: 'inpaint',
      protocol: 'blind',
      mask: { strokes: [], rects: [{ x: 40, y: 30, width: 24, height: 20 }] },
    } as RestoreRequest;
    const prepared = imageOps.prepareRestore(photo, request);
    if (!prepared.window) throw new Error('no window');
    // Any 128 px image stands in for the decode: the paste's arithmetic is what is compared.
    const restored = imageFrom(128, 128, (x, y) => [x * 2, y * 2, 90]);
    const inline = imageOps.pasteWindow(prepared.canvas, prepared.window, restored);
    const offThread = await pasteWindowOffThread(prepared.canvas, prepared.window, restored);
    expect(fingerprint(offThread)).toEqual(fingerprint(inline));
    expect(offThread.data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('report a refused request as the same StudioError', async () => {
    const request = {
      imageId: 1,
      task: 'deblur',
      protocol: 'blind',
      blurRegion: { strokes: [stroke([{ x: 5_000, y: 5_000 }], 3)], rects: [] },
    } as RestoreRequest;
    let inline: unknown;
    try {
      imageOps.prepareRestore(photo, request);
    } catch (error) {
      inline = error;
    }
    const offThread = await prepareRestoreOffThread(photo, request).catch((error: unknown) => error);
    expect(inline).toBeInstanceOf(StudioError);
    expect(offThread).toBeInstanceOf(StudioError);
    const { code, message } = inline as StudioError;
    expect(offThread).toMatchObject({ name: 'StudioError', code, message });
  });

  it('decode a photo as the main thread does, its thumbnail and display copy included', async () => {
    const file = path.resolve('resources', 'samples', 'coffee.png');
    const direct = await loadImageFile(file);
    const opened = await openImageOffThread({ path: file }, { displayMaxSide: 256 });
    const inline = await imageOps.openImage({ path: file }, { displayMaxSide: 256 });
    expect(fingerprint(opened)).toEqual(fingerprint(inline));
    expect(fingerprint(opened.decoded)).toEqual(fingerprint(direct));
    expect(opened.decoded.image.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.isBuffer(opened.thumbnail)).toBe(true);
    expect(fingerprint(await loadImageOffThread(file))).toEqual(fingerprint(direct));
  });

  it('refuse a photo over the pixel limit as the main thread does', async () => {
    const file = path.resolve('resources', 'samples', 'coffee.png');
    const error = await loadImageOffThread(file, 1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StudioError);
    expect((error as StudioError).code).toBe('IMAGE_TOO_LARGE');
  });
});

describe('request bodies parsed in a worker', () => {
  const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it('hand long ASCII strings over as shared bytes, and keep short or non-ASCII ones as strings', async () => {
    const long = 'QUJD'.repeat(300_000);
    const accented = 'é'.repeat(1_100_000);
    const parsed = (await parseJsonOffThread(
      utf8({ name: 'a.png', base64: long, other: [accented, 'x'] }),
    )) as {
      name: string;
      base64: Uint8Array;
      other: string[];
    };
    expect(parsed.name).toBe('a.png');
    expect(parsed.base64.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(parsed.base64).toString('latin1')).toBe(long);
    expect(parsed.other).toEqual([accented, 'x']);
  });

  it('keep a parsed "__proto__" key a key, never the prototype of the copy', () => {
    const hostile = JSON.parse('{"__proto__": {"imageId": 5}, "a": 1}') as object;
    for (const copy of [shareLongText(hostile), shareLarge(hostile)] as object[]) {
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    }
    // Nor do inherited names pass the validators' check for unknown fields.
    for (const key of ['__proto__', 'toString']) {
      const input = JSON.parse(`{"id": "coffee", "${key}": 1}`) as unknown;
      expect(() => INPUT_VALIDATORS.openSample(input, 'input')).toThrow(
        `input.${key} is not an accepted field`,
      );
    }
  });

  it('are validated as the same request: bytes for an upload, strings elsewhere, lengths checked first', async () => {
    const long = 'A'.repeat(1_200_000);
    const parsed = await parseJsonOffThread(utf8({ name: 'a.png', base64: long }));
    const upload = INPUT_VALIDATORS.openUpload(parsed, 'input');
    expect(upload.base64).toBeInstanceOf(Uint8Array);
    expect(upload.base64.length).toBe(long.length);
    // A plain string field decodes the bytes back into the same string, within its limit only.
    const asString = (maxLength: number) => object({ name: string(), base64: string({ maxLength }) });
    expect(asString(2_000_000)(parsed, 'input')).toEqual({ name: 'a.png', base64: long });
    expect(() => asString(1_000_000)(parsed, 'input')).toThrow(
      'input.base64 is longer than 1000000 characters',
    );
    expect(() => INPUT_VALIDATORS.getSettings(parsed, 'input')).toThrow('input must be empty');
  });

  it('open an upload that came as shared bytes exactly as one that came as a string', async () => {
    const file = path.resolve('resources', 'samples', 'coffee.png');
    const base64 = readFileSync(file).toString('base64');
    const bytes = shareLongText(base64.padEnd(1_000_000, '=')) as Uint8Array;
    expect(bytes).toBeInstanceOf(Uint8Array);
    const fromBytes = await openImageOffThread(
      { base64: bytes, label: 'coffee.png' },
      { displayMaxSide: 256 },
    );
    const fromString = await openImageOffThread({ base64, label: 'coffee.png' }, { displayMaxSide: 256 });
    expect(fingerprint(fromBytes)).toEqual(fingerprint(fromString));
  });
});
