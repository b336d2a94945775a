import type { RestoreRequest } from '../../../src-shared/contract/restore';
import type { AsciiBytes } from '../../../src-shared/contract/validate';
import { shareLongText } from './share';
import { decodeImageBuffer, loadImageFile, type DecodedImage } from '../image/decode';
import { makeThumbnail, toPngDataUrl } from '../image/encode';
import { resizeImage } from '../image/resample';
import type { RgbImage } from '../image/types';
import { pasteWindow } from '../restore/paste-back';
import { prepareRestore, type PreparedRestore } from '../restore/prepare';
import type { DamageWindow } from '../restore/window';

/*
 * The image work of a request that can keep a thread busy for more than a few milliseconds: decoding a photo
 * (its hash, thumbnail and display copy), preparing a restoration (drawing its mask over the whole photo,
 * extending the canvas, resizing to 128 px), pasting the restored window back. Each operation is a plain function of plain data, run in an image
 * worker (image-pool.ts) by the engine, or directly (as the tests do to compare the two).
 */

/** Where a photo's bytes come from. */
export type ImageSource =
  | { readonly path: string }
  | { readonly base64: string | AsciiBytes; readonly label: string }
  | { readonly bytes: Uint8Array; readonly label: string };

export interface OpenedPixels {
  readonly decoded: DecodedImage;
  /** The encoded bytes, when they came as base64 (to be kept in the data folder). */
  readonly bytes?: Buffer;
  /** PNG of at most 256 px a side, for the recent list. */
  readonly thumbnail: Buffer;
  /** The photo at most `displayMaxSide` a side, as a PNG data URL. */
  readonly displayUrl: string;
  readonly displayScale: number;
}

/** Downscales so the long side is at most `maxSide`; smaller images are returned as they are. */
export function fitWithin(image: RgbImage, maxSide: number): RgbImage {
  const scale = maxSide / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  return resizeImage(
    image,
    Math.max(1, Math.round(image.width * scale)),
    Math.max(1, Math.round(image.height * scale)),
  );
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

async function decodeSource(source: ImageSource, maxPixels: number | undefined) {
  const options = maxPixels === undefined ? {} : { maxPixels };
  if ('path' in source) return { decoded: await loadImageFile(source.path, options) };
  const bytes =
    'base64' in source
      ? Buffer.from(typeof source.base64 === 'string' ? source.base64 : latin1(source.base64), 'base64')
      : Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
  return { decoded: await decodeImageBuffer(bytes, source.label, options), bytes };
}

export const imageOps = {
  prepareRestore: (photo: RgbImage, request: RestoreRequest): PreparedRestore =>
    prepareRestore(photo, request),

  /** `prepareRestore` of a request sent as JSON text (cheaper to post than its many small objects). */
  prepareRestoreJson: (photo: RgbImage, request: string): PreparedRestore =>
    prepareRestore(photo, JSON.parse(request) as RestoreRequest),

  /** Decodes a photo (bounded by `maxPixels`) and makes what opening it shows: thumbnail and display copy. */
  openImage: async (
    source: ImageSource,
    options: { readonly maxPixels?: number; readonly displayMaxSide: number },
  ): Promise<OpenedPixels> => {
    const { decoded, bytes } = await decodeSource(source, options.maxPixels);
    const display = fitWithin(decoded.image, options.displayMaxSide);
    return {
      decoded,
      ...('base64' in source && bytes ? { bytes } : {}),
      thumbnail: await makeThumbnail(decoded.image),
      displayUrl: await toPngDataUrl(display),
      displayScale: display.width / decoded.image.width,
    };
  },

  /** Pastes a restored window back into the photo (a copy of the whole photo: 300 MB at 100 MP). */
  pasteWindow: (photo: RgbImage, window: DamageWindow, restored: RgbImage, decoded?: RgbImage): RgbImage =>
    pasteWindow(photo, window, restored, decoded),

  /**
   * A request body as JSON (UTF-8 bytes): a 200 MB upload takes seconds to parse. Throws SyntaxError. Its long
   * ASCII strings come back as bytes in shared memory (shareLongText), not to be rebuilt on the main thread.
   */
  parseJson: (bytes: Uint8Array): unknown => shareLongText(JSON.parse(new TextDecoder().decode(bytes))),

  /** Decodes a photo file (bounded by `maxPixels`). */
  loadImage: (path: string, maxPixels?: number): Promise<DecodedImage> =>
    loadImageFile(path, maxPixels === undefined ? {} : { maxPixels }),
};

export type ImageOps = typeof imageOps;
export type ImageOpName = keyof ImageOps;
