import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { StudioError } from '../errors';
import type { PackGlobalBranch, PackMatrixFile } from './manifest';

/*
 * The data files of a pack's global branch: the two codebooks (float32 .npy, as numpy.save writes them) and the
 * global vocabulary (a JSON array of strings). The decoder of such a pack takes codebook rows rather than ids,
 * so the rows are gathered here: 256 x D numbers per image, far cheaper than a graph run.
 */

/** A row-major float32 matrix read from a pack. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

function badFile(dir: string, file: string, problem: string): StudioError {
  return new StudioError(
    'MODEL_INVALID',
    `Model pack ${dir}: ${file} ${problem}. Convert the pack again with training/convert/convert.py or reinstall it.`,
  );
}

/**
 * Parses a .npy file's bytes, checking that it holds little-endian float32 in C order with exactly the shape
 * the manifest promises; `where` names the file in errors.
 */
export function parseNpyMatrix(
  bytes: Buffer,
  rows: number,
  cols: number,
  where: { dir: string; file: string },
): Matrix {
  const bad = (problem: string) => badFile(where.dir, where.file, problem);
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(NPY_MAGIC)) throw bad('is not a .npy file');
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw bad(`has .npy format version ${String(major)}`);
  const headerStart = major === 1 ? 10 : 12;
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw bad('is truncated inside its header');
  const header = bytes.subarray(headerStart, dataStart).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4') throw bad(`holds ${descr ?? 'an unknown type'}, not little-endian float32 ('<f4')`);
  if (fortran !== 'False') throw bad('is stored column-major (fortran_order); the studio reads row-major');
  const shape = (shapeText ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.length !== 2 || shape[0] !== rows || shape[1] !== cols) {
    throw bad(`has shape [${shape.join(', ')}], but manifest.json says [${rows}, ${cols}]`);
  }
  const count = rows * cols;
  if (bytes.length - dataStart !== count * 4) {
    throw bad(
      `holds ${bytes.length - dataStart} data bytes, not ${count * 4} for [${rows}, ${cols}] float32`,
    );
  }
  // A view where the data happens to be 4-byte aligned in memory, a copy otherwise.
  const offset = bytes.byteOffset + dataStart;
  const data =
    offset % 4 === 0
      ? new Float32Array(bytes.buffer, offset, count)
      : new Float32Array(bytes.buffer.slice(offset, offset + count * 4));
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(data[i])) throw bad(`holds a non-finite value at row ${Math.floor(i / cols)}`);
  }
  return { rows, cols, data };
}

export async function readCodebook(dir: string, file: string, entry: PackMatrixFile): Promise<Matrix> {
  return parseNpyMatrix(await readFile(file), entry.rows, entry.cols, { dir, file: entry.path });
}

/** The global vocabulary: exactly `size` strings, index = global id. */
export function parseGlobalVocabulary(
  text: string,
  size: number,
  where: { dir: string; file: string },
): readonly string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badFile(where.dir, where.file, `is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(json) || !json.every((t) => typeof t === 'string')) {
    throw badFile(where.dir, where.file, 'is not a JSON array of strings');
  }
  if (json.length !== size) {
    throw badFile(where.dir, where.file, `holds ${json.length} entries, but manifest.json says ${size}`);
  }
  return Object.freeze(json);
}

/** Everything the runtime needs from a global branch besides its graph. */
export interface GlobalData {
  readonly local: Matrix;
  readonly global: Matrix;
  readonly vocabulary: readonly string[];
}

export async function loadGlobalData(
  dir: string,
  branch: PackGlobalBranch,
  files: {
    readonly localCodebook: string;
    readonly globalCodebook: string;
    readonly globalVocabulary: string;
  },
): Promise<GlobalData> {
  const [local, global, text] = await Promise.all([
    readCodebook(dir, files.localCodebook, branch.files.localCodebook),
    readCodebook(dir, files.globalCodebook, branch.files.globalCodebook),
    readFile(files.globalVocabulary, 'utf8'),
  ]);
  const vocabulary = parseGlobalVocabulary(text, branch.size, {
    dir,
    file: path.basename(files.globalVocabulary),
  });
  return { local, global, vocabulary };
}

/**
 * Local embeddings for the decoder, [batch, D, grid, grid] (channel-first, as the encoder's feature map): each
 * cell's codebook row, written down its channel plane.
 */
export function gatherLocal(
  book: Matrix,
  idLists: readonly ArrayLike<number>[],
  cells: number,
): Float32Array {
  const d = book.cols;
  const out = new Float32Array(idLists.length * d * cells);
  idLists.forEach((ids, b) => {
    const base = b * d * cells;
    for (let c = 0; c < cells; c++) {
      const row = (ids[c] ?? 0) * d;
      for (let ch = 0; ch < d; ch++) out[base + ch * cells + c] = book.data[row + ch] ?? 0;
    }
  });
  return out;
}

/** Global embeddings for the decoder, [batch, k, D']: the rows of each image's global ids, in order. */
export function gatherGlobal(book: Matrix, idLists: readonly ArrayLike<number>[], k: number): Float32Array {
  const d = book.cols;
  const out = new Float32Array(idLists.length * k * d);
  idLists.forEach((ids, b) => {
    for (let j = 0; j < k; j++) {
      const row = ids[j] ?? 0;
      out.set(book.data.subarray(row * d, (row + 1) * d), (b * k + j) * d);
    }
  });
  return out;
}
