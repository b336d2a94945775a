import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';

import { StudioError } from '../errors';
import { sniffFormat, type ImageFormat } from './sniff';
import type { RgbImage } from './types';

/** Defaults to 100 megapixels: a 12,000 x 8,000 photo fits, a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface DecodeOptions {
  /** Largest width x height accepted, checked from the header before any pixel is decoded. Defaults to 100 MP. */
  readonly maxPixels?: number;
}

export interface DecodedImage {
  /** Upright (EXIF orientation applied), sRGB, alpha flattened onto white. */
  readonly image: RgbImage;
  /** The container format the bytes were in. */
  readonly format: ImageFormat;
  /** Size of the encoded file in bytes. */
  readonly byteLength: number;
  /** Hex SHA-256 of the encoded bytes: identifies the file's content independently of its name. */
  readonly sha256: string;
  /** Raw EXIF block as stored in the file (starts with "Exif\0\0"); its Orientation is already applied to `image`. */
  readonly exif?: Buffer;
  /** Embedded ICC profile; `image` has already been converted from it to sRGB. */
  readonly icc?: Buffer;
}

/**
 * libvips stops on decoder errors and truncation but tolerates mere warnings: real camera JPEGs often carry
 * harmless oddities ("extraneous bytes before marker") that the strictest level ('warning') would refuse.
 */
const FAIL_ON = 'error';

function formatMegapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return `${mp >= 10 ? Math.round(mp) : Number(mp.toFixed(1))} MP`;
}

function describeSharpError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // libvips messages span lines and repeat the loader name; the first line is the useful part.
  return (message.split('\n').find((line) => line.trim() !== '') ?? message).trim().replace(/\.$/, '');
}

function corruptError(label: string, format: ImageFormat, cause: unknown): StudioError {
  const detail = describeSharpError(cause);
  const truncated = /premature end|truncat|unexpected end|read error|not enough data/i.test(detail);
  const reason = truncated ? 'the file is truncated or damaged' : 'the data is damaged';
  return new StudioError(
    'IMAGE_CORRUPT',
    `${label} could not be decoded as ${format.toUpperCase()}: ${reason} (${detail}). ` +
      'Re-export or re-download the original.',
    { cause },
  );
}

function checkMaxPixels(maxPixels: number): void {
  if (!Number.isInteger(maxPixels) || maxPixels < 1) {
    throw new StudioError('INVALID_ARGUMENT', `maxPixels is ${maxPixels}: it must be a whole number >= 1.`);
  }
}

/**
 * Decodes an encoded image held in memory. `label` names the source in error messages (usually the file name).
 * Throws `StudioError` with IMAGE_UNSUPPORTED_FORMAT, IMAGE_TOO_LARGE, IMAGE_CORRUPT or FILE_EMPTY.
 */
export async function decodeImageBuffer(
  bytes: Uint8Array,
  label: string,
  opts: DecodeOptions = {},
): Promise<DecodedImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  checkMaxPixels(maxPixels);
  if (bytes.length === 0) {
    throw new StudioError('FILE_EMPTY', `${label} is empty (0 bytes): choose another file or copy it again.`);
  }

  const sniffed = sniffFormat(bytes);
  if (sniffed.kind === 'other') {
    throw new StudioError(
      'IMAGE_UNSUPPORTED_FORMAT',
      `${label} is not a supported image: it looks like ${sniffed.description}. ` +
        'Open a JPEG, PNG, WebP, TIFF, AVIF or GIF file.',
    );
  }
  const format = sniffed.format;

  // Header only: sharp reads dimensions without decoding pixels. The pixel limit is lifted for this call so that
  // we, not libvips, report an oversized image, with its dimensions.
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, failOn: FAIL_ON }).metadata();
  } catch (cause) {
    throw corruptError(label, format, cause);
  }
  if (format === 'avif' && meta.compression !== undefined && meta.compression !== 'av1') {
    throw new StudioError(
      'IMAGE_UNSUPPORTED_FORMAT',
      `${label} uses ${meta.compression.toUpperCase()} compression, which this build cannot decode: convert it to JPEG or PNG.`,
    );
  }
  const width = meta.autoOrient.width;
  const height = meta.autoOrient.height;
  if (width * height > maxPixels) {
    throw new StudioError(
      'IMAGE_TOO_LARGE',
      `${label} is ${width}x${height} (${formatMegapixels(width * height)}), above the ` +
        `${formatMegapixels(maxPixels)} limit: downscale it first.`,
    );
  }

  let pixels: { data: Buffer; info: OutputInfo };
  try {
    pixels = await sharp(bytes, {
      failOn: FAIL_ON,
      limitInputPixels: maxPixels,
      autoOrient: true,
      // Animated GIF/WebP and multi-page TIFF: the first frame only.
      page: 0,
      pages: 1,
    })
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw corruptError(label, format, cause);
  }
  const { info, data } = pixels;
  if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
    throw new StudioError(
      'IMAGE_CORRUPT',
      `${label} decoded to ${info.channels} channels at ${info.width}x${info.height}, not RGB: re-export it as an RGB image.`,
    );
  }

  const image: RgbImage = {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    image,
    format,
    byteLength: bytes.length,
    sha256,
    ...(meta.exif ? { exif: meta.exif } : {}),
    ...(meta.icc ? { icc: meta.icc } : {}),
  };
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function fileSystemError(path: string, error: unknown): StudioError {
  const name = basename(path);
  switch (errnoCode(error)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new StudioError(
        'FILE_NOT_FOUND',
        `${name} was not found at ${path}: check the path or pick the file again.`,
        {
          cause: error,
        },
      );
    case 'EISDIR':
      return new StudioError('FILE_UNREADABLE', `${name} is a folder, not an image file (${path}).`, {
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new StudioError(
        'FILE_UNREADABLE',
        `${name} cannot be read: permission denied (${path}). Allow read access or copy the file elsewhere.`,
        { cause: error },
      );
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new StudioError('FILE_UNREADABLE', `${name} cannot be read (${path}): ${detail}.`, {
        cause: error,
      });
    }
  }
}

/**
 * Reads and decodes an image file. Besides the decoding errors of `decodeImageBuffer`, throws FILE_NOT_FOUND,
 * FILE_UNREADABLE (a folder, no permission, an I/O error) and FILE_EMPTY.
 */
export async function loadImageFile(path: string, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const name = basename(path);
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new StudioError('FILE_UNREADABLE', `${name} is a folder, not an image file (${path}).`);
    }
    if (!info.isFile()) {
      throw new StudioError(
        'FILE_UNREADABLE',
        `${name} is not a regular file (${path}): open an image file instead.`,
      );
    }
    if (info.size === 0) {
      throw new StudioError(
        'FILE_EMPTY',
        `${name} is empty (0 bytes): choose another file or copy it again.`,
      );
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof StudioError) throw error;
    throw fileSystemError(path, error);
  }
  return decodeImageBuffer(bytes, name, opts);
}
