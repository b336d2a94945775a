/*
 * Format detection from the first bytes of a file. We decide what a file is before handing it to sharp, for
 * two reasons: libvips also opens formats the studio does not support (SVG, which is text and may reference
 * other files; PDF; raw camera files), and when a file is refused the user should learn what it actually is
 * ("a PDF document"), not just that it is "unsupported".
 */

/** The formats the studio opens. AVIF is reported by libvips as 'heif' with AV1 compression. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'avif' | 'gif';

export const SUPPORTED_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'tiff', 'avif', 'gif'];

export type Sniffed =
  | { readonly kind: 'image'; readonly format: ImageFormat }
  | { readonly kind: 'other'; readonly description: string };

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, i) => bytes[offset + i] === value);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
}

/** ISO base media (HEIF family): the 'ftyp' box lists a major brand and compatible brands. */
function sniffIsoBmff(bytes: Uint8Array): Sniffed | undefined {
  if (ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize =
    ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  const brands: string[] = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= Math.min(boxSize, bytes.length); at += 4) brands.push(ascii(bytes, at, at + 4));
  if (brands.includes('avif') || brands.includes('avis')) return { kind: 'image', format: 'avif' };
  if (brands.some((b) => ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(b))) {
    return {
      kind: 'other',
      description: 'a HEIC/HEIF photo (HEVC-compressed, which this build cannot decode)',
    };
  }
  if (brands.some((b) => b.startsWith('qt') || b.startsWith('iso') || b.startsWith('mp4') || b === 'M4V ')) {
    return { kind: 'other', description: 'a video (MP4/QuickTime)' };
  }
  return { kind: 'other', description: `an ISO media file (brand "${brands[0]?.trim() ?? ''}")` };
}

/** Cheap guesses for common non-image files, so the error can say what the bytes look like. */
function describeOther(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'a PDF document';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive (or an Office document)';
  if (startsWith(bytes, [0x42, 0x4d])) return 'a BMP image';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'an ICO icon';
  if (startsWith(bytes, [0x38, 0x42, 0x50, 0x53])) return 'a Photoshop (PSD) file';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'a JPEG 2000 image';
  if (
    startsWith(bytes, [0xff, 0x0a]) ||
    startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])
  ) {
    return 'a JPEG XL image';
  }
  if (startsWith(bytes, [0x1f, 0x8b])) return 'a gzip archive';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512));
  const trimmed = head
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (trimmed.startsWith('<svg') || (trimmed.startsWith('<?xml') && trimmed.includes('<svg')))
    return 'an SVG drawing';
  if (trimmed.startsWith('<!doctype html') || trimmed.startsWith('<html')) return 'an HTML page';
  if (trimmed.startsWith('<?xml')) return 'an XML document';
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'JSON or other text';
  // Text if the sample has no control bytes other than whitespace and decodes cleanly.
  const sample = bytes.subarray(0, 512);
  const isText = sample.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f));
  if (isText && !head.includes('\uFFFD'))
    return `plain text ("${head.slice(0, 24).replace(/\s+/g, ' ').trim()}...")`;
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised binary data (starts with ${hex})`;
}

export function sniffFormat(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { kind: 'image', format: 'png' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP')
    return { kind: 'image', format: 'webp' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: 'image', format: 'tiff' };
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) {
    return { kind: 'image', format: 'tiff' }; // BigTIFF
  }
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')
    return { kind: 'image', format: 'gif' };
  return sniffIsoBmff(bytes) ?? { kind: 'other', description: describeOther(bytes) };
}
