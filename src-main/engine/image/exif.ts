import { crc32 } from 'node:zlib';

import { StudioError } from '../errors';

/*
 * Writing a raw EXIF block into an encoded file. sharp can keep EXIF only from its own input (ours is raw
 * pixels) or write it from string fields, which loses binary and typed tags; so we splice the block the
 * decoder gave us into the container ourselves. The pixels we write are always upright, so the Orientation
 * tag is reset to 1: keeping the camera's value would make viewers rotate the image a second time.
 */

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
const ORIENTATION_TAG = 0x0112;
/** A JPEG segment's length field counts itself and is 16 bits wide. */
const MAX_JPEG_SEGMENT_PAYLOAD = 0xffff - 2;

/** The TIFF structure inside an EXIF block, without the "Exif\0\0" prefix JPEG uses. */
export function exifTiffPayload(exif: Uint8Array): Buffer {
  const bytes = Buffer.from(exif.buffer, exif.byteOffset, exif.byteLength);
  return bytes.subarray(0, 6).equals(EXIF_HEADER) ? bytes.subarray(6) : bytes;
}

/** A copy of the TIFF payload with IFD0's Orientation set to 1 (top-left); unchanged if the tag is absent or unreadable. */
export function resetExifOrientation(exif: Uint8Array): Buffer {
  const tiff = Buffer.from(exifTiffPayload(exif));
  if (tiff.length < 8) return tiff;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return tiff;
  const little = order === 'II';
  const u16 = (at: number): number => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number): number => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return tiff;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) break;
    // Type 3 is SHORT; a single SHORT lives in the first two bytes of the value field.
    if (u16(entry) === ORIENTATION_TAG && u16(entry + 2) === 3) {
      if (little) tiff.writeUInt16LE(1, entry + 8);
      else tiff.writeUInt16BE(1, entry + 8);
    }
  }
  return tiff;
}

function embedInJpeg(jpeg: Buffer, tiff: Buffer): Buffer {
  const payload = Buffer.concat([EXIF_HEADER, tiff]);
  if (payload.length > MAX_JPEG_SEGMENT_PAYLOAD) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The EXIF block is ${payload.length} bytes, more than a JPEG segment holds (65,533): export without EXIF.`,
    );
  }
  const segment = Buffer.alloc(4 + payload.length);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(payload.length + 2, 2);
  payload.copy(segment, 4);
  // After SOI, and after a JFIF APP0 if there is one: JFIF readers expect APP0 to come first.
  let at = 2;
  if (jpeg.readUInt16BE(2) === 0xffe0) at = 4 + jpeg.readUInt16BE(4);
  return Buffer.concat([jpeg.subarray(0, at), segment, jpeg.subarray(at)]);
}

/** A PNG chunk: length, type, data and the CRC over type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

function embedInPng(png: Buffer, tiff: Buffer): Buffer {
  // eXIf must precede IDAT; right after IHDR (8-byte signature + 25-byte chunk) always qualifies.
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterIhdr), pngChunk('eXIf', tiff), png.subarray(afterIhdr)]);
}

interface RiffChunk {
  readonly id: string;
  readonly data: Buffer;
}

function riffChunk(id: string, data: Buffer): Buffer {
  const padded = Buffer.alloc(8 + data.length + (data.length % 2));
  padded.write(id, 0, 'latin1');
  padded.writeUInt32LE(data.length, 4);
  data.copy(padded, 8);
  return padded;
}

function embedInWebp(webp: Buffer, tiff: Buffer, width: number, height: number): Buffer {
  const chunks: RiffChunk[] = [];
  for (let at = 12; at + 8 <= webp.length;) {
    const size = webp.readUInt32LE(at + 4);
    chunks.push({ id: webp.toString('latin1', at, at + 4), data: webp.subarray(at + 8, at + 8 + size) });
    at += 8 + size + (size % 2);
  }
  // The simple format (one VP8/VP8L chunk) cannot carry metadata; the extended format announces it in VP8X.
  const EXIF_FLAG = 0x08;
  let header = chunks.find((c) => c.id === 'VP8X')?.data;
  if (header === undefined) {
    header = Buffer.alloc(10);
    header.writeUIntLE(width - 1, 4, 3);
    header.writeUIntLE(height - 1, 7, 3);
  } else {
    header = Buffer.from(header);
  }
  header.writeUInt8(header.readUInt8(0) | EXIF_FLAG, 0);
  const body = [
    riffChunk('VP8X', header),
    ...chunks.filter((c) => c.id !== 'VP8X' && c.id !== 'EXIF').map((c) => riffChunk(c.id, c.data)),
    riffChunk('EXIF', tiff),
  ];
  const riffHeader = Buffer.alloc(12);
  riffHeader.write('RIFF', 0, 'latin1');
  riffHeader.write('WEBP', 8, 'latin1');
  const total = Buffer.concat([riffHeader, ...body]);
  total.writeUInt32LE(total.length - 8, 4);
  return total;
}

/** Returns `encoded` with `exif` embedded (Orientation reset to 1). `width`/`height` are the image's size. */
export function embedExif(
  encoded: Buffer,
  format: 'png' | 'jpeg' | 'webp',
  exif: Uint8Array,
  width: number,
  height: number,
): Buffer {
  const tiff = resetExifOrientation(exif);
  if (tiff.length === 0) return encoded;
  switch (format) {
    case 'jpeg':
      return embedInJpeg(encoded, tiff);
    case 'png':
      return embedInPng(encoded, tiff);
    case 'webp':
      return embedInWebp(encoded, tiff, width, height);
  }
}
