// Renderer modules with no DOM in them, tested in Node; type-checked with the renderer (tsconfig.web.json).
import { describe, expect, it } from 'vitest';
import { archiveName, exportFormatFor } from '../../src-renderer/src/export/export-format';
import { crc32, zipStored } from '../../src-renderer/src/export/zip';

describe('export format', () => {
  it('keeps the photo’s own format where the export can write it, PNG otherwise', () => {
    expect(exportFormatFor('jpeg')).toBe('jpeg');
    expect(exportFormatFor('JPG')).toBe('jpeg');
    expect(exportFormatFor('webp')).toBe('webp');
    expect(exportFormatFor('png')).toBe('png');
    expect(exportFormatFor('tiff')).toBe('png');
    expect(exportFormatFor(undefined)).toBe('png');
    expect(archiveName(12)).toBe('run-12-export.zip');
  });
});

describe('zip of stored files', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  // The archive is read back here by its published layout (APPNOTE 4.3); the e2e test lists a real download with
  // Info-ZIP's unzip as well.
  it('lays out local headers, the central directory and its end record, with every file byte for byte', () => {
    const binary = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256);
    const entries = [
      { name: 'run-3-restored.jpg', bytes: binary },
      { name: 'run-3-grids.csv', bytes: new TextEncoder().encode('cell,row\n0,0\n') },
      { name: 'run-3-record.json', bytes: new TextEncoder().encode('{}\n') },
    ];
    const zip = zipStored(entries, new Date(2026, 0, 2, 3, 4, 6));
    const view = new DataView(zip.buffer);
    const end = zip.length - 22;
    expect(view.getUint32(end, true)).toBe(0x06054b50);
    expect(view.getUint16(end + 10, true)).toBe(3);
    let central = view.getUint32(end + 16, true);
    expect(central + view.getUint32(end + 12, true)).toBe(end);
    const decoder = new TextDecoder();
    for (const entry of entries) {
      expect(view.getUint32(central, true)).toBe(0x02014b50);
      const nameLength = view.getUint16(central + 28, true);
      expect(decoder.decode(zip.subarray(central + 46, central + 46 + nameLength))).toBe(entry.name);
      expect(view.getUint16(central + 10, true)).toBe(0); // stored
      expect(view.getUint32(central + 16, true)).toBe(crc32(entry.bytes));
      // 2026-01-02 03:04:06 in MS-DOS form.
      expect(view.getUint16(central + 14, true)).toBe(((2026 - 1980) << 9) | (1 << 5) | 2);
      expect(view.getUint16(central + 12, true)).toBe((3 << 11) | (4 << 5) | 3);
      const local = view.getUint32(central + 42, true);
      expect(view.getUint32(local, true)).toBe(0x04034b50);
      expect(view.getUint32(local + 22, true)).toBe(entry.bytes.length);
      const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      expect(zip.subarray(data, data + entry.bytes.length)).toEqual(entry.bytes);
      central += 46 + nameLength;
    }
  });
});
