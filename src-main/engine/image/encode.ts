import { randomBytes } from 'node:crypto';
import { link, mkdtemp, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import type { Sharp } from 'sharp';

import { StudioError } from '../errors';
import { embedExif } from './exif';
import { resizeImage } from './resample';
import type { RgbImage } from './types';
import { assertImage, assertInteger } from './validate';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export interface EncodeOptions {
  readonly format: OutputFormat;
  /** 1..100 for JPEG and WebP; ignored for PNG, which is lossless. Defaults to 92. */
  readonly quality?: number;
  /** An EXIF block to embed (as `DecodedImage.exif` gives it); its Orientation is written as 1. */
  readonly exif?: Uint8Array;
  /**
   * An RGB ICC profile to keep: the sRGB pixels are converted into it and it is embedded, so colours look the
   * same as in the original. Profiles of other colour spaces (CMYK, grey) cannot describe RGB pixels and are
   * skipped.
   */
  readonly icc?: Uint8Array;
}

export type WriteOptions = Omit<EncodeOptions, 'format'> & { readonly format?: OutputFormat };

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp'];

const DEFAULT_QUALITY = 92;

const EXTENSIONS: Readonly<Record<string, OutputFormat>> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
};

/** ICC header bytes 16..19 name the profile's data colour space. */
function iccColourSpace(icc: Uint8Array): string {
  return icc.length >= 20 ? String.fromCharCode(...icc.subarray(16, 20)) : '';
}

async function withIccFile<T>(icc: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  // sharp takes an output profile only as a file path, so the bytes go to a private temporary folder.
  const folder = await mkdtemp(join(tmpdir(), 'v2l-icc-'));
  try {
    const path = join(folder, 'profile.icc');
    await writeFile(path, icc);
    return await use(path);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function applyFormat(pipeline: Sharp, format: OutputFormat, quality: number): Sharp {
  switch (format) {
    case 'png':
      return pipeline.png({ compressionLevel: 9 });
    case 'jpeg':
      // 4:4:4 chroma at high quality: restored fine detail is what the user exports for.
      return pipeline.jpeg({ quality, mozjpeg: true, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
    case 'webp':
      return pipeline.webp({ quality });
  }
}

/** Encodes an image to PNG, JPEG or WebP in memory. */
export async function encodeImage(image: RgbImage, options: EncodeOptions): Promise<Buffer> {
  assertImage(image);
  const { format } = options;
  // Checked at run time too: options may come from the renderer, past the type system.
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new StudioError('INVALID_ARGUMENT', `Cannot encode to "${format}": use png, jpeg or webp.`);
  }
  const quality = options.quality ?? DEFAULT_QUALITY;
  assertInteger(quality, 'quality', 1, 100);

  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const encode = async (iccPath?: string): Promise<Buffer> => {
    let pipeline = sharp(pixels, { raw: { width: image.width, height: image.height, channels: 3 } });
    if (iccPath !== undefined) pipeline = pipeline.withIccProfile(iccPath, { attach: true });
    return applyFormat(pipeline, format, quality).toBuffer();
  };

  let encoded: Buffer;
  try {
    const icc = options.icc;
    encoded =
      icc !== undefined && iccColourSpace(icc) === 'RGB ' ? await withIccFile(icc, encode) : await encode();
  } catch (cause) {
    if (cause instanceof StudioError) throw cause;
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new StudioError(
      'INVALID_ARGUMENT',
      `Encoding a ${image.width}x${image.height} image as ${format.toUpperCase()} failed (${detail}): ` +
        'if an ICC profile was given, export without it.',
      { cause },
    );
  }
  return options.exif !== undefined && options.exif.length > 0
    ? embedExif(encoded, format, options.exif, image.width, image.height)
    : encoded;
}

function formatForPath(path: string, requested: OutputFormat | undefined): OutputFormat {
  const ext = extname(path).toLowerCase();
  const fromExtension = EXTENSIONS[ext];
  if (requested === undefined) {
    if (fromExtension === undefined) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `${basename(path)}: cannot tell the format from "${ext || 'no extension'}": name it .png, .jpg or .webp.`,
      );
    }
    return fromExtension;
  }
  if (fromExtension !== undefined && fromExtension !== requested) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `${basename(path)} has a ${ext} extension but the format asked for is ${requested.toUpperCase()}: ` +
        'make them agree.',
    );
  }
  return requested;
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function writeError(path: string, error: unknown): StudioError {
  const name = basename(path);
  const code = errnoCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new StudioError(
      'FILE_NOT_FOUND',
      `Cannot save ${name}: the folder ${dirname(path)} does not exist. Create it or choose another folder.`,
      { cause: error },
    );
  }
  const reason =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'permission denied'
      : code === 'ENOSPC'
        ? 'the disk is full'
        : error instanceof Error
          ? error.message
          : String(error);
  return new StudioError('FILE_UNWRITABLE', `Cannot save ${name} in ${dirname(path)}: ${reason}.`, {
    cause: error,
  });
}

function existsError(path: string): StudioError {
  return new StudioError(
    'OUTPUT_EXISTS',
    `${basename(path)} already exists in ${dirname(path)}: choose another name or allow overwriting.`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Publishes `temp` at `path` without overwriting. link() fails atomically if `path` exists, so two exports racing
 * for one name cannot both win; on file systems without hard links we fall back to check-then-rename.
 */
async function publishNew(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path);
    await unlink(temp);
    return;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') throw existsError(path);
    if (
      code !== 'EPERM' &&
      code !== 'ENOTSUP' &&
      code !== 'EOPNOTSUPP' &&
      code !== 'EXDEV' &&
      code !== 'EMLINK'
    ) {
      throw error;
    }
  }
  if (await exists(path)) throw existsError(path);
  await rename(temp, path);
}

/**
 * Encodes and saves an image. The bytes go to a temporary file in the destination folder first and are then
 * renamed into place, so a crash never leaves a half-written image under the final name. The format comes from
 * `options.format` or else the extension. Throws OUTPUT_EXISTS if `path` exists and `overwrite` is false.
 */
export async function writeImageFile(
  path: string,
  image: RgbImage,
  options: WriteOptions,
  { overwrite }: { overwrite: boolean },
): Promise<void> {
  const format = formatForPath(path, options.format);
  if (!overwrite && (await exists(path).catch(() => false))) throw existsError(path);
  const bytes = await encodeImage(image, { ...options, format });

  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    if (overwrite) await rename(temp, path);
    else await publishNew(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof StudioError) throw error;
    throw writeError(path, error);
  }
}

/** A PNG no larger than `maxSide` on its longer side (never enlarged), for lists and the database. */
export async function makeThumbnail(image: RgbImage, maxSide = 256): Promise<Buffer> {
  assertImage(image);
  assertInteger(maxSide, 'thumbnail size', 1);
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  return encodeImage(resizeImage(image, width, height), { format: 'png' });
}

/** The image as a `data:image/png;base64,...` URL, for showing in the renderer without a file. */
export async function toPngDataUrl(image: RgbImage): Promise<string> {
  const png = await encodeImage(image, { format: 'png' });
  return `data:image/png;base64,${png.toString('base64')}`;
}
